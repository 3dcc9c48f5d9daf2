"""One writer at a time on a site, and recovery from a writer that was killed.

Every command that writes into a site (``share``, ``update``, ``revoke``, ``build``,
``import``, ``fork``) holds an exclusive ``flock`` on the site's ``content/`` folder
while it reads what it will change and writes it: two processes that both rewrite
``content/revoked.yaml``, or both swap ``output/``, would otherwise lose one
another's work. Commands that only read (``list``, ``check``, ``review``, ``serve``)
take no lock: every file amber writes is replaced whole by a rename, so a reader
sees the old file or the new one, never half of one. ``init`` takes none either: it
refuses a folder that already holds a site, and creates only files that are missing.

The kernel drops a ``flock`` when its process ends, however it ends, so a
killed amber never leaves a stale lock behind (worker processes it forked keep
it until they end too, which is right: they may still be writing). Locking the
folder itself writes no lock file: a command that fails or is refused leaves
the site exactly as it was, and a read-only checkout can be locked too. The
process that has to wait finds the holder's PID in ``/proc/locks`` and its
command line in ``/proc/PID/cmdline``, to say who it is waiting for. It waits
``AMBER_LOCK_TIMEOUT`` seconds (default 10), then gives up with that name and
what to do; nothing has been changed by then.

A process killed in the middle of a write leaves hidden debris and, at worst,
an unfinished step. Whoever takes the lock next repairs that before doing its
own work (``recover``): it is then certain that no other amber is writing,
so anything half-done belongs to a process that is gone.

- Temporary files of atomic writes (``.NAME.XXXXXXXX.tmp``) and the staging
  folders of ``amber import`` are deleted.
- Staging and swap folders of a build beside ``output/`` are deleted. If the
  build died between moving the old site aside and moving the new one in,
  the old site is moved back first.
- A revocation that recorded its tombstones but had not yet deleted every
  snapshot (its IDs are kept in ``.amber-cache/revoking`` while it runs) is
  finished: the snapshots of the IDs it tombstoned are deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import re
import shlex
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from amber.content.ids import is_share_id
from amber.content.load import SitePaths
from amber.errors import AmberError, display_path

CACHE_DIR = ".amber-cache"
"""Per-site working state, git-ignored (``amber init`` writes the ``.gitignore`` entry)."""
JOURNAL_NAME = "revoking"
TIMEOUT_ENV = "AMBER_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 10.0
POLL_SECONDS = 0.05

_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
"""``tempfile.mkstemp(prefix=".NAME.", suffix=".tmp")``: atomic writes and forks."""
_IMPORT_STAGING = re.compile(r"^\.amber-import-[a-z0-9_]{8}$")

_held: dict[Path, int] = {}
"""Sites this process holds the lock of, with a nesting count: a second ``flock`` on
a new descriptor would wait for the process itself."""
_held_guard = threading.Lock()


class SiteLockedError(AmberError):
    """Another amber process kept the site's lock for longer than we wait."""


def lock_path(root: Path) -> Path:
    """What is locked: the site's content/ folder."""
    return root / "content"


