"""Open an export as the user downloaded it: a ``.zip``, or one JSON/JSONL file.

Nothing here loads a whole file. A zip is read member by member through
``zipfile``'s streaming reader; its conversation files are named by the
export (``conversations.json``, or ``conversations-000.json`` and so on in
newer ChatGPT exports, all of them read in order). Images stay where they are
until a conversation refers to one: a zip member, or a file next to a
``conversations.json`` that was unzipped by hand.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from amber.errors import AmberError

ZIP_MAGIC = b"PK\x03\x04"
_CONVERSATION_MEMBER = re.compile(r"conversations(?:[-_][A-Za-z0-9_-]*)?\.json\Z", re.IGNORECASE)
_OTHER_APP_MEMBER = re.compile(
    r"(?:.*/)?prod-grok-backend\.json\Z"  # Grok's account export
    # Google Takeout: "My Activity/Gemini Apps/MyActivity.json", in the account's language
    r"|(?:.*/)?[^/]*(?:Gemini|Bard)[^/]*/[^/]+\.(?:json|html)\Z",
    re.IGNORECASE)
"""Conversation files of exports that do not name them conversations.json."""
_FILE_ID = re.compile(r"(file[-_][A-Za-z0-9]{6,80})")
"""ChatGPT names exported files after their pointer: ``file-AbC123-photo.png``."""
_NUMBER = re.compile(r"(\d+)")

MAX_ASSET_BYTES = 32 * 1024 * 1024
"""Larger images are shown as placeholders: a page should not carry them."""
FOLDER_SCAN_LIMIT = 200_000
"""Files looked at next to an unzipped conversations.json, at most (two levels deep)."""

CHATGPT_ZIP_FILES = frozenset({"chat.html", "message_feedback.json", "model_comparisons.json",
                               "shared_conversations.json", "user.json"})
CLAUDE_ZIP_FILES = frozenset({"users.json", "projects.json"})


class ImportInputError(AmberError):
    """The export cannot be read: not found, not a zip or JSON, corrupt or truncated."""


def _natural(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in _NUMBER.split(name)]


ProgressHook = Callable[[int], None]
"""Called with the number of bytes just read."""


class CountingReader:
    """A binary stream that reports how far it got, for progress and error positions."""

    def __init__(self, raw: BinaryIO, on_read: ProgressHook | None = None) -> None:
        self.raw = raw
        self.position = 0
        self.on_read = on_read

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.position += len(data)
        if self.on_read is not None and data:
            self.on_read(len(data))
        return data


@dataclass(frozen=True)
class Member:
    """One JSON file of the export: a zip member or the file itself."""

    name: str
    """As the user would recognise it: ``export.zip:conversations.json`` or the file path."""
    size: int
    """Uncompressed size in bytes (for the progress bar)."""
    zip_name: str | None = None


@dataclass
class AssetLocator:
    """Finds the file an image pointer names, in the zip or next to the JSON file."""

    zip: zipfile.ZipFile | None = None
    by_id: dict[str, str | Path] = field(default_factory=dict)
    """ChatGPT file id -> zip member name or file path."""

    def read(self, file_id: str) -> tuple[bytes | None, str | None]:
        """The file's bytes, or None with a reason (None, None when simply absent)."""
        where = self.by_id.get(file_id)
        if where is None:
            return None, None
        try:
            if isinstance(where, str):
                assert self.zip is not None
                if self.zip.getinfo(where).file_size > MAX_ASSET_BYTES:
                    return None, f"image {where} is larger than {MAX_ASSET_BYTES >> 20} MB"
                with self.zip.open(where) as fh:
                    data = fh.read(MAX_ASSET_BYTES + 1)
            else:
                if where.stat().st_size > MAX_ASSET_BYTES:
                    return None, f"image {where.name} is larger than {MAX_ASSET_BYTES >> 20} MB"
                with where.open("rb") as fh:
                    data = fh.read(MAX_ASSET_BYTES + 1)
        except (OSError, zipfile.BadZipFile, EOFError, KeyError) as exc:
            return None, f"image {file_id} could not be read ({exc})"
        if len(data) > MAX_ASSET_BYTES:
            return None, f"image {file_id} is larger than {MAX_ASSET_BYTES >> 20} MB"
        return data, None


