"""Agent sessions: a whole file is one conversation, and a folder holds many.

Claude Code writes one JSONL file per session (``~/.claude/projects/<project>/
<session>.jsonl``, its sub-agents in ``<session>/subagents/agent-*.jsonl`` or,
in older versions, in ``agent-*.jsonl`` beside it); Codex writes one rollout
per session (``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``). Unlike an
export's records, a session's lines only make sense together, so this reader
takes a session file, or walks a folder for them, and hands each whole session
to its converter (``claude_code``, ``codex``).

A session file is a log that may still be growing: a line that is not JSON
(the last one, cut short while written) is skipped with a note rather than
stopping the import.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from amber.importers import claude_code, codex
from amber.importers.record import FORMAT_NAMES, ImageResolver, Imported, Skipped
from amber.importers.source import ImportInputError

SESSION_FORMATS = ("claude-code", "codex")
SESSION_SHAPES = {
    "claude-code": "a Claude Code session: JSONL lines with 'type', 'uuid' and 'sessionId'",
    "codex": "a Codex CLI rollout: JSONL lines of {timestamp, type, payload}",
}
DETECTION_LINES = 20
"""Lines read, at most, to tell whether a file is a session and whose."""
SESSION_SUFFIX = ".jsonl"
MAX_LINE_BYTES = 64 * 1024 * 1024
"""A longer line is skipped: no session record needs it, and it would fill memory."""


@dataclass(frozen=True)
class SessionFile:
    path: Path
    format: str
    where: str
    """The file as the summary names it: relative to the folder imported."""
    subagents: tuple[Path, ...] = ()


def line_format(record: object) -> str | None:
    """Which agent wrote one line of a session, or None."""
    if claude_code.looks_like(record):
        return "claude-code"
    if codex.looks_like(record):
        return "codex"
    return None


def file_format(path: Path) -> str | None:
    """The session format of a file, from its first lines; None when it is not a session."""
    try:
        with path.open("rb") as fh:
            for _ in range(DETECTION_LINES):
                line = fh.readline(MAX_LINE_BYTES)
                if not line:
                    break
                if not line.strip():
                    continue
                try:
                    found = line_format(json.loads(line))
                except (ValueError, RecursionError):
                    return None
                if found is not None:
                    return found
    except OSError:
        return None
    return None


def session_input(export: Path, format_name: str) -> bool:
    """Whether ``export`` is read as agent sessions (a folder, or a session file)."""
    if format_name in SESSION_FORMATS:
        return True
    if format_name != "auto":
        return False
    if export.is_dir():
        return True
    return export.is_file() and export.suffix.lower() == SESSION_SUFFIX \
        and file_format(export) is not None


def find_sessions(export: Path, format_name: str) -> list[SessionFile]:
    """The session files to import, in a stable order; raises when there are none."""
    if not export.exists():
        raise ImportInputError(f"{export}: no such file or folder")
    if export.is_file():
        found = file_format(export)
        if found is None or (format_name != "auto" and found != format_name):
            expected = (SESSION_SHAPES[format_name] if format_name in SESSION_SHAPES
                        else " or ".join(SESSION_SHAPES.values()))
            what = f"is a {FORMAT_NAMES[found]}, not" if found else "is not"
            raise ImportInputError(f"{export}: {what} {expected}. Leave out --format to "
                                   "detect the format")
        return [SessionFile(export, found, str(export), claude_code.subagent_files(export))]
    sessions: list[SessionFile] = []
    paths = list(_walk(export))
    agents: dict[Path, list[Path]] = {}
    for path in paths:
        if path.name.startswith("agent-"):
            agents.setdefault(path.parent, []).append(path)
    for path in paths:
        if claude_code.is_subagent_file(path):
            continue
        found = file_format(path)
        if found is None or (format_name != "auto" and found != format_name):
            continue
        where = path.relative_to(export).as_posix()
        subagents = (claude_code.subagent_files(path, agents.get(path.parent, []))
                     if found == "claude-code" else ())
        sessions.append(SessionFile(path, found, where, subagents))
    if not sessions:
        kinds = (FORMAT_NAMES[format_name] if format_name in SESSION_FORMATS
                 else "Claude Code or Codex session")
        raise ImportInputError(f"{export}: is a folder with no {kinds} files "
                               f"(*{SESSION_SUFFIX}) in it; give a session file, a folder "
                               "of them, or an export's .zip or .json")
    return sessions


def _walk(folder: Path) -> Iterator[Path]:
    """Every ``*.jsonl`` under ``folder``, sorted, without following links out of it."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.lower().endswith(SESSION_SUFFIX) and not name.startswith("."):
                path = Path(root) / name
                if not path.is_symlink():
                    yield path


def read_lines(path: Path, on_read: Callable[[int], object] | None = None,
               slim: Callable[[object], object | None] | None = None
               ) -> tuple[list[object], int]:
    """Every JSON line of a file, and how many lines were not JSON (and were skipped).

    ``slim`` trims each record as it is read (or drops it, returning None), so a
    session's bulk that no page shows (file snapshots, token counts, whole files
    kept beside an edit) never piles up in memory.
    """
    records: list[object] = []
    bad = 0
    try:
        with path.open("rb") as fh:
            while True:
                line = fh.readline(MAX_LINE_BYTES + 1)
                if not line:
                    break
                if on_read is not None:
                    on_read(len(line))
                if len(line) > MAX_LINE_BYTES:
                    bad += 1
                    fh.readline()  # the rest of it is not read into memory
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (ValueError, RecursionError):
                    bad += 1
                    continue
                if slim is not None:
                    record = slim(record)
                if record is not None:
                    records.append(record)
    except OSError as exc:
        raise ImportInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return records, bad


def convert(session: SessionFile, images: ImageResolver,
            on_read: Callable[[int], object] | None = None) -> Imported | Skipped:
    """One session file (with its sub-agents) as one conversation."""
    slim = codex.slim if session.format == "codex" else claude_code.slim
    records, bad = read_lines(session.path, on_read, slim)
    if session.format == "codex":
        result = codex.convert_session(records, session.where, images)
    else:
        subagents = [read_lines(path, None, slim)[0] for path in session.subagents]
        result = claude_code.convert_session(records, subagents, session.where, images,
                                             session.path.stem)
    if bad and isinstance(result, Imported):
        lines = f"{bad} lines were" if bad != 1 else "1 line was"
        note = f"{lines} not JSON (cut short while written?); skipped"
        result = replace(result, notes=(*result.notes, note))
    return result


def total_size(sessions: list[SessionFile]) -> int:
    size = 0
    for session in sessions:
        with contextlib.suppress(OSError):
            size += session.path.stat().st_size
    return size
