"""What ``amber check`` remembers between runs, in ``.amber-cache/check/``.

A check of 10,000 shares reads, scans and renders every one of them; a check
after one change need not. The check keeps its own cache, beside the build's
and never shared with it (a check renders for ``site.yaml``'s base URL, the
Pages build for another, and a check never writes ``output/``):

- the file memo of ``amber.build.cache.BuildCache`` (``lstat`` signature and
  SHA-256 of every content file that read cleanly, with its share IDs): an
  unchanged file is not parsed; a touched one is hashed again and trusted only
  if its bytes are the same;
- each share's rendered record, under the build's ``record_key`` (its file's
  digest, the theme, the settings and amber's rendering code);
- each rendered share's links, reduced to the broken ones and those that
  depend on files outside its folder (``amber.render.links.settle_locally``),
  and the anchors of its pages, under the same key plus a digest of all of
  amber's code;
- the secret and personal-data findings of each share file, by its digest, the
  site's language and amber's code.

So every entry is keyed by everything its value depends on; a miss redoes
the work, and deleting the folder is always safe. Entries of shares no longer
live are dropped when the check saves, with ``secure_delete`` as in the build
cache, so a revoked share's title does not stay here either.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from amber.build.cache import CACHE_DIR, STATE_FILE, BuildCache, StateQuery
from amber.render.links import page_links, settle_locally
from amber.render.record import ShareRecord

CHECK_DIR = "check"
"""The check's folder inside ``.amber-cache/``."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS check_findings (name TEXT PRIMARY KEY, key TEXT NOT NULL,
                                           data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS check_links (key TEXT PRIMARY KEY, share TEXT NOT NULL,
                                        data TEXT NOT NULL, ids TEXT NOT NULL);
"""

Needs = list[tuple[str, int, str, str, str]]
"""A share's links that depend on files outside its folder: (page, position, link, path,
fragment), as ``amber.render.links.settle_locally`` gives them."""


def check_dir(root: Path) -> Path:
    return root / CACHE_DIR / CHECK_DIR


_CODE: str | None = None


def check_code() -> str:
    """All of amber's own code: a finding or a link summary made by other code is stale."""
    global _CODE
    if _CODE is None:
        digest = hashlib.sha256(b"amber-check-1\0")
        package = Path(__file__).parents[1]
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode() + b"\0")
            digest.update(source.read_bytes() + b"\0")
        _CODE = digest.hexdigest()
    return _CODE


class ShareLinks:
    """One rendered share's links, reduced: what stays broken, what depends on the site."""

    def __init__(self, broken: list[tuple[str, int, str]], needs: Needs, ids: str) -> None:
        self.broken = broken
        self.needs = needs
        self.ids = ids
        """Each page's anchors, as the JSON kept in the cache: one string, not thousands,
        while a first check holds the links of 10,000 shares."""

    def anchors(self, rel: str) -> frozenset[str] | None:
        ids = json.loads(self.ids).get(rel) if self.ids else None
        return frozenset(ids) if ids is not None else None

    @classmethod
    def of(cls, files: dict[str, bytes], base_url: str) -> ShareLinks:
        pages = {rel: page_links(rel, data, base_url)
                 for rel, data in files.items() if rel.endswith(".html")}
        broken, needs = settle_locally(pages, files)
        return cls(broken, needs, json.dumps({rel: sorted(p.ids) for rel, p in pages.items()},
                                             separators=(",", ":")))