@dataclass
class ExportSource:
    """An opened export: its JSON members, a hint of its format, and its images."""

    path: Path
    members: list[Member]
    assets: AssetLocator
    format_hint: str | None = None
    """``chatgpt`` or ``claude`` when the zip's other files say so."""
    zip: zipfile.ZipFile | None = None

    @contextmanager
    def open(self, member: Member, on_read: ProgressHook | None = None
             ) -> Iterator[CountingReader]:
        try:
            if member.zip_name is not None:
                assert self.zip is not None
                raw: BinaryIO = self.zip.open(member.zip_name)  # type: ignore[assignment]
            else:
                raw = self.path.open("rb")
        except (OSError, zipfile.BadZipFile, RuntimeError) as exc:
            raise ImportInputError(f"{member.name}: cannot read: {exc}") from None
        with raw:
            yield CountingReader(raw, on_read)


@contextmanager
def open_export(path: Path) -> Iterator[ExportSource]:
    """Open ``path`` for reading, deciding zip or JSON by its first bytes, not its name."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
        size = path.stat().st_size
    except IsADirectoryError:
        raise ImportInputError(f"{path}: is a folder; give the export's .zip or its "
                               "conversations.json") from None
    except FileNotFoundError:
        raise ImportInputError(f"{path}: no such file") from None
    except OSError as exc:
        raise ImportInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if head == ZIP_MAGIC:
        with _open_zip(path) as source:
            yield source
        return
    if head[:2] == b"PK":
        raise ImportInputError(f"{path}: a zip file that is empty or split into parts; "
                               "expected a ChatGPT or Claude data export .zip")
    yield ExportSource(path, [Member(str(path), size)], _folder_assets(path))


@contextmanager
def _open_zip(path: Path) -> Iterator[ExportSource]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportInputError(f"{path}: not a readable zip file ({exc}); the download may "
                               "be incomplete. Expected a ChatGPT or Claude data export "
                               ".zip") from None
    with archive:
        infos = [i for i in archive.infolist()
                 if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        basenames = {i.filename.rsplit("/", 1)[-1].lower() for i in infos}
        chosen = sorted((i for i in infos
                         if _CONVERSATION_MEMBER.match(i.filename.rsplit("/", 1)[-1])
                         or _OTHER_APP_MEMBER.match(i.filename)),
                        key=lambda i: _natural(i.filename))
        if not chosen:
            raise ImportInputError(f"{path}: the zip holds no conversations.json; expected a "
                                   "data export .zip (ChatGPT, Claude, DeepSeek, Grok or a "
                                   "Google Takeout of Gemini Apps activity)")
        hint = None
        if basenames & CHATGPT_ZIP_FILES:
            hint = "chatgpt"
        elif basenames & CLAUDE_ZIP_FILES:
            hint = "claude"
        locator = AssetLocator(archive)
        for info in infos:
            match = _FILE_ID.match(info.filename.rsplit("/", 1)[-1])
            if match:
                locator.by_id.setdefault(match.group(1), info.filename)
        members = [Member(f"{path}:{i.filename}", i.file_size, i.filename) for i in chosen]
        yield ExportSource(path, members, locator, hint, archive)


def _folder_assets(path: Path) -> AssetLocator:
    """Images next to an unzipped conversations.json (and one folder down, as exports nest)."""
    locator = AssetLocator()
    if not _CONVERSATION_MEMBER.match(path.name):
        return locator  # a JSON file elsewhere: the folder it sits in is not an export
    seen = 0
    folder = path.parent
    try:
        with os.scandir(folder) as top:
            entries = list(top)
        for entry in entries:
            seen += 1
            if entry.is_dir(follow_symlinks=False) and seen < FOLDER_SCAN_LIMIT:
                with os.scandir(entry.path) as inner:
                    for sub in inner:
                        seen += 1
                        if seen > FOLDER_SCAN_LIMIT:
                            break
                        _index_file(locator, sub)
            else:
                _index_file(locator, entry)
    except OSError:
        pass
    return locator


def _index_file(locator: AssetLocator, entry: os.DirEntry[str]) -> None:
    match = _FILE_ID.match(entry.name)
    if match and entry.is_file(follow_symlinks=False):
        locator.by_id.setdefault(match.group(1), Path(entry.path))
