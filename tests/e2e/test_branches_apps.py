"""The chat apps that keep a tree (Open WebUI, LibreChat, Grok, DeepSeek) or drafts
(Gemini), end to end: an edited prompt and a regenerated answer (another draft) are
imported as alternatives, a second
import changes nothing, and a share of every branch builds and shows them while a
share of the current branch shows none."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.trees import tree_bytes

FIXTURES = REPO / "tests" / "fixtures" / "imports"
EXPORTS = {
    "open-webui": (FIXTURES / "open-webui" / "chat-export.json",
                   ("BRANCH-OWUI-PROMPT", "BRANCH-OWUI-REGENERATED")),
    "librechat": (FIXTURES / "librechat" / "tree.json", ("BRANCH-LC-PROMPT", "BRANCH-LC-OLDER")),
    "grok": (FIXTURES / "grok" / "prod-grok-backend.json",
             ("BRANCH-GROK-PROMPT", "BRANCH-GROK-OLDER")),
    "deepseek": (FIXTURES / "deepseek" / "conversations.json",
                 ("BRANCH-DEEPSEEK-PROMPT", "BRANCH-DEEPSEEK-OLDER")),
    "gemini": (FIXTURES / "gemini" / "MyActivity.json", ("BRANCH-GEMINI-DRAFT",)),
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_edits_and_regenerations_are_kept_shared_and_reimported_unchanged(
        site: Path, name: str) -> None:
    export, markers = EXPORTS[name]
    first = ok(run_amber("import", export, "--format", name, cwd=site))
    assert "(edits, regenerations) kept as alternatives" in first.stderr
    before = tree_bytes(site / "content")
    again = ok(run_amber("import", export, cwd=site))
    assert again.stdout == "" and tree_bytes(site / "content") == before

    [slug] = [path.stem for path in (site / "content" / "conversations").glob("*.yaml")
              if markers[0] in path.read_text("utf-8")]
    [current] = share(site, slug, "--yes")
    [every] = share(site, slug, "--branches", "all", "--yes")
    output = build(site)
    shown = (output / "share" / current / "index.html").read_text("utf-8")
    assert "BRANCH-" not in shown
    page = (output / "share" / every / "index.html").read_text("utf-8")
    for marker in markers:
        assert marker in page
    ok(run_amber("check", cwd=site))
