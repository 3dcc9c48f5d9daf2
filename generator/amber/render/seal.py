"""Seal an encrypted share's page: the plain page's content, encrypted for the browser.

The sealed page carries one ciphertext. Inside it is everything the plain page
shows that is the share's own: the inner HTML of ``<main>`` (the same markup the
plain page has, so the decrypted page looks and reads the same), the document
title and language, the two downloads, and the images the page uses. The theme
script ``amber-seal.js`` decrypts it with WebCrypto and puts it in place.

The format, version 1:

- plaintext: UTF-8 JSON ``{"v":1,"title","lang","main","files","images"}``,
  compressed as raw DEFLATE (the browser's ``DecompressionStream("deflate-raw")``);
- cipher: AES-256-GCM with the share's key, 128-bit tag, additional data
  ``amber-seal-v1:<share id>`` (a ciphertext cannot be moved to another share's page);
- nonce: the first 96 bits of HMAC-SHA-256(key, "amber-seal-iv-v1" | AD | compressed).

Why the nonce is derived, and why that is safe: a build must give the same bytes
for the same content, so the nonce cannot be random. GCM breaks only when one key
seals two *different* messages under one nonce. Here the nonce is a PRF of the
message itself (the synthetic-IV construction of RFC 5297 and AES-GCM-SIV): the
same message gets the same nonce and so the same ciphertext, which tells an
observer only that a rebuilt page did not change; different messages get
independent 96-bit nonces, and a share's key seals a handful of versions in its
life (one per ``amber update``), so a collision is as likely as guessing the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from amber.content.assets import EXTENSIONS
from amber.content.keys import key_bytes
from amber.content.model import Encryption

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SEAL_VERSION = 1
SEALED_TITLE = "Encrypted conversation"
"""What the published page, its record and its link preview say instead of the title."""
SEALED_DESCRIPTION = ("An end-to-end encrypted conversation: only people with the full "
                      "link can read it.")
SEALED_PASSPHRASE_DESCRIPTION = ("An end-to-end encrypted conversation: only people "
                                 "with its passphrase can read it.")
_IV_LABEL = b"amber-seal-iv-v1\x00"


@dataclass(frozen=True)
class Download:
    """A file the plain page links to and the sealed page makes in the browser."""

    href: str
    """The link the plain page's markup holds (replaced by a ``blob:`` URL)."""
    name: str
    media_type: str
    text: str


@dataclass(frozen=True)
class Sealed:
    """What the sealed page's template shows: the ciphertext and how to open it."""

    aad: str
    """The additional authenticated data, ``amber-seal-v1:<id>``."""
    iv: str
    """Standard base64 of the 12-byte nonce."""
    ciphertext: str
    """Standard base64 of the ciphertext and its tag."""
    salt: str | None
    """Passphrase shares: the PBKDF2 salt (unpadded base64url); None for link-key shares."""
    iterations: int | None


def seal_page(share_id: str, plain_page: str, downloads: list[Download],
              images: dict[str, Path], encryption: Encryption) -> Sealed:
    """The sealed form of a rendered plain page.

    ``images`` maps each image href in the page's markup to its file; the browser
    swaps the hrefs for ``blob:`` URLs, so no image of an encrypted share is published
    as a file of its own."""
    payload = {
        "v": SEAL_VERSION,
        "title": html.unescape(_between(plain_page, "<title>", "</title>")),
        "lang": _html_lang(plain_page),
        "main": main_inner(plain_page),
        "assets": head_assets(plain_page),
        "files": [{"href": d.href, "name": d.name, "type": d.media_type, "text": d.text}
                  for d in downloads],
        "images": [{"href": href, "type": _image_type(path),
                    "data": base64.b64encode(path.read_bytes()).decode("ascii")}
                   for href, path in sorted(images.items())],
    }
    packed = json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                        sort_keys=True).encode()
    squeezer = zlib.compressobj(6, zlib.DEFLATED, -15, 9)
    compressed = squeezer.compress(packed) + squeezer.flush()
    key = key_bytes(encryption)
    aad = f"amber-seal-v{SEAL_VERSION}:{share_id}"
    nonce = hmac.new(key, _IV_LABEL + aad.encode() + b"\x00" + compressed,
                     hashlib.sha256).digest()[:12]
    ciphertext = _aead(key).encrypt(nonce, compressed, aad.encode())
    return Sealed(aad=aad, iv=base64.b64encode(nonce).decode("ascii"),
                  ciphertext=base64.b64encode(ciphertext).decode("ascii"),
                  salt=encryption.salt, iterations=encryption.iterations)


