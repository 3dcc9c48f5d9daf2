"""amber.importers.librechat: nested and flat exports, the newest branch, typed content."""

from __future__ import annotations

import json
from pathlib import Path

from amber.content.model import Message
from amber.importers import detect, librechat
from amber.importers.record import Imported

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "librechat"


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    raise AssertionError("LibreChat exports hold no image files")


def convert(name: str) -> Imported:
    record = json.loads((FIXTURE / name).read_text("utf-8"))
    assert detect.detect(record) == "librechat"
    result = librechat.convert(record, "conversation 1", no_images)
    assert isinstance(result, Imported), result
    return result


def test_nested_messages_follow_the_newest_version_of_each_turn() -> None:
    conv = convert("tree.json")
    assert (conv.source_id, conv.title, conv.model) == ("lc-conv-1", "Queue design", "gpt-4o")
    assert [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    assert conv.branches_dropped == 0
    shown = [Message(m.role, m.content, m.created, m.model) for m in conv.messages]
    assert "BRANCH-" not in json.dumps([m.as_dict() for m in shown])
    assert "PRIVATE-" not in json.dumps([m.as_dict() for m in conv.messages])


def test_the_older_versions_are_kept_as_alternatives() -> None:
    _, answer, prompt, _ = convert("tree.json").messages
    # A regenerated answer: the older one is version 1 of 2.
    assert answer.version == 2
    assert [[m.content for m in b] for b in answer.alternatives] == [["BRANCH-LC-OLDER answer"]]
    # An edited prompt: the first wording, with the answer it had.
    assert (prompt.content, prompt.version) == ("Why bounded?", 2)
    assert [[(m.role, m.content) for m in b] for b in prompt.alternatives] == [
        [("user", "BRANCH-LC-PROMPT why a queue?"),
         ("assistant", "BRANCH-LC-ANSWER to the first wording.")]]


def test_typed_content_becomes_reasoning_tool_parts_and_text() -> None:
    conv = convert("tree.json")
    diagram, spec, prompt = conv.messages[0].parts
    assert (diagram.type, diagram.name, spec.type, spec.name) == (
        "image", "diagram.png", "attachment", "spec.pdf")
    assert prompt.text == "Please look at this diagram and my spec."
    think, call, result, text, image = conv.messages[1].parts
    assert (think.type, think.text) == (
        "reasoning", "The spec asks for a queue; the diagram shows two workers.")
    assert (call.name, call.id, call.arguments) == ("file_search", "tc1", '{"query": "queue"}')
    assert (result.type, result.text, result.id) == (
        "tool_result", "spec.pdf: use a bounded queue", "tc1")
    assert text.text == "Use a **bounded queue** between the two workers."
    assert image.type == "image"


def test_thinking_directives_in_text_become_reasoning() -> None:
    reasoning, text = convert("tree.json").messages[3].parts
    assert (reasoning.type, reasoning.text) == ("reasoning", "Back-pressure matters here.")
    assert text.text == "So a slow worker slows the producer instead of filling memory."


def test_a_flat_list_links_by_parent_ids() -> None:
    conv = convert("linear.json")
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    assert conv.messages[1].model == "claude-sonnet-4"
    assert conv.created == "2026-02-02T08:00:00Z"


def test_a_very_long_nested_chat_needs_no_recursion() -> None:
    top: dict[str, object] = {"messageId": "m0", "parentMessageId": None,
                              "isCreatedByUser": True, "text": "start"}
    node = top
    for i in range(1, 5000):
        child = {"messageId": f"m{i}", "isCreatedByUser": i % 2 == 0, "text": f"turn {i}"}
        node["children"] = [child]
        node = child
    record = {"conversationId": "deep", "messages": [top]}
    result = librechat.convert(record, "conversation 1", no_images)
    assert isinstance(result, Imported) and len(result.messages) == 5000


def test_an_api_log_with_a_conversation_id_is_not_taken_for_librechat() -> None:
    record = {"conversationId": "x", "messages": [{"role": "user", "content": "hi"}]}
    assert not librechat.looks_like(record)
    assert detect.detect(record) == "openai"
