"""The build's fast paths must answer exactly what the slower code they replace answers.

Each shortcut here (linkify's checks, the share-ID scan over bytes, dropping code
blocks from excerpts, reading lexer tokens directly) is compared with the reference
it stands in for: linkify-it itself, the regex over decoded text, the regex that
removed code blocks, Pygments' own formatter. Inputs are generated from the
characters each shortcut reasons about, so a wrong shortcut shows up as a mismatch.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape as sax_escape

import jinja2.sandbox
import pygments
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from amber.build.quick import LIBRARIES, library_versions
from amber.content import nodes as tree
from amber.content.ids import UUID_ANYWHERE, ids_in_bytes
from amber.content.nodes import ParseError
from amber.content.schema import _TIME_RE, parse_time
from amber.render.exports import _indented_json
from amber.render.markdown import QuickLinkify, _markdown, highlight, render_markdown
from amber.render.site import xml_escape
from amber.render.templates import Sandbox, plain_text, without_code_blocks

# --- linkify ------------------------------------------------------------------

LINK_PIECES = [
    "http:", "https:", "HTTP:", "ftp:", "mailto:", "MailTo:", "//", "://", "www.", "WWW.",
    "localhost", "LOCALHOST", "localhoſt", "loca", "lhost", ".com", ".COM", ".org", ".io", ".рф",
    ".xn--p1ai", ".1.", ".255.", ".12", "@", "a@b.co", "example", "ex-ample", "_", "-", ".",
    ":", "/", "?", "#", ">", "<", "｜", "|", "(", ")", "[", "]", "\"", "'", "*", "~", " ",
    "\n", "\t", "\u00a0", "\u2028", "\u3000", "、", "。", "1", "42", "192.168.0.1", "K", "k",
    "ſ", "a", "Z", "é", "ü", "中",
]
LINK_TEXT = st.lists(st.sampled_from(LINK_PIECES), max_size=14).map("".join)
REFERENCE_LINKIFY = LinkifyIt()
QUICK_LINKIFY = QuickLinkify()

FIXED_TEXTS = [
    "", "plain prose without links", "Example: see the docs.", "read www.example.com now",
    "mail me at a@b.com", "http://x.org/a?b=c#d", "HTTPS://EXAMPLE.COM", "//cdn.example/x",
    "localhost:8080", "LocalHost", "localhoſt", "10.0.0.1", "v1.2.3", "x.com", "x.co.",
    "end with .com", "a.b.c.d", "ftp://files.example.net", "mailto:someone@example.org",
    "ws://not-a-scheme.example", "file:///etc/passwd", "javascript:alert(1)",
    "text｜www.example.com", ">http://quoted.example", "_http://underscore.example",
]


def test_quick_linkify_uses_its_rewrite() -> None:
    """The rewrite is what the build runs; if linkify-it changed its patterns, this says so."""
    assert QUICK_LINKIFY._quick is not None
    assert isinstance(_markdown().linkify, QuickLinkify)
    assert _markdown().linkify._quick is not None


@pytest.mark.parametrize("text", FIXED_TEXTS)
def test_quick_linkify_answers_like_linkify_it_on_known_texts(text: str) -> None:
    assert QUICK_LINKIFY.pretest(text) == REFERENCE_LINKIFY.pretest(text)
    assert QUICK_LINKIFY.test(text) == REFERENCE_LINKIFY.test(text)


@settings(max_examples=600, deadline=None)
@given(LINK_TEXT)
def test_quick_linkify_answers_like_linkify_it(text: str) -> None:
    assert QUICK_LINKIFY.pretest(text) == REFERENCE_LINKIFY.pretest(text)
    assert QUICK_LINKIFY.test(text) == REFERENCE_LINKIFY.test(text)


def test_quick_linkify_finds_every_kind_of_link() -> None:
    """Not a check that always says no: each link form passes, as in linkify-it."""
    for text in ("see http://a.example", "see //a.example/x", "mail a@b.example",
                 "go to www.example.com", "try example.com", "at localhost", "ip .10.0."):
        assert QUICK_LINKIFY.pretest(text), text
        assert REFERENCE_LINKIFY.pretest(text), text


def test_quick_linkify_follows_added_schemes() -> None:
    """A scheme added later (``add`` recompiles) is looked for too."""
    quick, reference = QuickLinkify(), LinkifyIt()
    for linkify in (quick, reference):
        linkify.add("git:", "http:")
    text = "clone git:github.com/x/y"
    assert quick.pretest(text) == reference.pretest(text) is True
    assert quick.test(text) == reference.test(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*LINK_PIECES, "**", "`", "[x](http://y.example)", "\n\n",
                                 "- ", "> ", "# "]), max_size=16).map("".join))
def test_rendered_markdown_is_the_same_with_linkify_it(text: str) -> None:
    """The whole renderer, with linkify-it's own object swapped back in, writes the same HTML."""
    reference = _markdown_with(LinkifyIt())
    assert render_markdown(text) == reference.render(text, {})


