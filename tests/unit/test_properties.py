"""Property-based tests: hostile input never crashes a loader, an importer or the renderer.

Hypothesis generates the input; each property says what must hold for *every* input:

- the YAML and JSON readers (``amber.content.nodes``) raise nothing but ``ParseError`` on any
  text, and give back exactly the value of any document they accept;
- schema reading (conversations, share files, site.yaml, revoked.yaml) never raises on
  any tree: every problem becomes a ``Problem`` with a position;
- importers, fed fixture exports with parts replaced by arbitrary values, either import
  conversations that then load cleanly or say why not, never with a traceback; and the
  streaming depth guard counts nesting as a real JSON parser does, however the bytes are
  cut into chunks;
- a snapshot of any conversation (every part type, every field) reads back to the same
  messages and the same digest;
- Markdown rendering never raises and its HTML is well formed: tags balance, only tags
  amber writes, no event handler, no style, no unsafe URL.

Each property counts its inputs; the total is printed after the module runs (``fuzz
inputs run``). ``max_examples`` keeps the whole file around half a minute.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amber.content.load import SitePaths, load_content
from amber.content.model import PART_FIELDS, ROLES, Conversation, Message, Part
from amber.content.nodes import MAX_DEPTH, Node, ParseError, parse_json, parse_yaml
from amber.content.schema import read_conversation, read_site
from amber.content.snapshot import (
    SNAPSHOT_OPTIONAL,
    SNAPSHOT_REQUIRED,
    dump_yaml,
    freeze,
    messages_digest,
    read_snapshot,
    read_tombstones,
    serialise_snapshot,
)
from amber.errors import AmberError
from amber.importers.detect import CONVERTERS
from amber.importers.pipeline import run_import
from amber.importers.record import Imported, Skipped
from amber.importers.source import ImportInputError, Member
from amber.importers.streamguard import StreamGuard
from amber.render.markdown import is_safe_url, render_markdown, render_parts
from tests.helpers.streams import Chunks

REPO = Path(__file__).resolve().parents[2]
IMPORTS = REPO / "tests" / "fixtures" / "imports"
FIXTURE_SITE = REPO / "tests" / "fixtures" / "site"
SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"

RUNS: Counter[str] = Counter()
"""Inputs each property ran, reported at the end of the module."""


@pytest.fixture(scope="module", autouse=True)
def _report_fuzz_inputs(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    total = sum(RUNS.values())
    detail = ", ".join(f"{name} {count}" for name, count in sorted(RUNS.items()))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and total:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\nfuzz inputs run: {total} ({detail})")


FAST = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SLOW = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

REFUSED_CHARACTERS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C,
                                              *range(0x0E, 0x20), 0xFFFE, 0xFFFF))
"""What a content file may not hold (``amber.content.nodes.check_text``); surrogates too."""
TEXT = st.text(st.characters(blacklist_categories=("Cs",),
                             blacklist_characters=REFUSED_CHARACTERS), max_size=60)
"""Any text a content file can hold."""

# --- the YAML and JSON readers -----------------------------------------------------------

YAML_PIECES = ["a", "b: ", ": ", "- ", "-", "? ", "&x ", "*x", "!!python/object:os.system ",
               "!!binary ", "!!set ", "!t ", "<<: ", "[", "]", "{", "}", ", ", "'", '"', "\\",
               "\\x00", "\\ud800", "\\N", "|", "|-", ">", "#", "%YAML 1.1\n", "---\n", "...\n",
               "\n", "  ", "\t", "1", "0x1F", "1e999", "0o7", ".inf", "~", "null", "yes",
               "2024-01-01", "\r\n", "\r", "\ufeff", "\x85", "\u2028", "é", "\U0001F600"]
JSON_PIECES = ['{', '}', '[', ']', ',', ':', '"', '"a"', '"\\ud800"', '"\\u0000"', '"\\n"',
               "\\", "1", "-", "0", "1e999", "1.5e-7", "NaN", "true", "false", "null", " ",
               "\n", "\r", "\t", "é", "\ufeff", "\U0001F600", "\x00"]


def _pieces(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(pieces), st.text(max_size=4)),
                    max_size=40).map("".join)


@FAST
@given(_pieces(YAML_PIECES))
def test_yaml_reader_raises_only_parse_error(text: str) -> None:
    RUNS["yaml reader"] += 1
    try:
        parse_yaml(text, Path("x.yaml"))
    except ParseError as exc:
        assert exc.problem.path == Path("x.yaml")
        assert exc.problem.line is None or exc.problem.line >= 1


@FAST
@given(_pieces(JSON_PIECES))
def test_json_reader_raises_only_parse_error(text: str) -> None:
    RUNS["json reader"] += 1
    try:
        parse_json(text, Path("x.json"))
    except ParseError as exc:
        assert exc.problem.line is not None and exc.problem.line >= 1


def value_of(node: Node) -> object:
    """The plain Python value a node stands for."""
    if node.kind == "map":
        return {key: value_of(value) for key, (_, value) in node.items.items()}
    if node.kind == "seq":
        return [value_of(item) for item in node.value]  # type: ignore[union-attr]
    return node.value


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False), TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


@FAST
@given(VALUES)
def test_json_documents_read_back_to_their_value(value: object) -> None:
    RUNS["json round trip"] += 1
    text = json.dumps(value, ensure_ascii=False, indent=1)
    assert value_of(parse_json(text, Path("x.json"))) == value


@FAST
@given(VALUES)
def test_yaml_documents_read_back_to_their_value(value: object) -> None:
    RUNS["yaml round trip"] += 1
    text = dump_yaml(value)  # amber's writer, which checks its output with PyYAML's reader
    assert value_of(parse_yaml(text, Path("x.yaml"))) == value


# --- schema reading ------------------------------------------------------------------------


ANY = st.deferred(lambda: VALUES)


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Mostly the right shape, sometimes anything at all."""
    return st.one_of(strategy, strategy, ANY)


