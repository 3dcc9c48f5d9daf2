"""Load everything under ``content/`` and say what is wrong with it.

Loading never stops at the first problem: ``amber check`` lists them all. Any
command that writes calls ``require_valid`` first, so nothing is written while
any input is bad.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol, TypeVar

from amber.content.ids import SLUG_RE, UUID_ANYWHERE, is_share_id
from amber.content.model import Conversation, SiteConfig, Snapshot, Tombstone
from amber.content.nodes import ParseError, parse_file
from amber.content.schema import normalise_base_url, read_conversation, read_site
from amber.content.snapshot import read_snapshot, read_tombstones
from amber.errors import ContentError, Problem, UsageError
from amber.progress import progress

CONVERSATION_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class SitePaths:
    """Where a site's files live; every path amber reads or writes comes from here."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def site_yaml(self) -> Path:
        return self.content / "site.yaml"

    @property
    def conversations(self) -> Path:
        return self.content / "conversations"

    @property
    def shares(self) -> Path:
        return self.content / "shares"

    @property
    def revoked(self) -> Path:
        return self.content / "revoked.yaml"

    @property
    def assets(self) -> Path:
        return self.content / "assets"

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def themes(self) -> Path:
        return self.root / "themes"

    def share_file(self, share_id: str) -> Path:
        if not is_share_id(share_id):  # never let an unvalidated string become a path
            raise ValueError(f"not a share ID: {share_id!r}")
        return self.shares / f"{share_id}.yaml"


@dataclass(frozen=True)
class ShareMeta:
    """What a build needs of a share file it did not re-read (unchanged since a clean read)."""

    id: str
    listed: bool
    frozen: str
    title: str
    author: str | None
    path: Path
    expires: str | None = None
    """When the link is gone (``amber.content.expiry``); None: never."""

    def state(self) -> dict[str, object]:
        return {"id": self.id, "listed": self.listed, "frozen": self.frozen,
                "title": self.title, "author": self.author, "path": str(self.path),
                "expires": self.expires}

    @classmethod
    def from_state(cls, data: dict[str, object]) -> ShareMeta:
        expires = data.get("expires")
        return cls(str(data["id"]), bool(data["listed"]), str(data["frozen"]),
                   str(data["title"]), None if data["author"] is None else str(data["author"]),
                   Path(str(data["path"])), None if expires is None else str(expires))

    @classmethod
    def of(cls, snap: Snapshot, path: Path) -> ShareMeta:
        """The share's facts; an encrypted share's title and author are left out, since
        the build cache keeps these on disk and only listed shares need them."""
        if snap.encryption is not None:
            return cls(snap.id, snap.listed, snap.frozen, "", None, path, snap.expires)
        return cls(snap.id, snap.listed, snap.frozen, snap.title, snap.author, path,
                   snap.expires)


class FileMemo(Protocol):
    """Remembers files that read cleanly, so an unchanged file need not be parsed again.

    The build passes its cache (``amber.build.cache.BuildCache``); everything else
    loads without one and always gets full objects.
    """

    def unchanged(self, path: Path) -> object | None: ...

    def remember(self, path: Path, payload: ShareMeta | str,
                 before: tuple[int, int, int, int] | None) -> None: ...

    def mentions(self, path: Path) -> tuple[tuple[str, int], ...] | None: ...


@dataclass
class SiteContent:
    """Everything loaded from content/, with the problems found on the way."""

    paths: SitePaths
    config: SiteConfig | None = None
    conversations: dict[str, Conversation] = field(default_factory=dict)
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    tombstones: list[Tombstone] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unread_shares: dict[str, ShareMeta] = field(default_factory=dict)
    """With a memo only: valid share files not parsed again because they did not change."""
    unread_conversations: set[str] = field(default_factory=set)
    """With a memo only: slugs of valid conversation files not parsed again."""
    expired: dict[str, ShareMeta] = field(default_factory=dict)
    """Shares withdrawn because their link expired (``amber.content.expiry.withdraw``)."""

    @property
    def share_ids(self) -> set[str]:
        return set(self.snapshots) | set(self.unread_shares)

    @property
    def revoked_ids(self) -> set[str]:
        return {t.id for t in self.tombstones}

    def require_valid(self) -> SiteConfig:
        if self.problems or self.config is None:
            raise ContentError(self.problems or [Problem(self.paths.site_yaml, "missing")])
        return self.config


