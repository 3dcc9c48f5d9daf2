"""amber.importers.gemini and .aistudio: Takeout activity (JSON, HTML) and saved prompts."""

from __future__ import annotations

import json
from pathlib import Path

from amber.content.model import Message
from amber.importers import aistudio, detect, gemini
from amber.importers.gemini_html import activity_entries
from amber.importers.record import Imported, Skipped
from amber.importers.records import HtmlDocument

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
ASSET = "assets/" + "d" * 64 + ".png"


def images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    return (ASSET, None) if reference.startswith("data:image/png;base64,") else (None, None)


def takeout(records: list[object]) -> list[Imported | Skipped]:
    grouped = gemini.regroup(iter([(f"conversation {i}", r) for i, r in enumerate(records, 1)]))
    return [gemini.convert(record, where, images) for where, record in grouped]


def json_entries() -> list[object]:
    return json.loads((FIXTURES / "gemini" / "MyActivity.json").read_text("utf-8"))


def html_document() -> HtmlDocument:
    path = FIXTURES / "gemini" / "MyActivity.html"
    return HtmlDocument(str(path), path.read_text("utf-8"))


def test_entries_of_one_chat_make_one_conversation_oldest_first() -> None:
    entries = json_entries()
    assert {detect.detect(e) for e in entries} == {"gemini"}
    chat, alone, others = takeout(entries)
    assert isinstance(chat, Imported) and isinstance(alone, Imported)
    assert chat.source_id == "app:c0ffee12"
    assert chat.title == "How often should I water a cactus? Photo attached."
    assert [(m.role, m.created) for m in chat.messages] == [
        ("user", "2026-04-01T10:00:00Z"), ("assistant", "2026-04-01T10:00:00Z"),
        ("user", "2026-04-01T10:05:00Z"), ("assistant", "2026-04-01T10:05:00Z")]
    assert chat.messages[2].content == "And in winter?"
    assert (alone.title, [m.content for m in alone.messages]) == ("What is 2+2?",
                                                                  ["What is 2+2?", "4"])
    assert isinstance(others, Skipped) and "1 activity entry is not a conversation turn" \
        in others.reason


def test_the_reply_html_becomes_markdown_and_the_first_draft_is_shown() -> None:
    chat = takeout(json_entries())[0]
    assert isinstance(chat, Imported)
    photo, sheet, _ = chat.messages[0].parts
    assert (photo.type, photo.name, sheet.type, sheet.name) == (
        "image", "cactus.jpg", "attachment", "care-sheet.pdf")
    assert chat.messages[1].content == (
        "Every *two to three weeks* in summer:\n\n- soak the soil\n- let it dry\n\n"
        "```text\nwater → dry → repeat\n```")
    assert "alert" not in chat.messages[1].content
    answer = chat.messages[3]
    assert answer.content == "In winter, water them **once a month**."
    # The other draft is kept as an alternative; the first, shown, is version 1.
    assert answer.version == 1 and answer.alternatives == (
        (Message("assistant", "BRANCH-GEMINI-DRAFT", answer.created),),)
    assert chat.branches_dropped == 0
    shown = [Message(m.role, m.content, m.created) for m in chat.messages]
    assert "BRANCH-" not in json.dumps([m.as_dict() for m in shown])


def test_ids_survive_a_later_export_with_newer_entries() -> None:
    first = {c.source_id for c in takeout(json_entries()) if isinstance(c, Imported)}
    later = [{"header": "Gemini Apps", "title": "Prompted A later question",
              "time": "2026-06-01T00:00:00.000Z", "safeHtmlItem": [{"html": "<p>ok</p>"}]},
             *json_entries()]
    again = {c.source_id for c in takeout(later) if isinstance(c, Imported)}
    assert first < again and len(again) == 3


def test_the_html_page_reads_like_the_json() -> None:
    document = html_document()
    assert gemini.looks_like(document) and detect.detect(document) == "gemini"
    chat, alone, others = takeout([document])
    assert isinstance(chat, Imported) and isinstance(alone, Imported)
    assert chat.source_id == "app:c0ffee12"
    assert [m.role for m in chat.messages] == ["user", "assistant", "user", "assistant"]
    photo, prompt = chat.messages[0].parts
    assert (photo.type, photo.name, prompt.text) == (
        "image", "cactus.jpg", "How often should I water a cactus?")
    assert chat.messages[1].content == (
        "Every *two to three weeks*.\n\nNested [care guide](https://cactus.example/care)")
    assert chat.messages[2].content == "And in winter? <b>not bold</b>"
    assert chat.messages[3].content.startswith("In winter, water them **once a month**.")
    assert "PRIVATE-" not in json.dumps([m.as_dict() for m in chat.messages])
    assert [m.content for m in alone.messages] == ["Kolik je 2+2?", "4"]
    assert isinstance(others, Skipped)


def test_hostile_html_is_tolerated() -> None:
    assert activity_entries("") == []
    assert activity_entries("<div class='outer-cell'><div class='content-cell "
                            "mdl-typography--body-1'>no date<br>at all") == []
    broken = ('<div class="outer-cell"><div class="content-cell mdl-typography--body-1">'
              'Prompted&nbsp;hi<br>Jan 1, 2026, 1:00:00 AM UTC<br><p>open <b>bold'
              '<div class="outer-cell"><iframe src=x></div>')
    (entry,) = [e for e in activity_entries(broken) if e.get("safeHtmlItem")]
    assert entry["title"] == "Prompted\xa0hi"
    assert "<p>open <b>bold" in entry["safeHtmlItem"][0]["html"]  # type: ignore[index]


def test_an_ai_studio_prompt() -> None:
    record = json.loads((FIXTURES / "ai-studio" / "prompt.json").read_text("utf-8"))
    assert detect.detect(record) == "ai-studio"
    conv = aistudio.convert(record, "conversation 1", images)
    assert isinstance(conv, Imported)
    assert conv.source_id.startswith("derived:") and conv.model == "gemini-2.5-pro"
    assert conv.title == "What is in this picture, and what is 12*7?"
    assert [m.role for m in conv.messages] == [
        "system", "user", "user", "assistant", "user", "assistant", "user", "assistant"]
    assert conv.messages[0].content == "Answer briefly."
    (image,) = conv.messages[2].parts
    assert (image.type, image.src) == ("image", ASSET)
    thought, code, output, call = conv.messages[3].parts
    assert (thought.type, thought.text) == (
        "reasoning", "**Looking at the image**\n\nA single grey pixel.")
    assert (code.type, code.language, code.code) == ("code", "python", "print(12*7)")
    assert (output.type, output.text, output.is_error) == ("tool_result", "84\n", None)
    assert (call.name, call.arguments) == ("lookup_colour", '{"hex": "#808080"}')
    (result,) = conv.messages[4].parts
    assert (result.type, result.name, result.text) == (
        "tool_result", "lookup_colour", '{"name": "grey"}')
    document, _ = conv.messages[6].parts
    assert document.type == "attachment"
    again = aistudio.convert(record, "conversation 1", images)
    assert isinstance(again, Imported) and again.source_id == conv.source_id
