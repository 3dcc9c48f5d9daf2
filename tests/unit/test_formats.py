"""amber.render.exports: the chat-completions JSON and Markdown exports of a share."""

from __future__ import annotations

import json
import re

import pytest
from markdown_it import MarkdownIt

from amber.content.model import Message, Part, Snapshot
from amber.render.exports import MISSING_RESULT, chat_messages, fence, to_chat_json, to_markdown

SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
URL = f"https://jane.github.io/chats/share/{SID}/"


def snapshot(messages: tuple[Message, ...], **kw: object) -> Snapshot:
    return Snapshot(
        id=SID, title=str(kw.get("title", "Rust lifetimes")),
        author=kw.get("author"),  # type: ignore[arg-type]
        listed=False, frozen="2026-02-01T10:00:00Z", source="rust",
        source_digest="sha256:" + "0" * 64, digest="sha256:" + "1" * 64,
        messages=messages, created=None, model=kw.get("model"),  # type: ignore[arg-type]
    )


def fences(markdown: str) -> list[tuple[str, str]]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [(t.info, t.content) for t in tokens if t.type == "fence"]


# --- fence ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "plain code\n",
        "no newline",
        "```\nnested fence\n```\n",
        "a ```` b\n`````\n",
        "``\n`\n",
        "",
    ],
)
def test_fence_is_longer_than_any_backtick_run_inside(code: str) -> None:
    block = fence(code, "python")
    opening = block.split("\n", 1)[0]
    ticks = len(opening) - len(opening.lstrip("`"))
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    assert ticks >= 3
    assert ticks > longest
    assert opening == "`" * ticks + "python"
    assert block.endswith("\n" + "`" * ticks)
    expected = code if code.endswith("\n") else code + "\n"
    assert fences(block) == [("python", expected)]


def test_fence_content_survives_markdown_parsing() -> None:
    code = "````md\n```js\nalert(1)\n```\n````\n"
    assert fences("intro\n\n" + fence(code) + "\n\noutro\n") == [("", code)]


@pytest.mark.parametrize("language", ["a`b", "py\n# injected heading"])
def test_fence_language_cannot_break_the_block(language: str) -> None:
    blocks = fences(fence("x = 1\n", language))
    assert len(blocks) == 1
    assert blocks[0][1] == "x = 1\n"


# --- chat_messages --------------------------------------------------------------


def tool_conversation() -> tuple[Message, ...]:
    return (
        Message("system", "Be brief."),
        Message("user", "Weather in Paris?"),
        Message("assistant", (
            Part("reasoning", text="I should call the tool."),
            Part("text", text="Let me check."),
            Part("tool_call", name="get_weather", id="call_9", arguments='{"city": "Paris"}'),
        )),
        Message("tool", (
            Part("tool_result", text='{"temp": 21}', name="get_weather", id="call_9"),
        )),
        Message("assistant", "It is 21 °C."),
    )


def test_chat_messages_maps_tool_calls_and_results() -> None:
    out = chat_messages(tool_conversation())
    assert out == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Weather in Paris?"},
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [{
                "id": "call_9",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            }],
        },
        {"role": "tool", "content": '{"temp": 21}', "tool_call_id": "call_9"},
        {"role": "assistant", "content": "It is 21 °C."},
    ]


def test_chat_messages_drops_reasoning() -> None:
    out = chat_messages((Message("assistant", (
        Part("reasoning", text="secret chain of thought"),
        Part("text", text="answer"),
    )),))
    assert out == [{"role": "assistant", "content": "answer"}]
    assert "secret" not in json.dumps(out)


def test_chat_messages_several_results_and_missing_ids() -> None:
    out = chat_messages((
        Message("assistant", (Part("tool_call", name="a"), Part("tool_call", name="b",
                                                                  arguments="{}"))),
        Message("tool", (Part("tool_result", text="ra", id="x"), Part("tool_result", text="rb"))),
    ))
    calls = out[0]["tool_calls"]
    assert isinstance(calls, list)
    ids = [c["id"] for c in calls]
    assert len(set(ids)) == 2 and all(ids)
    assert [c["function"]["arguments"] for c in calls] == ["", "{}"]
    # Results whose ids match no call answer the open calls in order, as the API requires.
    assert out[1:] == [
        {"role": "tool", "content": "ra", "tool_call_id": ids[0]},
        {"role": "tool", "content": "rb", "tool_call_id": ids[1]},
    ]