def _aead(key: bytes) -> AESGCM:
    """AES-GCM with ``key``; cryptography is imported on first use, since most builds seal
    nothing and importing it took a twentieth of a one-share rebuild."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def open_sealed(sealed: Sealed, key: bytes) -> dict[str, object]:
    """The payload of a sealed page (``amber fork`` and the tests read it with this).

    Raises ``cryptography.exceptions.InvalidTag`` for a wrong key or altered bytes."""
    compressed = _aead(key).decrypt(base64.b64decode(sealed.iv),
                                     base64.b64decode(sealed.ciphertext), sealed.aad.encode())
    inflater = zlib.decompressobj(-15)
    packed = inflater.decompress(compressed, 256 * 1024 * 1024)
    if inflater.unconsumed_tail:
        raise ValueError("sealed page: the content is larger than amber reads (256 MB)")
    payload = json.loads(packed)
    if not isinstance(payload, dict) or payload.get("v") != SEAL_VERSION:
        raise ValueError(f"sealed page: not format {SEAL_VERSION}")
    return payload


def head_assets(page: str) -> list[dict[str, str]]:
    """The stylesheets and scripts the plain page's ``<head>`` loads, in order: the
    sealed page loads those it lacks once it is open (a page with branches has two)."""
    head = page[:page.find("</head>")]
    found = re.finditer(r'<link rel="stylesheet" href="([^"]+)"|<script src="([^"]+)"', head)
    return [{"kind": "style", "href": html.unescape(m.group(1))} if m.group(1) else
            {"kind": "script", "href": html.unescape(m.group(2))} for m in found]


def sealed_in_page(page: str) -> Sealed | None:
    """The ciphertext of a published sealed page, or None when the page is not one.

    ``amber fork`` reads pages from the network with this: any attribute may be
    missing or malformed, and ``open_sealed`` then fails as for a wrong key."""
    tag = re.search(r"<div\b[^>]*\bdata-sealed\b[^>]*>", page)
    if tag is None:
        return None

    def attr(name: str) -> str | None:
        found = re.search(rf'\b{name}="([^"]*)"', tag.group(0))
        return html.unescape(found.group(1)) if found else None

    iterations = attr("data-iterations") or ""
    return Sealed(aad=attr("data-aad") or "", iv=attr("data-iv") or "",
                  ciphertext=attr("data-ct") or "", salt=attr("data-salt"),
                  iterations=int(iterations) if iterations.isdigit() else None)


def main_inner(page: str) -> str:
    """The inner HTML of the page's ``<main>``: the share's own content.

    The page is amber's own rendering, where every ``<`` of conversation text is
    escaped, so the first ``<main`` and the last ``</main>`` are the theme's."""
    start = page.find("<main")
    open_end = page.find(">", start)
    end = page.rfind("</main>")
    if start < 0 or open_end < 0 or end < open_end:
        raise ValueError("the share template has no <main> element to seal")
    return page[open_end + 1:end]


def _between(page: str, start: str, end: str) -> str:
    i = page.find(start)
    j = page.find(end, i + len(start))
    return page[i + len(start):j] if i >= 0 and j >= 0 else ""


def _html_lang(page: str) -> str:
    head = page[:page.find(">", page.find("<html")) + 1]
    marker = 'lang="'
    i = head.find(marker)
    return head[i + len(marker):head.find('"', i + len(marker))] if i >= 0 else ""


def _image_type(path: Path) -> str:
    """Only files the image rule accepted reach here (``amber.content.assets``)."""
    return f"image/{EXTENSIONS.get(path.suffix.lower(), 'png')}"