def _markdown_with(linkify: LinkifyIt) -> MarkdownIt:
    md = _markdown()
    clone = MarkdownIt.__new__(type(md))
    clone.__dict__.update(md.__dict__)
    clone.linkify = linkify
    return clone


# --- share IDs in output bytes -----------------------------------------------

GOOD = str(uuid.UUID(int=0x1234_5678_9ABC_4DEF_8123_4567_89AB_CDEF))
ID_PIECES = [b"0", b"9", b"a", b"f", b"g", b"A", b"-", b"--", b"0123", b"abcdef01",
             b"0123abcd", b"89ab", b"0123456789ab", GOOD.encode(), GOOD.encode()[:20],
             GOOD.encode()[9:], b"\xff", b"\xc3", b"\xc3\xa9", b"\xe2\x80\x94", b" ", b"/",
             b"\n"]


def _reference_ids(data: bytes) -> set[str]:
    """The plain rule: ID-shaped text in any case, lowercased."""
    text = data.decode("utf-8", errors="replace")
    return {found.lower() for found in re.findall(UUID_ANYWHERE.pattern, text, re.IGNORECASE)}


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(ID_PIECES), max_size=24).map(b"".join))
@example(b"0123456789-0123-0123-0123-0123456789ab")  # the ID starts two hex digits in
@example((GOOD + "-0123-4567-89ab-0123456789ab").encode())  # a second ID inside the first
@example(("x" + GOOD + GOOD).encode())
def test_ids_in_bytes_matches_the_regex_over_decoded_text(data: bytes) -> None:
    assert ids_in_bytes(data) == _reference_ids(data)


def test_ids_in_bytes_finds_ids_in_a_page() -> None:
    other = str(uuid.UUID(int=42, version=4))
    page = (f'<a href="/share/{GOOD}/">é—</a><link href="../{other}/x.json">\xff'
            ).encode("utf-8", "surrogateescape")
    assert ids_in_bytes(page) == {GOOD, other} == _reference_ids(page)


# --- excerpts: code blocks left out ------------------------------------------

OLD_CODE_BLOCKS = re.compile(r'<div class="code-block">.*?</pre></div>', re.DOTALL)
HTML_PIECES = ['<div class="code-block">', "</pre></div>", "</pre>", "</div>", "<pre>", "x",
               "\n", "<", ">", '<div class="code-block"', "</pre></div", "é"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(HTML_PIECES), max_size=16).map("".join))
def test_without_code_blocks_matches_the_regex(fragment: str) -> None:
    assert without_code_blocks(fragment) == OLD_CODE_BLOCKS.sub(" ", fragment)


def test_plain_text_leaves_code_out() -> None:
    html = render_markdown("Before\n\n```python\nsecret_code = 1\n```\n\nAfter")
    assert plain_text(html) == "Before After"


# --- highlighting: the direct token path and the fallback --------------------

REFERENCE_FORMATTER = HtmlFormatter(nowrap=True)


