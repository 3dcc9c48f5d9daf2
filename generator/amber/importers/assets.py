"""Copy images from an export into ``content/assets/``, named by their SHA-256.

Content addressing makes re-imports idempotent (the same image gets the same
name) and shares one file between conversations that show the same picture.
Only PNG, JPEG, GIF and WebP are published, recognised by their bytes rather
than by a file name the export chose: an SVG can carry script, and anything
else would not show in a page anyway. Images are staged beside the other
imported files and moved into place only when the whole export has been read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from amber.content.assets import FORMAT_EXTENSIONS, image_format
from amber.importers.source import MAX_ASSET_BYTES, AssetLocator

_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?((?:;[\w.+-]+=[\w.+-]+)*);base64,", re.ASCII)
_POINTER = re.compile(r"(?:file-service|sediment)://(file[-_][A-Za-z0-9]{6,80})\Z")


def image_extension(data: bytes) -> str | None:
    """The extension for a publishable image format, recognised by its magic bytes
    (``amber.content.assets``: the rule the build and the server apply again)."""
    found = image_format(data)
    return FORMAT_EXTENSIONS[found] if found else None


def pointer_file_id(reference: str) -> str | None:
    """``file-service://file-AbC`` or ``sediment://file_00ab`` -> the file id."""
    match = _POINTER.match(reference)
    return match.group(1) if match else None


@dataclass
class AssetStore:
    """Images found while importing: staged now, moved into content/assets/ at the end."""

    assets_dir: Path
    staging: Path
    locator: AssetLocator = field(default_factory=AssetLocator)
    existing: set[str] = field(default_factory=set)
    staged: dict[str, Path] = field(default_factory=dict)
    """Asset file name -> its staged file."""
    copied: int = 0
    """Images referenced that the export held (new or already in content/assets/)."""
    missing: int = 0
    """Images referenced that the export did not hold: shown as placeholders."""
    refused: int = 0
    """Images present but not publishable (format, size, corrupt data)."""
    _by_reference: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.assets_dir.is_dir():
            self.existing = {p.name for p in self.assets_dir.iterdir() if p.is_file()}

    def resolve(self, reference: str, name: str | None) -> tuple[str | None, str | None]:
        """``(src, note)`` for an image reference (see record.ImageResolver)."""
        if reference in self._by_reference:
            src, note = self._by_reference[reference]
            self._count(src, note)
            return src, note
        if reference.startswith("data:"):
            data, note = _decode_data_url(reference)
        elif (file_id := pointer_file_id(reference)) is not None:
            data, note = self.locator.read(file_id)
        else:
            data, note = None, None  # a remote URL or an unknown pointer: never fetched
        src = None
        if data is not None:
            src, note = self.add(data, name or "image")
        if len(reference) < 512:  # remember pointers, not whole data URLs
            self._by_reference[reference] = (src, note)
        self._count(src, note)
        return src, note

    def _count(self, src: str | None, note: str | None) -> None:
        if src is not None:
            self.copied += 1
        elif note is not None:
            self.refused += 1
        else:
            self.missing += 1

    def add(self, data: bytes, name: str) -> tuple[str | None, str | None]:
        """Stage ``data`` as an asset; ``(assets/<sha256>.<ext>, None)`` or ``(None, why)``."""
        ext = image_extension(data)
        if ext is None:
            return None, f"image {name} is not a PNG, JPEG, GIF or WebP file"
        file_name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
        if file_name not in self.existing and file_name not in self.staged:
            target = self.staging / file_name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.staged[file_name] = target
        return f"assets/{file_name}", None


def _decode_data_url(url: str) -> tuple[bytes | None, str | None]:
    match = _DATA_URL.match(url)
    if match is None:
        return None, "an inline image that is not a base64 data: URL"
    payload = url[match.end():]
    if len(payload) > MAX_ASSET_BYTES * 4 // 3 + 4:
        return None, f"an inline image larger than {MAX_ASSET_BYTES >> 20} MB"
    try:
        return base64.b64decode(payload, validate=True), None
    except (binascii.Error, ValueError):
        return None, "an inline image whose base64 data is corrupt"
