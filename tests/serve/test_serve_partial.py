"""Drafts and the management page with message ranges and redactions."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.redaction import RedactionRules
from amber.content.selection import parse_selection
from amber.content.shares import create_shares
from amber.content.snapshot import Redaction
from tests.helpers import EPOCH
from tests.helpers.cli import source_date
from tests.helpers.partial_site import AGENT
from tests.helpers.serve import InProcessSite

NAME = "Zelda Quartermain"


class Served(InProcessSite):
    def text(self, target: str) -> str:
        response = self.get(target)
        assert response.status == 200
        return response.body.decode("utf-8")


@pytest.fixture
def served(serve_site: Path) -> Served:
    shutil.copy(AGENT, serve_site / "content" / "conversations")
    content = load_content(SitePaths(serve_site))
    content.require_valid()
    with source_date(EPOCH):
        create_shares(content, [content.conversations["agent"]], title=None, author=None,
                      listed=False, selection=parse_selection("2-6", 8),
                      redaction=Redaction(RedactionRules(literals=(NAME,)), "ab" * 16))
    return Served(serve_site)


def conversation_part(page: str) -> str:
    return page[page.index('<div class="conversation">'):]


def test_manage_page_shows_selection_and_redactions(served: Served) -> None:
    page = served.text("/_manage/")
    assert "Messages 2\u20136 of 8 · 11 redactions" in page


def test_draft_takes_the_share_choices_and_shows_the_command(served: Served) -> None:
    page = served.text(f"/_preview/agent/?messages=2-3,5&redact={NAME.replace(' ', '+')}"
                       "&redact-pattern=TCK-%5B0-9%5D%2B&redact-sensitive")
    shown = conversation_part(page)
    assert NAME not in shown and "TCK-55123" not in shown
    assert '<mark class="redacted" role="img" aria-label="redacted">[redacted]</mark>' in shown
    assert 'id="m-5"' in shown and 'id="m-4"' not in shown and 'id="m-6"' not in shown
    assert "Messages 2\u20133 and 5 of 8" in page
    command = html.unescape(page[page.index("To share it so:"):].split("</code>")[0])
    assert command.endswith("amber share agent --messages 2-3,5 --redact 'Zelda Quartermain' "
                            "--redact-pattern 'TCK-[0-9]+' --redact-sensitive")
    exported = served.get("/_preview/agent/conversation.json?messages=2&redact=Nimbus-7Q")
    assert b"Nimbus-7Q" not in exported.body and b"[redacted]" in exported.body


@pytest.mark.parametrize(("query", "note"), [
    ("messages=0", "numbered from 1"), ("messages=2-99", "past the end"),
    ("redact-pattern=(a%2B)%2B", "exponential"), ("redact=+", "must not be empty"),
])
def test_a_choice_that_cannot_apply_is_a_note(served: Served, query: str, note: str) -> None:
    page = served.text(f"/_preview/agent/?{query}")
    assert note in html.unescape(page)
    assert 'id="m-1"' in page and 'id="m-8"' in page


def test_amber_preview_passes_the_choices_to_the_draft() -> None:
    from amber.cli import make_parser
    from amber.commands.preview import draft_path

    args = make_parser().parse_args(["preview", "agent", "--messages", "2-3", "--redact",
                                     NAME, "--redact-pattern", "TCK-[0-9]+",
                                     "--redact-sensitive"])
    assert draft_path("agent", args) == (
        "/_preview/agent/?messages=2-3&redact=Zelda+Quartermain"
        "&redact-pattern=TCK-%5B0-9%5D%2B&redact-sensitive=")


def test_a_drafts_downloads_keep_its_choices(served: Served) -> None:
    page = html.unescape(served.text("/_preview/agent/?messages=2&redact=Nimbus-7Q"))
    assert 'href="/_preview/agent/conversation.json?messages=2&redact=Nimbus-7Q"' in page
    assert 'href="/_preview/agent/conversation.md?messages=2&redact=Nimbus-7Q"' in page
