"""One writer at a time on a site, and recovery from a writer that was killed.

Every command that writes (``share``, ``update``, ``revoke``, ``build``, ``import``,
``init``, ``fork``) holds an exclusive ``flock`` on ``.amber-cache/lock`` while it reads
what it will change and writes it: two processes that both rewrite
``content/revoked.yaml``, or both swap ``output/``, would otherwise lose one
another's work. Commands that only read (``list``, ``check``, ``review``, ``serve``)
take no lock: every file amber writes is replaced whole by a rename, so a reader
sees the old file or the new one, never half of one.

The kernel drops a ``flock`` when its process ends, however it ends, so a
killed amber never leaves a stale lock behind. The holder writes its PID and
command line into the lock file, so the process that has to wait can say who
it is waiting for. It waits ``AMBER_LOCK_TIMEOUT`` seconds (default 10), then
gives up with that name and what to do; nothing has been changed by then.

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
import errno
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

from generator.content import SitePaths
from generator.errors import AmberError, display_path
from generator.ids import is_share_id

CACHE_DIR = ".amber-cache"
"""Per-site working state, git-ignored (``amber init`` writes the ``.gitignore`` entry)."""
LOCK_NAME = "lock"
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
    return root / CACHE_DIR / LOCK_NAME


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


def current_command() -> str:
    """This process's command line as a person would type it (``amber build ...``)."""
    return shlex.join(["amber", *sys.argv[1:]])


def holder(root: Path) -> tuple[int | None, str]:
    """PID and command the current holder wrote into the lock file (None, "" if unknown)."""
    try:
        text = lock_path(root).read_text("utf-8", errors="replace")[:1000]
    except OSError:
        return None, ""
    first, _, rest = text.partition("\n")
    pid = int(first) if first.strip().isdigit() else None
    command = "".join(c if c.isprintable() else " " for c in rest.strip())[:200]
    return pid, command


@contextlib.contextmanager
def site_lock(root: Path, command: str | None = None, *, timeout: float | None = None,
              recover_site: bool = True) -> Iterator[None]:
    """Hold the site's write lock for the block; repair what a killed writer left first.

    A site whose ``.amber-cache/`` cannot be created (a read-only checkout, a folder
    of another user) is not locked: this process cannot write there either, and the
    command's own writes report that with the path, as they would without a lock.
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
        _describe(fd, command if command is not None else current_command())
        with _held_guard:
            _held[root] = 1
        try:
            if recover_site:
                recover(SitePaths(root))
            yield
        finally:
            with _held_guard:
                del _held[root]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)  # no holder named while nobody holds it
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _open_lock_file(root: Path) -> int | None:
    path = lock_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return None
        raise AmberError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None


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
                f"({display_path(lock_path(root))}) is released by itself when that process "
                "ends.")
        if not told:
            print(f"amber: waiting for another amber process to finish with this site "
                  f"({who})...", file=sys.stderr, flush=True)
            told = True
        time.sleep(POLL_SECONDS)


def _who(root: Path) -> str:
    pid, command = holder(root)
    if pid is None:
        return "its PID is not known yet"
    return f"PID {pid}: {command}" if command else f"PID {pid}"


def _describe(fd: int, command: str) -> None:
    data = f"{os.getpid()}\n{command}\n".encode("utf-8", errors="replace")
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)


F = TypeVar("F", bound=Callable[..., int])


def writes_site(find_root: Callable[..., Path | None] | None = None) -> Callable[[F], F]:
    """Decorate a command handler ``(args, root) -> int`` to run under the site's lock.

    ``find_root(args, root)`` names the site when ``root`` is not it (``init DIR``).
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
    from generator.output import write_atomic

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
    from generator.content import _load_tombstones
    from generator.errors import Problem

    problems: list[Problem] = []
    tombstones = _load_tombstones(paths.revoked, problems)
    if problems:
        return None
    return {t.id for t in tombstones}
