"""The share page's reader parts: tool uses in one line, chat-app links, report links,
image sizes."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from urllib.parse import unquote

from amber.content.model import Message, Part
from amber.render.continuation import PREFILL_LIMIT, continuation, report_href
from amber.render.image_size import header_size, image_size
from amber.render.tools import pair_results, render_message, short_arguments, tool_use


def call(name: str, arguments: object, call_id: str | None = None) -> Part:
    return Part("tool_call", name=name, id=call_id, arguments=json.dumps(arguments))


def result(text: str, name: str | None = None, call_id: str | None = None,
           error: bool | None = None) -> Part:
    return Part("tool_result", text=text, name=name, id=call_id, is_error=error)


def no_assets(src: str) -> str | None:
    return None


def summary_text(html: str) -> str:
    """The visible text of a tool's collapsed line (screen-reader words left out)."""
    import re

    line = html[html.index("<summary>"):html.index("</summary>")]
    line = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", line)
    return " ".join(re.sub(r"<[^>]+>", "", line).split())


def test_a_call_and_its_result_make_one_line() -> None:
    html = tool_use(call("calculator", {"expression": "6 * 7"}), result("42"), "m-1")
    assert summary_text(html) == "calculator(6 * 7) → 42"
    assert html.startswith('<details class="part part-tool">')  # collapsed
    assert "Call" in html and "Result" in html  # both open below


def test_a_failed_call_names_its_error() -> None:
    traceback = "Traceback (most recent call last):\n  File x\nNameError: name 'y' is not defined"
    html = tool_use(call("python", {"code": "print(y)\nprint(2)"}), result(traceback, error=True),
                    "m-1")
    assert summary_text(html) == "python ✗ NameError"
    assert "tool-error" in html
    assert '<span class="code-lang">python</span>' in html  # the code shown as Python


def test_web_search_results_are_a_list_of_links() -> None:
    links = "- [One](https://one.example/)\n- [Two](https://two.example/)"
    html = tool_use(call("web_search", {"query": "amber  site\ngenerator"}), result(links), "m-1")
    assert summary_text(html) == "web_search(amber site generator) → 2 results"
    assert '<a href="https://one.example/"' in html
    assert "code-block" not in html.split("Result", 1)[1]


def test_results_pair_by_id_across_messages_and_leave_their_message() -> None:
    messages = (
        Message("assistant", (call("calc", {"x": 1}, "c1"), call("calc", {"x": 2}, "c2"))),
        Message("tool", (result("two", "calc", "c2"), result("one", "calc", "c1"))),
    )
    pairing = pair_results(messages)
    assert pairing.results[(0, 0)].text == "one" and pairing.results[(0, 1)].text == "two"
    assert pairing.absorbed == {(1, 0), (1, 1)}
    assert str(render_message(messages[1], 1, "m-2", pairing, no_assets)) == ""


def test_results_without_ids_pair_with_the_call_before_them() -> None:
    messages = (Message("assistant", (call("python", {"code": "1"}),)),
                Message("tool", (result("1", "python"),)),
                Message("tool", (result("orphan", "other"),)))
    pairing = pair_results(messages)
    assert pairing.absorbed == {(1, 0)}
    html = str(render_message(messages[2], 2, "m-3", pairing, no_assets))
    assert summary_text(html) == "other → orphan"  # an unpaired result still gets its line


def test_hostile_tool_text_is_escaped() -> None:
    html = tool_use(call("<b>x</b>", {"q": "<script>"}), result("<img src=x onerror=1>"), "m")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html


def test_short_arguments() -> None:
    assert short_arguments('{"a": 1, "b": "two"}') == "1, two"
    assert short_arguments('{"a": {"deep": 1}}') == "…"
    assert short_arguments('{"code": "import math\\nprint(math.pi)"}') == ""
    assert short_arguments("not json") == "not json"
    long = short_arguments(json.dumps({"q": "word " * 40}))
    assert len(long) <= 49 and long.endswith("…") and not long.endswith(" …")


def test_short_conversations_go_whole_into_the_links() -> None:
    links = continuation("**User**: hi", "Hi", "https://x.example/share/1/")
    assert links.complete
    assert links.chatgpt_href.startswith("https://chatgpt.com/?q=")
    assert links.claude_href.startswith("https://claude.ai/new?q=")
    assert "**User**: hi" in unquote(links.claude_href.split("?q=", 1)[1])


def test_long_conversations_get_a_short_request_within_the_limit() -> None:
    links = continuation("word " * PREFILL_LIMIT, "Long one", "https://x.example/share/1/")
    assert not links.complete
    query = links.chatgpt_href.split("?q=", 1)[1]
    assert len(query) <= PREFILL_LIMIT and "Long one" in unquote(query)


def test_report_links_fill_in_the_page() -> None:
    url = "https://x.example/share/1/"
    assert report_href(None, "T", url) is None
    mail = report_href("jane@example.com", "T & co", url)
    assert mail is not None and mail.startswith("mailto:jane@example.com?subject=")
    assert "&body=" in mail and url in unquote(mail) and "T & co" in unquote(mail)
    assert report_href("https://r.example/?u={url}", "T", url) == (
        "https://r.example/?u=https%3A%2F%2Fx.example%2Fshare%2F1%2F")
    assert report_href("https://r.example/form", "T", url) == "https://r.example/form"


def png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))


def test_image_sizes_come_from_headers(tmp_path: Path) -> None:
    assert header_size(png(640, 480)) == (640, 480)
    assert header_size(b"GIF89a" + struct.pack("<HH", 3, 5)) == (3, 5)
    jpeg = (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 4) + b"JF"
            + b"\xff\xc0" + struct.pack(">HBHH", 11, 8, 200, 300) + b"\x03")
    assert header_size(jpeg) == (300, 200)
    vp8x = b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (99).to_bytes(3, "little") + (49).to_bytes(
        3, "little")
    assert header_size(vp8x) == (100, 50)
    assert header_size(b"<svg") is None
    path = tmp_path / "a.png"
    path.write_bytes(png(0, 10))
    assert image_size(path) is None  # a zero side is a damaged header
    assert image_size(tmp_path / "missing.png") is None


def test_excerpts_leave_out_reasoning_and_tool_use() -> None:
    from amber.render.markdown import render_part
    from amber.render.templates import plain_text

    reasoning = render_part(Part("reasoning", text="SECRET-THOUGHT", title="Thinking"), "m",
                            no_assets)
    tool = tool_use(call("calc", {"x": "TOOL-ARG"}), result("TOOL-OUT"), "m")
    text = plain_text(f"<p>Before</p>{reasoning}{tool}<p>after</p>")
    assert text == "Before after"
