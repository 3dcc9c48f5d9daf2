"""Stable names for imported conversations: slugs and the keys behind them.

A conversation's file is ``<title-slug>-<key>.yaml``, where the key is a short
hash of the export format and the conversation's ID in the export. The title
makes the name readable; the key makes it stable: a re-import finds the same
file by its key even when the conversation was renamed since. Formats without
IDs (API request logs, fine-tuning files) get one derived from the
conversation's opening, which stays the same as the conversation grows.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from anyascii import anyascii

KEY_LENGTH = 8
"""Hex digits of the key in a slug: 32 bits, plenty for one person's conversations."""
LONG_KEY_LENGTH = 16
"""Used instead when two conversations' short keys collide in one site."""
SLUG_TITLE_MAX = 60

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def source_key(format_name: str, source_id: str) -> str:
    """The full hex key of a conversation: SHA-256 of its format and export ID."""
    return hashlib.sha256(f"{format_name}\0{source_id}".encode()).hexdigest()


KINDRED_FORMATS: dict[str, tuple[str, ...]] = {
    "openai": ("openai", "anthropic"),
    "anthropic": ("anthropic", "openai"),
}
"""Formats whose readers take the same records (API requests): a conversation
imported as one is the same conversation when imported again as the other, so
a re-import after a wrong guess updates its file instead of adding a twin."""


def identity_keys(format_name: str, source_id: str) -> list[str]:
    """The keys a conversation may have been filed under: its own first, then its kin's."""
    kin = KINDRED_FORMATS.get(format_name, (format_name,))
    return [source_key(name, source_id) for name in kin]


def title_slug(title: str) -> str:
    """Lowercase ASCII words of the title joined by '-', or ``conversation``.

    Accents are dropped (``Interpretación`` -> ``interpretacion``); letters of
    other scripts are transliterated (``한국어 요약`` -> ``hangugeo-yoyag``,
    ``Привет`` -> ``privet``); symbols and emoji are left out. Slugs stay
    ASCII because they are file names and URLs: an ASCII name is the same on
    every file system (macOS stores names decomposed, Windows refuses some
    characters, a path has a byte limit that three-byte Hangul reaches three
    times sooner) and needs no percent-encoding on GitHub Pages.
    """
    ascii_title = "".join(_ascii(ch) for ch in unicodedata.normalize("NFC", title))
    slug = _NOT_SLUG.sub("-", ascii_title.lower()).strip("-")
    if len(slug) > SLUG_TITLE_MAX:
        slug = slug[:SLUG_TITLE_MAX].rsplit("-", 1)[0] or slug[:SLUG_TITLE_MAX]
    return slug.strip("-") or "conversation"


def _ascii(ch: str) -> str:
    if ch.isascii():
        return ch
    plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
    if plain:  # a Latin letter with accents, a full-width form
        return plain
    category = unicodedata.category(ch)
    if category[0] in "LN":  # a letter or digit of another script: spell it in Latin
        return anyascii(ch)
    return " " if category[0] in "PZ" else ""  # punctuation and spaces part words


def slug_for(title: str, key: str, length: int = KEY_LENGTH) -> str:
    return f"{title_slug(title)}-{key[:length]}"


def key_in_slug(slug: str) -> str | None:
    """The hex key a slug ends with, if it has one (``rust-lifetimes-3f2a9c01`` -> ``3f2a9c01``)."""
    tail = slug.rsplit("-", 1)[-1]
    if len(tail) in (KEY_LENGTH, LONG_KEY_LENGTH) and all(c in "0123456789abcdef" for c in tail):
        return tail
    return None


def derived_id(opening: object) -> str:
    """An ID for a conversation its format gives none: a digest of its opening messages."""
    try:
        canonical = json.dumps(opening, sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        canonical = repr(opening)
    return "derived:" + hashlib.sha256(canonical.encode("utf-8", "replace")).hexdigest()[:32]
