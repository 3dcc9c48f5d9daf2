"""``amber import`` of the chat apps' exports: Open WebUI, LibreChat, Grok, Gemini, AI
Studio, DeepSeek. Each imports, passes ``amber check``, re-imports without a change,
refuses a wrong ``--format``, and is found inside the zip its app hands out."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.helpers.cli import assert_user_error, ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.trees import tree_bytes

FIXTURES = REPO / "tests" / "fixtures" / "imports"
REAL_SAMPLES = REPO.parent / "shared" / "fixtures" / "realdata"
"""Real exports beside the repository, when this checkout has them (not in the repo)."""

APPS = [
    # fixture, name in the summary, conversations, skipped
    ("open-webui/chat-export.json", "Open WebUI", 2, 0),
    ("librechat/tree.json", "LibreChat", 1, 0),
    ("librechat/linear.json", "LibreChat", 1, 0),
    ("grok/prod-grok-backend.json", "Grok", 2, 0),
    ("gemini/MyActivity.json", "Gemini (Google Takeout)", 2, 1),
    ("gemini/MyActivity.html", "Gemini (Google Takeout)", 2, 1),
    ("ai-studio/prompt.json", "Google AI Studio", 1, 0),
    ("deepseek/conversations.json", "DeepSeek", 2, 0),
]
HIDDEN = re.compile(r"PRIVATE-[A-Z]+-\d+")
"""Markers in what the apps never show; the ``BRANCH-`` markers of other versions are kept
as alternatives (``test_branches_apps``)."""


@pytest.mark.parametrize(("fixture", "name", "count", "skipped"), APPS)
def test_each_app_imports_passes_check_and_reimports_unchanged(
        site: Path, fixture: str, name: str, count: int, skipped: int) -> None:
    result = ok(run_amber("import", FIXTURES / fixture, cwd=site))
    assert len(result.stdout.split()) == count
    article = "an" if name[0] in "AEIOU" else "a"
    assert f"amber import: {article} {name} export: {count} imported" in result.stderr
    assert f"{skipped} skipped" in result.stderr
    written = tree_bytes(site / "content")
    text = b"".join(written.values()).decode("utf-8", "replace")
    assert not HIDDEN.search(text), HIDDEN.search(text)
    ok(run_amber("check", cwd=site))
    again = ok(run_amber("import", FIXTURES / fixture, cwd=site))
    assert f"0 imported, 0 updated, {count} unchanged" in again.stderr
    assert tree_bytes(site / "content") == written


@pytest.mark.parametrize(("fixture", "wrong", "expected"), [
    ("deepseek/conversations.json", "chatgpt", "not in the ChatGPT format"),
    ("open-webui/chat-export.json", "librechat", "not in the LibreChat format"),
    ("grok/prod-grok-backend.json", "gemini", "not in the Gemini (Google Takeout) format"),
    ("gemini/MyActivity.html", "open-webui", "not in the Open WebUI format"),
    ("claude/conversations.json", "deepseek", "not in the DeepSeek format"),
])
def test_a_wrong_format_is_refused(site: Path, fixture: str, wrong: str, expected: str) -> None:
    before = tree_bytes(site)
    assert_user_error(run_amber("import", FIXTURES / fixture, "--format", wrong, cwd=site),
                      expected, "Leave out --format")
    assert tree_bytes(site) == before


def test_the_apps_zips_are_read_where_they_keep_the_chats(site: Path, tmp_path: Path) -> None:
    grok = tmp_path / "grok-export.zip"
    with zipfile.ZipFile(grok, "w") as zf:
        zf.write(FIXTURES / "grok" / "prod-grok-backend.json",
                 "ttl/30d/export_data/u1/prod-grok-backend.json")
        zf.writestr("ttl/30d/export_data/u1/prod-mc-auth-mgmt-api.json", '{"user": "x"}')
    takeout = tmp_path / "takeout.zip"
    with zipfile.ZipFile(takeout, "w") as zf:
        zf.write(FIXTURES / "gemini" / "MyActivity.html",  # Takeout names folders in French
                 "Takeout/Mes activités/Applications Gemini/MonActivité.html")
        zf.writestr("Takeout/Mes activités/Recherche/MonActivité.html", "<html></html>")
    deepseek = tmp_path / "deepseek.zip"
    with zipfile.ZipFile(deepseek, "w") as zf:
        zf.write(FIXTURES / "deepseek" / "conversations.json", "conversations.json")
        zf.writestr("user.json", '{"mobile": "PRIVATE-PHONE-1"}')
    for export, name, count in [(grok, "Grok", 2), (takeout, "Gemini (Google Takeout)", 2),
                                (deepseek, "DeepSeek", 2)]:
        result = ok(run_amber("import", export, cwd=site))
        assert f"{name} export: {count} imported" in result.stderr, result.stderr
    assert b"PRIVATE-PHONE" not in b"".join(tree_bytes(site / "content").values())


def test_every_app_conversation_shares_and_builds(site: Path) -> None:
    slugs = []
    for fixture, *_ in APPS:
        slugs += ok(run_amber("import", FIXTURES / fixture, cwd=site)).stdout.split()
    assert len(slugs) == sum(count for _, _, count, _ in APPS)
    share(site, *slugs)
    build(site)
    ok(run_amber("check", cwd=site))


@pytest.mark.skipif(not REAL_SAMPLES.is_dir(), reason="no real export samples beside the repo")
@pytest.mark.parametrize(("folder", "name"), [
    ("openwebui", "Open WebUI"), ("librechat", "LibreChat"), ("grok", "Grok"),
    ("gemini", "Google AI Studio"),
])
def test_real_app_exports_import_and_build(site: Path, folder: str, name: str) -> None:
    samples = sorted((REAL_SAMPLES / folder).glob("*.json"))
    if not samples:
        pytest.skip(f"no {folder} samples")
    slugs = []
    for sample in samples:
        result = ok(run_amber("import", sample, cwd=site))
        assert f"{name} export" in result.stderr and "0 skipped" in result.stderr, result.stderr
        assert "could not be imported" not in result.stderr, result.stderr
        slugs += result.stdout.split()
        again = ok(run_amber("import", sample, cwd=site))
        assert "0 imported, 0 updated" in again.stderr
    share(site, *slugs)
    build(site)
    ok(run_amber("check", cwd=site))
