"""Write imported conversations as YAML quickly, with the same guarantee as dump_yaml.

``snapshot.dump_yaml`` runs PyYAML's pure-Python emitter and reader, about a
quarter of a megabyte a second: hours for a large export. A conversation has
a fixed shape (a few keys, lists of messages and parts, strings and one
boolean), so this module writes it directly: Markdown as literal block
scalars, like a person writes it, other strings plain or double-quoted. The
text is then read back (with libyaml when PyYAML has it) and compared with
the value; when they differ, ``dump_yaml``'s output is used instead. Either
way the file reads back to exactly the conversation.
"""

from __future__ import annotations

import json
import re

import yaml

from amber.content.snapshot import dump_yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (ten times faster), else PyYAML's own."""

_PLAIN = re.compile(r"[^\W\d_][\w .,/()+'?!&-]*\Z")
"""Starts with a letter and holds no character YAML gives a meaning (no ': ', no ' #')."""
_RESERVED = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff-\uffff]")
"""Characters a YAML stream may not hold raw, or that it would read as line breaks."""
_BLOCK_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_INDENT = "  "


def _quoted(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    if _ESCAPE.search(out):
        out = _ESCAPE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out)
    return out


def _scalar(text: str, indent: str) -> str:
    """The text after ``key:``: plain, double-quoted, or a literal block scalar."""
    if "\n" in text and text.strip() and not _BLOCK_UNSAFE.search(text):
        body = text.rstrip("\n")
        trailing = len(text) - len(body)
        chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
        # A first line that starts with a space would be read as the indentation.
        head = "2" if body.lstrip("\n")[:1] in (" ", "\t") else ""
        lines = text[:-1] if chomp == "+" else body
        inner = indent + _INDENT
        # Indent every line that has content; empty lines stay empty (no trailing blanks).
        return f" |{head}{chomp}\n" + "\n".join(
            [inner + line if line else line for line in lines.split("\n")]
        )
    if _PLAIN.match(text) and text[-1] != " " and text.lower() not in _RESERVED:
        return " " + text
    return " " + _quoted(text)


def _value(value: object, indent: str) -> str:
    if isinstance(value, bool):
        return " true" if value else " false"
    if isinstance(value, str):
        return _scalar(value, indent)
    raise TypeError(f"unexpected value {value!r}")


def _mapping(items: dict[str, object], indent: str, first_prefix: str) -> list[str]:
    """Lines of a mapping whose first key follows ``first_prefix`` (``- `` in a list)."""
    lines: list[str] = []
    prefix = first_prefix
    for key, value in items.items():
        if isinstance(value, list):
            lines.append(f"{prefix}{key}:")
            for item in value:
                if not isinstance(item, dict):
                    raise TypeError(f"unexpected list item {item!r}")
                lines.extend(_mapping(item, indent + _INDENT + _INDENT, indent + _INDENT + "- "))
        else:
            lines.append(f"{prefix}{key}:{_value(value, indent)}")
        prefix = indent
    return lines


def conversation_yaml(document: dict[str, object]) -> str:
    """YAML text of a conversation dict that reads back to exactly ``document``."""
    try:
        text = "\n".join(_mapping(document, "", "")) + "\n"
    except TypeError:
        return dump_yaml(document)
    return text if reads_back(text, document) else dump_yaml(document)


def reads_back(text: str, document: object) -> bool:
    """Whether a YAML reader turns ``text`` into exactly ``document``.

    The check compares the parser's events with the document's structure and
    values, resolving plain scalars as a safe loader does. It is the same test
    as loading and comparing, without building the objects (which costs more
    than parsing), so it can afford to check every file of a large import.
    """
    expected = _expected_events(document)
    try:
        events = yaml.parse(text, Loader=_Loader)
        index = 0
        for event in events:
            if type(event) in _FRAME_EVENTS:
                continue
            if index >= len(expected) or _event_value(event) != expected[index]:
                return False
            index += 1
    except yaml.YAMLError:
        return False
    return index == len(expected)


_FRAME_EVENTS = frozenset({yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentStartEvent,
                           yaml.DocumentEndEvent})
_MAP_START, _MAP_END, _SEQ_START, _SEQ_END = "{", "}", "[", "]"
_RESOLVER = yaml.resolver.Resolver()
_BOOL_TAG = "tag:yaml.org,2002:bool"
_STR_TAG = "tag:yaml.org,2002:str"


def _expected_events(value: object, out: list[object] | None = None) -> list[object]:
    out = [] if out is None else out
    if isinstance(value, dict):
        out.append(_MAP_START)
        for key, item in value.items():
            out.append(("s", key))
            _expected_events(item, out)
        out.append(_MAP_END)
    elif isinstance(value, list):
        out.append(_SEQ_START)
        for item in value:
            _expected_events(item, out)
        out.append(_SEQ_END)
    elif isinstance(value, bool):
        out.append(("b", value))
    else:
        out.append(("s", value))
    return out


_COLLECTION_EVENTS: dict[type, str] = {
    yaml.MappingStartEvent: _MAP_START, yaml.MappingEndEvent: _MAP_END,
    yaml.SequenceStartEvent: _SEQ_START, yaml.SequenceEndEvent: _SEQ_END,
}


def _event_value(event: yaml.Event) -> object:
    collection = _COLLECTION_EVENTS.get(type(event))
    if collection is not None:
        return collection
    if not isinstance(event, yaml.ScalarEvent) or event.anchor or (event.tag and event.tag != "!"):
        return None  # aliases, anchors and explicit tags never occur in what this writes
    if event.style:  # quoted or block: always a string
        return ("s", event.value)
    tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
    if tag == _STR_TAG:
        return ("s", event.value)
    if tag == _BOOL_TAG and event.value in ("true", "false"):
        return ("b", event.value == "true")
    return None
