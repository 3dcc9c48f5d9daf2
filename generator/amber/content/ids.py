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

_ID_DASH = re.compile(rb"-(?=[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")
_HEX8 = re.compile(rb"[0-9a-f]{8}")


def ids_in_bytes(data: bytes) -> set[str]:
    """``UUID_ANYWHERE.findall`` over ``data`` decoded as UTF-8 (bad bytes replaced), as a set.

    Every output file is scanned for the leak check, and that regex tries its hex
    class at every position of the decoded text: 6% of a build. An ID is ASCII,
    and in UTF-8 an ASCII byte only ever stands for itself (a replaced byte is not
    hex), so the bytes hold the same matches at the same places, with no decoding.
    The search starts from the first ``-``, a literal the regex engine finds fast,
    and checks the eight hex digits before it; a candidate that starts inside the
    previous match is skipped, as ``findall`` skips overlapping matches.
    """
    found: set[str] = set()
    end = 0
    for dash in _ID_DASH.finditer(data):
        start = dash.start() - 8
        if start >= end and _HEX8.fullmatch(data, start, start + 8):
            found.add(data[start:start + 36].decode("ascii"))
            end = start + 36
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