Signature = tuple[int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode) from ``lstat``: changes whenever a file is rewritten
or replaced."""

T = TypeVar("T")


class ParseCache:
    """Content files read and validated before, kept by path and signature.

    The preview server loads the same site after every save. Parsing a share file
    takes tens of milliseconds, so a full load of 1,000 shares takes most of a
    minute while a save changes one file: with a cache, ``load_content`` parses a
    file again only when its signature changed, and gives exactly what it would
    give without one. Every load still lists and stats every file, so a change is
    never missed however it was made. Files gone since the last load are dropped.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[Signature, object]] = {}
        self._seen: set[tuple[str, str]] = set()
        self.parsed = 0
        """Files parsed by the latest load (0 when nothing changed)."""
        self.loads = 0

    def read(self, kind: str, path: Path, read: Callable[[Path], T]) -> T:
        key = (kind, str(path))
        self._seen.add(key)
        sig = _signature(path)  # before reading: a write during the read shows next time
        hit = self._entries.get(key)
        if sig is not None and hit is not None and hit[0] == sig:
            return hit[1]  # type: ignore[return-value]
        value = read(path)
        self.parsed += 1
        if sig is not None:
            self._entries[key] = (sig, value)
        return value

    def start(self) -> None:
        self._seen = set()
        self.parsed = 0

    def finish(self) -> None:
        for key in [k for k in self._entries if k not in self._seen]:
            del self._entries[key]
        self.loads += 1


def with_base_url(config: SiteConfig, base_url: str | None) -> SiteConfig:
    """``config`` with ``--base-url`` in place of site.yaml's, when one was given."""
    if base_url is None:
        return config
    normalised = normalise_base_url(base_url)
    if normalised is None:
        raise UsageError(f"--base-url: {base_url!r} is not an absolute http(s) URL")
    return replace(config, base_url=normalised)


def load_content(
    paths: SitePaths, *, snapshots: bool = True, memo: FileMemo | None = None,
    light: bool = False, keep: int = 0, cache: ParseCache | None = None,
    on_snapshot: Callable[[Snapshot], None] | None = None,
) -> SiteContent:
    """Read site.yaml, conversations, shares and revoked.yaml; collect every problem.

    With ``memo``, files unchanged since a clean read are not parsed: they land in
    ``unread_shares`` / ``unread_conversations`` instead of ``snapshots`` /
    ``conversations`` (only the build, which renders from its cache, asks for that).
    ``light`` validates every file but keeps none of the parsed messages (the same
    two fields are filled): a build of 10,000 shares then holds no conversation text,
    and its worker processes read the snapshots they render. ``keep`` snapshots are
    kept all the same (the first ones read), so a build of a few hundred changed shares
    does not parse them twice. ``cache`` keeps parsed files between loads of the same
    site (the preview server's): the result is the same as without it.
    ``on_snapshot`` is given every share file parsed, before ``light`` lets it go
    (``amber check`` scans each for secrets there).
    """
    site = SiteContent(paths)
    if not paths.content.is_dir():
        site.problems.append(Problem(paths.content, "no content/ directory here; run `amber "
                                     "init` or pass --site DIR"))
        return site
    if cache is not None:
        cache.start()
    site.config = load_site_yaml(paths.site_yaml, site.problems)
    for directory in (paths.conversations, paths.shares, paths.assets):
        if directory.is_symlink():
            site.problems.append(Problem(directory, "is a symbolic link; amber reads and "
                                         "publishes only files that are inside content/"))
    _load_conversations(paths.conversations, site, memo, light, cache)
    site.tombstones = load_tombstones(paths.revoked, site.problems)
    if snapshots:
        _load_snapshots(paths.shares, site, memo, light, keep, cache, on_snapshot)
        _check_revocations(site, memo, cache)
    if cache is not None:
        cache.finish()
    # Within a file, report top to bottom, as an editor would show them.
    order = {path: i for i, path in enumerate(dict.fromkeys(p.path for p in site.problems))}
    site.problems.sort(key=lambda p: (order[p.path], p.line or 0, p.col or 0))
    return site


def _parse(path: Path, problems: list[Problem]):  # type: ignore[no-untyped-def]
    try:
        return parse_file(path)
    except ParseError as exc:
        problems.append(exc.problem)
    except OSError as exc:
        problems.append(Problem(path, f"cannot read: {exc.strerror or exc}"))
    return None


_LINKED_FILE = ("is a symbolic link; amber reads and publishes only files that are inside "
                "content/")


