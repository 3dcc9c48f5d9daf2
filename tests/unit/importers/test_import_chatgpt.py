"""amber.importers.chatgpt: the visible thread, what each message becomes, what is dropped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from amber.content.model import Message, shared_path
from amber.importers import chatgpt
from amber.importers.record import Imported, Notes, Skipped
from amber.render.markdown import render_markdown

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "chatgpt"
RECORDS = json.loads((FIXTURE / "conversations.json").read_text("utf-8"))


class Images:
    """A resolver that knows one file, as an export zip holding one image would."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def __call__(self, reference: str, name: str | None) -> tuple[str | None, str | None]:
        self.asked.append((reference, name))
        if reference == "file-service://file-Img123abcXYZ":
            return "assets/" + "a" * 64 + ".png", None
        return None, None


def convert(index: int) -> Imported:
    result = chatgpt.convert(RECORDS[index], f"conversation {index + 1}", Images())
    assert isinstance(result, Imported), result
    return result


def dump(messages: tuple[Message, ...]) -> str:
    return json.dumps([m.as_dict() for m in messages], ensure_ascii=False)


def test_follows_current_node_and_keeps_the_other_branches_as_alternatives() -> None:
    conv = convert(0)
    assert conv.title == "Reversing lists"
    assert conv.source_id == "conv-plain-0001"
    assert conv.created == "2026-01-01T10:00:00Z"
    assert conv.model == "gpt-4o"
    assert [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    assert conv.messages[0].content == "How do I reverse a list in Python?"
    assert conv.messages[0].created == "2026-01-01T10:00:10Z"
    assert conv.branches_dropped == 0
    assert "BRANCH-" not in dump(shared_path(conv.messages))
    edited, regenerated = conv.messages[0], conv.messages[1]
    assert (edited.version, edited.alternatives[0][0].content) == (
        1, "BRANCH-EDITED-PROMPT how to reverse?")
    assert (regenerated.version, regenerated.alternatives[0][0].content) == (
        1, "BRANCH-REGENERATED-ANSWER")


def test_drops_hidden_context_memory_system_messages_and_placeholders() -> None:
    conv = convert(0)
    text = dump(conv.messages)
    for secret in ("PRIVATE-PROFILE-1234", "PRIVATE-INSTRUCTIONS-5678", "PRIVATE-MEMORY-9999",
                   "PRIVATE-SYSTEM-4242", "Model set context updated"):
        assert secret not in text
    # The empty placeholder before the answer is gone, not an empty message.
    assert all(m.parts and any((p.text or p.code or p.name) for p in m.parts)
               for m in conv.messages)


def test_per_message_model_only_where_it_differs() -> None:
    conv = convert(0)
    assert [m.model for m in conv.messages] == [None, None, None, "gpt-4o-mini"]


def test_code_interpreter_reasoning_and_tools() -> None:
    conv = convert(1)
    roles = [m.role for m in conv.messages]
    assert roles == ["user", "assistant", "tool", "assistant", "user", "assistant", "tool",
                     "assistant", "tool"]
    reasoning, call = conv.messages[1].parts
    assert reasoning.type == "reasoning" and reasoning.title == "Thought for 4 seconds"
    assert "I should run Python" in (reasoning.text or "")
    assert call.type == "tool_call" and call.name == "python"
    assert json.loads(call.arguments or "") == {
        "code": "import statistics\nprint(statistics.mean([1, 2, 3, 10]))"}
    (result,) = conv.messages[2].parts
    assert (result.type, result.name, result.text, result.id) == ("tool_result", "python", "4",
                                                                  call.id)
    (search,) = conv.messages[5].parts
    assert (search.type, search.name) == ("tool_call", "web")
    quote = conv.messages[6].content
    assert isinstance(quote, str)
    assert quote.startswith("> Python 3.13 was released.")
    assert r"[What's New \[in\] Python](https://docs.python.org/3/whatsnew/)" in quote
    (error,) = conv.messages[8].parts
    assert (error.type, error.is_error, error.text) == ("tool_result", True,
                                                        "The browser tool timed out.")


def test_citations_become_links_and_markers_disappear() -> None:
    answer = convert(1).messages[7].content
    assert answer == (
        "Python 3.13 is the newest release. "
        "([Python Release Python 3.13.0](https://www.python.org/downloads/release/python-3130/))"
        "\n\nOlder style too ([Python docs](https://docs.python.org/3/))."
    )


def test_images_attachments_and_generated_pictures() -> None:
    images = Images()
    conv = chatgpt.convert(RECORDS[2], "conversation 3", images)
    assert isinstance(conv, Imported)
    photo, lost, text, report = conv.messages[0].parts
    assert (photo.type, photo.src, photo.name) == ("image", "assets/" + "a" * 64 + ".png",
                                                   "photo.png")
    assert (lost.type, lost.src, lost.name) == ("image", None, "lost.jpg")
    assert text.text == "What is in this photo? See also the report."
    assert (report.type, report.name) == ("attachment", "report.pdf")
    # The generator's call is not shown; its picture is the answer, as the app shows it.
    assert [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    (picture,) = conv.messages[3].parts
    assert (picture.type, picture.src, picture.alt) == ("image", None, "A watercolour cat")
    assert ("file-service://file-Img123abcXYZ", "photo.png") in images.asked


@pytest.mark.parametrize(("index", "reason"), [
    (3, "no visible messages"),
    (4, "not a conversation object"),
])
def test_records_with_nothing_to_import_are_skipped(index: int, reason: str) -> None:
    result = chatgpt.convert(RECORDS[index], f"conversation {index + 1}", Images())
    assert isinstance(result, Skipped)
    assert reason in result.reason


def test_missing_current_node_follows_the_latest_leaf() -> None:
    record = json.loads(json.dumps(RECORDS[0]))
    record["current_node"] = "no-such-node"
    conv = chatgpt.convert(record, "c", Images())
    assert isinstance(conv, Imported)
    assert "no valid current_node; followed the most recent branch" in conv.notes
    # The latest leaf is the last answer of the main thread.
    assert conv.messages[-1].content == "Call `items.reverse()`; it returns `None`."


def test_a_parent_loop_does_not_hang() -> None:
    mapping = {
        "a": {"id": "a", "parent": "b", "children": ["b"], "message": None},
        "b": {"id": "b", "parent": "a", "children": ["a"], "message": {
            "id": "b", "author": {"role": "user"},
            "content": {"content_type": "text", "parts": ["hello"]}}},
    }
    notes = Notes()
    path, _ = chatgpt.visible_path(mapping, "b", notes)
    assert sorted(path) == ["a", "b"]
    assert any("loop" in n for n in notes.items)


def test_unknown_content_keeps_its_text_or_says_what_was_lost() -> None:
    record = {"title": "x", "conversation_id": "c1", "current_node": "m2", "mapping": {
        "m1": {"id": "m1", "parent": None, "children": ["m2"], "message": {
            "id": "m1", "author": {"role": "user"},
            "content": {"content_type": "new_kind", "text": "kept text"}}},
        "m2": {"id": "m2", "parent": "m1", "children": [], "message": {
            "id": "m2", "author": {"role": "assistant"},
            "content": {"content_type": "mystery", "blob": 1}}},
    }}
    conv = chatgpt.convert(record, "c", Images())
    assert isinstance(conv, Imported)
    assert [m.content for m in conv.messages] == ["kept text"]
    assert conv.notes == ("a message of type 'mystery' could not be imported",)


def test_hostile_citation_titles_and_urls_cannot_break_out() -> None:
    text = chatgpt.cite("See \ue200cite\ue202x\ue201", {"content_references": [{
        "matched_text": "\ue200cite\ue202x\ue201", "type": "webpage",
        "title": "a](javascript:alert(1)) [b", "url": "https://ex.org/p?q=(1)&x=<y>"}]})
    html = render_markdown(text)
    assert re.findall(r'href="([^"]*)"', html) == ["https://ex.org/p?q=%281%29&amp;x=%3Cy%3E"]
    assert ">a](javascript:alert(1)) [b</a>" in html
    unsafe = chatgpt.cite("X \ue200cite\ue202y\ue201", {"content_references": [{
        "matched_text": "\ue200cite\ue202y\ue201", "type": "webpage", "title": "t",
        "url": "javascript:alert(1)"}]})
    assert unsafe == "X"
