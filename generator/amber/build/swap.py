"""Bring a built site on disk up to date by touching only what changed, then swap it in.

A full rewrite of a 10,000-share site costs seconds (30,000 files written, the
old tree deleted). So amber keeps two trees: ``output/`` and a spare (the site
before last). A build brings the spare up to date file by file, checking each
kept file against the signature it had when written, and then exchanges the
two directories in one ``renameat2(RENAME_EXCHANGE)``: readers, deploy steps
and a killed build see the old site or the new one, never a mix. Where the
exchange is not supported, two renames are used and the gap between them is a
missing ``output/``, still never a mix.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

Manifest = dict[str, dict[str, object]]
"""Relative path -> {"hash": SHA-256 hex, "sig": ``tree_signature`` when written}."""


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


def tree_signature(path: Path) -> list[int] | None:
    """(size, mtime_ns, inode) of a file in a built tree.

    Unlike content files, ctime is left out: the two trees share unchanged files
    as hard links, and every link or unlink of one copy touches the other's ctime.
    """
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def scan(tree: Path, manifest: Manifest) -> tuple[dict[str, tuple[str, list[int]]], list[str]]:
    """Files of ``tree`` that are exactly as the manifest says (hash, signature), and every
    other entry.

    Anything unexpected (unknown files, changed files, symlinks, special files)
    is listed for removal: a tree is trusted only where its signatures match.
    """
    good: dict[str, tuple[str, list[int]]] = {}
    stray: list[str] = []
    if not tree.is_dir() or tree.is_symlink():
        return good, stray
    stack = [""]
    while stack:
        prefix = stack.pop()
        empty = True
        with os.scandir(tree / prefix if prefix else tree) as entries:
            for entry in entries:
                empty = False
                rel = f"{prefix}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel + "/")
                    continue
                expected = manifest.get(rel)
                if expected is not None and entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    sig = [st.st_size, st.st_mtime_ns, st.st_ino]
                    if sig == expected["sig"]:
                        good[rel] = (str(expected["hash"]), sig)
                        continue
                stray.append(rel)
        if empty and prefix:
            stray.append(prefix.rstrip("/"))  # an empty folder is no part of any site
    return good, stray


def put(tree: Path, rel: str, data: bytes) -> list[int]:
    """Write a file as a new inode (never in place: the old one may be linked elsewhere)."""
    dest = os.path.join(tree, rel)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(dest)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(dest, flags, 0o644)
    except FileNotFoundError:  # a new folder (most are there already: no mkdir per file)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        fd = os.open(dest, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        st = os.fstat(fd)
    finally:
        os.close(fd)
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def link(tree: Path, rel: str, source: Path) -> list[int] | None:
    """Share an unchanged file with the other tree instead of copying it."""
    dest = os.path.join(tree, rel)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(dest)
    try:
        try:
            os.link(source, dest)
        except FileNotFoundError:
            if not os.path.lexists(source):
                return None
            os.makedirs(os.path.dirname(dest), exist_ok=True)  # a new folder
            os.link(source, dest)
    except OSError:
        return None
    return tree_signature(Path(dest))


def fresh_dir(beside: Path, label: str) -> Path:
    beside.parent.mkdir(parents=True, exist_ok=True)
    made = Path(tempfile.mkdtemp(prefix=f".{beside.name}.{label}.", dir=beside.parent))
    os.chmod(made, 0o755)
    return made


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function  # type: ignore[no-any-return]


def exchange(new: Path, target: Path) -> None:
    """Swap ``new`` into ``target``; afterwards ``new`` holds the previous ``target``."""
    if not target.exists():
        os.replace(new, target)
        new.mkdir()
        return
    renameat2 = _renameat2()
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(target),
                           _RENAME_EXCHANGE)
        if result == 0:
            return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.rmdir(aside)
    os.replace(target, aside)
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(aside, target)
        raise
    os.replace(aside, new)


def mirror(source: Path, manifest: Manifest, tree: Path) -> Manifest:
    """Make ``tree`` a hard-linked copy of the files of ``source`` (the spare after a swap)."""
    copied: Manifest = {}
    for rel, entry in manifest.items():
        sig = link(tree, rel, source / rel)
        if sig is not None and sig == entry["sig"]:
            copied[rel] = entry
    return copied


def remove(tree: Path, rel: str) -> None:
    """Delete a file (or a folder in its place) from a tree, if there."""
    path = tree / rel
    try:
        if path.is_dir() and not path.is_symlink():
            discard(path)
        else:
            path.unlink()
    except FileNotFoundError:
        pass


def remove_stale_dirs(tree: Path, removed: set[str]) -> None:
    """Folders left empty by removed files (a revoked share's ``share/<id>/``), upwards."""
    folders: set[str] = set()
    for rel in removed:
        parent = Path(rel).parent
        while str(parent) not in ("", "."):
            folders.add(str(parent))
            parent = parent.parent
    for folder in sorted(folders, key=lambda f: f.count("/"), reverse=True):
        with contextlib.suppress(OSError):
            os.rmdir(tree / folder)  # fails, as it should, while anything is left inside


def discard(tree: Path) -> None:
    shutil.rmtree(tree, ignore_errors=True)
