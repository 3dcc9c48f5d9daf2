"""Write imported conversations into ``content/conversations/``, all or nothing.

Each conversation becomes ``<title-slug>-<key>.yaml`` (see ``identity``),
headed by a comment that records where it came from and a digest of what the
import wrote::

    # Imported by `amber import` from a ChatGPT export (conversation 684a1df7-...).
    # Re-importing updates this file, unless you have edited it since.
    # amber-import: chatgpt 3f2a9c01d2e4b5a6 sha256:<digest of everything below>

The loader ignores comments. The header lets a re-import find the file again
(even after a rename of the conversation), leave it alone when nothing
changed, update it in place when the conversation grew, and refuse to
overwrite it when the user edited it (redacted a name, say): the digest no
longer matches, so the edit is kept and the summary says so.

Nothing is written while the export is being read: files are staged in a
hidden folder under ``content/`` (same file system, so a rename is atomic)
and moved into place only after the whole export was read without error.
A failed import removes the staging folder and leaves content/ as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from amber.atomic import fsync_dir
from amber.content.ids import SLUG_RE
from amber.content.load import CONVERSATION_SUFFIXES, SitePaths
from amber.importers.identity import (
    KEY_LENGTH,
    LONG_KEY_LENGTH,
    key_in_slug,
    slug_for,
    source_key,
)
from amber.importers.record import FORMAT_NAMES, Imported
from amber.importers.yamlout import conversation_yaml

STAGING_PREFIX = ".amber-import-"
HEADER_READ = 2048
_MARKER = re.compile(
    rf"^# amber-import: ([a-z][a-z-]*) ([0-9a-f]{{{LONG_KEY_LENGTH}}}) sha256:([0-9a-f]{{64}})$",
    re.MULTILINE,
)
_SHOWN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,99}\Z")

IMPORTED, UPDATED, UNCHANGED, KEPT = "imported", "updated", "unchanged", "kept"


@dataclass(frozen=True)
class Outcome:
    """What happened to one conversation."""

    state: str
    """imported, updated, unchanged, or kept (edited by hand, so not overwritten)."""
    slug: str
    reason: str | None = None


@dataclass(frozen=True)
class _Header:
    format: str
    key: str
    body_digest: str
    length: int
    """Bytes of the header, where the YAML body starts."""


def document(conv: Imported) -> dict[str, object]:
    """The native file's content, keys in the order the schema documents them."""
    out: dict[str, object] = {"title": conv.title}
    if conv.created:
        out["created"] = conv.created
    if conv.model:
        out["model"] = conv.model
    out["messages"] = [m.as_dict() for m in conv.messages]
    return out


def header(conv: Imported, key: str, body: bytes) -> str:
    shown = conv.source_id if _SHOWN_ID.match(conv.source_id) else None
    name = FORMAT_NAMES[conv.format]
    origin = f"{'an' if name[0] in 'AEIOU' else 'a'} {name} export"
    if shown:
        origin += f" (conversation {shown})"
    return (
        f"# Imported by `amber import` from {origin}.\n"
        "# Re-importing updates this file, unless you have edited it since.\n"
        f"# amber-import: {conv.format} {key[:LONG_KEY_LENGTH]} "
        f"sha256:{hashlib.sha256(body).hexdigest()}\n"
    )


def read_header(data: bytes) -> _Header | None:
    """The import marker at the top of a file, if an import wrote it."""
    head = data[:HEADER_READ].decode("utf-8", errors="replace")
    match = _MARKER.search(head)
    if match is None or any(not line.startswith("#") for line in head[: match.start()]
                            .splitlines()):
        return None
    length = len(head[: match.end() + 1].encode())
    return _Header(match.group(1), match.group(2), match.group(3), length)


@dataclass
class ConversationWriter:
    """Decides each conversation's file and stages what changed."""

    paths: SitePaths
    staging: Path
    staged: list[tuple[Path, Path]] = field(default_factory=list)
    """(staged file, target) pairs, moved into place by ``commit``."""
    _stems: set[str] = field(default_factory=set)
    _by_short_key: dict[str, list[Path]] = field(default_factory=dict)
    _claimed: set[str] = field(default_factory=set)
    """Slugs written by this import, so two conversations never share one."""
    _keys: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        folder = self.paths.conversations
        if not folder.is_dir():
            return
        for entry in os.scandir(folder):
            if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            stem, dot, suffix = entry.name.rpartition(".")
            if not dot or f".{suffix.lower()}" not in CONVERSATION_SUFFIXES:
                continue
            self._stems.add(stem)
            key = key_in_slug(stem)
            if key is not None and suffix.lower() in ("yaml", "yml"):
                self._by_short_key.setdefault(key[:KEY_LENGTH], []).append(Path(entry.path))

    def seen(self, conv: Imported) -> bool:
        """Whether this import already had a conversation with this format and ID."""
        return source_key(conv.format, conv.source_id) in self._keys

    def add(self, conv: Imported) -> Outcome:
        key = source_key(conv.format, conv.source_id)
        self._keys.add(key)
        body = conversation_yaml(document(conv)).encode()
        data = header(conv, key, body).encode() + body
        existing = self._find(conv.format, key)
        if existing is not None:
            path, old, found = existing
            slug = path.stem
            self._claimed.add(slug)
            if old == data:
                return Outcome(UNCHANGED, slug)
            if hashlib.sha256(old[found.length:]).hexdigest() != found.body_digest:
                return Outcome(KEPT, slug, f"{path.name} was edited after it was imported; "
                               "kept as it is (delete it to import the conversation again)")
            self._stage(data, path)
            return Outcome(UPDATED, slug)
        slug = self._free_slug(conv.title, key)
        if slug is None:
            return Outcome(KEPT, slug_for(conv.title, key), "a file of that name already "
                           "exists and was not written by amber import")
        self._claimed.add(slug)
        self._stage(data, self.paths.conversations / f"{slug}.yaml")
        return Outcome(IMPORTED, slug)

    def _find(self, format_name: str, key: str) -> tuple[Path, bytes, _Header] | None:
        for path in self._by_short_key.get(key[:KEY_LENGTH], ()):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            found = read_header(data)
            if found is not None and found.format == format_name \
                    and found.key == key[:LONG_KEY_LENGTH]:
                return path, data, found
        return None

    def _free_slug(self, title: str, key: str) -> str | None:
        for length in (KEY_LENGTH, LONG_KEY_LENGTH):
            slug = slug_for(title, key, length)
            if SLUG_RE.match(slug) and slug not in self._stems and slug not in self._claimed:
                return slug
        return None

    def _stage(self, data: bytes, target: Path) -> None:
        staged = self.staging / f"{len(self.staged):06d}-{target.name}"
        staged.parent.mkdir(parents=True, exist_ok=True)
        with open(staged, "xb") as fh:
            fh.write(data)
        if target.exists():
            os.chmod(staged, target.stat().st_mode & 0o777)
        self.staged.append((staged, target))


def make_staging(paths: SitePaths) -> Path:
    """A fresh hidden folder under content/, where a crash leaves nothing amber reads."""
    paths.content.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=paths.content))


def commit(moves: list[tuple[Path, Path]]) -> None:
    """Move staged files over their targets: each rename is atomic, readers never see half.

    Data reaches the disk before the first rename (one ``sync`` for all the
    files: an fsync per file costs more than the rest of a large import).
    """
    if not moves:
        return
    os.sync()
    folders = set()
    for staged, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        folders.add(target.parent)
    for folder in folders:
        fsync_dir(folder)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


