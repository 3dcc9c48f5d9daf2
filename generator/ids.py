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


def is_share_id(text: str) -> bool:
    """True for a canonical lowercase UUID4; anything else must never become a path."""
    return bool(_UUID4.match(text))


def new_share_id(taken: Container[str]) -> str:
    """A fresh UUID4 (122 bits from the OS CSPRNG) that no share or tombstone has used."""
    while True:
        candidate = str(uuid.uuid4())  # uuid4 draws from os.urandom
        if candidate not in taken:
            return candidate