@pytest.mark.parametrize("language", ["python", "go", "json", "c"])
def test_highlight_with_a_filtered_lexer_uses_the_filters(language: str) -> None:
    """A lexer with filters goes through ``get_tokens``; the filter's change shows."""
    code = 'def f():\n\treturn "x" if True else None  # if\n'
    lexer = get_lexer_by_name(language, stripnl=False, ensurenl=True)
    lexer.add_filter("keywordcase", case="upper")
    lexer.add_filter("whitespace", tabs=True)
    expected = pygments.highlight(code, lexer, REFERENCE_FORMATTER)
    assert highlight(code, lexer) == expected


@pytest.mark.parametrize("code", ["\ufeffx = 1\r\ny = 2\r", "\tindented\n\n\n", "no newline"])
def test_highlight_prepares_text_like_get_tokens(code: str) -> None:
    """BOM, CR LF, tabs and the final newline are handled as ``get_tokens`` does."""
    lexer = get_lexer_by_name("python", stripnl=False, ensurenl=True, tabsize=4)
    assert highlight(code, lexer) == pygments.highlight(code, lexer, REFERENCE_FORMATTER)


# --- times already in normal form --------------------------------------------

def _reference_parse_time(text: str) -> str | None:
    """``parse_time`` without its shortcut for times already in normal form."""
    text = text.strip()
    if not _TIME_RE.match(text):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):
        return None


TIMES = st.builds(
    "{}-{}-{}T{}:{}:{}{}".format,
    st.sampled_from(["0001", "0999", "1000", "1999", "2024", "9999", "２０２４"]),
    st.sampled_from(["00", "01", "02", "12", "13"]),
    st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]),
    st.sampled_from(["00", "23", "24"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "59", "60", "61"]),
    st.sampled_from(["Z", "", "+00:00", "+01:00", "-0130", "z", "Z\n"]),
)


@settings(max_examples=500, deadline=None)
@given(TIMES)
@example("2024-02-29T12:00:00Z")
@example("2023-02-29T12:00:00Z")
@example("0999-12-31T23:59:59Z")
@example(" 2024-10-14T08:10:16Z ")
def test_parse_time_shortcut_answers_like_the_full_path(text: str) -> None:
    assert parse_time(text) == _reference_parse_time(text)


# --- YAML: only double-quoted scalars can smuggle in unusable characters -------

RAW_UNUSABLE = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]]
RAW_UNUSABLE += ["\ufffe", "\uffff"]
STYLES = ["a: x{}y\n", "a: 'x{}y'\n", "a: |\n  x{}y\n", "a: >-\n  x{}y\n", "? x{}y\n: 1\n",
          "- x{}y\n", "a: [x{}y]\n", "{{x{}y: 1}}\n"]


@pytest.mark.parametrize("loader", [tree._Loader, yaml.SafeLoader],
                         ids=["default loader", "pure-Python loader"])
def test_yaml_readers_refuse_unusable_characters_written_raw(
        loader: type, monkeypatch: pytest.MonkeyPatch) -> None:
    """Why ``check_text`` may skip scalars that are not double-quoted: the reader
    refuses these characters before any scalar is made, in every other style."""
    monkeypatch.setattr(tree, "_Loader", loader)
    for style in STYLES:
        for char in RAW_UNUSABLE:
            with pytest.raises(ParseError):
                tree.parse_yaml(style.format(char), Path("x.yaml"))


@pytest.mark.parametrize("escape", ["\\0", "\\x01", "\\u001f", "\\ud800", "\\uffff", "\\e"])
def test_escapes_in_double_quotes_are_still_refused(escape: str) -> None:
    for text in (f'a: "x{escape}y"\n', f'"k{escape}": 1\n', f'- ["x{escape}"]\n'):
        with pytest.raises(ParseError, match=r"control character|surrogate|escape code"):
            tree.parse_yaml(text, Path("x.yaml"))


# --- the chat-completions JSON, written without json's indenting generators --------

JSON_LEAVES = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.text(max_size=12)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6),
                                                                       children, max_size=4),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
