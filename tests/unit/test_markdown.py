"""amber.render.markdown: untrusted Markdown to safe HTML, parts, Pygments CSS."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from amber.content.model import Part
from amber.render.markdown import (
    code_block,
    is_safe_url,
    pretty_arguments,
    pygments_css,
    render_image,
    render_markdown,
    render_part,
    render_parts,
)


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def url_attrs(html: str) -> list[str]:
    return [value or "" for _, attrs in parse(html) for name, value in attrs.items()
            if name in ("href", "src", "action", "formaction", "srcset")]


_CTRL = re.compile(r"[\x00-\x20\x7f-\x9f]")


def assert_safe_urls(html: str) -> None:
    for url in url_attrs(html):
        cleaned = _CTRL.sub("", url).lower()
        scheme = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
        assert scheme is None or scheme.group(1) in ("http", "https", "mailto"), url


def no_assets(src: str) -> str | None:
    return None


# --- raw HTML -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "hello <b onmouseover=alert(1)>bold</b>",
        "<iframe src=javascript:alert(1)></iframe>",
        "<div>\n<script>alert(1)</script>\n</div>\n",
        "<!-- comment --><style>body{}</style>",
    ],
)
def test_raw_html_is_escaped(text: str) -> None:
    html = render_markdown(text)
    tags = {tag for tag, _ in parse(html)}
    assert tags <= {"p"}
    assert all(not attrs for _, attrs in parse(html))
    assert "&lt;" in html


# --- link schemes ---------------------------------------------------------------

HOSTILE_LINKS = [
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "[a](  javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a][r]\n\n[r]: javascript:alert(1)\n",
    "[r]\n\n[r]: data:text/html,x\n",
    "<javascript:alert(1)>",
    "<vbscript:x>",
    "<data:text/html,x>",
    "[a](jav&#x61;script:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](javascript&colon;alert(1))",
    "[a](java&Tab;script:alert(1))",
    "[a](java&NewLine;script:alert(1))",
    "[a](java%73cript:alert(1))",
    "[a](%6Aavascript:alert(1))",
    "[a](<java\tscript:alert(1)>)",
    "[a](\x01javascript:alert(1))",
    "[a](<\u00a0javascript:alert(1)>)",
    "![i](javascript:alert(1))",
    "![i](data:image/svg+xml,<svg onload=alert(1)>)",
    "[a](file:///etc/passwd)",
    "javascript:alert(1)",
    "www.example.com/javascript:alert(1)",
]


@pytest.mark.parametrize("text", HOSTILE_LINKS)
def test_hostile_link_schemes_produce_no_such_href(text: str) -> None:
    html = render_markdown(text, "d")
    assert_safe_urls(html)
    for url in url_attrs(html):
        cleaned = _CTRL.sub("", url).lower()
        for bad in ("javascript", "vbscript", "data:", "file:"):
            assert not cleaned.startswith(bad), url


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[a](https://example.com/x?y=1#z)", "https://example.com/x?y=1#z"),
        ("[a](http://example.com)", "http://example.com"),
        ("[a](mailto:jane@example.com)", "mailto:jane@example.com"),
        ("[a](../other/page.html)", "../other/page.html"),
        ("[a](/abs/path)", "/abs/path"),
        ("[a](#section)", "#section"),
        ("<https://example.com/auto>", "https://example.com/auto"),
        ("see https://example.com/bare here", "https://example.com/bare"),
        ("[a][r]\n\n[r]: https://example.com/ref\n", "https://example.com/ref"),
    ],
)
def test_safe_links_are_kept(text: str, href: str) -> None:
    assert href in url_attrs(render_markdown(text))


def test_external_links_get_rel_nofollow_but_fragments_do_not() -> None:
    tags = parse(render_markdown("[a](https://example.com) [b](#x)"))
    links = {attrs["href"]: attrs for tag, attrs in tags if tag == "a"}
    assert links["https://example.com"]["rel"] == "nofollow noopener noreferrer"
    assert "rel" not in links["#x"]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://x", True),
        ("HTTP://x", True),
        ("mailto:a@b", True),
        ("relative/path", True),
        ("#frag", True),
        ("/a:b", True),
        ("?q=a:b", True),
        ("javascript:x", False),
        (" javascript:x", False),
        ("java\tscript:x", False),
        ("java\nscript:x", False),
        ("\x00javascript:x", False),
        ("jav\u0085ascript:x", False),
        ("data:x", False),
        ("vbscript:x", False),
        ("foo:bar", False),
        ("ftp://x", False),
    ],
)
def test_is_safe_url(url: str, safe: bool) -> None:
    assert is_safe_url(url) is safe


# --- images ---------------------------------------------------------------------


def test_markdown_images_become_links() -> None:
    html = render_markdown("![a cat](https://example.com/cat.png) ![](https://e.com/x.png)")
    tags = parse(html)
    assert "img" not in {tag for tag, _ in tags}
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert [a["href"] for a in links] == ["https://example.com/cat.png", "https://e.com/x.png"]
    assert all(a["class"] == "image-link" for a in links)
    assert "[image: a cat]" in html
    assert "[image: image]" in html


def test_image_alt_text_is_escaped() -> None:
    html = render_markdown('![<b>"x"</b>](https://example.com/x.png)')
    assert "img" not in {tag for tag, _ in parse(html)}
    assert "<b>" not in html


# --- code -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "info",
    ['"><script>alert(1)</script>', "py\" onmouseover=\"alert(1)", "<img/src=x>", "'x'"],
)
def test_fence_info_string_does_not_leak_into_attributes(info: str) -> None:
    html = render_markdown(f"```{info}\ncode\n```\n")
    tags = parse(html)
    assert {tag for tag, _ in tags} <= {"div", "pre", "code", "span"}
    for _, attrs in tags:
        assert set(attrs) <= {"class", "tabindex", "role", "aria-label"}
        for value in attrs.values():
            assert value is not None
            assert "<" not in value and '"' not in value and "onmouseover" not in value
    assert "<script" not in html


def test_code_is_highlighted_with_classes_only() -> None:
    html = render_markdown("```python\ndef f(x):\n    return 'hi'\n```\n")
    spans = [attrs for tag, attrs in parse(html) if tag == "span"]
    classes = {a.get("class") for a in spans}
    assert "k" in classes  # keyword
    assert "nf" in classes  # function name
    assert "style=" not in html
    assert 'aria-label="python code"' in html
    assert '<span class="code-lang">python</span>' in html


def test_language_alias_is_case_insensitive() -> None:
    html = render_markdown("```Python\nimport os\n```\n")
    assert '<span class="kn">import</span>' in html


def test_unknown_language_is_not_guessed() -> None:
    code = "def f(x):\n    return x\n"
    html = render_markdown(f"```nosuchlang\n{code}```\n")
    assert '<span class="code-lang">nosuchlang</span>' in html
    code_html = html.split("<code>", 1)[1].split("</code>", 1)[0]
    assert "<span" not in code_html
    assert code_html == code


def test_fence_without_language_is_not_guessed() -> None:
    html = render_markdown("```\n#!/usr/bin/env python\nimport os\n```\n")
    code_html = html.split("<code>", 1)[1].split("</code>", 1)[0]
    assert "<span" not in code_html
    assert 'aria-label="Code"' in html


def test_code_block_escapes_code_and_title() -> None:
    html = code_block("<script>x</script>", None, '<b title="t">')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b " not in html
    assert '<span class="code-title">&lt;b title=&#34;t&#34;&gt;</span>' in html


def test_highlighting_keeps_code_text() -> None:
    code = "x = '<a>' & 1\n"
    html = code_block(code, "python")
    text = re.sub(r"<[^>]+>", "", html.split("<code>", 1)[1].split("</code>", 1)[0])
    import html as html_module

    assert html_module.unescape(text) == code


# --- structure ------------------------------------------------------------------


def test_headings_are_demoted() -> None:
    html = render_markdown("# One\n\n## Two\n\n#### Four\n\n###### Six\n\nSetext\n===\n")
    tags = [tag for tag, _ in parse(html)]
    # the levels used (1, 2, 4, 6) become h3..h6 in order: no level is skipped
    assert tags == ["h3", "h4", "h5", "h6", "h3"]
    assert "<h1" not in html and "<h2" not in html
    assert "</h3>" in html and "</h1>" not in html


def test_tables_are_wrapped() -> None:
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")
    tags = parse(html)
    assert tags[0][0] == "div" and tags[0][1].get("class") == "table-wrap"
    assert tags[1][0] == "table"
    assert [tag for tag, _ in tags].count("div") == 1
    assert re.search(r"</table>\s*</div>\s*$", html)


def test_footnote_ids_are_unique_per_doc_id() -> None:
    text = "Claim[^1].\n\n[^1]: Source.\n"
    first = render_markdown(text, "m-1")
    second = render_markdown(text, "m-2")
    ids_first = {a["id"] for _, a in parse(first) if "id" in a}
    ids_second = {a["id"] for _, a in parse(second) if "id" in a}
    assert ids_first and ids_second
    assert not ids_first & ids_second
    hrefs_first = {a["href"] for _, a in parse(first) if a.get("href", "").startswith("#")}
    assert {h[1:] for h in hrefs_first} <= ids_first  # footnote links resolve in-document


def test_render_parts_gives_each_part_its_own_footnote_ids() -> None:
    text = "x[^1]\n\n[^1]: y\n"
    html = str(render_parts((Part("text", text=text), Part("text", text=text)), "m-3",
                            no_assets))
    ids = [a["id"] for _, a in parse(html) if "id" in a]
    assert len(ids) == 4
    assert len(set(ids)) == 4


def test_tasklists_and_strikethrough() -> None:
    html = render_markdown("- [x] done\n- [ ] todo\n\n~~gone~~\n")
    inputs = [a for tag, a in parse(html) if tag == "input"]
    assert len(inputs) == 2
    assert "<s>gone</s>" in html


# --- parts ----------------------------------------------------------------------


def test_reasoning_part_renders_details() -> None:
    html = render_part(Part("reasoning", text="I *think*", title="<Plan>"), "d", no_assets)
    assert html.startswith('<details class="part part-reasoning"><summary>&lt;Plan&gt;</summary>')
    assert "<em>think</em>" in html
    assert "open" not in parse(html)[0][1]
    default = render_part(Part("reasoning", text="x"), "d", no_assets)
    assert "<summary>Reasoning</summary>" in default


def test_tool_call_pretty_prints_json_arguments() -> None:
    html = render_part(Part("tool_call", name="search", arguments='{"q":"amber","n":2}'),
                       "d", no_assets)
    assert "Tool call: <code>search</code>" in html
    assert 'aria-label="json code"' in html
    text = re.sub(r"<[^>]+>", "", html.split("<code>", 2)[2])
    assert '  &#34;q&#34;: &#34;amber&#34;,\n' in text or '  "q": "amber",\n' in text


def test_pretty_arguments_unwraps_double_encoding() -> None:
    assert pretty_arguments('{"a":1}') == ('{\n  "a": 1\n}', "json")
    assert pretty_arguments('"{\\"a\\": [1, 2]}"') == ('{\n  "a": [\n    1,\n    2\n  ]\n}', "json")
    assert pretty_arguments("not json") == ("not json", None)
    assert pretty_arguments('"just a string"') == ('"just a string"', None)
    assert pretty_arguments(None) == ("", None)
    assert pretty_arguments("") == ("", None)
    deep = "[" * 100_000 + "]" * 100_000
    assert pretty_arguments(deep) == (deep, None)


def test_tool_call_double_encoded_renders_pretty_json() -> None:
    html = render_part(Part("tool_call", name="f", arguments='"{\\"city\\": \\"Paris\\"}"'),
                       "d", no_assets)
    assert 'aria-label="json code"' in html
    assert "\\&#34;" not in html and '\\"' not in html  # no leftover escaping


def test_tool_result_error_and_escaping() -> None:
    html = render_part(Part("tool_result", text="<b>out</b>", name="<n>", is_error=True),
                       "d", no_assets)
    assert "part-error" in html
    assert "(error)" in html
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert "<code>&lt;n&gt;</code>" in html


def test_image_part_without_asset_renders_placeholder() -> None:
    seen: list[str] = []

    def resolver(src: str) -> str | None:
        seen.append(src)
        return None

    html = render_part(Part("image", src="assets/abc.png", name="<cat>.png"), "d", resolver)
    assert seen == ["assets/abc.png"]
    assert "Image not included" in html
    assert "&lt;cat&gt;.png" in html
    assert "<img" not in html
    bare = render_part(Part("image"), "d", resolver)
    assert "Image not included" in bare and "<img" not in bare


def test_image_part_with_asset_renders_img() -> None:
    html = render_part(Part("image", src="assets/abc.png", alt='a "cat"', name="cat.png"),
                       "d", lambda src: "/chats/" + src)
    imgs = [a for tag, a in parse(html) if tag == "img"]
    assert imgs == [{"src": "/chats/assets/abc.png", "alt": 'a "cat"', "loading": "lazy"}]
    assert "figcaption" not in html  # a file name is no caption
    links = [a for tag, a in parse(html) if tag == "a"]
    assert links == [{"class": "image-open", "href": "/chats/assets/abc.png"}]  # enlarge


def test_image_with_known_size_reserves_its_box() -> None:
    html = render_image(Part("image", src="assets/abc.png", alt="x"), lambda src: "/" + src,
                        (640, 480))
    imgs = [a for tag, a in parse(html) if tag == "img"]
    assert imgs[0]["width"] == "640" and imgs[0]["height"] == "480"


def test_render_parts_keeps_order() -> None:
    parts = (Part("text", text="first"), Part("code", code="second"), Part("text", text="third"))
    html = str(render_parts(parts, "d", no_assets))
    assert html.index("first") < html.index("second") < html.index("third")


# --- CSS ------------------------------------------------------------------------


def test_pygments_css_has_light_and_dark_rules_without_backgrounds() -> None:
    css = pygments_css()
    lines = css.splitlines()
    # token rules are written once and take their colour from the scheme's variables
    assert ".highlight .k { color: var(--code-keyword) }" in lines
    light = next(line for line in lines if line.startswith(":root {"))
    dark_auto = next(line for line in lines if "[data-theme=light]" in line)
    dark_manual = next(line for line in lines if ":root[data-theme=dark]" in line)
    assert "@media screen and (prefers-color-scheme: dark) {" in css
    assert not any(line.lstrip().startswith(("pre {", "pre{")) for line in lines)
    assert "background" not in css
    assert "linenos" not in css
    assert " .hll " not in css
    # the dark colours differ from the light ones, and both toggles use the dark set
    assert "--code-keyword:" in light
    assert light.split("{", 1)[1] != dark_auto.split("{", 1)[1]
    assert dark_auto.split("{", 1)[1] == dark_manual.split("{", 1)[1]