def lock_timeout() -> float:
    """Seconds to wait for another writer: ``AMBER_LOCK_TIMEOUT``, else the default."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise AmberError(f"{TIMEOUT_ENV}={raw!r}: expected a number of seconds") from None
    if not 0 <= value <= 3600:
        raise AmberError(f"{TIMEOUT_ENV}={raw!r}: expected 0 to 3600 seconds")
    return value


def holder(root: Path) -> tuple[int | None, str]:
    """PID and command line of the process holding the site's lock (None, "" if unknown).

    From ``/proc/locks`` (Linux): the lock of the inode of content/, then that process's
    command line, shown as the ``amber ...`` a person typed where it can be recognised.
    """
    try:
        inode = lock_path(root).stat().st_ino
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None, ""
    for line in lines:
        fields = line.split()
        if "->" in fields:
            continue  # a process waiting for the lock, not holding it
        if (len(fields) >= 6 and fields[1] == "FLOCK" and fields[3] == "WRITE"
                and fields[5].rsplit(":", 1)[-1] == str(inode) and fields[4].isdigit()):
            pid = int(fields[4])
            return pid, _command_of(pid)
    return None, ""


def _command_of(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = [a.decode("utf-8", "replace") for a in fh.read().split(b"\0") if a]
    except OSError:
        return ""
    for at, arg in enumerate(argv):
        if os.path.basename(arg) == "amber":
            argv = ["amber", *argv[at + 1:]]
            break
        if arg == "-m" and argv[at + 1:at + 2] == ["amber"]:
            argv = ["amber", *argv[at + 2:]]
            break
    text = shlex.join(argv)
    return "".join(c if c.isprintable() else " " for c in text)[:200]


@contextlib.contextmanager
def site_lock(root: Path, *, timeout: float | None = None,
              recover_site: bool = True) -> Iterator[None]:
    """Hold the site's write lock for the block; repair what a killed writer left first.

    A folder without ``content/`` is no site and gets no lock (the command says what is
    missing); nor does a ``content/`` this process may not even read.
    """
    root = root.absolute()
    with _held_guard:
        if root in _held:
            _held[root] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_guard:
                _held[root] -= 1
        return
    fd = _open_lock_file(root)
    if fd is None:
        yield
        return
    try:
        _acquire(fd, root, timeout if timeout is not None else lock_timeout())
        with _held_guard:
            _held[root] = 1
        try:
            if recover_site:
                recover(SitePaths(root))
            yield
        finally:
            with _held_guard:
                del _held[root]
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _open_lock_file(root: Path) -> int | None:
    try:
        return os.open(lock_path(root), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None  # no content/ here (not a site yet), or not even readable


def _acquire(fd: int, root: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        who = _who(root)
        if time.monotonic() >= deadline:
            raise SiteLockedError(
                f"another amber process is writing this site ({who}); gave up after "
                f"{timeout:g} s and changed nothing. Wait for it to finish (or stop it), "
                f"then run this command again. {TIMEOUT_ENV}=SECONDS waits longer; the lock "
                f"(on {display_path(lock_path(root))}/) is released by itself when that "
                "process ends.")
        if not told:
            print(f"amber: waiting for another amber process to finish with this site "
                  f"({who})...", file=sys.stderr, flush=True)
            told = True
        time.sleep(POLL_SECONDS)


def _who(root: Path) -> str:
    pid, command = holder(root)
    if pid is None:
        return "its PID could not be found"
    return f"PID {pid}: {command}" if command else f"PID {pid}"


F = TypeVar("F", bound=Callable[..., int])


def writes_site(find_root: Callable[..., Path | None] | None = None) -> Callable[[F], F]:
    """Decorate a command handler ``(args, root) -> int`` to run under the site's lock.

    ``find_root(args, root)`` names the site when ``root`` is not it.
    """
    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def locked(args: object, root: Path | None) -> int:
            site = find_root(args, root) if find_root is not None else root
            if site is None:
                return handler(args, root)
            with site_lock(site):
                return handler(args, root)
        return locked  # type: ignore[return-value]
    return decorate


# --- recovery -------------------------------------------------------------------------


def recover(paths: SitePaths) -> None:
    """Repair what a writer killed on this site left behind (the lock must be held)."""
    finish_revocations(paths)
    for folder in (paths.root, paths.content, paths.conversations, paths.shares,
                   paths.assets, paths.root / ".github" / "workflows"):
        _remove_temp_files(folder)
    recover_output(paths.output)


def _remove_temp_files(folder: Path) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if _TEMP_FILE.match(entry.name) and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
            elif (_IMPORT_STAGING.match(entry.name)
                  and entry.is_dir(follow_symlinks=False)):
                shutil.rmtree(entry.path, ignore_errors=True)


def recover_output(target: Path) -> None:
    """Delete a killed build's staging and swap folders beside ``target``; if it died
    with the old site moved aside and the new one not yet in, put the old one back."""
    target = target.absolute()
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(new|old)\.[a-z0-9_]{{8}}$")
    try:
        entries = [e for e in os.scandir(target.parent) if pattern.match(e.name)
                   and e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    if not entries:
        return
    olds = sorted((e for e in entries if ".old." in e.name[len(target.name) + 1:]),
                  key=lambda e: e.stat(follow_symlinks=False).st_mtime_ns)
    if olds and not os.path.lexists(target):
        with contextlib.suppress(OSError):
            os.replace(olds[-1].path, target)
    for entry in entries:
        if os.path.lexists(entry.path):
            shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def revocation_journal(paths: SitePaths, share_ids: list[str]) -> Iterator[None]:
    """Record ``share_ids`` while a revocation runs, so that a killed one is finished.

    A revocation writes its tombstones first, then deletes the snapshots: killed in
    between, it leaves snapshots that ``check`` and ``build`` refuse. The journal tells
    the next writer that those files are a revocation in progress, not a bad merge.
    """
    from amber.atomic import write_atomic

    journal = paths.root / CACHE_DIR / JOURNAL_NAME
    try:
        write_atomic(journal, json.dumps(sorted(share_ids)).encode())
    except OSError:
        journal = None  # type: ignore[assignment]  # no journal: a crash is still refused
    yield
    if journal is not None:
        with contextlib.suppress(OSError):
            journal.unlink()


def finish_revocations(paths: SitePaths) -> list[str]:
    """Delete the snapshots of a killed revocation's tombstoned IDs; the IDs deleted."""
    journal = paths.root / CACHE_DIR / JOURNAL_NAME
    try:
        listed = json.loads(journal.read_text("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError):
        listed = []
    ids = [i for i in listed if isinstance(i, str) and is_share_id(i)] \
        if isinstance(listed, list) else []
    tombstoned = _tombstoned(paths)
    if tombstoned is None:
        return []  # revoked.yaml is unreadable: leave everything for `check` to report
    done = []
    for share_id in ids:
        if share_id in tombstoned:
            path = paths.share_file(share_id)
            if path.exists():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                done.append(share_id)
    with contextlib.suppress(OSError):
        journal.unlink()
    return done


def _tombstoned(paths: SitePaths) -> set[str] | None:
    from amber.content.load import load_tombstones
    from amber.errors import Problem

    problems: list[Problem] = []
    tombstones = load_tombstones(paths.revoked, problems)
    if problems:
        return None
    return {t.id for t in tombstones}