def load_site_yaml(path: Path, problems: list[Problem]) -> SiteConfig | None:
    """``content/site.yaml``, or None with the reasons in ``problems``."""
    if path.is_symlink():  # its title and author are published: never from outside content/
        problems.append(Problem(path, _LINKED_FILE))
        return None
    if not path.is_file():
        problems.append(Problem(path, "missing: a site needs content/site.yaml with title and "
                                "base_url"))
        return None
    node = _parse(path, problems)
    if node is None:
        return None
    config, found = read_site(node, path)
    problems.extend(found)
    return config


def _regular_files(directory: Path, problems: list[Problem]) -> list[Path]:
    """Files directly in ``directory``, refusing symlinks that could pull in outside files."""
    if not directory.is_dir() or directory.is_symlink():
        return []
    out = []
    with os.scandir(directory) as entries:  # file types from the listing: no stat per file
        listing = sorted(entries, key=lambda e: e.name)
    for entry in listing:
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            problems.append(Problem(directory / entry.name, "is a symbolic link; content "
                                    "files must be regular files inside content/"))
            continue
        if entry.is_file(follow_symlinks=False):
            out.append(directory / entry.name)
    return out


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = path.lstat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def _load_conversations(directory: Path, site: SiteContent, memo: FileMemo | None,
                        light: bool = False, cache: ParseCache | None = None) -> None:
    seen: dict[str, Path] = {}
    files = _regular_files(directory, site.problems)
    for path in _progress(files, "Loading conversations", cache):
        if path.suffix.lower() not in CONVERSATION_SUFFIXES:
            continue
        slug = path.stem
        if not SLUG_RE.match(slug):
            site.problems.append(Problem(path, "file name must be a slug: lowercase letters, "
                                         "digits, '-' and '_' (such as rust-lifetimes.yaml)"))
            continue
        if slug in seen:
            site.problems.append(Problem(path, f"two files for conversation {slug!r} "
                                         f"(also {seen[slug].name})"))
            continue
        if memo is not None and memo.unchanged(path) == slug:
            site.unread_conversations.add(slug)
            seen[slug] = path
            continue
        before = _signature(path)
        if cache is not None:
            conv, found = cache.read("conversation", path,
                                     lambda p, slug=slug: read_conversation_file(p, slug))
        else:
            conv, found = read_conversation_file(path, slug)
        site.problems.extend(found)
        if conv is not None:
            if light:
                site.unread_conversations.add(slug)
            else:
                site.conversations[slug] = conv
            seen[slug] = path
            if memo is not None and not found:
                memo.remember(path, slug, before)


def read_conversation_file(path: Path, slug: str) -> tuple[Conversation | None, list[Problem]]:
    """One conversation file, parsed and validated: the conversation (None if unusable)
    and every problem found, parse errors included."""
    problems: list[Problem] = []
    node = _parse(path, problems)
    if node is None:
        return None, problems
    conv, found = read_conversation(node, path, slug)
    return conv, problems + found


def read_share_file(path: Path) -> tuple[Snapshot | None, list[Problem]]:
    """One share file, parsed, validated and its digest checked."""
    problems: list[Problem] = []
    node = _parse(path, problems)
    if node is None:
        return None, problems
    snap, found = read_snapshot(node, path)
    return snap, problems + found


def _progress(files: list[Path], label: str, cache: ParseCache | None) -> Iterable[Path]:
    """A progress bar on a terminal, except for a cached reload (a file or two to parse)."""
    return files if cache is not None and cache.loads else progress(files, label)


def load_tombstones(path: Path, problems: list[Problem]) -> list[Tombstone]:
    """``content/revoked.yaml`` (none when it does not exist), problems in ``problems``."""
    if path.is_symlink():  # a dangling link must not read as "nothing revoked"
        problems.append(Problem(path, _LINKED_FILE))
        return []
    if not path.exists():
        return []
    node = _parse(path, problems)
    if node is None:
        return []
    tombstones, found = read_tombstones(node, path)
    problems.extend(found)
    return tombstones


