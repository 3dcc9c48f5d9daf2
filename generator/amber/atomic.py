"""Writes that never leave a half-written file or a half-built site.

Single files go to a temporary sibling and are moved over the target with
``os.replace`` (atomic on POSIX). A whole site is built in a fresh directory
next to ``output/`` and swapped in at the end, so a failing build leaves the
previous site exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once; readers see old or new, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode(path))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def _file_mode(path: Path) -> int:
    """Keep an existing file's mode; new files get the usual 0666 less the umask.

    (mkstemp creates 0600 files, which would make every rewritten share private
    to its owner and show up as a mode change in git.)
    """
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (best effort: not every filesystem allows it)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_tree(target: Path, files: dict[str, bytes]) -> None:
    """Write a complete site to ``target`` by building beside it and swapping it in.

    ``files`` maps POSIX relative paths to bytes. The old tree is renamed aside
    and deleted only after the new one is in place.
    """
    refuse_unsafe_target(target)
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new.", dir=target.parent))
    try:
        for rel, data in sorted(files.items()):
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        os.chmod(staging, 0o755)
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


BUILD_MARKER = ".nojekyll"
"""Every amber build writes it; a folder without it is not a site amber built."""


def refuse_unsafe_target(target: Path) -> None:
    """Never replace a symlink's target or a folder amber did not build (``--output ~``)."""
    if target.is_symlink():
        raise OSError(f"{target} is a symbolic link; refusing to replace what it points to")
    if target.exists() and not target.is_dir():
        raise OSError(f"{target} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / BUILD_MARKER).exists():
        raise OSError(f"{target} is not empty and was not built by amber (no {BUILD_MARKER}); "
                      "remove it or choose another --output")


def swap_in(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``; the old ``target`` (if any) is removed afterwards."""
    from amber.build.swap import discard, exchange

    exchange(staging, target)
    discard(staging)
