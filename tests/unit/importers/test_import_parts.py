"""The attachment part an import writes: schema, page, Markdown and JSON "continue" files."""

from __future__ import annotations

from pathlib import Path

from amber.content.model import Message, Part
from amber.content.nodes import parse_yaml
from amber.content.schema import read_conversation
from amber.render.exports import chat_messages, part_markdown
from amber.render.markdown import render_part


def no_assets(src: str) -> str | None:
    return None


def test_the_schema_reads_attachments() -> None:
    text = ("title: t\nmessages:\n  - role: user\n    content:\n"
            "      - type: attachment\n        name: notes.txt\n        text: hello\n"
            "      - type: attachment\n        name: report.pdf\n")
    conv, problems = read_conversation(parse_yaml(text, Path("c.yaml")), Path("c.yaml"), "c")
    assert problems == [] and conv is not None
    assert conv.messages[0].parts == (Part("attachment", name="notes.txt", text="hello"),
                                      Part("attachment", name="report.pdf"))
    bad = "title: t\nmessages:\n  - role: user\n    content:\n      - type: attachment\n"
    _, problems = read_conversation(parse_yaml(bad, Path("c.yaml")), Path("c.yaml"), "c")
    assert [p.message for p in problems] == [
        "messages[0].content[0] (attachment): missing required key 'name'"]


def test_an_attachment_renders_its_name_and_collapses_its_text() -> None:
    plain = render_part(Part("attachment", name="<b>report</b>.pdf"), "m1", no_assets)
    assert plain == ('<div class="part part-attachment">Attachment: <span class="attachment-name">'
                     "&lt;b&gt;report&lt;/b&gt;.pdf</span></div>\n")
    with_text = render_part(Part("attachment", name="notes.txt", text="<script>x</script>\n# no"),
                            "m1", no_assets)
    assert with_text.startswith('<details class="part part-attachment"><summary>Attachment: '
                                '<span class="attachment-name">notes.txt</span></summary>')
    assert "&lt;script&gt;x&lt;/script&gt;" in with_text and "<h" not in with_text


def test_continue_files_carry_attachments() -> None:
    assert part_markdown(Part("attachment", name="a.pdf")) == "*[attachment: a.pdf]*"
    assert part_markdown(Part("attachment", name="n.txt", text="x\n```\ny")) == (
        "*[attachment: n.txt]*\n\n````\nx\n```\ny\n````")
    message = Message("user", (Part("attachment", name="a.pdf"), Part("text", text="see")))
    assert chat_messages((message,)) == [
        {"role": "user", "content": "*[attachment: a.pdf]*\n\nsee"}]


def test_code_interpreter_calls_read_as_code_in_markdown() -> None:
    call = Part("tool_call", name="python", arguments='{"code": "print(1)\\n"}')
    assert part_markdown(call) == "**Tool call: `python`**\n\n```python\nprint(1)\n```"
    other = Part("tool_call", name="search", arguments='{"q": "x"}')
    assert part_markdown(other) == '**Tool call: `search`**\n\n```json\n{\n  "q": "x"\n}\n```'
