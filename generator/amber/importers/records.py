"""Stream the records of one JSON or JSONL file, one conversation at a time.

A data export's ``conversations.json`` can be gigabytes: ``ijson`` (with its C
backend where installed) yields each element of the top-level list as soon as
it is complete, so memory holds one conversation, not the file. A file that
starts with ``{`` is one object or, as fine-tuning files are, one object per
line (JSONL); both stream the same way.

Syntax errors stop the import: a file that is corrupt or truncated halfway
cannot be trusted for the rest. The message names the file and, for files
small enough to read again, the exact line and column.
"""

from __future__ import annotations

import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from itertools import accumulate

import ijson

from amber.content.nodes import MAX_DEPTH
from amber.importers.source import CountingReader, ImportInputError, Member

EXACT_POSITION_LIMIT = 64 * 1024 * 1024
"""Files up to this size are read again after a syntax error to point at line and column."""
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
EXPECTED = ("expected JSON: a list of conversations (a data export's conversations.json), "
            "one conversation object, or JSONL (one object per line)")


class _Prefixed:
    """The bytes already peeked at, then the rest of the stream."""

    def __init__(self, head: bytes, rest: CountingReader) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0 or size >= len(self.head):
                data, self.head = self.head, b""
                return data if size < 0 else data + self.rest.read(size - len(data))
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.rest.read(size)


_ESCAPE = re.compile(rb"\\.", re.DOTALL)
"""A backslash escape inside a JSON string (outside strings a backslash is an error anyway)."""
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA = [0] * 256
_DELTA[0x5B] = _DELTA[0x7B] = 1
_DELTA[0x5D] = _DELTA[0x7D] = -1
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


class _DepthGuard:
    """Refuses JSON nested deeper than ``MAX_DEPTH`` before ijson parses that deep.

    ijson keeps the path to the value being read as a string (``item.item.item…``),
    so n nested levels cost memory and time in n²: 100,000 nested lists took tens of
    gigabytes and got the process killed. So the brackets outside strings are counted
    as the bytes stream past, with regular expressions and byte operations rather
    than a Python loop over the bytes (which would triple the time of an import).
    """

    def __init__(self, source: _Prefixed, member: Member) -> None:
        self.source = source
        self.member = member
        self.offset = 0
        self.depth = 0
        self.in_string = False
        self.escaped = False
        """The previous chunk ended with a backslash inside a string."""

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        if data:
            self._scan(data)
            self.offset += len(data)
        return data

    def _scan(self, data: bytes) -> None:
        before = (self.depth, self.in_string, self.escaped)
        text = _ESCAPE.sub(b"", data[1:] if self.escaped else data)
        self.escaped = text.endswith(b"\\")  # the only backslash an escape can leave
        if self.escaped:
            text = text[:-1]
        # With the escapes gone, every quote opens or closes a string: between them,
        # text alternates between outside and inside, starting where the last chunk ended.
        pieces = text.split(b'"')
        outside = b"".join(pieces[1::2] if self.in_string else pieces[0::2])
        self.in_string ^= len(pieces) % 2 == 0
        brackets = outside.translate(None, _NOT_BRACKETS)
        if not brackets:
            return
        opens = brackets.count(b"[") + brackets.count(b"{")
        if (self.depth + opens > MAX_DEPTH
                and self.depth + max(accumulate(map(_DELTA.__getitem__, brackets))) > MAX_DEPTH):
            raise ImportInputError(
                f"{self.member.name}: nested deeper than {MAX_DEPTH} levels (near byte "
                f"{self.offset + _too_deep_at(data, *before):,}); no chat export is, so "
                "this file is refused")
        self.depth += 2 * opens - len(brackets)


def _too_deep_at(data: bytes, depth: int, in_string: bool, escaped: bool) -> int:
    """Where in ``data`` nesting first goes past ``MAX_DEPTH`` (the slow, exact way)."""
    skip_to = 1 if escaped else 0
    for match in _STRUCTURE.finditer(data, skip_to):
        i = match.start()
        if i < skip_to:
            continue
        byte = data[i]
        if in_string:
            if byte == 0x5C:  # backslash: the next byte is escaped
                skip_to = i + 2
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return 0


def _peek(stream: CountingReader) -> tuple[bytes, bytes]:
    """The first meaningful byte and everything read so far (whitespace and BOM skipped)."""
    head = b""
    while True:
        chunk = stream.read(65536)
        if not chunk:
            return b"", head
        head += chunk
        body = head[3:] if head.startswith(_BOM) else head
        stripped = body.lstrip(_WHITESPACE)
        if stripped:
            return stripped[:1], stripped


def iter_records(stream: CountingReader, member: Member) -> Iterator[object]:
    """Each top-level record of the file, in order: list items, or the objects of JSONL."""
    first, head = _peek(stream)
    if not first:
        raise ImportInputError(f"{member.name}: is empty; {EXPECTED}")
    source = _DepthGuard(_Prefixed(head, stream), member)
    if first == b"[":
        items = ijson.items(source, "item", use_float=True)
    elif first == b"{":
        items = ijson.items(source, "", multiple_values=True, use_float=True)
    else:
        shown = first.decode("latin-1")
        raise ImportInputError(f"{member.name}: starts with {shown!r}, not JSON; {EXPECTED}")
    try:
        yield from items
    except ijson.JSONError as exc:
        raise ImportInputError(describe_error(member, exc, stream.position)) from None
    except UnicodeDecodeError:
        raise ImportInputError(f"{member.name}: not valid UTF-8 (near byte "
                               f"{stream.position:,}); {EXPECTED}") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ImportInputError(f"{member.name}: the zip is corrupt or truncated ({exc}); "
                               "download the export again") from None
    except OSError as exc:
        raise ImportInputError(f"{member.name}: cannot read: {exc.strerror or exc}") from None


def describe_error(member: Member, exc: Exception, position: int) -> str:
    """One line: which file, where, what is wrong, what was expected."""
    raw = exc.args[0] if exc.args else str(exc)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    what = text.strip().splitlines()[0] if text.strip() else "invalid JSON"
    what = what.removeprefix("parse error: ").removeprefix("lexical error: ")
    if "premature EOF" in what:
        what = "the file ends in the middle of a value (truncated?)"
    exact = _exact_position(member) if member.zip_name is None else None
    where = f":{exact[0]}:{exact[1]}" if exact else ""
    near = "" if exact else f" (near byte {position:,})"
    return f"{member.name}{where}: not valid JSON{near}: {what}; {EXPECTED}"


def _exact_position(member: Member) -> tuple[int, int] | None:
    """Line and column of the first syntax error, for files small enough to read again."""
    if member.size > EXACT_POSITION_LIMIT:
        return None
    try:
        with open(member.name, "rb") as fh:
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    decoder = json.JSONDecoder()
    index = len(text) - len(text.lstrip("\ufeff \t\r\n"))
    try:
        while index < len(text):
            _, index = decoder.raw_decode(text, index)
            while index < len(text) and text[index] in " \t\r\n":
                index += 1
    except json.JSONDecodeError as err:
        return err.lineno, err.colno
    except (RecursionError, ValueError):  # too deep; an integer too long to convert
        return None
    return None
