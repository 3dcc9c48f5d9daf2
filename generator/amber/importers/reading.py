"""The reading half of an import: records in, converted conversations out.

``read_export`` opens the export, tells its format, converts every record
and copies the images it finds into the staging folder, yielding events for
the writing half (``pipeline``). A large export is read in a child process
(``read_in_child``) while this process writes: parsing and converting take
about as long as serialising and checking the YAML, so two cores finish in
about half the time. The events are the same either way; so is every error.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from amber.errors import AmberError
from amber.importers import detect as formats
from amber.importers import sessions
from amber.importers.assets import AssetStore
from amber.importers.record import FORMAT_NAMES, Imported, Skipped
from amber.importers.records import iter_records
from amber.importers.source import AssetLocator, ExportSource, ImportInputError, open_export

DETECTION_WINDOW = 50
"""Records weighed, at most, to tell the format (API request logs need several)."""
CONVERSION_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError)
"""What a converter may raise on a record of a shape no export should have."""
QUEUE_SIZE = 64
"""Conversations in flight between the processes: enough to keep both busy, and bounded."""
PROGRESS_STEP = 1 << 20
"""Bytes read between two progress reports from the child."""


@dataclass(frozen=True)
class Started:
    """The export was opened; ``total`` bytes of JSON are to be read."""

    total: int


@dataclass(frozen=True)
class FormatFound:
    format: str | None
    """None when the export holds no record at all."""


@dataclass(frozen=True)
class Converted:
    conversation: Imported
    where: str


@dataclass(frozen=True)
class Rejected:
    line: str
    """``conversation 7 ('Title'): why`` for the summary."""


@dataclass(frozen=True)
class Progress:
    bytes_read: int


@dataclass(frozen=True)
class Finished:
    staged_assets: tuple[tuple[str, Path], ...]
    """(asset file name, staged file) of every new image."""
    images_copied: int
    images_missing: int
    images_refused: int


Event = Started | FormatFound | Converted | Rejected | Progress | Finished


def read_export(export: Path, assets_dir: Path, staging: Path, format_name: str,
                report_progress: bool = False) -> Iterator[Event]:
    """Every event of reading ``export``; raises AmberError (ImportInputError) if it is bad."""
    if sessions.session_input(export, format_name):
        yield from _read_sessions(export, assets_dir, staging, format_name, report_progress)
        return
    with open_export(export) as source:
        yield Started(sum(m.size for m in source.members))
        store = AssetStore(assets_dir, staging, source.assets)
        pending: list[int] = []
        on_read = pending.append if report_progress else None
        forced = None if format_name == "auto" else format_name
        converter = formats.CONVERTERS[forced] if forced else None
        if forced:
            yield FormatFound(forced)
        for where, record in _regrouped(_detected(source, forced, on_read), forced):
            if pending:
                yield Progress(sum(pending))
                pending.clear()
            if isinstance(record, _Format):
                converter = formats.CONVERTERS[record.name] if record.name else None
                yield FormatFound(record.name)
                continue
            assert converter is not None
            try:
                result = converter.convert(record, where, store.resolve)
            except CONVERSION_ERRORS as exc:
                yield Rejected(f"{where}: could not be read ({type(exc).__name__}: "
                               f"{str(exc)[:120]})")
                continue
            if isinstance(result, Skipped):
                yield Rejected(f"{result.where}: {result.reason}")
            else:
                yield Converted(result, where)
        if pending:
            yield Progress(sum(pending))
        yield Finished(tuple(sorted(store.staged.items())), store.copied, store.missing,
                       store.refused)


def _read_sessions(export: Path, assets_dir: Path, staging: Path, format_name: str,
                   report_progress: bool) -> Iterator[Event]:
    """Agent sessions: each file (with its sub-agents) is one conversation."""
    found = sessions.find_sessions(export, format_name)
    yield Started(sessions.total_size(found))
    store = AssetStore(assets_dir, staging, AssetLocator())
    formats_seen = sorted({s.format for s in found})
    yield FormatFound(formats_seen[0] if len(formats_seen) == 1 else None)
    pending: list[int] = []
    on_read = pending.append if report_progress else None
    for session in found:
        try:
            result = sessions.convert(session, store.resolve, on_read)
        except CONVERSION_ERRORS as exc:
            yield Rejected(f"{session.where}: could not be read ({type(exc).__name__}: "
                           f"{str(exc)[:120]})")
            continue
        if pending:
            yield Progress(sum(pending))
            pending.clear()
        if isinstance(result, Skipped):
            yield Rejected(f"{result.where}: {result.reason}")
        else:
            yield Converted(result, session.where)
    yield Finished(tuple(sorted(store.staged.items())), store.copied, store.missing,
                   store.refused)


@dataclass(frozen=True)
class _Format:
    name: str | None


def _regrouped(records: Iterator[tuple[str, object]], forced: str | None
               ) -> Iterator[tuple[str, object]]:
    """The records as conversations: a format whose files do not hold one conversation
    per record (Grok's single object, Gemini's activity entries) regroups them."""
    if forced is not None:
        regroup = getattr(formats.CONVERTERS[forced], "regroup", None)
        yield from regroup(records) if regroup is not None else records
        return
    for where, record in records:
        yield where, record
        if isinstance(record, _Format):
            regroup = getattr(formats.CONVERTERS.get(record.name or ""), "regroup", None)
            if regroup is not None:
                yield from regroup(records)
                return


def _records(source: ExportSource, on_read: Callable[[int], None] | None
             ) -> Iterator[tuple[str, object]]:
    several = len(source.members) > 1
    index = 0
    for member in source.members:
        with source.open(member, on_read) as stream:
            for record in iter_records(stream, member, index + 1):
                index += 1
                where = f"conversation {index}"
                if several:
                    where = f"{member.name.rsplit(':', 1)[-1]}: {where}"
                yield where, record


def _detected(source: ExportSource, forced: str | None,
              on_read: Callable[[int], None] | None) -> Iterator[tuple[str, object]]:
    """The records, once the format is known: forced, or told by the first records.

    When detecting, a ``_Format`` record announces the format before the first
    real record. The first ``DETECTION_WINDOW`` records are weighed together
    (held in memory meanwhile), unless one has a shape only one format has.
    """
    records = _records(source, on_read)
    window: list[tuple[str, object]] = []
    if forced is not None:
        for where, record in records:
            if not window and not formats.accepts(forced, record):
                raise ImportInputError(
                    f"{source.path}: {where} is not in the {FORMAT_NAMES[forced]} format "
                    f"({formats.describe(record)}); {formats.expected(forced)}. "
                    "Leave out --format to detect the format")
            why = formats.contradiction(forced, record)
            if why is not None:
                raise ImportInputError(
                    f"{source.path}: {where} is not in the {FORMAT_NAMES[forced]} format: "
                    f"{why}. Leave out --format to detect the format")
            window.append((where, record))
            if len(window) >= DETECTION_WINDOW:
                break
        yield from window
        yield from records
        return
    tally = formats.Tally()
    for where, record in records:
        window.append((where, record))
        if tally.add(record) or len(window) >= DETECTION_WINDOW:
            break
    if not window:
        yield "", _Format(source.format_hint)
        return
    found = tally.winner()
    if found is None:
        raise ImportInputError(f"{source.path}: not an export amber can read: "
                               f"{window[0][0]} is {formats.describe(window[0][1])}; "
                               f"{formats.expected()}")
    yield "", _Format(found)
    yield from window
    yield from records


# --- in a child process ----------------------------------------------------------


def can_read_in_child() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def read_in_child(export: Path, assets_dir: Path, staging: Path, format_name: str
                  ) -> Iterator[Event]:
    """The events of ``read_export``, produced by a forked child process.

    Fork, not spawn: the child needs no re-import and no picklable arguments,
    and it starts before any thread (a progress bar's) exists here. The queue
    is bounded, so a slow writer holds the reader back instead of letting
    converted conversations pile up in memory.
    """
    context = multiprocessing.get_context("fork")
    events: multiprocessing.Queue[tuple[str, object]] = context.Queue(QUEUE_SIZE)
    child = context.Process(target=_child_main, name="amber-import-reader", daemon=True,
                            args=(events, export, assets_dir, staging, format_name))
    child.start()
    try:
        while True:
            try:
                kind, payload = events.get(timeout=1.0)
            except queue.Empty:
                if not child.is_alive():
                    raise AmberError("reading the export stopped unexpectedly (the reading "
                                     f"process exited with code {child.exitcode})") from None
                continue
            if kind == "event":
                yield payload  # type: ignore[misc]
            elif kind == "done":
                break
            elif kind == "error":
                raise ImportInputError(str(payload))
            else:
                raise RuntimeError(f"reading the export failed:\n{payload}")
        child.join()
    finally:
        if child.is_alive():
            child.terminate()
            child.join()
        events.close()


def _child_main(events: multiprocessing.Queue[tuple[str, object]], export: Path,
                assets_dir: Path, staging: Path, format_name: str) -> None:
    try:
        pending = 0
        for event in read_export(export, assets_dir, staging, format_name, True):
            if isinstance(event, Progress):  # batched: one message per megabyte, not per read
                pending += event.bytes_read
                if pending < PROGRESS_STEP:
                    continue
                event, pending = Progress(pending), 0
            events.put(("event", event))
        if pending:
            events.put(("event", Progress(pending)))
        events.put(("done", None))
    except AmberError as exc:
        events.put(("error", str(exc)))
    except KeyboardInterrupt:  # the parent got it too, and stops reading: do not wait for it
        events.cancel_join_thread()
    except BaseException:  # a bug: hand the whole story to the parent
        events.put(("crash", traceback.format_exc()))
    finally:
        events.close()