TIMES = st.one_of(st.sampled_from(["2026-01-31T12:00:00Z", "2026-01-31", "2026-13-45",
                                   "0001-01-01T00:00+01:00", "9999-12-31T23:59:59-12:00"]),
                  TEXT)
PART_KEYS = sorted({key for required, optional in PART_FIELDS.values()
                    for key in (*required, *optional)})
PARTS = st.fixed_dictionaries(
    {"type": _maybe(st.sampled_from([*PART_FIELDS, "video"]))},
    optional={key: _maybe(TEXT if key != "is_error" else st.booleans()) for key in PART_KEYS}
    | {"src": _maybe(st.sampled_from(["assets/a.png", "../x", "assets/../x", "/etc/passwd"]))},
)
MESSAGES = st.fixed_dictionaries(
    {},
    optional={"role": _maybe(st.sampled_from([*ROLES, "root"])),
              "content": _maybe(st.one_of(TEXT, st.lists(_maybe(PARTS), max_size=3))),
              "created": _maybe(TIMES), "model": _maybe(TEXT), "extra": ANY},
)
CONVERSATIONS = _maybe(st.fixed_dictionaries(
    {},
    optional={"title": _maybe(TEXT), "messages": _maybe(st.lists(_maybe(MESSAGES), max_size=3)),
              "created": _maybe(TIMES), "model": _maybe(TEXT), "tilte": ANY},
))
SNAPSHOTS = _maybe(st.fixed_dictionaries(
    {},
    optional={key: _maybe(st.sampled_from([1, SID, "alpha", "2026-01-01T00:00:00Z",
                                           "sha256:" + "0" * 64, True, None]))
              for key in (*SNAPSHOT_REQUIRED, *SNAPSHOT_OPTIONAL)}
    | {"messages": _maybe(st.lists(_maybe(MESSAGES), max_size=3))},
))
SITES = _maybe(st.fixed_dictionaries(
    {},
    optional={"title": _maybe(TEXT),
              "base_url": _maybe(st.sampled_from(["https://a.example/x", "javascript:x",
                                                  "http://", "https://a.example/?q#f"])),
              "author": _maybe(TEXT), "language": _maybe(TEXT), "theme": _maybe(TEXT),
              "cname": _maybe(TEXT)},
))
TOMBSTONES = _maybe(st.lists(_maybe(st.fixed_dictionaries(
    {}, optional={"id": _maybe(st.sampled_from([SID, SID.upper(), "../x"])),
                  "revoked": _maybe(TIMES)})), max_size=3))


