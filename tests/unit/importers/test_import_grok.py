"""amber.importers.grok: one export object, many conversations, each a tree."""

from __future__ import annotations

import json
from pathlib import Path

from amber.content.model import Message
from amber.importers import detect, grok
from amber.importers.record import Imported, Skipped

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "grok"
EXPORT = json.loads((FIXTURE / "prod-grok-backend.json").read_text("utf-8"))


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    raise AssertionError("Grok images are not matched to files")


def converted() -> list[Imported | Skipped]:
    return [grok.convert(record, where, no_images)
            for where, record in grok.regroup(iter([("conversation 1", EXPORT)]))]


def test_the_export_object_is_regrouped_into_its_conversations() -> None:
    assert detect.detect(EXPORT) == "grok"
    wheres = [where for where, _ in grok.regroup(iter([("export.zip: conversation 1", EXPORT)]))]
    assert wheres == ["export.zip: conversation 1", "export.zip: conversation 2"]
    first, second = converted()
    assert isinstance(first, Imported) and isinstance(second, Imported)
    assert (first.source_id, first.title) == ("grok-1", "Tides explained")
    assert (second.source_id, second.title) == ("grok-2", "Say hi in French.")


def test_the_leaf_response_names_the_branch_and_the_prompt_names_the_model() -> None:
    conv = converted()[0]
    assert isinstance(conv, Imported)
    assert [(m.role, m.created) for m in conv.messages] == [
        ("user", "2026-03-01T12:00:00Z"), ("assistant", "2026-03-01T12:00:08Z"),
        ("user", "2026-03-01T12:01:00Z"), ("assistant", "2026-03-01T12:01:10Z")]
    assert conv.branches_dropped == 0
    shown = [Message(m.role, m.content, m.created, m.model) for m in conv.messages]
    assert "BRANCH-" not in json.dumps([m.as_dict() for m in shown])
    assert conv.model == "grok-4"


def test_a_regenerated_answer_and_an_edited_prompt_are_kept_as_alternatives() -> None:
    conv = converted()[0]
    assert isinstance(conv, Imported)
    _, answer, prompt, _ = conv.messages
    assert answer.version == 2
    assert [[m.content for m in b] for b in answer.alternatives] == [["BRANCH-GROK-OLDER"]]
    assert (prompt.content, prompt.version) == ("Draw one for me.", 2)
    [(old_prompt, old_answer)] = prompt.alternatives
    assert (old_prompt.role, old_prompt.content) == ("user", "BRANCH-GROK-PROMPT draw the tides")
    # The prompt named the model the conversation names: no message repeats it.
    assert (old_answer.content, old_answer.model) == ("BRANCH-GROK-ANSWER to the first wording.",
                                                      None)


def test_thinking_sources_images_and_attachments() -> None:
    conv = converted()[0]
    assert isinstance(conv, Imported)
    photo, prompt = conv.messages[0].parts
    assert (photo.type, photo.name, prompt.text) == (
        "image", "beach.jpg", "Why are there two tides a day?")
    thinking, answer, sources = conv.messages[1].parts
    assert (thinking.type, thinking.text) == (
        "reasoning", "Two bulges: one facing the Moon, one opposite.")
    assert answer.text.startswith("Because the Moon's pull")
    assert sources.text == "Sources:\n\n- [Why tides happen](https://tides.example/why)"
    _, generated = conv.messages[3].parts
    assert (generated.type, generated.name) == ("image", "image.jpg")


def test_without_a_leaf_the_newest_answer_is_followed() -> None:
    record = json.loads(json.dumps(EXPORT["conversations"][0]))
    record["conversation"]["leaf_response_id"] = None
    conv = grok.convert(record, "conversation 1", no_images)
    assert isinstance(conv, Imported)
    assert conv.messages[-1].parts[0].text == "Here is a sketch."


def test_odd_shapes_are_skipped_not_crashed_on() -> None:
    assert isinstance(grok.convert({"conversation": {}, "responses": []}, "c", no_images),
                      Skipped)
    assert isinstance(grok.convert([1], "c", no_images), Skipped)
    record = {"conversation": {"conversation_id": "z"}, "responses": [
        {"response": {"_id": {"$oid": "1"}, "sender": "robot", "message": "?"}},
        {"response": {"_id": "2", "parent_response_id": "1", "sender": "Human",
                      "message": "hi", "create_time": {"$date": {"$numberLong": "x"}}}},
        "junk"]}
    conv = grok.convert(record, "c", no_images)
    assert isinstance(conv, Imported)
    assert [m.content for m in conv.messages] == ["hi"]
    assert conv.notes == ("a message from 'robot' was skipped",)


def test_agent_steps_become_reasoning() -> None:
    conv = converted()[1]
    assert isinstance(conv, Imported)
    steps, text = conv.messages[1].parts
    assert (steps.type, steps.title, steps.text) == ("reasoning", "Steps", "Looked up a greeting.")
    assert text.text == "Bonjour !"
