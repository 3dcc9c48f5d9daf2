"""Load ``content/`` again after every change, re-reading only the files that changed.

The server calls ``amber.content.load.load_content``, the one loader ``amber
build`` and ``amber check`` use, with a ``ParseCache`` it keeps between loads:
a save to one of 1,000 share files parses that file alone, and the content is
the same as a fresh load gives. Besides the content, a load returns the
signature of every input file, by kind, so the server can tell what a change
touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from amber.content.load import (
    CONVERSATION_SUFFIXES,
    ParseCache,
    SiteContent,
    SitePaths,
    load_content,
)

Signature = tuple[int, int, int, int]
"""(inode, size, mtime ns, ctime ns): changes whenever a file is rewritten or replaced."""

INPUT_KINDS = ("site", "conversations", "shares", "revoked", "assets")


def file_signature(path: Path) -> Signature | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def folder_signature(directory: Path, suffixes: tuple[str, ...]) -> tuple[
        tuple[str, Signature | None], ...]:
    """(name, signature) of each regular file directly in ``directory`` with one of
    ``suffixes`` (any case), by name."""
    if not directory.is_dir() or directory.is_symlink():
        return ()
    out = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or not name.lower().endswith(suffixes):
                    continue
                try:
                    if entry.is_symlink() or not entry.is_file():
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # gone while listing: the next pass sees the folder as it is
                out.append((name, (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)))
    except OSError:
        return ()
    return tuple(sorted(out))


def tree_signature(directory: Path) -> tuple[tuple[str, Signature | None], ...]:
    """Every entry below ``directory`` with its signature (symlinks by their own stat)."""
    if not directory.is_dir():
        return ()
    out = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            try:
                st = os.lstat(path)
            except OSError:
                continue
            out.append((str(path), (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)))
    return tuple(out)


@dataclass(frozen=True)
class Loaded:
    content: SiteContent
    inputs: dict[str, object]
    """Kind (``INPUT_KINDS``) -> a comparable signature of all of that kind's files
    (for conversations and shares: (file name, signature) pairs)."""
    parsed: int
    """How many files had to be parsed again (0 when nothing changed)."""


class ContentLoader:
    """Loads one site's content again and again, parsing only files that changed."""

    def __init__(self, paths: SitePaths) -> None:
        self.paths = paths
        self._cache = ParseCache()

    def load(self) -> Loaded:
        """Everything under content/, as ``load_content(paths)`` would return it."""
        paths = self.paths
        inputs: dict[str, object] = {kind: () for kind in INPUT_KINDS}
        if paths.content.is_dir():
            # Signatures first: a file saved while loading then counts as changed next time.
            inputs["site"] = file_signature(paths.site_yaml)
            inputs["conversations"] = folder_signature(paths.conversations,
                                                       CONVERSATION_SUFFIXES)
            inputs["shares"] = folder_signature(paths.shares, (".yaml",))
            inputs["revoked"] = file_signature(paths.revoked)
            inputs["assets"] = (paths.assets.is_symlink(), tree_signature(paths.assets))
        site = load_content(paths, cache=self._cache)
        return Loaded(site, inputs, self._cache.parsed)
