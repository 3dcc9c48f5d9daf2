"""amber.importers.sharegpt and .htmltext: turns, tool calls, scraped HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amber.importers import sharegpt
from amber.importers.htmltext import html_to_markdown, looks_like_html
from amber.importers.record import Imported, Skipped
from amber.render.markdown import render_markdown

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "sharegpt"
RECORDS = json.loads((FIXTURE / "sharegpt.json").read_text("utf-8"))


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    return None, None


def test_scraped_html_answers_become_markdown() -> None:
    conv = sharegpt.convert(RECORDS[0], "conversation 1", no_images)
    assert isinstance(conv, Imported)
    assert conv.source_id == "id:QWJjRGVm"
    assert conv.title == "How do I center a <div> with CSS?"
    assert conv.messages[0].content == "How do I center a <div> with CSS?"  # plain, kept
    assert conv.messages[1].content == (
        "Use **flexbox** on the parent:\n\n"
        "```css\n.parent {\n  display: flex;\n  justify-content: center;\n}\n```\n\n"
        "1. Set `display: flex`.\n"
        "2. Add *justify-content*; see "
        "[MDN](https://developer.mozilla.org/en-US/docs/Web/CSS/justify-content).\n\n"
        "Tags like \\<script\\> stay text; this link is dropped."
    )


def test_function_calls_and_observations() -> None:
    conv = sharegpt.convert(RECORDS[1], "conversation 2", no_images)
    assert isinstance(conv, Imported)
    assert conv.source_id.startswith("derived:")
    assert [m.role for m in conv.messages] == ["system", "user", "assistant", "tool",
                                               "assistant"]
    (call,) = conv.messages[2].parts
    assert (call.type, call.name) == ("tool_call", "convert")
    assert json.loads(call.arguments or "") == {"amount": 10, "from": "USD", "to": "EUR"}
    (result,) = conv.messages[3].parts
    assert (result.type, result.name, result.text) == ("tool_result", "convert",
                                                       '{"result": 9.2}')


def test_only_a_system_turn_is_skipped() -> None:
    result = sharegpt.convert(RECORDS[2], "conversation 3", no_images)
    assert isinstance(result, Skipped)


def test_role_and_content_keys_are_read_too() -> None:
    record = {"conversations": [{"role": "user", "content": "q"},
                                {"role": "assistant", "content": "a"}]}
    conv = sharegpt.convert(record, "c", no_images)
    assert isinstance(conv, Imported)
    assert [(m.role, m.content) for m in conv.messages] == [("user", "q"), ("assistant", "a")]


@pytest.mark.parametrize(("text", "expected"), [
    ("<p>Hello</p>", True),
    ("  <div class='x'>Hi</div>", True),
    ("How do I center a <div>?", False),
    ("<p>unclosed", False),
    ("<span>inline</span>", False),
])
def test_what_counts_as_html(text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


@pytest.mark.parametrize(("html", "markdown"), [
    ("<h2>Title</h2><p>a <em>b</em> <strong>c</strong></p>", "## Title\n\na *b* **c**"),
    ("<ul><li>a<ul><li>b</li></ul></li><li>c</li></ul>", "- a\n  - b\n- c"),
    ("<ol><li><p>x</p><pre><code class='language-py'>y = 1\n</code></pre></li></ol>",
     "1. x\n\n   ```py\n   y = 1\n   ```"),
    ("<p>one<br>two</p>", "one\\\ntwo"),
    ("<blockquote><p>q</p></blockquote>", "> q"),
    ("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2|3</td></tr></table>",
     "| A | B |\n|---|---|\n| 1 | 2\\|3 |"),
    ("<p>5 * 3 = [x] `y`</p>", "5 \\* 3 = \\[x\\] \\`y\\`"),
    ("<pre>```\nfence inside\n```</pre>", "````\n```\nfence inside\n```\n````"),
])
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_hostile_html_renders_harmlessly() -> None:
    markdown = html_to_markdown(
        '<div><p><a href="javascript:alert(1)">x</a><img src=x onerror="alert(2)" alt="pic">'
        "<script>alert(3)</script><style>p{}</style><button>Copy code</button>"
        '<a href="data:text/html,1">y</a></p></div>')
    html = render_markdown(markdown)
    for bad in ("javascript:", "onerror", "alert(3)", "<script", "<img", "data:", "Copy code"):
        assert bad not in html, bad
    assert "[image: pic]" in html