@example({"a": [], "b": {}, "c": [[], [{}]], "d": "\u2028\"\\<é\x00", "e": [True, False, None]})
def test_indented_json_writes_what_json_writes(value: object) -> None:
    pieces: list[str] = []
    _indented_json(value, pieces, "\n")
    assert "".join(pieces) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [1.5, {1: "x"}, {"a": [float("nan")]}, {"a": {"b"}}])
def test_indented_json_leaves_other_values_to_json(value: object) -> None:
    with pytest.raises(TypeError):
        _indented_json(value, [], "\n")


# --- library versions -----------------------------------------------------------


def test_library_versions_match_importlib_metadata() -> None:
    expected = {}
    for name in LIBRARIES:
        try:
            expected[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    assert library_versions() == expected
    assert "Pygments" in expected  # installed with amber: the comparison is not empty


def test_library_versions_read_folders_as_importlib_metadata_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, name, version, kind in [
            (first, "Markdown_It_Py", "4.3.0", "dist-info"),
            (second, "markdown_it_py", "1.0.0", "dist-info"),  # shadowed by the first
            (second, "Foo.Bar", "2.0", "egg-info"),
            (first, "unrelated", "9.9", "dist-info")]:
        meta = folder / f"{name}-{version}.{kind}"
        meta.mkdir(parents=True)
        text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        (meta / ("METADATA" if kind == "dist-info" else "PKG-INFO")).write_text(text)
    monkeypatch.setattr("sys.path", [str(first), str(tmp_path / "missing"), str(second)])
    names = ("markdown-it-py", "foo-bar", "absent")
    found = library_versions(names)
    assert found == {"markdown-it-py": "4.3.0", "foo-bar": "2.0"}
    for name, version in found.items():
        assert importlib.metadata.version(name) == version


@given(st.lists(st.sampled_from(["&", "<", ">", '"', "'", "a", "é", "&amp;", "]]>", "&#38;"]),
                max_size=20).map("".join))
def test_xml_escape_writes_what_saxutils_writes(text: str) -> None:
    assert xml_escape(text) == sax_escape(text)


# --- the template sandbox's shortcut ----------------------------------------------


@dataclass(frozen=True)
class _Card:
    title: str
    count: int
    author: str | None
    tags: tuple[str, ...]
    action: Callable[[], str]
    _secret: str = "hidden"


_CARD_TEMPLATE = ("{% for c in cards %}<li>{{ c.title }} {{ c.count }} {{ c.author }} "
                  "{{ c.tags | join(',') }} {{ c.tags[0] if c.tags }} {{ c.missing is defined }}"
                  "</li>{% endfor %}")


@given(st.lists(st.builds(
    _Card, title=st.text(max_size=12), count=st.integers(), author=st.none() | st.text(max_size=5),
    tags=st.lists(st.text(max_size=4), max_size=3).map(tuple), action=st.just(lambda: "x")),
    max_size=4))
def test_sandbox_shortcut_renders_what_jinja_sandbox_renders(cards: list[_Card]) -> None:
    plain = jinja2.sandbox.SandboxedEnvironment(autoescape=True)
    fast = Sandbox(autoescape=True)
    assert fast.from_string(_CARD_TEMPLATE).render(cards=cards) == \
        plain.from_string(_CARD_TEMPLATE).render(cards=cards)


@pytest.mark.parametrize("expression", [
    "c._secret", "c.__class__", "c.__dataclass_fields__", "c.title.format('{0.__class__}')",
    "c.action.__globals__", "c.title.__class__"])
def test_sandbox_shortcut_refuses_what_jinja_sandbox_refuses(expression: str) -> None:
    card = _Card("{0.__class__}", 1, None, (), lambda: "x")
    answers = []
    for env in (jinja2.sandbox.SandboxedEnvironment(), Sandbox()):
        try:
            answers.append(env.from_string("{{ " + expression + " }}").render(c=card))
        except jinja2.sandbox.SecurityError as exc:
            answers.append(f"refused: {exc}")
    assert answers[0] == answers[1]
    assert "class '" not in answers[1] and "function" not in answers[1]