class CheckStore:
    """``.amber-cache/check/``: the memo and records (a ``BuildCache``), findings, links."""

    def __init__(self, root: Path) -> None:
        self.directory = check_dir(root)
        self.memo = BuildCache(self.directory, site_root=root)
        self.findings: dict[str, tuple[str, dict[str, object]]] = {}
        """Share file (site path) -> (key, its findings)."""
        self.links: dict[str, tuple[str, ShareLinks]] = {}
        """Links of the shares rendered in this run, by link key, with their share's ID."""
        self.scanned: dict[str, tuple[Path, dict[str, object]]] = {}
        """Findings of the share files parsed in this run, by share ID, with their path."""
        self.live_links: set[str] = set()
        """Link keys of the live shares, set by the check that rendered the site."""
        self._stored_findings: dict[str, str] = {}
        self._link_keys: set[str] = set()
        self._load()
        self._build_dir = root / CACHE_DIR
        self._build: StateQuery | bool | None = False
        """The build's state, opened when first asked (False: not yet)."""
        if not self.memo.files:  # a first check: start from what the build vouched for
            build = self.build_state()
            if build is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    self.memo.adopt(build.file_entries())

    def build_state(self) -> StateQuery | None:
        if self._build is False:
            self._build = StateQuery.open(self._build_dir)
        return self._build  # type: ignore[return-value]

    def built_share(self, share_id: str, key: str) -> tuple[ShareRecord, dict[str, bytes]] | None:
        """The build's record of a share and its files, if rendered under ``key`` (the
        same file bytes, theme, settings and code) and its stored files are intact."""
        build = self.build_state()
        if build is None:
            return None
        try:
            record = build.record(share_id)
        except (sqlite3.Error, ValueError, TypeError, KeyError):
            return None
        if record is None or record.key != key:
            return None
        files = BuildCache(self._build_dir, load=False).read_files(record)
        return None if files is None else (record, files)

    def close(self) -> None:
        if self._build not in (None, False):
            self._build.close()  # type: ignore[union-attr]

    def _load(self) -> None:
        path = self.directory / STATE_FILE
        if not path.is_file():
            return
        try:
            with contextlib.closing(_connect(path)) as db:
                for name, key, data in db.execute("SELECT name, key, data FROM check_findings"):
                    self.findings[name] = (key, json.loads(data))
                    self._stored_findings[name] = key
                self._link_keys = {k for (k,) in db.execute("SELECT key FROM check_links")}
        except (sqlite3.Error, ValueError):
            self.findings, self._stored_findings, self._link_keys = {}, {}, set()

    # --- findings ---------------------------------------------------------------

    def finding_key(self, path: Path, language: str) -> str | None:
        digest = self.memo.vouched_digest(path)
        if digest is None:
            return None
        return hashlib.sha256(f"{check_code()}\0{language}\0{digest}".encode()).hexdigest()

    def known_findings(self, path: Path, key: str) -> dict[str, object] | None:
        found = self.findings.get(self.memo.site_name(path))
        return found[1] if found is not None and found[0] == key else None

    def keep_findings(self, path: Path, key: str, data: dict[str, object]) -> None:
        self.findings[self.memo.site_name(path)] = (key, data)

    # --- links --------------------------------------------------------------------

    @staticmethod
    def link_key(record_key: str, base_url: str) -> str:
        return hashlib.sha256(f"{check_code()}\0{base_url}\0{record_key}".encode()).hexdigest()

    def has_links(self, key: str) -> bool:
        return key in self._link_keys or key in self.links

    def read_links(self, keys: Iterable[str]) -> dict[str, ShareLinks]:
        """The stored summaries of ``keys`` (without their anchors, read by ``anchors``)."""
        keys = list(keys)
        wanted = [k for k in keys if k not in self.links]
        found = {k: self.links[k][1] for k in keys if k in self.links}
        path = self.directory / STATE_FILE
        if wanted and path.is_file():
            with contextlib.closing(_connect(path)) as db:
                rows = db.execute("SELECT key, data FROM check_links").fetchall()
            want = set(wanted)
            for key, data in rows:
                if key in want:
                    broken, needs = json.loads(data)
                    found[key] = ShareLinks([tuple(b) for b in broken],  # type: ignore[misc]
                                            [tuple(n) for n in needs], "")  # type: ignore[misc]
        return found

    def anchors(self, key: str, rel: str) -> frozenset[str] | None:
        """The ids of the page ``rel`` of the share whose links are under ``key``."""
        if key in self.links:
            return self.links[key][1].anchors(rel)
        path = self.directory / STATE_FILE
        with contextlib.closing(_connect(path)) as db:
            row = db.execute("SELECT ids FROM check_links WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        ids = json.loads(row[0]).get(rel)
        return frozenset(ids) if ids is not None else None

    # --- saving ------------------------------------------------------------------

    def save(self, live: Iterable[str]) -> None:
        """Keep what this check vouched for: the live shares' records and links, the
        findings of the files it saw."""
        live, link_keys = set(live), self.live_links
        self.memo.save(live)
        seen = {name: entry for name, entry in self.findings.items()
                if name in self.memo.files}
        path = self.directory / STATE_FILE
        if not path.is_file():
            return
        try:
            self._write(path, seen, link_keys)
        except sqlite3.Error:
            shutil.rmtree(self.directory, ignore_errors=True)  # only a cache: start afresh

    def _write(self, path: Path, seen: dict[str, tuple[str, dict[str, object]]],
               link_keys: set[str]) -> None:
        with contextlib.closing(_connect(path)) as db, db:
            db.executemany("DELETE FROM check_findings WHERE name = ?",
                           [(n,) for n in sorted(set(self._stored_findings) - set(seen))])
            db.executemany("INSERT OR REPLACE INTO check_findings VALUES (?, ?, ?)",
                           [(n, key, json.dumps(data, separators=(",", ":")))
                            for n, (key, data) in sorted(seen.items())
                            if self._stored_findings.get(n) != key])
            db.executemany("DELETE FROM check_links WHERE key = ?",
                           [(k,) for k in sorted(self._link_keys - link_keys)])
            db.executemany("INSERT OR REPLACE INTO check_links VALUES (?, ?, ?, ?)",
                           [(k, sid, json.dumps([v.broken, v.needs], separators=(",", ":")),
                             v.ids)
                            for k, (sid, v) in sorted(self.links.items()) if k in link_keys])


def forget_gone_shares(root: Path) -> None:
    """Drop from the check's cache every share whose file is gone from content/shares/.

    The build calls this: a revoked share's title and links must not outlive the
    build that takes it down, even if no check runs after it. Rows are overwritten
    (``secure_delete``). The quick answer goes too (it lists the old file names).
    """
    directory = check_dir(root)
    path = directory / STATE_FILE
    if not path.is_file():
        return
    shares = root / "content" / "shares"
    present = {p.name[:-5] for p in shares.glob("*.yaml")} if shares.is_dir() else set()
    try:
        with contextlib.closing(_connect(path)) as db, db:
            known = {sid for (sid,) in db.execute("SELECT id FROM records")} | {
                sid for (sid,) in db.execute("SELECT share FROM check_links")}
            gone = sorted(known - present)
            names = [f"content/shares/{sid}.yaml" for sid in gone]
            stale = [n for (n,) in db.execute("SELECT name FROM files")
                     if n.startswith("content/shares/") and n[15:-5] not in present]
            if not (gone or stale):
                return
            db.executemany("DELETE FROM records WHERE id = ?", [(i,) for i in gone])
            db.executemany("DELETE FROM check_links WHERE share = ?", [(i,) for i in gone])
            db.executemany("DELETE FROM files WHERE name = ?",
                           [(n,) for n in sorted(set(names) | set(stale))])
            db.executemany("DELETE FROM check_findings WHERE name = ?",
                           [(n,) for n in sorted(set(names) | set(stale))])
    except sqlite3.Error:
        shutil.rmtree(directory, ignore_errors=True)  # cannot prune it: it is only a cache
        return
    with contextlib.suppress(OSError):
        (directory / "quick.json").unlink()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level="DEFERRED")
    db.execute("PRAGMA secure_delete = ON")
    db.executescript(_SCHEMA)
    return db

