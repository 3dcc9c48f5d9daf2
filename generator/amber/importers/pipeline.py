"""One import, start to end: read, stage, and commit only when all of it was read.

Gather first, write last: records stream through one at a time (memory holds
a few conversations, not the export); each converted conversation is
serialised, compared with the file it would replace, and staged in a hidden
folder; only when the whole export has been read does anything move into
``content/``. A corrupt or truncated file, or one in no known format, raises
before that point and leaves ``content/`` as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from amber.content.load import SitePaths
from amber.content.model import every_message
from amber.errors import AmberError
from amber.importers.reading import (
    Converted,
    Finished,
    FormatFound,
    Progress,
    Rejected,
    Started,
    can_read_in_child,
    read_export,
    read_in_child,
)
from amber.importers.record import Imported
from amber.importers.writer import (
    IMPORTED,
    KEPT,
    UNCHANGED,
    UPDATED,
    ConversationWriter,
    commit,
    discard,
    make_staging,
)

CHILD_THRESHOLD = 8 * 1024 * 1024
"""Exports at least this large (bytes of JSON, or the zip) are read in a second process."""


@dataclass
class Summary:
    """What an import did, for the closing lines."""

    format: str | None = None
    imported: list[str] = field(default_factory=list)
    """Slugs of new conversation files."""
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    """One line per conversation not imported: which, and why."""
    notes: list[str] = field(default_factory=list)
    """One line per thing an imported conversation lost: which, and what."""
    branches_dropped: int = 0
    branches_kept: int = 0
    """Edits and regenerations kept as alternatives of the message they replace."""
    images_copied: int = 0
    images_missing: int = 0
    images_refused: int = 0


ProgressFactory = Callable[[int], Callable[[int], object] | None]
"""Given the total bytes to read, returns a callback fed the bytes read (or None)."""


def run_import(export: Path, paths: SitePaths, format_name: str = "auto",
               progress: ProgressFactory | None = None) -> Summary:
    """Import ``export`` into the site at ``paths``; raise AmberError, writing nothing, if bad."""
    _check_site(paths)
    try:
        return _run(export, paths, format_name, progress)
    except OSError as exc:  # a full disk, a read-only folder: say so, never a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        raise AmberError(f"cannot write the imported files: {where}{exc.strerror or exc}; "
                         "content/ was left as it was") from None


def _run(export: Path, paths: SitePaths, format_name: str, progress: ProgressFactory | None
         ) -> Summary:
    summary = Summary()
    staging = make_staging(paths)
    try:
        writer = ConversationWriter(paths, staging / "conversations")
        # A folder (of agent sessions) is read in the child too: it is thousands of files.
        large = export.is_dir() or (export.is_file() and export.stat().st_size >= CHILD_THRESHOLD)
        args = (export, paths.assets, staging / "assets", format_name)
        in_child = large and can_read_in_child()
        events = read_in_child(*args) if in_child else read_export(*args, progress is not None)
        advance: Callable[[int], object] | None = None
        asset_moves: list[tuple[Path, Path]] = []
        for event in events:
            if isinstance(event, Converted):
                _write(event.conversation, event.where, summary, writer)
            elif isinstance(event, Rejected):
                summary.skipped.append(event.line)
            elif isinstance(event, Progress):
                if advance is not None:
                    advance(event.bytes_read)
            elif isinstance(event, Started):
                advance = progress(event.total) if progress is not None else None
            elif isinstance(event, FormatFound):
                summary.format = event.format
            elif isinstance(event, Finished):
                asset_moves = [(staged, paths.assets / name) for name, staged
                               in event.staged_assets]
                summary.images_copied = event.images_copied
                summary.images_missing = event.images_missing
                summary.images_refused = event.images_refused
        commit(asset_moves + writer.staged)  # images first: no page may lack its picture
    finally:
        discard(staging)
    return summary


def _check_site(paths: SitePaths) -> None:
    if not paths.content.is_dir():
        raise AmberError(f"{paths.content}: no content/ folder here; run `amber init` first, "
                         "or pass --site DIR")
    for folder in (paths.conversations, paths.assets):
        if folder.is_symlink():
            raise AmberError(f"{folder}: is a symbolic link; amber writes only inside "
                             "content/")


def _write(conv: Imported, where: str, summary: Summary, writer: ConversationWriter) -> None:
    unique = _unique(conv, writer)
    if unique is None:
        summary.skipped.append(f"{where} ({conv.title!r}): the same conversation appears "
                               "earlier in the export; imported once")
        return
    outcome = writer.add(unique)
    summary.branches_dropped += unique.branches_dropped
    summary.branches_kept += sum(len(m.alternatives) for m in every_message(unique.messages))
    label = f"{where} ({unique.title!r})"
    if outcome.state == IMPORTED:
        summary.imported.append(outcome.slug)
    elif outcome.state == UPDATED:
        summary.updated.append(outcome.slug)
    elif outcome.state == UNCHANGED:
        summary.unchanged += 1
    elif outcome.state == KEPT:
        summary.skipped.append(f"{label}: {outcome.reason}")
        return
    for note in unique.notes:
        summary.notes.append(f"{label} -> {outcome.slug}: {note}")


def _unique(conv: Imported, writer: ConversationWriter) -> Imported | None:
    """The same ID twice: a real ID is a duplicate; a derived one gets a counter."""
    if not writer.seen(conv):
        return conv
    if not conv.source_id.startswith("derived:"):
        return None
    n = 2
    while True:
        candidate = replace(conv, source_id=f"{conv.source_id}#{n}")
        if not writer.seen(candidate):
            return candidate
        n += 1
