"""Load ``content/`` again after every change, re-reading only the files that changed.

This is the incremental twin of ``amber.content.load.load_content``: the same
checks, the same problems in the same order (``tests/serve`` compare the two on
good and broken sites). What differs is cost. Parsing a share file takes tens
of milliseconds, so on a site of 1,000 shares a full load takes most of a
minute; the preview server must answer a save in a fraction of a second. Each
file's parse and validation is therefore kept with the file's stat signature
and reused while the signature holds, and so is the list of share IDs each
file mentions (for the revocation check). Every load still lists and stats
every file, so a change is never missed however it was made.

Besides the content, a load returns the signature of every input file, by
kind, so the server can tell what a change touched.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from amber.content.ids import SLUG_RE, is_share_id
from amber.content.load import (
    CONVERSATION_SUFFIXES,
    SiteContent,
    SitePaths,
    _load_site_yaml,
    _load_tombstones,
    _parse,
    revocation_problems,
    share_id_mentions,
)
from amber.content.model import Conversation, Snapshot
from amber.content.schema import read_conversation
from amber.content.snapshot import read_snapshot
from amber.errors import Problem
from amber.progress import progress

Signature = tuple[int, int, int, int]
"""(inode, size, mtime ns, ctime ns): changes whenever a file is rewritten or replaced."""

T = TypeVar("T")

INPUT_KINDS = ("site", "conversations", "shares", "revoked", "assets")


def file_signature(path: Path) -> Signature | None:
    try:
        return _signature(os.stat(path))
    except OSError:
        return None


def _signature(st: os.stat_result) -> Signature:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class _Entry:
    """One directory entry, read with a single ``scandir`` pass (a stat at most).

    Thousands of these are made on every pass, so the names ``Path`` would work out
    (``suffix``, ``stem``) are worked out once here, and a ``Path`` only on demand.
    """

    __slots__ = ("directory", "is_file", "is_symlink", "key", "name", "signature", "stem",
                 "suffix")

    def __init__(self, directory: Path, name: str, is_symlink: bool, is_file: bool,
                 signature: Signature | None) -> None:
        self.directory = directory
        self.name = name
        self.is_symlink = is_symlink
        self.is_file = is_file
        self.signature = signature
        self.key = os.path.join(directory, name)
        """The path as a string: cheaper than a Path when thousands are compared."""
        dot = name.rfind(".")
        self.suffix = name[dot:] if 0 < dot < len(name) - 1 else ""
        """``Path.suffix`` of the name."""
        self.stem = name[: len(name) - len(self.suffix)]
        """``Path.stem`` of the name."""

    @property
    def path(self) -> Path:
        return self.directory / self.name


def _scan(directory: Path) -> list[_Entry]:
    """The entries of ``directory`` sorted by name (as ``sorted(iterdir())`` orders them)."""
    if not directory.is_dir():
        return []
    out = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    linked = entry.is_symlink()
                    regular = entry.is_file()
                    sig = _signature(entry.stat()) if regular and not linked else None
                except OSError:
                    continue  # gone while listing: the next pass sees the folder as it is
                out.append(_Entry(directory, entry.name, linked, regular, sig))
    except OSError:
        return []
    return sorted(out, key=lambda e: e.name)


def _regular_files(directory: Path, entries: list[_Entry],
                   problems: list[Problem]) -> list[_Entry]:
    """``content._regular_files`` on a listing: files directly in the folder, no symlinks."""
    if directory.is_symlink():
        return []
    out = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink:
            problems.append(Problem(entry.path, "is a symbolic link; content files must be "
                                    "regular files inside content/"))
            continue
        if entry.is_file:
            out.append(entry)
    return out


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
        self._cache: dict[tuple[str, str], tuple[Signature, object]] = {}
        self._seen: set[tuple[str, str]] = set()
        self._parsed = 0
        self._loads = 0

    def load(self) -> Loaded:
        """Everything under content/, as ``load_content(paths)`` would return it."""
        self._seen = set()
        self._parsed = 0
        paths = self.paths
        site = SiteContent(paths)
        inputs: dict[str, object] = {kind: () for kind in INPUT_KINDS}
        if not paths.content.is_dir():
            site.problems.append(Problem(paths.content, "no content/ directory here; run "
                                         "`amber init` or pass --site DIR"))
            return Loaded(site, inputs, 0)
        inputs["site"] = file_signature(paths.site_yaml)
        site.config = _load_site_yaml(paths.site_yaml, site.problems)
        for directory in (paths.conversations, paths.shares, paths.assets):
            if directory.is_symlink():
                site.problems.append(Problem(directory, "is a symbolic link; amber reads and "
                                             "publishes only files that are inside content/"))
        conversation_entries = _scan(paths.conversations)
        share_entries = _scan(paths.shares)
        inputs["conversations"] = self._load_conversations(site, conversation_entries)
        inputs["revoked"] = file_signature(paths.revoked)
        site.tombstones = _load_tombstones(paths.revoked, site.problems)
        inputs["shares"] = self._load_snapshots(site, share_entries)
        self._check_revocations(site, conversation_entries + share_entries)
        inputs["assets"] = (paths.assets.is_symlink(), tree_signature(paths.assets))
        order = {path: i for i, path in enumerate(dict.fromkeys(p.path for p in site.problems))}
        site.problems.sort(key=lambda p: (order[p.path], p.line or 0, p.col or 0))
        # Forget files that are gone, so the cache never outgrows the site.
        for key in [k for k in self._cache if k not in self._seen]:
            del self._cache[key]
        self._loads += 1
        return Loaded(site, inputs, self._parsed)

    def _progress(self, entries: list[_Entry], label: str) -> Iterable[_Entry]:
        """A progress bar for the first load only: later ones parse a file or two."""
        return progress(entries, label) if self._loads == 0 else entries

    def _cached(
        self, kind: str, path: str, sig: Signature | None, read: Callable[[Path], T]
    ) -> T:
        key = (kind, path)
        self._seen.add(key)
        hit = self._cache.get(key)
        if sig is not None and hit is not None and hit[0] == sig:
            return hit[1]  # type: ignore[return-value]
        value = read(Path(path))
        self._parsed += 1
        if sig is not None:
            self._cache[key] = (sig, value)
        return value

    def _load_conversations(self, site: SiteContent, listing: list[_Entry]) -> tuple[object, ...]:
        signatures = []
        entries = _regular_files(self.paths.conversations, listing, site.problems)
        for entry in self._progress(entries, "Loading conversations"):
            if entry.suffix.lower() not in CONVERSATION_SUFFIXES:
                continue
            slug = entry.stem
            if not SLUG_RE.match(slug):
                site.problems.append(Problem(entry.path, "file name must be a slug: lowercase "
                                             "letters, digits, '-' and '_' (such as "
                                             "rust-lifetimes.yaml)"))
                continue
            if slug in site.conversations:
                other = site.conversations[slug].path
                site.problems.append(Problem(entry.path, f"two files for conversation {slug!r} "
                                             f"(also {other.name if other else '?'})"))
                continue
            conv, problems = self._cached(
                "conversation", entry.key, entry.signature,
                lambda p, slug=slug: _read_conversation(p, slug))
            signatures.append((entry.name, entry.signature))
            if problems:
                site.problems.extend(problems)
            if conv is not None:
                site.conversations[slug] = conv
        return tuple(signatures)

    def _load_snapshots(self, site: SiteContent, listing: list[_Entry]) -> tuple[object, ...]:
        signatures = []
        entries = _regular_files(self.paths.shares, listing, site.problems)
        for entry in self._progress(entries, "Loading shares"):
            if entry.suffix != ".yaml" or not is_share_id(entry.stem):
                site.problems.append(Problem(entry.path, "not a share file: content/shares/ holds "
                                             "only <uuid4>.yaml files written by `amber "
                                             "share`"))
                continue
            snap, problems = self._cached("snapshot", entry.key, entry.signature,
                                          _read_snapshot)
            signatures.append((entry.name, entry.signature))
            if problems:
                site.problems.extend(problems)
            if snap is not None:
                site.snapshots[snap.id] = snap
        return tuple(signatures)

    def _check_revocations(self, site: SiteContent, listing: list[_Entry]) -> None:
        """``content.revocation_problems``, with each file's share IDs read once per change."""
        # content._content_text_files: every plain file of both folders, then site.yaml.
        signatures = {e.path: e.signature for e in listing if e.is_file and not e.is_symlink}
        if site.paths.site_yaml.is_file():
            signatures[site.paths.site_yaml] = file_signature(site.paths.site_yaml)

        def mentions(path: Path) -> tuple[tuple[str, int], ...]:
            return self._cached("mentions", str(path), signatures[path], share_id_mentions)

        site.problems.extend(revocation_problems(site, list(signatures), mentions))


def _read_conversation(path: Path, slug: str) -> tuple[Conversation | None, list[Problem]]:
    problems: list[Problem] = []
    node = _parse(path, problems)
    if node is None:
        return None, problems
    conv, found = read_conversation(node, path, slug)
    return conv, problems + found


def _read_snapshot(path: Path) -> tuple[Snapshot | None, list[Problem]]:
    problems: list[Problem] = []
    node = _parse(path, problems)
    if node is None:
        return None, problems
    snap, found = read_snapshot(node, path)
    return snap, problems + found


