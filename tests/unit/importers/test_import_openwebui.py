"""amber.importers.openwebui: the shown branch, details blocks, files and sources."""

from __future__ import annotations

import json
from pathlib import Path

from amber.importers import detect, openwebui
from amber.importers.record import Imported, Skipped

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "open-webui"
RECORDS = json.loads((FIXTURE / "chat-export.json").read_text("utf-8"))
ASSET = "assets/" + "c" * 64 + ".png"


def images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    return (ASSET, None) if reference.startswith("data:image/png;base64,") else (None, None)


def convert(record: object) -> Imported:
    result = openwebui.convert(record, "conversation 1", images)
    assert isinstance(result, Imported), result
    return result


def dumped(conv: Imported) -> str:
    return json.dumps([m.as_dict() for m in conv.messages], ensure_ascii=False)


def test_the_current_branch_is_shown_and_the_others_kept_as_alternatives() -> None:
    conv = convert(RECORDS[0])
    assert (conv.format, conv.source_id, conv.title) == (
        "open-webui", "3f0c9a4e-0000-4000-8000-000000000001", "Weather in Lisbon")
    assert [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    prompt, answer = conv.messages[2:]
    assert prompt.content == "What is the weather in Lisbon today?"
    # The edited prompt: the first version, with the answer it had.
    assert prompt.version == 2 and [[(m.role, m.content) for m in b]
                                    for b in prompt.alternatives] == [
        [("user", "BRANCH-OWUI-PROMPT weather?"), ("assistant", "BRANCH-OWUI-ANSWER")]]
    # The regenerated answer: the first try, before the one shown.
    assert answer.version == 2 and [[m.content for m in b] for b in answer.alternatives] == [
        ["BRANCH-OWUI-REGENERATED"]]
    assert conv.branches_dropped == 0
    assert "BRANCH-" not in json.dumps([m.as_dict() for m in conv.messages[:2]])
    assert (conv.created, conv.model) == ("2026-01-01T10:00:00Z", "qwen3:8b")


def test_reasoning_and_tool_calls_written_into_the_text_become_parts() -> None:
    reasoning, call, result, text, sources = convert(RECORDS[0]).messages[3].parts
    assert (reasoning.type, reasoning.title) == ("reasoning", "Thought for 4 seconds")
    assert reasoning.text == ("The user wants the weather in Lisbon.\n"
                              "I should call the weather tool.")
    assert (call.type, call.name, call.id, call.arguments) == (
        "tool_call", "get_weather", "call_1", '{"city": "Lisbon"}')
    assert (result.type, result.text, result.id) == ("tool_result", '{"temp_c": 21}', "call_1")
    assert text.text == "It is **21 °C** and sunny in Lisbon."
    assert sources.text == "Sources:\n\n- [Weather service](https://weather.example/lisbon)"
    assert convert(RECORDS[0]).messages[3].model == "llama3.2:latest"


def test_files_become_an_image_and_an_attachment() -> None:
    image, notes, text = convert(RECORDS[0]).messages[0].parts
    assert (image.type, image.src) == ("image", ASSET)
    assert (notes.type, notes.name, notes.text) == ("attachment", "notes.txt", "Trip: Lisbon, May")
    assert text.text.startswith("Hello!")


def test_what_the_chat_view_never_shows_is_left_out() -> None:
    for record in RECORDS:
        assert "PRIVATE-" not in dumped(convert(record))


def test_without_children_ids_or_current_id_the_tree_comes_from_parents() -> None:
    conv = convert(RECORDS[1])
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    assert conv.title == "Write a haiku about tea."
    assert conv.branches_dropped == 0
    assert conv.notes == ("no valid currentId; followed the most recent branch",)


def test_hostile_details_and_shapes_do_not_break_it() -> None:
    record = {"id": "x", "chat": {"history": {"currentId": "b", "messages": {
        "a": {"parentId": None, "role": "user", "content": "<details type=\"tool_calls\" "
              "name=\"&lt;script&gt;\" arguments=\"{not json\">\n</details>"},
        "b": {"parentId": "a", "role": "assistant", "content": ["not", "text"]},
        "c": "not a message",
    }}}}
    result = openwebui.convert(record, "conversation 1", images)
    assert isinstance(result, Imported)
    (call,) = result.messages[0].parts
    assert (call.name, call.arguments) == ("<script>", "{not json")
    assert isinstance(openwebui.convert({"chat": {"history": {"messages": {}}}}, "c", images),
                      Skipped)


def test_detected_as_itself() -> None:
    assert [detect.detect(r) for r in RECORDS] == ["open-webui", "open-webui"]
