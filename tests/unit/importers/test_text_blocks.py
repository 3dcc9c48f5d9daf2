"""amber.importers.textblocks: cited text blocks of one message read as one text."""

from __future__ import annotations

import json
from pathlib import Path

from amber.importers import anthropic, claude
from amber.importers.record import Imported
from amber.importers.textblocks import joined_text_blocks
from amber.render.markdown import render_parts

IMPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    return None, None


def cite(citations: object) -> str:
    return f" [{len(citations)}]" if isinstance(citations, list) and citations else ""


def text(value: str, *sources: str) -> dict[str, object]:
    block: dict[str, object] = {"type": "text", "text": value}
    if sources:
        block["citations"] = [{"url": s} for s in sources]
    return block


def test_pieces_around_a_citation_become_one_text() -> None:
    blocks = [text("The tallest is "), text("Everest", "a", "b"), text(", at "),
              text("8,849 m", "c"), text(".")]
    assert joined_text_blocks(blocks, cite) == [text("The tallest is Everest [2], at 8,849 m [1].")]


def test_blocks_that_meet_no_citation_stay_apart() -> None:
    tool = {"type": "tool_use", "id": "t"}
    blocks = [text("One."), text("Two."), tool, text("Three", "x"), tool, text("Four.")]
    assert joined_text_blocks(blocks, cite) == blocks


def test_anthropic_message_reads_as_its_source_meant() -> None:
    record = json.loads((IMPORTS / "anthropic" / "citations-response.json").read_text("utf-8"))
    conv = anthropic.convert(record, "message 1", no_images)
    assert isinstance(conv, Imported)
    texts = [p.text for p in conv.messages[-1].parts if p.type == "text"]
    assert texts == [
        "According to the survey, the tallest mountain is Mount Everest "
        "([Everest](https://peaks.example.org/everest)), at 8,849 m "
        "([2020 survey](https://survey.example.org/2020)) above sea level.\n\n"
        "It lies on the border of Nepal and China.",
        "K2 comes second.", "It is in the Karakoram."]
    html = render_parts(conv.messages[-1].parts, "m-1", lambda src: None)
    first = html.split("</p>")[0]
    assert "According to the survey" in first and "above sea level." in first


def test_claude_message_reads_as_its_source_meant() -> None:
    records = json.loads((IMPORTS / "claude" / "citations-conversations.json").read_text("utf-8"))
    conv = claude.convert(records[0], "conversation 1", no_images)
    assert isinstance(conv, Imported)
    assert [p.text for p in conv.messages[-1].parts] == [
        "It is Mount Everest ([Everest](https://peaks.example.org/everest)), in the Himalaya."]
