"""amber.importers.openai and .anthropic: API messages, and telling the two apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amber.importers import anthropic, detect, openai
from amber.importers.record import Imported, Skipped

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"


class Images:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, reference: str, name: str | None) -> tuple[str | None, str | None]:
        self.asked.append(reference)
        return ("assets/" + "b" * 64 + ".png", None) if reference.startswith("data:image/png") \
            else (None, None)


def load(name: str) -> object:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def lines(name: str) -> list[object]:
    text = (FIXTURES / name).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_openai_request() -> None:
    images = Images()
    conv = openai.convert(load("openai/chat.json"), "conversation 1", images)
    assert isinstance(conv, Imported)
    assert conv.model == "gpt-4o-2024-08-06"
    assert conv.title == "What is in this image, and what's the weather in Oslo?"
    assert [m.role for m in conv.messages] == ["system", "user", "assistant", "tool",
                                               "assistant", "assistant"]
    assert conv.messages[0].content == "You are a terse assistant."
    text, inline, remote, file = conv.messages[1].parts
    assert text.text == "What is in this image, and what's the weather in Oslo?"
    assert (inline.type, inline.src) == ("image", "assets/" + "b" * 64 + ".png")
    assert (remote.type, remote.src, remote.name) == ("image", None, "fjord view.jpg")
    assert (file.type, file.name) == ("attachment", "itinerary.pdf")
    assert images.asked[0].startswith("data:image/png;base64,")
    reasoning, call = conv.messages[2].parts
    assert (reasoning.type, reasoning.text) == ("reasoning", "Need the weather tool.")
    assert (call.name, call.id) == ("get_weather", "call_abc")
    assert call.arguments == json.dumps(json.dumps({"city": "Oslo"}))  # kept as written
    (result,) = conv.messages[3].parts
    assert (result.type, result.name, result.id) == ("tool_result", "get_weather", "call_abc")
    assert conv.messages[5].content == "I can't help with that part."
    assert conv.notes == ("message 7 has role 'narrator'; skipped",)
    assert conv.source_id.startswith("derived:")


def test_openai_ids_are_stable_and_follow_the_opening() -> None:
    records = lines("openai/finetune.jsonl")
    results = [openai.convert(r, f"conversation {i}", Images()) for i, r in enumerate(records)]
    first, second, repeat, batch, empty = results
    assert isinstance(first, Imported) and isinstance(repeat, Imported)
    assert first.source_id == repeat.source_id != second.source_id  # type: ignore[union-attr]
    assert isinstance(batch, Imported)
    assert (batch.source_id, batch.model) == ("custom_id:request-7", "gpt-4o-mini")
    assert isinstance(empty, Skipped)
    grown = json.loads(json.dumps(records[0]))
    grown["messages"].append({"role": "user", "content": "And good night?"})
    again = openai.convert(grown, "c", Images())
    assert isinstance(again, Imported) and again.source_id == first.source_id


def test_anthropic_request() -> None:
    conv = anthropic.convert(load("anthropic/request.json"), "conversation 1", Images())
    assert isinstance(conv, Imported)
    assert conv.model == "claude-sonnet-4-20250514"
    assert [m.role for m in conv.messages] == ["system", "user", "assistant", "tool", "user",
                                               "assistant"]
    assert conv.messages[0].content == "You are a careful data analyst."
    image, document, question = conv.messages[1].parts
    assert (image.type, image.src) == ("image", "assets/" + "b" * 64 + ".png")
    assert (document.type, document.name, document.text) == (
        "attachment", "revenue.txt", "Q1 revenue: 10\nQ2 revenue: 12")
    assert question.text == "Chart the growth between quarters."
    thinking, words, call = conv.messages[2].parts
    assert words.text == "Let me compute it."
    assert (thinking.type, thinking.text) == ("reasoning", "Growth is (12-10)/10 = 20%.")
    assert (call.type, call.name, call.id) == ("tool_call", "calculator", "toolu_9")
    assert "PRIVATE-REDACTED" not in json.dumps([m.as_dict() for m in conv.messages])
    (result,) = conv.messages[3].parts
    assert (result.type, result.name, result.id, result.text) == (
        "tool_result", "calculator", "toolu_9", "0.2")
    assert conv.messages[4].content == "Thanks, and in percent?"
    search, found, answer = conv.messages[5].parts
    assert (search.name, found.type, found.name) == ("web_search", "tool_result", "web_search")
    assert found.text == r"- [Growth \[formula\]](https://finance.example.org/growth)"
    assert answer.text == "20 %. ([Growth formula](https://finance.example.org/growth))"


def test_anthropic_response_alone() -> None:
    conv = anthropic.convert(load("anthropic/response.json"), "conversation 1", Images())
    assert isinstance(conv, Imported)
    assert conv.source_id == "id:msg_01XFDUDYJgAACzvnptvVoYEL"
    assert conv.title == "Hello! How can I help you today?"
    assert [(m.role, m.content) for m in conv.messages] == [
        ("assistant", "Hello! How can I help you today?")]


@pytest.mark.parametrize(("record", "expected"), [
    ({"messages": [{"role": "user", "content": "hi"}]}, "openai"),
    ({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}]},
     "openai"),
    ({"system": "s", "messages": [{"role": "user", "content": "hi"}]}, "anthropic"),
    ({"messages": [{"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "t", "content": "x"}]}]}, "anthropic"),
    ({"custom_id": "a", "params": {"messages": []}}, "anthropic"),
    ({"custom_id": "a", "body": {"messages": []}}, "openai"),
    ({"type": "message", "role": "assistant", "content": []}, "anthropic"),
    ({"mapping": {}}, "chatgpt"),
    ({"chat_messages": []}, "claude"),
    ({"conversations": [{"from": "human", "value": "x"}]}, "sharegpt"),
    ({"conversations": "nope"}, None),
    ([1, 2], None),
    ({"model": "gpt-4.1", "input": "hi"}, "responses"),
    ({"input": [{"role": "user", "content": "hi"}]}, "responses"),
    ({"object": "response", "output": []}, "responses"),
    ({"request": {"input": [{"type": "message", "role": "user", "content": "x"}]},
      "response": {"object": "response", "output": []}}, "responses"),
    ({"custom_id": "a", "body": {"model": "gpt-5", "input": "hi"}}, "responses"),
    ({"instruction": "Translate", "input": "hola", "output": "hello"}, None),  # a data set
    ({"input": []}, None),
    ({"model": "claude-sonnet-4-5", "max_tokens": 10,
      "messages": [{"role": "user", "content": "hi"}]}, "anthropic"),
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}, "openai"),
])
def test_detection(record: object, expected: str | None) -> None:
    assert detect.detect(record) == expected
