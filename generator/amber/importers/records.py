"""Stream the records of one JSON or JSONL file, one conversation at a time.

A data export's ``conversations.json`` can be gigabytes: ``ijson`` (with its C
backend where installed) yields each element of the top-level list as soon as
it is complete, so memory holds one conversation, not the file. A file that
starts with ``{`` is one object or, as fine-tuning files are, one object per
line (JSONL); both stream the same way. An HTML file (Takeout's My Activity
page) cannot be split into records: it is one ``HtmlDocument`` for its format
to read.

Syntax errors stop the import: a file that is corrupt or truncated halfway
cannot be trusted for the rest. The message names the file and, for files
small enough to read again, the exact line and column.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import ijson

from amber.importers.source import CountingReader, ImportInputError, Member
from amber.importers.streamguard import StreamGuard

HTML_LIMIT = 512 * 1024 * 1024
"""An HTML export is read whole to be parsed; larger ones are refused."""
EXACT_POSITION_LIMIT = 64 * 1024 * 1024
"""Files up to this size are read again after a syntax error to point at line and column."""
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
EXPECTED = ("expected JSON: a list of conversations (a data export's conversations.json), "
            "one conversation object, or JSONL (one object per line); or a Takeout "
            "My Activity HTML file")


@dataclass(frozen=True)
class HtmlDocument:
    """An HTML file of an export (Takeout's My Activity), handed whole to its format."""

    name: str
    text: str


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


def _peek(stream: CountingReader) -> tuple[bytes, bytes]:
    """The first meaningful byte and the bytes read from it on (whitespace and BOM skipped).

    Whitespace is dropped chunk by chunk, not gathered: a zip of a few kilobytes can
    inflate to gigabytes of it, and stripping a growing prefix again at every read
    took minutes for 64 MB.
    """
    chunk = stream.read(65536)
    if chunk.startswith(_BOM):
        chunk = chunk[len(_BOM):]
    while chunk:
        stripped = chunk.lstrip(_WHITESPACE)
        if stripped:
            return stripped[:1], stripped
        chunk = stream.read(65536)
    return b"", b""


def iter_records(stream: CountingReader, member: Member, first_record: int = 1
                 ) -> Iterator[object]:
    """Each top-level record of the file, in order: list items, or the objects of JSONL.

    ``first_record`` is the number of the first one, for errors (exports split over
    several files number their conversations on across them).
    """
    first, head = _peek(stream)
    if not first:
        raise ImportInputError(f"{member.name}: is empty; {EXPECTED}")
    if first == b"<":
        yield _html_document(head, stream, member)
        return
    source = StreamGuard(_Prefixed(head, stream), member, first_record)
    if first == b"[":
        items = ijson.items(source, "item", use_float=True)
    elif first == b"{":
        items = ijson.items(source, "", multiple_values=True, use_float=True)
    else:
        shown = first.decode("latin-1")
        raise ImportInputError(f"{member.name}: starts with {shown!r}, not JSON; {EXPECTED}")
    try:
        for item in items:
            source.record_done()
            yield item
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


def _html_document(head: bytes, stream: CountingReader, member: Member) -> HtmlDocument:
    """The whole HTML file as text, bounded (an HTML page cannot be streamed record by record)."""
    try:
        chunks = [head]
        size = len(head)
        while size <= HTML_LIMIT and (chunk := stream.read(1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ImportInputError(f"{member.name}: the zip is corrupt or truncated ({exc}); "
                               "download the export again") from None
    except OSError as exc:
        raise ImportInputError(f"{member.name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > HTML_LIMIT:
        raise ImportInputError(f"{member.name}: an HTML file larger than "
                               f"{HTML_LIMIT >> 20} MB; export the JSON form instead")
    return HtmlDocument(member.name, data.decode("utf-8", errors="replace"))


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
