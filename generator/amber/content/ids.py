"""Share IDs: random UUID4 strings, the only thing protecting an unlisted link."""

from __future__ import annotations

import re
import uuid
from collections.abc import Container

_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\Z")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,127}\Z")
"""A conversation's identity: its file name without extension, safe as a path part."""

UUID_ANYWHERE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
"""Finds share-ID-shaped strings in output, to check what an output file mentions."""

_ID_DASH = re.compile(rb"-(?=[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.IGNORECASE)
_HEX8 = re.compile(rb"[0-9a-f]{8}", re.IGNORECASE)
_ID_LENGTH = 36

_INVISIBLE_BYTES = frozenset(b"".join(
    char.encode() for char in ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")))
"""Every byte of the characters a browser draws as nothing (soft hyphen, zero-width
space and joiners, word joiner, BOM). Taking them out between ID characters also takes
out a few visible characters made only of such bytes (``»``, a no-break space): a
harmless over-join."""

_SHAPES = bytes(
    ord("h") if chr(byte) in "0123456789abcdefABCDEF-"
    else byte if byte in b"<>"
    else ord("z") if byte in _INVISIBLE_BYTES
    else ord(".")
    for byte in range(256)
)
"""Byte classes, one byte each, so positions stay put: ``h`` an ID character, ``<`` and
``>`` themselves, ``z`` a byte of an invisible character, ``.`` anything else."""

_HIDDEN_SPLITS = (
    re.compile(rb"h<[^<>]*>(?:<[^<>]*>|z)*(?=h)"),
    re.compile(rb"hz(?:<[^<>]*>|z)*(?=h)"),
)
"""An ID character, then a run of tags and invisible bytes before another (over
``_SHAPES``). Two patterns, so that each starts with two literal bytes the engine
searches for fast (a lookbehind or an alternation at the start would be tried at
every position)."""

_ESCAPED_ID_CHARS = (
    re.compile(rb"%(3[0-9]|[46][1-6]|2d)", re.IGNORECASE),
    re.compile(rb"&#(?:x0*(3[0-9]|[46][1-6]|2d)|0*(45|4[89]|5[0-7]|6[5-9]|70|9[7-9]|10[0-2]));",
               re.IGNORECASE),
)
"""A percent-escape, or a numeric character reference, of a hex digit or ``-`` (an
escape of any other character cannot stand inside an ID). Two patterns, so that each
starts with a literal the engine searches for fast: most pages hold ``&#39;``."""


def ids_in_bytes(data: bytes) -> set[str]:
    """Every share ID ``data`` spells out, as a browser or a reader would see it, lowercase.

    The leak check runs this over every output file, so an ID must be found however a
    page writes it: in any case (``0A190A8F-…``), split by markup
    (``…-<strong>659d…</strong>``) or by invisible characters, percent-encoded
    (``%30a19…``) or as character references (``&#48;a19…``). The text is scanned as
    it stands, and each stretch where tags or invisible characters sit between ID
    characters is scanned with them taken out; a text holding escapes of ID characters
    is scanned decoded in the same two ways. Each form is scanned as well as the plain text
    because undoing it can also cut an ID (a tag's attribute holds one; decoding
    ``%0a190a8f-…`` eats its first digit). A join of unrelated text costs nothing
    unless it spells a real unlisted or revoked ID, and then it is a leak anyway.
    """
    texts = [data]
    decoded = data
    for marker, pattern in zip((b"%", b"&#"), _ESCAPED_ID_CHARS, strict=True):
        if marker in decoded and pattern.search(decoded):
            decoded = pattern.sub(_unescape_id_char, decoded)
    if decoded is not data:
        texts.append(decoded)
    for text in tuple(texts):
        texts += _joined_stretches(text)
    found: set[str] = set()
    for text in texts:
        found |= _plain_ids(text)
    return found


def _joined_stretches(data: bytes) -> list[bytes]:
    """The stretches of ``data`` around runs of tags or invisible characters that sit
    between ID characters, with those runs taken out.

    Only those runs can hide an ID (any other tag has a non-ID character beside it), and
    a normal page has few, so only the ID-long neighbourhood of each is rebuilt and
    scanned, not the whole file. Runs closer than an ID's length share a stretch.
    """
    shapes = data.translate(_SHAPES)
    cuts = sorted((m.start() + 1, m.end())
                  for pattern in _HIDDEN_SPLITS for m in pattern.finditer(shapes))
    stretches: list[bytes] = []
    group: list[tuple[int, int]] = []
    for cut in cuts:
        if group and cut[0] - group[-1][1] >= _ID_LENGTH:
            stretches.append(_join(data, group))
            group = []
        group.append(cut)
    if group:
        stretches.append(_join(data, group))
    return stretches


def _join(data: bytes, cuts: list[tuple[int, int]]) -> bytes:
    """``data`` from an ID's length before the first cut to one after the last, cuts removed."""
    pieces = []
    position = max(cuts[0][0] - _ID_LENGTH, 0)
    for start, end in cuts:
        pieces.append(data[position:start])
        position = max(position, end)
    pieces.append(data[position:cuts[-1][1] + _ID_LENGTH])
    return b"".join(pieces)


def _unescape_id_char(match: re.Match[bytes]) -> bytes:
    hexadecimal, *decimal = match.groups()
    if hexadecimal is not None:
        return bytes([int(hexadecimal, 16)])
    return bytes([int(decimal[0])])


def _plain_ids(data: bytes) -> set[str]:
    """``UUID_ANYWHERE.findall`` (ignoring case) over ``data`` decoded as UTF-8 (bad
    bytes replaced), lowercased, as a set.

    That regex tries its hex class at every position of the decoded text. An ID is
    ASCII, and in UTF-8 an ASCII byte only ever stands for itself (a replaced byte is
    not hex), so the bytes hold the same matches at the same places, with no decoding.
    The search starts from the first ``-``, a literal the regex engine finds fast, and
    checks the eight hex digits before it; a candidate that starts inside the previous
    match is skipped, as ``findall`` skips overlapping matches.
    """
    found: set[str] = set()
    end = 0
    for dash in _ID_DASH.finditer(data):
        start = dash.start() - 8
        if start >= end and _HEX8.fullmatch(data, start, start + 8):
            found.add(data[start:start + _ID_LENGTH].decode("ascii").lower())
            end = start + _ID_LENGTH
    return found


def is_share_id(text: str) -> bool:
    """True for a canonical lowercase UUID4; anything else must never become a path."""
    return bool(_UUID4.match(text))


def new_share_id(taken: Container[str]) -> str:
    """A fresh UUID4 (122 bits from the OS CSPRNG) that no share or tombstone has used."""
    while True:
        candidate = str(uuid.uuid4())  # uuid4 draws from os.urandom
        if candidate not in taken:
            return candidate