def _trees(value: object) -> Iterator[Node]:
    """The value as both readers see it (when both can write it)."""
    yield parse_json(json.dumps(value), Path("x.json"))
    yield parse_yaml(dump_yaml(value), Path("x.yaml"))


def _assert_problems_have_positions(problems: list) -> None:
    for problem in problems:
        assert problem.line is not None and problem.line >= 1, problem


@FAST
@given(CONVERSATIONS)
def test_reading_any_conversation_tree_gives_a_conversation_or_problems(value: object) -> None:
    RUNS["conversation schema"] += 1
    for node in _trees(value):
        conv, problems = read_conversation(node, Path("c.yaml"), "c")
        assert (conv is None) == bool(problems)
        _assert_problems_have_positions(problems)


@FAST
@given(SNAPSHOTS)
def test_reading_any_share_tree_gives_a_snapshot_or_problems(value: object) -> None:
    RUNS["share schema"] += 1
    for node in _trees(value):
        snap, problems = read_snapshot(node, Path(f"{SID}.yaml"))
        assert (snap is None) == bool(problems)
        _assert_problems_have_positions(problems)


@FAST
@given(SITES, TOMBSTONES)
def test_reading_any_site_or_revoked_tree_gives_values_or_problems(site: object,
                                                                  revoked: object) -> None:
    RUNS["site and revoked schema"] += 1
    for node in _trees(site):
        config, problems = read_site(node, Path("site.yaml"))
        assert (config is None) == bool(problems)
        _assert_problems_have_positions(problems)
    for node in _trees(revoked):
        tombstones, problems = read_tombstones(node, Path("revoked.yaml"))
        assert all(t.id == SID for t in tombstones)
        _assert_problems_have_positions(problems)


# --- importers -------------------------------------------------------------------------------


FIXTURE_EXPORTS = {
    "chatgpt": IMPORTS / "chatgpt" / "conversations.json",
    "claude": IMPORTS / "claude" / "conversations.json",
    "openai": IMPORTS / "openai" / "chat.json",
    "anthropic": IMPORTS / "anthropic" / "request.json",
    "sharegpt": IMPORTS / "sharegpt" / "sharegpt.json",
    "open-webui": IMPORTS / "open-webui" / "chat-export.json",
    "librechat": IMPORTS / "librechat" / "tree.json",
    "grok": IMPORTS / "grok" / "prod-grok-backend.json",
    "gemini": IMPORTS / "gemini" / "MyActivity.json",
    "ai-studio": IMPORTS / "ai-studio" / "prompt.json",
    "deepseek": IMPORTS / "deepseek" / "conversations.json",
}


def _paths_in(value: object, prefix: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths_in(item, (*prefix, index))


def _mutated(document: object, changes: list[tuple[int, object]]) -> object:
    """The document with the values at some of its paths replaced (None deletes a key)."""
    document = json.loads(json.dumps(document))
    for choice, shared in changes:
        replacement = json.loads(json.dumps(shared))  # a fresh copy: no value twice
        paths = list(_paths_in(document))
        path = paths[choice % len(paths)]
        if not path:
            document = replacement
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]  # type: ignore[index]
        if replacement is None and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement  # type: ignore[index]
    return document


ODD_VALUES = st.one_of(
    ANY, st.sampled_from(["", "\ud800", "a\x00b\x1b", "\u202eevil", "data:image/png;base64,xx",
                          "../../etc/passwd", "file-x", 1e308, -1, 2**63, [], {}]),
)


@SLOW
@given(fmt=st.sampled_from(sorted(FIXTURE_EXPORTS)),
       changes=st.lists(st.tuples(st.integers(0, 10**6), ODD_VALUES), min_size=1, max_size=6))
def test_imports_of_mangled_exports_load_or_say_why(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, changes: list[tuple[int, object]],
) -> None:
    RUNS["importers"] += 1
    document = json.loads(FIXTURE_EXPORTS[fmt].read_text("utf-8"))
    site = tmp_path_factory.mktemp("import")
    shutil.copytree(FIXTURE_SITE / "content", site / "content")
    export = site / "export.json"
    export.write_text(json.dumps(_mutated(document, changes)), "utf-8")
    paths = SitePaths(site)
    try:
        run_import(export, paths)
    except AmberError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)
        return
    problems = [p for p in load_content(paths).problems if p.path.parent == paths.conversations]
    assert problems == [], "what import writes must load"


