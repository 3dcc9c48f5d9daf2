"""amber.importers.claude: order, artifacts, attachments, typed content blocks."""

from __future__ import annotations

import json
from pathlib import Path

from amber.importers import claude
from amber.importers.record import Imported, Skipped

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "claude"
RECORDS = json.loads((FIXTURE / "conversations.json").read_text("utf-8"))


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    raise AssertionError("Claude exports hold no image files")


def convert(index: int) -> Imported:
    result = claude.convert(RECORDS[index], f"conversation {index + 1}", no_images)
    assert isinstance(result, Imported), result
    return result


def test_messages_come_in_the_order_they_were_written() -> None:
    conv = convert(0)
    assert conv.title == "A pricing page artifact"
    assert conv.created == "2026-01-02T09:00:00Z"
    assert [(m.role, m.created) for m in conv.messages] == [
        ("user", "2026-01-02T09:01:00Z"), ("assistant", "2026-01-02T09:02:00Z"),
        ("user", "2026-01-02T09:03:00Z"), ("assistant", "2026-01-02T09:04:00Z")]


def test_attachments_and_files_show_their_names() -> None:
    notes, mockup, brief, text = convert(0).messages[0].parts
    assert (notes.type, notes.name, notes.text) == (
        "attachment", "notes.txt", "Price: $5 per seat\nDiscount: 10% yearly")
    assert (mockup.type, mockup.name, mockup.src) == ("image", "mockup.png", None)
    assert (brief.type, brief.name, brief.text) == ("attachment", "brief.pdf", None)
    assert text.text == "Build a tiny pricing page. My notes are attached."


def test_artifacts_become_titled_code_and_ant_thinking_is_dropped() -> None:
    conv = convert(0)
    before, artifact, after = conv.messages[1].parts
    assert before.text == "Here is the page."
    assert (artifact.type, artifact.language, artifact.title) == ("code", "html", "Pricing page")
    assert artifact.code == '<!DOCTYPE html>\n<p>Total: <span id="t">$5</span></p>\n'
    assert after.text == "It shows the total."
    assert "PRIVATE-ANTTHINKING" not in json.dumps([m.as_dict() for m in conv.messages])
    _, code = conv.messages[3].parts
    assert (code.language, code.title, code.code) == ("python", "price.py",
                                                      'print("**total**")\n')


def test_an_unclosed_artifact_keeps_its_code() -> None:
    parts = claude.split_artifacts('Start\n<antArtifact title="T" type="text/markdown">\n# Hi')
    assert [(p.type, p.text or p.code, p.language) for p in parts] == [
        ("text", "Start", None), ("code", "# Hi", "markdown")]


def test_typed_content_blocks() -> None:
    conv = convert(1)
    assert conv.title == "What's the weather in Lisbon?"  # untitled: from the first message
    reasoning, call, result, text, artifact = conv.messages[1].parts
    assert (reasoning.type, reasoning.title) == ("reasoning", "Checking the forecast")
    assert (call.type, call.name, call.id) == ("tool_call", "web_search", "toolu_01")
    assert json.loads(call.arguments or "") == {"query": "Lisbon weather"}
    assert (result.type, result.text, result.id, result.is_error) == (
        "tool_result", "Sunny, 21 °C", "toolu_01", None)
    assert text.text == "It is sunny and 21 °C. ([Lisbon forecast](https://weather.example.org/lisbon))"
    assert (artifact.type, artifact.language, artifact.title, artifact.code) == (
        "code", "json", "weather.json", '{"temp": 21}')
    assert conv.notes == ("a content block of type 'mystery_block' could not be imported",)
    assert "flattened text" not in json.dumps([m.as_dict() for m in conv.messages])


def test_empty_and_unidentifiable_conversations_are_skipped() -> None:
    empty = claude.convert(RECORDS[2], "conversation 3", no_images)
    assert isinstance(empty, Skipped) and empty.reason == "no visible messages"
    no_uuid = dict(RECORDS[0], uuid=None)
    result = claude.convert(no_uuid, "conversation 1", no_images)
    assert isinstance(result, Skipped) and "'uuid'" in result.reason


def test_messages_without_times_keep_the_export_order() -> None:
    record = {"uuid": "u", "name": "n", "chat_messages": [
        {"sender": "human", "text": "first"}, {"sender": "assistant", "text": "second",
                                               "created_at": "2020-01-01T00:00:00Z"}]}
    conv = claude.convert(record, "c", no_images)
    assert isinstance(conv, Imported)
    assert [m.content for m in conv.messages] == ["first", "second"]
