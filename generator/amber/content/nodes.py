"""Parse YAML and JSON into one tree of positioned nodes.

Schema errors must name ``file:line:col``, and neither ``yaml.safe_load`` nor
``json.loads`` keeps positions. So both formats are parsed into ``Node``s that
remember where each value starts; the schema layer reads values from them.
YAML goes through PyYAML's safe composer only (no object construction at all),
and anchors/aliases are refused, which rules out alias-expansion bombs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path

import yaml

from amber.errors import Problem

MAX_DEPTH = 200
"""Deeper nesting than any conversation needs; refusing it keeps parsing bounded."""


@dataclass
class Node:
    """A parsed value with the position it started at (1-based)."""

    kind: str
    """``map``, ``seq`` or ``scalar``."""
    line: int
    col: int
    value: object = None
    """For scalars: the value (str, int, float, bool or None). For seq: list[Node]."""
    raw: str | None = None
    """For YAML plain scalars: the text as written, so '2024' can still be a title."""
    items: dict[str, tuple[Node, Node]] = field(default_factory=dict)
    """For maps: key -> (key node, value node), in document order."""

    def type_name(self) -> str:
        if self.kind == "map":
            return "a mapping"
        if self.kind == "seq":
            return "a list"
        v = self.value
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "a boolean"
        if isinstance(v, int | float):
            return "a number"
        return "a string"


class ParseError(Exception):
    """Raised with a ready Problem when a file cannot be parsed at all."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_text(path: Path) -> str:
    """Read a content file as UTF-8, naming the file and line when it is not."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ParseError(Problem(path, f"not valid UTF-8 (byte {exc.start})", line)) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ParseError(Problem(path, "contains a NUL character", line))
    return text


def check_text(text: str, path: Path, line: int, col: int) -> str:
    """Escapes can smuggle in what the file itself may not hold: ``\\ud800`` a lone
    surrogate, which no UTF-8 file can hold; ``\\u0000`` or ``\\x01`` a NUL or a
    control character, which no XML feed may hold and no page should."""
    match = _UNUSABLE.search(text)
    if match is None:
        return text
    if _SURROGATE.match(match.group(0)):
        raise ParseError(Problem(path, "string holds an unpaired surrogate (\\ud800-\\udfff "
                                 "escape); not valid Unicode text", line, col))
    code = f"U+{ord(match.group(0)):04X}"
    raise ParseError(Problem(path, f"string holds the control character {code} (an escape "
                             "such as \\u0000 or \\x01); remove it: pages and feeds cannot "
                             "carry it", line, col))


def unusable_character(text: str) -> str | None:
    """The first character ``check_text`` refuses, as ``U+XXXX``; None when there is none.

    For text that reaches a content file from elsewhere (``--title``, ``--name``), so a
    command can refuse it before writing a file that would not load."""
    match = _UNUSABLE.search(text)
    return None if match is None else f"U+{ord(match.group(0)):04X}"


def parse_file(path: Path) -> Node:
    """Parse a ``.yaml``/``.yml`` or ``.json`` file into a Node tree."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        return parse_json(text, path)
    return parse_yaml(text, path)


# --- YAML -------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_UNUSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What XML 1.0 forbids (so a feed would break): C0 controls but tab, LF and CR;
surrogates; U+FFFE and U+FFFF. A file cannot hold them raw; escapes can."""

_YAML_TAGS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
    "tag:yaml.org,2002:timestamp": str,
}


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's scanner when PyYAML has it (about 13x faster than the pure-Python one)."""


