"""Which characters a TrueType or OpenType font has a glyph for, read from its ``cmap``.

The preview card draws each character with the first shipped font that has it
(``amber.render.preview``); a character no font has is left out rather than drawn
as a box. Pillow has no way to ask a font that, so the table is read here: the
Unicode subtables of formats 4 (the Basic Multilingual Plane) and 12 (all planes),
which every font amber ships has.
"""

from __future__ import annotations

import struct
from pathlib import Path

_UNICODE_SUBTABLES = ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))
"""(platform, encoding) pairs of Unicode subtables, the full-repertoire ones first."""


def covered_characters(path: Path) -> frozenset[int]:
    """The code points the font at ``path`` maps to a glyph other than ``.notdef``."""
    data = path.read_bytes()
    cmap = _table(data, b"cmap")
    if cmap is None:
        return frozenset()
    _version, count = struct.unpack_from(">HH", data, cmap)
    offsets: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        offsets.setdefault((platform, encoding), cmap + offset)
    for pair in _UNICODE_SUBTABLES:
        start = offsets.get(pair)
        if start is None:
            continue
        kind = struct.unpack_from(">H", data, start)[0]
        if kind == 12:
            return _format_12(data, start)
        if kind == 4:
            return _format_4(data, start)
    return frozenset()


def _table(data: bytes, tag: bytes) -> int | None:
    """The offset of table ``tag`` in an sfnt file (a collection's first font)."""
    base = 0
    if data[:4] == b"ttcf":
        base = struct.unpack_from(">I", data, 12)[0]
    count = struct.unpack_from(">H", data, base + 4)[0]
    for i in range(count):
        entry = base + 12 + 16 * i
        if data[entry:entry + 4] == tag:
            return int(struct.unpack_from(">I", data, entry + 8)[0])
    return None


def _format_4(data: bytes, start: int) -> frozenset[int]:
    segments = struct.unpack_from(">H", data, start + 6)[0] // 2
    ends_at = start + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments
    found: set[int] = set()
    for i in range(segments):
        end = struct.unpack_from(">H", data, ends_at + 2 * i)[0]
        first = struct.unpack_from(">H", data, starts_at + 2 * i)[0]
        delta = struct.unpack_from(">h", data, deltas_at + 2 * i)[0]
        range_offset = struct.unpack_from(">H", data, ranges_at + 2 * i)[0]
        for code in range(first, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code + delta) & 0xFFFF
            else:
                at = ranges_at + 2 * i + range_offset + 2 * (code - first)
                glyph = struct.unpack_from(">H", data, at)[0]
                if glyph:
                    glyph = (glyph + delta) & 0xFFFF
            if glyph:
                found.add(code)
    return frozenset(found)


def _format_12(data: bytes, start: int) -> frozenset[int]:
    groups = struct.unpack_from(">I", data, start + 12)[0]
    found: set[int] = set()
    for i in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
        # A group maps first..last to consecutive glyphs from ``glyph``; glyph 0 is .notdef.
        found.update(range(first + (1 if glyph == 0 else 0), last + 1))
    return frozenset(found)