def test_chat_messages_other_parts_become_markdown_text() -> None:
    out = chat_messages((Message("assistant", (
        Part("text", text="Here:"),
        Part("code", code="print(1)\n", language="python"),
        Part("image", name="plot.png"),
    )),))
    content = out[0]["content"]
    assert isinstance(content, str)
    assert content.startswith("Here:\n\n```python\nprint(1)\n```")
    assert "plot.png" in content
    assert "tool_calls" not in out[0]


def test_to_chat_json_has_metadata_and_messages() -> None:
    snap = snapshot(tool_conversation(), author="Jane", model="m-1")
    body = json.loads(to_chat_json(snap, URL))
    assert body["id"] == SID
    assert body["url"] == URL
    assert body["author"] == "Jane"
    assert body["models"] == ["m-1"]
    assert body["messages"] == chat_messages(snap.messages)
    assert "°C" in to_chat_json(snap, URL)  # not \u-escaped


# --- to_markdown ----------------------------------------------------------------


def test_to_markdown_has_title_and_role_headings() -> None:
    snap = snapshot((
        Message("user", "Question?"),
        Message("assistant", "Answer.", model="m-2"),
        Message("system", "sys"),
        Message("tool", "out"),
    ), author="Jane")
    md = to_markdown(snap, URL)
    lines = md.splitlines()
    assert lines[0] == "# Rust lifetimes"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## User", "## Assistant (m-2)", "## System", "## Tool"]
    assert f"<{URL}>" in md
    assert "Shared by Jane" in md
    assert md.index("Question?") < md.index("Answer.")
    tokens = MarkdownIt("commonmark").parse(md)
    assert [t.tag for t in tokens if t.type == "heading_open"] == ["h1", "h2", "h2", "h2", "h2"]


def test_to_markdown_anonymous_has_no_author() -> None:
    md = to_markdown(snapshot((Message("user", "x"),)), URL)
    assert "Shared by" not in md


def test_to_markdown_parts() -> None:
    snap = snapshot((Message("assistant", (
        Part("reasoning", text="line one\nline two", title="Plan"),
        Part("code", code="x = 1", language="python", title="a.py"),
        Part("tool_call", name="search", arguments='{"q":"x"}'),
        Part("tool_result", text="```\nfound\n```", name="search", is_error=True),
    )),))
    md = to_markdown(snap, URL)
    assert "> **Plan**\n>\n> line one\n> line two" in md
    assert "**a.py**\n\n```python\nx = 1\n```" in md
    assert '**Tool call: `search`**\n\n```json\n{\n  "q": "x"\n}\n```' in md
    assert "**Tool result: `search` (error)**" in md
    assert ("", "```\nfound\n```\n") in fences(md)


def _tool_traffic_is_valid(messages: list[dict[str, object]]) -> bool:
    """The rule chat-completions APIs enforce: calls answered in order, results tied to calls."""
    pending: list[str] = []
    for entry in messages:
        if entry["role"] == "tool":
            if entry.get("tool_call_id") not in pending:
                return False
            pending.remove(entry["tool_call_id"])  # type: ignore[arg-type]
            continue
        if pending:
            return False
        for call in entry.get("tool_calls", []):  # type: ignore[attr-defined]
            pending.append(call["id"])
    return not pending


def test_unanswered_tool_call_gets_a_placeholder_result() -> None:
    messages = (
        Message("user", "search the web"),
        Message("assistant", (Part("tool_call", name="web", id="c1", arguments="{}"),)),
        Message("assistant", "Here is what I found."),
    )
    out = chat_messages(messages)
    assert _tool_traffic_is_valid(out)
    assert out[2] == {"role": "tool", "tool_call_id": "c1", "content": MISSING_RESULT}
    assert out[3]["content"] == "Here is what I found."


def test_tool_result_without_id_answers_the_open_call() -> None:
    messages = (
        Message("assistant", (Part("tool_call", name="python", id="c9", arguments="{}"),)),
        Message("tool", (Part("tool_result", text="42"),)),
    )
    out = chat_messages(messages)
    assert _tool_traffic_is_valid(out)
    assert out[1] == {"role": "tool", "content": "42", "tool_call_id": "c9"}


def test_tool_message_with_no_call_becomes_user_text() -> None:
    messages = (Message("user", "hi"), Message("tool", "stray output"))
    out = chat_messages(messages)
    assert _tool_traffic_is_valid(out)
    assert out[1] == {"role": "user", "content": "Tool output:\n\nstray output"}