def parse_yaml(text: str, path: Path) -> Node:
    """Compose Nodes straight from parser events, iteratively.

    Only events are taken from PyYAML, never constructed objects, so no tag can
    build a Python object; anchors and aliases are refused (no alias bombs); and
    the explicit stack bounds nesting before any recursion could overflow.
    """
    try:
        loader = _Loader(text)  # the pure-Python reader checks the characters here
    except yaml.YAMLError as exc:
        raise ParseError(Problem(path, f"invalid YAML: {exc}")) from None
    try:
        return _compose(loader, path)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = exc.problem or exc.context or "invalid YAML"
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        if "nesting depth" in msg:  # libyaml's own limit, met inside flow collections
            deep = f"nested deeper than {MAX_DEPTH} levels"
            raise ParseError(Problem(path, deep, line, col)) from None
        raise ParseError(Problem(path, f"invalid YAML: {msg}", line, col)) from None
    except yaml.YAMLError as exc:
        raise ParseError(Problem(path, f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()


def _compose(loader: yaml.SafeLoader, path: Path) -> Node:
    stack: list[tuple[Node, Node | None]] = []  # (collection, pending key for maps)
    root: Node | None = None
    documents = 0
    get_event = loader.get_event
    while True:
        # get_event alone (no check_event first): every file is read two or three times
        # a build, and most events are scalars, which take the short way below.
        event = get_event()
        if event is None or type(event) is yaml.StreamEndEvent:
            break
        mark = event.start_mark
        line, col = mark.line + 1, mark.column + 1
        if type(event) is yaml.ScalarEvent and event.anchor is None:
            node = _scalar(loader, event, path, line, col)
            if stack:
                _attach(stack, node, path)
            else:
                root = node
            continue
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise ParseError(Problem(path, "more than one YAML document (---) in a file",
                                         line, col))
            continue
        if isinstance(event, yaml.AliasEvent):
            raise ParseError(Problem(path, "aliases (*name) are not supported in amber content",
                                     line, col))
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            done, _ = stack.pop()  # attached to its parent when it started
            if not stack:
                root = done
            continue
        if isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
            if event.anchor is not None:
                raise ParseError(Problem(path, "anchors (&name) are not supported in amber "
                                         "content", line, col))
            if isinstance(event, yaml.ScalarEvent):
                node = _scalar(loader, event, path, line, col)
            else:
                is_map = isinstance(event, yaml.MappingStartEvent)
                expected = "tag:yaml.org,2002:map" if is_map else "tag:yaml.org,2002:seq"
                if event.tag not in (None, "!", expected):
                    raise ParseError(Problem(path, f"unsupported YAML tag {event.tag}", line, col))
                if len(stack) >= MAX_DEPTH:
                    raise ParseError(Problem(path, f"nested deeper than {MAX_DEPTH} levels",
                                             line, col))
                node = Node("map", line, col) if is_map else Node("seq", line, col, [])
                _attach(stack, node, path)
                stack.append((node, None))
                continue
        else:
            continue  # stream and document boundaries
        if stack:
            _attach(stack, node, path)
        else:
            root = node
    if root is None:
        return Node("scalar", 1, 1, None)
    return root


def _attach(stack: list[tuple[Node, Node | None]], node: Node, path: Path) -> None:
    """Put a finished (or just opened) node into the collection on top of the stack."""
    if not stack:
        return
    parent, key = stack[-1]
    if parent.kind == "seq":
        parent.value.append(node)  # type: ignore[union-attr]
        return
    if key is None:
        if node.kind != "scalar" or node.value is None:
            raise ParseError(Problem(path, "mapping keys must be strings", node.line, node.col))
        stack[-1] = (parent, node)
        return
    name = key.raw if key.raw is not None else str(key.value)
    if name in parent.items:
        raise ParseError(Problem(path, f"duplicate key {name!r}", key.line, key.col))
    parent.items[name] = (key, node)
    stack[-1] = (parent, None)


def _scalar(loader: yaml.SafeLoader, event: yaml.ScalarEvent, path: Path, line: int,
            col: int) -> Node:
    tag = event.tag
    if tag in (None, "!"):
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    kind = _YAML_TAGS.get(tag)
    if kind is None:
        raise ParseError(Problem(path, f"unsupported YAML tag {tag}", line, col))
    plain = not event.style  # '' from libyaml, None from the pure-Python parser
    raw = event.value if plain else None
    value: object
    if kind is str:
        # Only a double-quoted scalar has escapes. YAML readers refuse these characters
        # written raw (a test holds them to it), so other scalars need no second look:
        # that look cost a scan of every message's text, two or three times a build.
        value = check_text(event.value, path, line, col) if event.style == '"' else event.value
    else:
        try:
            value = _construct_plain(event.value, kind)
        except (ValueError, OverflowError):
            value = event.value
    return Node("scalar", line, col, value, raw=raw)


def _construct_plain(text: str, kind: type) -> object:
    """Turn an implicitly typed plain scalar into its value without a full constructor."""
    if kind is type(None):
        return None
    if kind is bool:
        return text.lower() in ("yes", "true", "on", "y")
    if kind is int:
        cleaned = text.replace("_", "")
        if len(cleaned) > 40:
            raise ValueError("number too large")
        return int(cleaned, 0) if cleaned[:2].lower() in ("0x", "0o", "0b") else int(cleaned)
    if kind is float:
        if len(text) > 40:
            raise ValueError("number too large")
        return float(text.replace("_", ""))
    return text


# --- JSON -------------------------------------------------------------------

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WS = re.compile(r"[ \t\n\r]*")


class _JsonParser:
    """A small recursive-descent JSON reader that records positions.

    Strings are decoded by the standard library's own ``scanstring``, so escapes
    behave exactly as in ``json.loads``.
    """

    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, index: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def fail(self, index: int, message: str) -> ParseError:
        line, col = self.position(index)
        return ParseError(Problem(self.path, f"invalid JSON: {message}", line, col))

    def skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def parse(self) -> Node:
        i = self.skip(0)
        node, i = self.value(i, 0)
        i = self.skip(i)
        if i != len(self.text):
            raise self.fail(i, "extra data after the document")
        return node

    def value(self, i: int, depth: int) -> tuple[Node, int]:
        if depth > MAX_DEPTH:
            raise self.fail(i, f"nested deeper than {MAX_DEPTH} levels")
        text = self.text
        if i >= len(text):
            raise self.fail(i, "unexpected end of file, expected a value")
        line, col = self.position(i)
        ch = text[i]
        if ch == "{":
            return self.obj(i, depth)
        if ch == "[":
            return self.arr(i, depth)
        if ch == '"':
            s, end = self.string(i)
            return Node("scalar", line, col, s), end
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, i):
                return Node("scalar", line, col, val), i + len(word)
        m = _NUMBER.match(text, i)
        if m and m.end() > i:
            literal = m.group(0)
            if len(literal) > 40:
                raise self.fail(i, "number too large")
            num: object = float(literal) if (m.group(1) or m.group(2)) else int(literal)
            return Node("scalar", line, col, num), m.end()
        raise self.fail(i, f"expected a value, found {ch!r}")

    def string(self, i: int) -> tuple[str, int]:
        try:
            value, end = scanstring(self.text, i + 1, True)
        except json.JSONDecodeError as exc:
            raise self.fail(exc.pos, exc.msg) from None
        if _UNUSABLE.search(value):
            line, col = self.position(i)
            check_text(value, self.path, line, col)
        return value, end

    def obj(self, i: int, depth: int) -> tuple[Node, int]:
        line, col = self.position(i)
        node = Node("map", line, col)
        i = self.skip(i + 1)
        if self.text.startswith("}", i):
            return node, i + 1
        while True:
            if not self.text.startswith('"', i):
                raise self.fail(i, "expected a property name in double quotes")
            key_start = i
            kline, kcol = self.position(i)
            key, i = self.string(i)
            if key in node.items:
                raise self.fail(key_start, f"duplicate key {key!r}")
            i = self.skip(i)
            if not self.text.startswith(":", i):
                raise self.fail(i, "expected ':'")
            i = self.skip(i + 1)
            val, i = self.value(i, depth + 1)
            node.items[key] = (Node("scalar", kline, kcol, key), val)
            i = self.skip(i)
            if self.text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if self.text.startswith("}", i):
                return node, i + 1
            raise self.fail(i, "expected ',' or '}'")

    def arr(self, i: int, depth: int) -> tuple[Node, int]:
        line, col = self.position(i)
        items: list[Node] = []
        i = self.skip(i + 1)
        if self.text.startswith("]", i):
            return Node("seq", line, col, items), i + 1
        while True:
            val, i = self.value(i, depth + 1)
            items.append(val)
            i = self.skip(i)
            if self.text.startswith(",", i):
                i = self.skip(i + 1)
                continue
            if self.text.startswith("]", i):
                return Node("seq", line, col, items), i + 1
            raise self.fail(i, "expected ',' or ']'")


def parse_json(text: str, path: Path) -> Node:
    return _JsonParser(text, path).parse()