def _load_snapshots(directory: Path, site: SiteContent, memo: FileMemo | None,
                    light: bool = False, keep: int = 0, cache: ParseCache | None = None,
                    on_snapshot: Callable[[Snapshot], None] | None = None) -> None:
    files = _regular_files(directory, site.problems)
    for path in _progress(files, "Loading shares", cache):
        if path.suffix != ".yaml" or not is_share_id(path.stem):
            site.problems.append(Problem(path, "not a share file: content/shares/ holds only "
                                         "<uuid4>.yaml files written by `amber share`"))
            continue
        if memo is not None:
            known = memo.unchanged(path)
            if isinstance(known, ShareMeta) and known.id == path.stem:
                site.unread_shares[known.id] = replace(known, path=path)
                continue
        before = _signature(path)
        if cache is not None:
            snap, found = cache.read("snapshot", path, read_share_file)
        else:
            snap, found = read_share_file(path)
        site.problems.extend(found)
        if snap is not None:
            if on_snapshot is not None:
                on_snapshot(snap)
            if light and len(site.snapshots) >= keep:
                site.unread_shares[snap.id] = ShareMeta.of(snap, path)
            else:
                site.snapshots[snap.id] = snap
            if memo is not None and not found:
                memo.remember(path, ShareMeta.of(snap, path), before)


def load_snapshot_unverified(paths: SitePaths, share_id: str) -> Snapshot:
    """Read one share file without checking its digest, so `update` can repair a hand edit."""
    path = paths.share_file(share_id)
    problems: list[Problem] = []
    node = _parse(path, problems) if path.is_file() and not path.is_symlink() else None
    if node is None:
        raise ContentError(problems or [Problem(path, "no such share file")])
    snap, found = read_snapshot(node, path, verify_digest=False)
    if snap is None:
        raise ContentError(found)
    return snap


def _check_revocations(site: SiteContent, memo: FileMemo | None = None,
                       cache: ParseCache | None = None) -> None:
    """A revoked ID must not come back, by a bad merge or by hand, anywhere in content/."""
    if memo is None and cache is None:
        site.problems.extend(revocation_problems(site, _content_text_files(site.paths)))
        return

    def mentions(path: Path) -> Sequence[tuple[str, int]]:
        known = memo.mentions(path) if memo is not None else None
        if known is not None:
            return known
        if cache is not None:
            return cache.read("mentions", path, share_id_mentions)
        return share_id_mentions(path)

    site.problems.extend(revocation_problems(site, _content_text_files(site.paths), mentions))


def share_id_mentions(path: Path) -> tuple[tuple[str, int], ...]:
    """Each share-ID-shaped string in a file, once, in order of first appearance, with its
    line: the first revoked one among them is the first revoked match in the text."""
    try:
        data = path.read_bytes()
    except OSError:
        return ()
    return share_id_mentions_in(data)


_ID_ANY_CASE = re.compile(UUID_ANYWHERE.pattern, re.IGNORECASE)


def share_id_mentions_in(data: bytes) -> tuple[tuple[str, int], ...]:
    """``share_id_mentions`` of a file's bytes. IDs are matched in any case and given in
    lower case, as IDs are written: a revoked ID pasted back in upper case is still it."""
    text = data.decode("utf-8", errors="replace")
    seen: dict[str, int] = {}
    for match in _ID_ANY_CASE.finditer(text):
        share_id = match.group(0).lower()
        if share_id not in seen:
            seen[share_id] = text.count("\n", 0, match.start()) + 1
    return tuple(seen.items())


def revocation_problems(
    site: SiteContent,
    text_files: Iterable[Path],
    mentions: Callable[[Path], Sequence[tuple[str, int]]] = share_id_mentions,
) -> list[Problem]:
    """Snapshots of revoked shares, and files that mention a revoked ID.

    ``mentions`` reads a file's share IDs (``share_id_mentions``, or a cached reader).
    """
    revoked = site.revoked_ids
    if not revoked:
        return []
    problems: list[Problem] = []
    shares_dir = site.paths.shares
    share_files = {p.stem for p in shares_dir.glob("*.yaml")} if shares_dir.is_dir() else set()
    for share_id in sorted(revoked & (site.share_ids | share_files)):
        problems.append(Problem(site.paths.share_file(share_id),
                                f"share {share_id} was revoked (content/revoked.yaml) but "
                                "its snapshot is back; delete this file"))
    for path in text_files:
        if path == site.paths.revoked:
            continue
        for share_id, line in mentions(path):
            if share_id not in revoked:
                continue
            if path.parent == shares_dir and path.stem == share_id:
                continue  # already reported above
            problems.append(Problem(path, f"mentions revoked share {share_id}", line))
            break
    return problems


def _content_text_files(paths: SitePaths) -> list[Path]:
    files: list[Path] = []
    for directory in (paths.conversations, paths.shares):
        if directory.is_dir():
            with os.scandir(directory) as entries:  # types from the listing, no stat each
                names = sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
            files.extend(directory / name for name in names)
    if paths.site_yaml.is_file():
        files.append(paths.site_yaml)
    return files
