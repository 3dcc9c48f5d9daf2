"""JSON string escapes (and HTML character references) decoded, keeping the way back to
the escaped text.

Tool arguments and results are often JSON, and a page shows arguments decoded
(``\\u0067hp_…`` appears as ``ghp_…``): a token written with escapes is published
as plainly as one written without, so the secrets scan reads the decoded text too.
Decoding replaces every escape whether or not the whole text is valid JSON: a tool's
output may be JSON cut short, or JSON inside prose.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable

ESCAPE = re.compile(
    r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    r"|u([0-9a-fA-F]{4})|([\"\\/bfnrt]))"
)
"""A surrogate pair, one ``\\uXXXX``, or a one-letter escape."""
SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class Decoded:
    """A text with its escapes decoded, and a map from decoded offsets to escaped ones.

    ``pattern`` finds each escape and ``decode`` gives the text it stands for, or None
    to leave that match as written; the default is JSON's escapes. ``html_entities``
    gives the same for character references (a page shows ``&#103;`` as ``g``).
    """

    def __init__(self, text: str, pattern: re.Pattern[str] = ESCAPE,
                 decode: Callable[[re.Match[str]], str | None] | None = None) -> None:
        decode = decode or _json_char
        pieces: list[str] = []
        self._decoded_starts: list[int] = [0]
        self._raw_starts: list[int] = [0]
        raw_at = decoded_at = 0
        for match in pattern.finditer(text):
            char = decode(match)
            if char is None:
                continue
            plain = text[raw_at: match.start()]
            pieces.append(plain)
            decoded_at += len(plain)
            pieces.append(char)
            self._decoded_starts.append(decoded_at)
            self._raw_starts.append(match.start())
            decoded_at += len(char)
            raw_at = match.end()
            self._decoded_starts.append(decoded_at)
            self._raw_starts.append(raw_at)
        pieces.append(text[raw_at:])
        self.text = "".join(pieces)
        """The decoded text."""
        self.changed = raw_at > 0
        """Whether any escape was decoded."""

    def raw_offset(self, offset: int) -> int:
        """Where the character at ``offset`` of the decoded text was in the escaped text."""
        index = bisect.bisect_right(self._decoded_starts, offset) - 1
        return self._raw_starts[index] + offset - self._decoded_starts[index]


def _json_char(match: re.Match[str]) -> str:
    high, low, unit, letter = match.groups()
    if high is not None:
        return chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00)
    if unit is not None:
        return chr(int(unit, 16))
    return SIMPLE[letter]


ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
"""A numeric or named character reference."""


def _entity_char(match: re.Match[str]) -> str | None:
    char = html.unescape(match.group(0))
    return None if char == match.group(0) else char  # not one HTML knows: shown as written


def html_entities(text: str) -> Decoded:
    """``text`` with the character references a browser would decode, decoded."""
    return Decoded(text, ENTITY, _entity_char)
