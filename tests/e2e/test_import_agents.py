"""`amber import` of agent sessions end to end: folders, idempotence, pages, real samples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.helpers.cli import assert_user_error, ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.trees import tree_bytes

FIXTURES = REPO / "tests" / "fixtures" / "imports"
SHARED_SAMPLES = next((p / "shared" / "fixtures" / "realdata" for p in (REPO.parent,
                                                                        REPO.parent.parent)
                       if (p / "shared" / "fixtures" / "realdata").is_dir()), REPO / "absent")
"""Real sessions beside the repository (or its worktree folder), when there (not in the repo)."""


def agent_home(tmp_path: Path) -> Path:
    """Both agents' folders laid out as on disk: projects/<project>/ and sessions/Y/M/D/.

    (Without the leading dots: a walk skips hidden folders below the one given.)"""
    home = tmp_path / "home"
    shutil.copytree(FIXTURES / "claude-code", home / "claude" / "projects" / "-home-dev-hello")
    day = home / "codex" / "sessions" / "2026" / "03" / "02"
    shutil.copytree(FIXTURES / "codex", day)
    return home


def test_a_folder_of_sessions_imports_once_and_builds(site: Path, tmp_path: Path) -> None:
    home = agent_home(tmp_path)
    first = ok(run_amber("import", home / "claude", cwd=site))
    assert first.stdout.split() == ["fix-the-greeting-in-hello-py-a0e11c4d",
                                    "find-every-todo-in-the-project-847a09a8"]
    assert ("amber import: a Claude Code session export: 2 imported, 0 updated, 0 unchanged, "
            "0 skipped; 2 branches (edits, regenerations) kept as alternatives; images: 1 copied"
            ) in first.stderr
    second = ok(run_amber("import", home / "codex", cwd=site))
    assert second.stdout.split() == ["rename-total-to-subtotal-e1eb65f5"]
    before = tree_bytes(site / "content")
    again = ok(run_amber("import", home, cwd=site))  # both agents at once: nothing new
    assert again.stdout == ""
    assert "0 imported, 0 updated, 3 unchanged, 0 skipped" in again.stderr
    assert tree_bytes(site / "content") == before
    ok(run_amber("check", cwd=site))

    [share_id] = share(site, "fix-the-greeting-in-hello-py-a0e11c4d")
    page = (build(site) / "share" / share_id / "index.html").read_text()
    assert '<span class="code-title">Edit hello.py</span>' in page
    assert '<details class="part part-reasoning"><summary>Sub-agent: Run the tests</summary>' \
        in page
    assert "Conversation compacted" in page
    for noise in ("NOISE-", "BRANCH-", "/home/dev/hello/CHANGES.md"):
        assert noise not in page
    # A share of every branch shows the edited and the rewound prompts' other versions.
    [every] = share(site, "fix-the-greeting-in-hello-py-a0e11c4d", "--branches", "all", "--yes")
    page = (build(site) / "share" / every / "index.html").read_text()
    assert "BRANCH-ABANDONED-PROMPT" in page and "BRANCH-REWOUND-REPLY" in page
    assert "NOISE-" not in page


def test_a_grown_session_is_updated_in_place(site: Path, tmp_path: Path) -> None:
    session = tmp_path / "s.jsonl"
    source = FIXTURES / "claude-code" / "5d0c0a1e-0000-4000-8000-000000000002.jsonl"
    lines = source.read_text().splitlines(keepends=True)
    session.write_text("".join(lines[:-1]))
    ok(run_amber("import", session, cwd=site))
    session.write_text("".join(lines))
    grown = ok(run_amber("import", session, cwd=site))
    assert "0 imported, 1 updated, 0 unchanged" in grown.stderr


def test_a_wrong_format_is_refused(site: Path) -> None:
    rollout = next((FIXTURES / "codex").glob("*.jsonl"))
    before = tree_bytes(site)
    assert_user_error(run_amber("import", rollout, "--format", "claude-code", cwd=site),
                      rollout.name, "is a Codex CLI session, not a Claude Code session")
    assert_user_error(run_amber("import", rollout, "--format", "chatgpt", cwd=site),
                      "is not in the ChatGPT format")
    assert_user_error(run_amber("import", FIXTURES / "openai", "--format", "codex", cwd=site),
                      "is a folder with no Codex CLI session files")
    assert tree_bytes(site) == before


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="real samples are not in this checkout")
@pytest.mark.parametrize(("folder", "count"), [("claude-code", 5), ("codex", 3)])
def test_real_sessions_import_again_unchanged_and_pass_check(site: Path, folder: str,
                                                             count: int) -> None:
    samples = SHARED_SAMPLES / folder
    first = ok(run_amber("import", samples, cwd=site))
    assert len(first.stdout.split()) == count
    again = ok(run_amber("import", samples, cwd=site))
    assert f"0 imported, 0 updated, {count} unchanged" in again.stderr
    ok(run_amber("check", cwd=site))