@FAST
@given(fmt=st.sampled_from(sorted(FIXTURE_EXPORTS)),
       changes=st.lists(st.tuples(st.integers(0, 10**6), ODD_VALUES), min_size=1, max_size=6))
def test_converters_take_any_mangled_record(fmt: str, changes: list[tuple[int, object]]) -> None:
    """Each record straight into its converter: an import or a reason, never an exception
    (the reader turns one into a "could not be read" line, which hides the bug)."""
    RUNS["converters"] += 1
    document = json.loads(FIXTURE_EXPORTS[fmt].read_text("utf-8"))
    records = document if isinstance(document, list) else [document]
    pairs = [("conversation 1", _mutated(record, changes)) for record in records]
    regroup = getattr(CONVERTERS[fmt], "regroup", None)  # Grok's export, Gemini's entries
    for where, record in regroup(iter(pairs)) if regroup is not None else pairs:
        result = CONVERTERS[fmt].convert(record, where,
                                         lambda ref, name: (None, "not in this test"))
        assert isinstance(result, Imported | Skipped)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


NESTABLE = st.recursive(
    st.text(st.sampled_from('[]{}"\\ab\n'), max_size=6),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(st.sampled_from('[]{}"\\a'), max_size=4),
                                            inner, max_size=3)),
    max_leaves=12,
)


@FAST
@given(value=NESTABLE, extra=st.integers(0, MAX_DEPTH + 20),
       sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5))
def test_import_depth_guard_counts_as_a_parser_does(value: object, extra: int,
                                                    sizes: list[int]) -> None:
    """Strings full of brackets, quotes and backslashes, cut anywhere: the guard refuses
    exactly the documents nested deeper than MAX_DEPTH."""
    RUNS["import depth guard"] += 1
    for _ in range(extra):
        value = [value]
    data = json.dumps(value).encode()
    guard = StreamGuard(Chunks(data, sizes), Member("x.json", len(data)))  # type: ignore[arg-type]
    try:
        while guard.read(64):
            pass
    except ImportInputError as exc:
        assert _depth(value) > MAX_DEPTH, exc
        offset = int(re.search(r"near byte ([\d,]+)", str(exc)).group(1).replace(",", ""))
        assert data[offset:offset + 1] in (b"[", b"{")
        return
    assert _depth(value) <= MAX_DEPTH


# --- snapshot round trip -----------------------------------------------------------------


OPTIONAL_TEXT = st.one_of(st.none(), TEXT)
ANY_PART = st.one_of(
    st.builds(Part, st.just("text"), text=TEXT),
    st.builds(Part, st.just("code"), code=TEXT, language=OPTIONAL_TEXT, title=OPTIONAL_TEXT),
    st.builds(Part, st.just("image"), src=st.one_of(st.none(), st.just("assets/a.png")),
              name=OPTIONAL_TEXT, alt=OPTIONAL_TEXT),
    st.builds(Part, st.just("reasoning"), text=TEXT, title=OPTIONAL_TEXT),
    st.builds(Part, st.just("tool_call"), name=TEXT, id=OPTIONAL_TEXT,
              arguments=OPTIONAL_TEXT),
    st.builds(Part, st.just("tool_result"), text=TEXT, name=OPTIONAL_TEXT, id=OPTIONAL_TEXT,
              is_error=st.one_of(st.none(), st.booleans())),
    st.builds(Part, st.just("attachment"), name=TEXT, text=OPTIONAL_TEXT),
)
TIMESTAMP = st.one_of(st.none(), st.just("2026-01-31T12:00:00Z"))
ANY_MESSAGE = st.builds(
    Message, st.sampled_from(ROLES),
    st.one_of(TEXT, st.lists(ANY_PART, min_size=1, max_size=4).map(tuple)),
    created=TIMESTAMP, model=OPTIONAL_TEXT,
)
TITLE = TEXT.filter(lambda t: t.strip() != "")


