"""`amber import` end to end: every format, idempotence, updates, bad input, the site it builds."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.helpers.cli import assert_user_error, ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.trees import text_files, tree_bytes

FIXTURES = REPO / "tests" / "fixtures" / "imports"
CHATGPT = FIXTURES / "chatgpt"
SHARED_SAMPLES = REPO.parent / "shared" / "fixtures"
"""Real exports beside the repository, when this checkout has them (not in the repo)."""

PRIVATE = re.compile(r"PRIVATE-[A-Z]+-\d+|BRANCH-[A-Z]+-[A-Z]+")
"""Markers the fixtures put in text no one saw: hidden context, memory, other branches."""


def chatgpt_zip(tmp_path: Path) -> Path:
    """The ChatGPT fixture as the data export download: a zip with its images."""
    export = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        for path in sorted(CHATGPT.iterdir()):
            zf.write(path, path.name)
        zf.writestr("chat.html", "<html></html>")
    return export


def conversations(site: Path) -> dict[str, bytes]:
    return tree_bytes(site / "content" / "conversations")


def imported(site: Path) -> dict[str, str]:
    """Imported conversation files (those with the import header): name -> text."""
    return {name: data.decode() for name, data in conversations(site).items()
            if data.startswith(b"# Imported by `amber import`")}


def test_chatgpt_zip_imports_builds_and_hides_what_no_one_saw(site: Path, tmp_path: Path) -> None:
    result = ok(run_amber("import", chatgpt_zip(tmp_path), cwd=site))
    slugs = result.stdout.split()
    assert slugs == ["reversing-lists-f9c8834f", "tools-and-reasoning-f79e4909",
                     "pictures-a307e870"]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("amber import: a ChatGPT export: 3 imported, 0 updated, "
                           "0 unchanged, 2 skipped")
    assert "2 branches (edits, regenerations) kept as alternatives" in last
    assert "images: 1 copied, 2 not in the export" in last
    assert "skipped: conversation 4 ('Only hidden'): no visible messages" in result.stderr
    files = imported(site)
    assert sorted(files) == sorted(f"{s}.yaml" for s in slugs)
    # The edits and regenerations are kept in the file, as alternatives; a share of the
    # current branch (below) publishes none of them.
    assert not re.search(r"PRIVATE-[A-Z]+-\d+", "".join(files.values()))
    assert "alternatives:\n  - - role: assistant" in files["reversing-lists-f9c8834f.yaml"]
    assert "BRANCH-REGENERATED-ANSWER" in files["reversing-lists-f9c8834f.yaml"]
    assets = list((site / "content" / "assets").iterdir())
    assert [p.name for p in assets] == [
        "4371149be76808ede2e39736bd07c9a9209f1d6207cfb3a530c7a2e84ab1a5a2.png"]
    ok(run_amber("check", cwd=site))

    ids = dict(zip(slugs, share(site, *slugs), strict=True))
    output = build(site)
    pages = text_files(output)
    assert not PRIVATE.search("".join(pages.values()))
    tools = pages[f"share/{ids['tools-and-reasoning-f79e4909']}/index.html"]
    assert '<details class="part part-reasoning"><summary>Thought for 4 seconds</summary>' \
        in tools
    tool_line = r'<details class="part part-tool"[^>]*><summary><code class="tool-name">python<'
    assert re.search(tool_line, tools)
    assert 'href="https://www.python.org/downloads/release/python-3130/"' in tools
    assert "\ue200" not in tools and "【" not in tools
    pictures = pages[f"share/{ids['pictures-a307e870']}/index.html"]
    assert re.search(r'<img src="/chats/assets/4371149be7[^"]*\.png" alt="photo.png"', pictures)
    assert "Image not included: <span>lost.jpg</span>" in pictures
    assert 'Attachment: <span class="attachment-name">report.pdf</span>' in pictures
    continued = json.loads(pages[f"share/{ids['pictures-a307e870']}/conversation.json"])
    assert "*[attachment: report.pdf]*" in continued["messages"][0]["content"]
    markdown = pages[f"share/{ids['tools-and-reasoning-f79e4909']}/conversation.md"]
    assert "```python\nimport statistics\nprint(statistics.mean([1, 2, 3, 10]))\n```" in markdown


def test_importing_the_same_export_twice_changes_nothing(site: Path, tmp_path: Path) -> None:
    export = chatgpt_zip(tmp_path)
    ok(run_amber("import", export, cwd=site))
    before = tree_bytes(site / "content")
    again = ok(run_amber("import", export, cwd=site))
    assert again.stdout == ""
    assert "0 imported, 0 updated, 3 unchanged, 2 skipped" in again.stderr
    assert tree_bytes(site / "content") == before
    assert not [p for p in (site / "content").iterdir() if p.name.startswith(".amber-import")]


def test_a_grown_conversation_is_updated_in_place_and_its_share_goes_stale(
        site: Path, tmp_path: Path) -> None:
    source = tmp_path / "claude.json"
    shutil.copy(FIXTURES / "claude" / "conversations.json", source)
    first = ok(run_amber("import", source, cwd=site)).stdout.split()
    assert first == ["a-pricing-page-artifact-b0f8f258", "what-s-the-weather-in-lisbon-4a51dbf8"]
    share(site, first[0])
    data = json.loads(source.read_text())
    data[0]["name"] = "Renamed in the app"
    data[0]["chat_messages"].append({
        "uuid": "m-5", "text": "One more question: PHRASE-GROWN-1212", "sender": "human",
        "created_at": "2026-01-02T09:06:00Z", "attachments": [], "files": []})
    source.write_text(json.dumps(data))
    second = ok(run_amber("import", source, cwd=site))
    assert second.stdout.split() == [first[0]]  # same file, though the title changed
    assert "0 imported, 1 updated, 1 unchanged" in second.stderr
    text = (site / "content" / "conversations" / f"{first[0]}.yaml").read_text()
    assert "PHRASE-GROWN-1212" in text and "title: Renamed in the app" in text
    states = json.loads(ok(run_amber("list", "--json", cwd=site)).stdout)
    assert [(s["source"], s["state"]) for s in states] == [(first[0], "stale")]


def test_a_file_edited_after_import_is_kept(site: Path, tmp_path: Path) -> None:
    source = FIXTURES / "sharegpt" / "sharegpt.json"
    slug = ok(run_amber("import", source, cwd=site)).stdout.split()[0]
    path = site / "content" / "conversations" / f"{slug}.yaml"
    edited = path.read_text().replace("Thanks!", "Thanks (name redacted)!")
    path.write_text(edited)
    result = ok(run_amber("import", source, cwd=site))
    assert path.read_text() == edited
    assert f"{slug}.yaml was edited after it was imported; kept as it is" in result.stderr


@pytest.mark.parametrize(("fixture", "format_name", "count"), [
    ("claude/conversations.json", "Claude.ai", 2),
    ("openai/chat.json", "OpenAI chat-completions", 1),
    ("openai/finetune.jsonl", "OpenAI chat-completions", 4),
    ("anthropic/request.json", "Anthropic Messages", 1),
    ("anthropic/response.json", "Anthropic Messages", 1),
    ("anthropic/requests-log.jsonl", "Anthropic Messages", 3),
    ("responses/exchanges.json", "OpenAI Responses", 2),
    ("responses/requests.jsonl", "OpenAI Responses", 2),
    ("responses/response.json", "OpenAI Responses", 1),
    ("sharegpt/sharegpt.json", "ShareGPT", 2),
])
def test_every_format_imports_and_passes_check(site: Path, fixture: str, format_name: str,
                                              count: int) -> None:
    result = ok(run_amber("import", FIXTURES / fixture, cwd=site))
    assert len(result.stdout.split()) == count
    article = "an" if format_name[0] in "AEIOU" else "a"
    assert f"amber import: {article} {format_name} export: {count} imported" in result.stderr
    ok(run_amber("check", cwd=site))


def test_forcing_the_format(site: Path) -> None:
    fixture = FIXTURES / "anthropic" / "response.json"
    ok(run_amber("import", fixture, "--format", "anthropic", cwd=site))
    result = run_amber("import", FIXTURES / "claude" / "conversations.json",
                       "--format", "chatgpt", cwd=site)
    line = assert_user_error(result, "conversation 1 is not in the ChatGPT format",
                             "'mapping'", "Leave out --format")
    assert "Traceback" not in line
    bad = run_amber("import", fixture, "--format", "bard", cwd=site)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_chatgpt_app_tools_publish_what_the_app_showed(site: Path) -> None:
    """Issue 18: canvas, image generation, file and web search, a Korean title."""
    result = ok(run_amber("import", CHATGPT / "app-tools.json", cwd=site))
    canvas, korean = result.stdout.split()
    assert canvas.startswith("fizzbuzz-in-a-canvas-")
    assert korean.startswith("seoul-yeohaeng-gyehoeg-")
    ids = dict(zip((canvas, korean), share(site, canvas, korean), strict=True))
    pages = text_files(build(site))
    canvas_page = pages[f"share/{ids[canvas]}/index.html"]
    assert canvas_page.count(">fizzbuzz<") == 2 and canvas_page.count(">Trip notes<") == 2
    assert "textdoc_id" not in canvas_page and "canmore" not in canvas_page
    page = pages[f"share/{ids[korean]}/index.html"]
    assert "<h1>서울 여행 계획</h1>" in page or ">서울 여행 계획<" in page
    assert ('<li><a href="https://weather.example.org/seoul" rel="nofollow noopener noreferrer">'
            'Seoul forecast</a></li>') in page
    for hidden in ("GPT-4o returned", "Please remember to search", "PRIVATE-",
                   "t2uay3k", "third.party@example.com"):
        assert hidden not in page, hidden
    assert '<details class="part part-attachment"><summary>Attachment: ' in page
    assert "Fox in snowy forest" in page


def test_a_forced_format_that_would_drop_content_is_refused(site: Path) -> None:
    export = FIXTURES / "anthropic" / "requests-log.jsonl"
    before = tree_bytes(site)
    assert_user_error(run_amber("import", export, "--format", "openai", cwd=site),
                      "requests-log.jsonl", "tool_use blocks", "--format anthropic")
    assert tree_bytes(site) == before


@pytest.mark.parametrize(("make", "needles"), [
    (lambda d: FIXTURES / "bad" / "truncated.json",
     ["truncated.json:1:", "not valid JSON", "truncated"]),
    (lambda d: FIXTURES / "bad" / "export.csv", ["export.csv", "not JSON", "expected JSON"]),
    (lambda d: FIXTURES / "bad" / "unknown.json",
     ["not an export amber can read", "'hello'", "ChatGPT", "ShareGPT"]),
    (lambda d: d / "missing.json", ["missing.json: no such file"]),
    (lambda d: d, ["is a folder"]),
])
def test_bad_input_writes_nothing(site: Path, tmp_path: Path, make, needles: list[str]) -> None:
    before = tree_bytes(site)
    assert_user_error(run_amber("import", make(tmp_path), cwd=site), *needles)
    assert tree_bytes(site) == before


def test_a_corrupt_zip_writes_nothing(site: Path, tmp_path: Path) -> None:
    export = chatgpt_zip(tmp_path)
    data = export.read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: len(data) // 2])
    before = tree_bytes(site)
    assert_user_error(run_amber("import", cut, cwd=site), "cut.zip", "not a readable zip")
    # A zip whose conversations.json is damaged inside: found while reading it.
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w") as zf:
        zf.writestr("conversations.json", (CHATGPT / "conversations.json").read_bytes()[:5000])
    assert_user_error(run_amber("import", damaged, cwd=site),
                      "damaged.zip:conversations.json", "not valid JSON", "near byte")
    assert tree_bytes(site) == before


def test_import_needs_a_site(tmp_path: Path) -> None:
    assert_user_error(run_amber("import", FIXTURES / "openai" / "chat.json", cwd=tmp_path),
                      "no content/ folder", "amber init")


@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="no real export samples beside the repo")
def test_real_export_samples_import_and_build(site: Path) -> None:
    samples = sorted(SHARED_SAMPLES.glob("*/*.json"))
    assert samples
    slugs = []
    for sample in samples:
        result = ok(run_amber("import", sample, cwd=site))
        assert "0 skipped" in result.stderr, result.stderr
        slugs += result.stdout.split()
    assert len(slugs) == len(samples)
    share(site, *slugs)
    build(site)
    ok(run_amber("check", cwd=site))
