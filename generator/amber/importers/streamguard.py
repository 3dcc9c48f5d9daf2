"""Limits on an export's JSON, checked on the bytes before ijson parses them.

An export is hostile input, and ijson (its yajl backend) has two weak spots
that a small zip can reach:

- yajl keeps a token that a read cut in two (a long string or number) and
  lexes it again from its start at every later read: one 64 MB string took
  13 s, one 8 MB number 5 s, and a 122 KB zip inflating to a 120 MB title
  ran for 51 s.
- a record is built in memory whole before it is handed over: 40 MB of
  ``0,`` took about 200 MB, and ``{},`` costs more per byte still.

So ``StreamGuard`` sits between the file and ijson and looks at every chunk
with byte operations (regular expressions, ``split``, ``count``, never a
Python loop over the bytes, which would triple the time of an import):

- nesting deeper than ``MAX_DEPTH`` is refused (yajl's path to a value costs
  n² for n levels);
- a string longer than ``MAX_STRING_BYTES``, a number longer than
  ``MAX_NUMBER_CHARS``, a record larger than ``MAX_RECORD_BYTES`` or with more
  than ``MAX_RECORD_ITEMS`` items is refused before yajl sees it;
- while a string is open at the end of a read, the next read is at least as
  long as the string so far, so a long string is lexed a bounded number of
  times over (the reads double) and reading stays linear in its size.

The refusal names the file, the conversation (its number: the title may be
the very string refused, and is not known until the record is complete) and
the byte where the string, number or conversation starts.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Protocol

from amber.content.nodes import MAX_DEPTH
from amber.importers.source import ImportInputError, Member

MAX_STRING_BYTES = 16 * 1024 * 1024
"""Longest string, in bytes of JSON (escapes as written). The longest text a chat holds,
a pasted file or a tool's output, is a few megabytes; 16 MB is several times a model's
largest context window written out."""
MAX_NUMBER_CHARS = 4096
"""Longest number. A float is at most 24 characters; Python will not even convert an
integer of more than 4,300 digits."""
MAX_RECORD_BYTES = 64 * 1024 * 1024
"""Largest conversation, in bytes of JSON. Real ones, long tool outputs and all, stay
far below; four strings at their limit fit. The count (and that of
items) starts when the previous record is handed over, at the end of the read that
finished it, so the part of a record read along with the one before (at most one read,
64 KB) is not counted."""
MAX_RECORD_ITEMS = 1_000_000
"""Most list elements plus object members in one conversation (counted as commas and
opening brackets). A ChatGPT message node has about 40; a conversation of 10,000
messages has 400,000. It bounds memory where bytes cannot: ``{},`` is 3 bytes of JSON
and about 70 bytes of Python, so a record at this limit stays near 100 MB."""

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
"""A backslash escape inside a JSON string (outside strings a backslash is an error anyway)."""
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA = [0] * 256
_DELTA[0x5B] = _DELTA[0x7B] = 1
_DELTA[0x5D] = _DELTA[0x7D] = -1
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
_NUMBERS_ONLY = bytes(b if b in b"0123456789+-.eE" else 0x20 for b in range(256))
"""Maps every byte that cannot be part of a number to a space."""


class Readable(Protocol):
    def read(self, size: int = -1) -> bytes: ...


class StreamGuard:
    """A reader that refuses what would make ijson slow or large, as it streams past.

    ``record_done`` is called by whoever hands the records over, so that the
    per-record limits start again and the refusal can name the conversation.
    """

    def __init__(self, source: Readable, member: Member, first_record: int = 1) -> None:
        self.source = source
        self.member = member
        self.pending = b""
        """Bytes read from ``source`` but held back; those from ``pending_at`` on are next."""
        self.pending_at = 0
        self.offset = 0
        """Bytes handed to the parser so far."""
        self.record = first_record
        """The number of the conversation being read, for the refusal."""
        self.record_start = 0
        self.record_items = 0
        self.depth = 0
        self.in_string = False
        self.escaped = False
        """The previous chunk ended with a backslash inside a string."""
        self.string_run = 0
        """Bytes of the string still open at the end of the last chunk."""
        self.string_start = 0
        """Where that string starts."""
        self.number_run = 0
        """Length of the number (or word) the last chunk ended with."""

    def record_done(self) -> None:
        self.record += 1
        self.record_start = self.offset
        self.record_items = 0

    def read(self, size: int = -1) -> bytes:
        grow = 0 <= size < self.string_run
        # yajl lexes an open string again from its start at every read: reading at
        # least as much again as it has makes each pass worth it (the string doubles).
        data = self._take(self.string_run if grow else size)
        if grow and data:
            data = self._to_string_end(data)
        if data:
            self._scan(data)
            self.offset += len(data)
        return data

    def _take(self, size: int) -> bytes:
        """The next ``size`` bytes: held back ones first, never both kinds at once."""
        if self.pending_at >= len(self.pending):
            self.pending, self.pending_at = b"", 0
            return self.source.read(size)
        stop = len(self.pending) if size < 0 else min(len(self.pending), self.pending_at + size)
        data = self.pending[self.pending_at:stop]
        self.pending_at = stop
        return data

    def _to_string_end(self, data: bytes) -> bytes:
        """``data`` (just taken) up to the quote that closes the open string; the rest is
        held back for the next read.

        A grown read must not carry the end of one record and much of the next past
        ``record_done``, or that much of the next would go uncounted.
        """
        end = _plain(data, self.escaped).find(b'"') + 1
        if end == 0:
            return data
        if self.pending:  # taken from the held-back bytes: step back
            self.pending_at -= len(data) - end
        else:
            self.pending = data[end:]
        return data[:end]

    def _refuse(self, what: str, near: int) -> ImportInputError:
        return ImportInputError(
            f"{self.member.name}: conversation {self.record}: {what} (from byte {near:,}); "
            "no chat export comes near that, so this file is refused")

    def _scan(self, data: bytes) -> None:
        before = (self.depth, self.in_string, self.escaped)
        was_in_string = self.in_string
        text = _plain(data, self.escaped)
        self.escaped = text.endswith(b"\\")  # the only backslash an escape can leave
        if self.escaped:
            text = text[:-1] + b"_"  # a byte of the string, as the next chunk's first is
        # With the escapes gone, every quote opens or closes a string: between them,
        # text alternates between outside and inside, starting where the last chunk ended.
        pieces = text.split(b'"')
        inside = pieces[0::2] if was_in_string else pieces[1::2]
        outside = b"".join(pieces[1::2] if was_in_string else pieces[0::2])
        self.in_string ^= len(pieces) % 2 == 0
        self._check_strings(inside, was_in_string, self.offset + len(text))
        self._check_numbers(outside, was_in_string, self.offset + len(text))
        brackets = outside.translate(None, _NOT_BRACKETS)
        opens = brackets.count(b"[") + brackets.count(b"{")
        self._check_record(len(data), outside.count(b",") + opens)
        if not brackets:
            return
        if (self.depth + opens > MAX_DEPTH
                and self.depth + max(accumulate(map(_DELTA.__getitem__, brackets))) > MAX_DEPTH):
            raise ImportInputError(
                f"{self.member.name}: nested deeper than {MAX_DEPTH} levels (near byte "
                f"{self.offset + _too_deep_at(data, *before):,}); no chat export is, so "
                "this file is refused")
        self.depth += 2 * opens - len(brackets)

    def _check_strings(self, inside: list[bytes], continues: bool, end: int) -> None:
        """``inside``: the string pieces of a chunk ending at ``end``; the first
        ``continues`` the string the last chunk ended in."""
        lengths = list(map(len, inside))
        if continues:
            lengths[0] += self.string_run
        if lengths and max(lengths) > MAX_STRING_BYTES:
            near = self.string_start if continues and lengths[0] > MAX_STRING_BYTES else self.offset
            raise self._refuse(f"has a string longer than {MAX_STRING_BYTES >> 20} MB", near)
        if self.in_string and not (continues and len(inside) == 1):
            self.string_start = end - lengths[-1] - 1  # the opening quote
        self.string_run = lengths[-1] if self.in_string else 0

    def _check_numbers(self, outside: bytes, continues: bool, end: int) -> None:
        """``outside``: the chunk's text outside strings; unless the chunk ``continues``
        a string, it starts with the number (if any) the last chunk ended with."""
        lengths = list(map(len, outside.translate(_NUMBERS_ONLY).split(b" ")))
        if not continues:
            lengths[0] += self.number_run
        if max(lengths) > MAX_NUMBER_CHARS:
            at_end = lengths[-1] > MAX_NUMBER_CHARS and not self.in_string
            raise self._refuse(f"has a number longer than {MAX_NUMBER_CHARS:,} characters",
                               end - lengths[-1] if at_end else self.offset)
        self.number_run = 0 if self.in_string else lengths[-1]

    def _check_record(self, size: int, items: int) -> None:
        self.record_items += items
        if self.offset + size - self.record_start > MAX_RECORD_BYTES:
            raise self._refuse(f"is larger than {MAX_RECORD_BYTES >> 20} MB",
                               self.record_start)
        if self.record_items > MAX_RECORD_ITEMS:
            raise self._refuse(f"has more than {MAX_RECORD_ITEMS:,} items", self.record_start)


def _plain(data: bytes, escaped: bool) -> bytes:
    """``data`` with every escape made two plain bytes (one if ``escaped``: its backslash
    ended the last chunk), so that each quote left opens or closes a string and every
    position is the same as in ``data``."""
    if escaped:
        return b"_" + _ESCAPE.sub(b"__", data[1:])
    return _ESCAPE.sub(b"__", data)


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