@FAST
@given(messages=st.lists(ANY_MESSAGE, min_size=1, max_size=4).map(tuple), title=TITLE,
       author=OPTIONAL_TEXT, listed=st.booleans(), allow=st.booleans(),
       created=TIMESTAMP, model=OPTIONAL_TEXT)
def test_every_snapshot_reads_back_with_the_same_messages_and_digest(
    messages: tuple[Message, ...], title: str, author: str | None, listed: bool, allow: bool,
    created: str | None, model: str | None,
) -> None:
    RUNS["snapshot round trip"] += 1
    conv = Conversation("chat", title, messages, created, model)
    snap = freeze(conv, SID, title=None, author=author, listed=listed,
                  frozen="2026-02-01T10:00:00Z", allow_sensitive=allow)
    data = serialise_snapshot(snap)
    path = Path(f"{SID}.yaml")
    back, problems = read_snapshot(parse_yaml(data.decode("utf-8"), path), path)
    assert problems == []
    assert back == snap
    assert back is not None and messages_digest(back.messages) == snap.digest


# --- Markdown rendering ------------------------------------------------------------------


MARKDOWN_PIECES = [
    "*", "**", "_", "__", "~~", "`", "```", "```python\n", "~~~", "\n```\n", "[", "]", "(", ")",
    "![", "](", "[^1]", "[^1]: ", "[x]: ", "<", ">", "</", "<script>", "<img src=x onerror=y>",
    "javascript:alert(1)", "JaVa\tScRiPt:", "data:text/html,", "vbscript:", "http://a.b/",
    "https://a.b/?x=<>", "www.a.b", "a@b.c", "mailto:x", "&", "&#x3C;", "&lt;", "&#0;", "\\",
    "$", "$$", "\\(", "\\)", "\\[", "\\]", "\\frac{", "\\href{javascript:x}{", "\\style{",
    "\\text{<b>}", "{", "}", "^", "# ", "### ", "- ", "1. ", "- [ ] ", "- [x] ", "> ", "|",
    "|---|", "\n", "\n\n", "    ", "\t", " ", "a", "word", "\u202e", "\u0301", "\x00", "\ufeff",
]
MARKDOWN = st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=3)),
                    max_size=50).map("".join)

KNOWN_TAGS = frozenset({
    "p", "em", "strong", "s", "code", "pre", "a", "br", "hr", "h3", "h4", "h5", "h6", "ul",
    "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "div", "span",
    "input", "label", "sup", "section", "details", "summary", "figure", "figcaption", "img",
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "menclose", "mpadded", "mphantom", "mmultiscripts",
    "mprescripts", "none",
})
"""Every tag amber's Markdown, code, part and MathML rendering may write."""
VOID_TAGS = frozenset({"br", "hr", "img", "input"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "srcset"})


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []

    def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in KNOWN_TAGS:
            self.problems.append(f"unknown tag <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=…>")
            if name in URL_ATTRIBUTES and not is_safe_url(value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> while {self.open[-1:]} is open")
        else:
            self.open.pop()


def html_problems(html: str) -> list[str]:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.problems + [f"<{tag}> never closed" for tag in checker.open]


@FAST
@given(MARKDOWN)
def test_markdown_renders_well_formed_safe_html(text: str) -> None:
    RUNS["markdown"] += 1
    html = render_markdown(text, "m-1")
    assert html_problems(html) == [], html


@FAST
@given(st.lists(ANY_PART, min_size=1, max_size=4), MARKDOWN)
def test_message_parts_render_well_formed_safe_html(parts: list[Part], text: str) -> None:
    RUNS["message parts"] += 1
    parts = [Part("text", text=text), *parts,
             Part("reasoning", text=text, title=text[:20] or None)]
    html = str(render_parts(tuple(parts), "m-2", lambda src: "/chats/assets/a.png"))
    assert html_problems(html) == [], html


def test_a_sample_of_known_shapes_is_checked_as_hostile() -> None:
    """The checker itself must catch what it looks for (so the properties can fail)."""
    assert html_problems("<p><script>x</script></p>") == ["unknown tag <script>"]
    assert html_problems('<a href="javascript:x">a</a>') != []
    assert html_problems('<p onclick="x">a</p>') != []
    assert html_problems("<p><em>a</p></em>") != []
    assert html_problems("<div>") == ["<div> never closed"]
