"""The keys of encrypted shares: made once when a share is frozen, kept in its snapshot.

A link-key share gets 256 random bits from the operating system's CSPRNG; the key
travels only in the link's fragment (``…/share/<id>/#<key>``), which browsers never
send to a server. A passphrase share's key is derived with PBKDF2-HMAC-SHA-256, a
KDF that WebCrypto offers, so the reader's browser derives the same key from what
the reader types; the page carries only the salt and the iteration count.

The derived key is kept in the snapshot, like a link key: the content repository
holds the conversation in plain text anyway, and keeping the key lets ``amber build``
seal the page again without asking for the passphrase.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import unicodedata

from amber.content.model import Encryption

KEY_BYTES = 32
"""AES-256."""
SALT_BYTES = 16
PBKDF2_ITERATIONS = 600_000
"""OWASP's 2023 figure for PBKDF2-HMAC-SHA-256; snapshots may hold more, never fewer."""
MIN_PASSPHRASE = 8
"""Characters: below this a passphrase falls to guessing whatever the iteration count."""


def new_link_key() -> Encryption:
    """A fresh random key for a share read with its full link."""
    return Encryption(key=encode(secrets.token_bytes(KEY_BYTES)))


def passphrase_key(passphrase: str, *, salt: bytes | None = None,
                   iterations: int = PBKDF2_ITERATIONS) -> Encryption:
    """The key a reader's browser derives from ``passphrase`` (NFC-normalised, as the
    page normalises what is typed, so the same words typed on another keyboard match)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"a passphrase needs at least {MIN_PASSPHRASE} characters")
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    normal = unicodedata.normalize("NFC", passphrase).encode()
    key = hashlib.pbkdf2_hmac("sha256", normal, salt, iterations, KEY_BYTES)
    return Encryption(key=encode(key), salt=encode(salt), iterations=iterations)


def key_bytes(encryption: Encryption) -> bytes:
    """The raw AES key; ``encryption`` was validated when its snapshot was read."""
    return decode(encryption.key)


def encode(data: bytes) -> str:
    """Unpadded base64url: safe in a URL fragment and in YAML without quoting."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    """The bytes of unpadded base64url; ValueError for anything else."""
    if not text or any(c not in _ALPHABET for c in text):
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not unpadded base64url") from None


def key_problem(encryption: Encryption) -> str | None:
    """Why a snapshot's ``encryption`` cannot seal a page, or None when it can."""
    try:
        raw = decode(encryption.key)
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES or encode(raw) != encryption.key:
        return f"key: expected {KEY_BYTES} bytes as unpadded base64url (43 characters)"
    if (encryption.salt is None) != (encryption.iterations is None):
        return "passphrase: needs both salt and iterations"
    if encryption.salt is not None:
        try:
            salt = decode(encryption.salt)
        except ValueError:
            return "passphrase.salt: expected unpadded base64url"
        if len(salt) < SALT_BYTES:
            return f"passphrase.salt: expected at least {SALT_BYTES} bytes"
        if encryption.iterations is None or encryption.iterations < PBKDF2_ITERATIONS:
            return f"passphrase.iterations: expected at least {PBKDF2_ITERATIONS:,}"
    return None


_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
