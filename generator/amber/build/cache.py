"""The build cache in ``.amber-cache/``: what the last build read, rendered and wrote.

A share page is a pure function of its snapshot file, the theme, the site
settings and amber's own code. So a rendered share is stored under a digest of
those four (``record_key``), and a later build reuses it instead of parsing
Markdown and highlighting code again. Content files are remembered by their
``lstat`` signature and SHA-256: an unchanged file is not even parsed.

The cache only ever saves work, never changes what is written: every key
covers everything its value depends on, and a build without it
(``--no-cache``) writes the same bytes. Deleting the folder is always safe.
It holds data only (JSON and raw bytes, never pickles), because CI restores
it from a shared store. Entries of shares that are no longer in the site are
dropped when the state is saved, so a revoked page cannot come back from here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Protocol

from amber.atomic import write_atomic
from amber.build.quick import LIBRARIES as RENDER_LIBRARIES
from amber.build.quick import library_versions
from amber.content.load import ShareMeta, share_id_mentions_in
from amber.content.model import SiteConfig
from amber.render.record import ShareRecord
from amber.render.theme import Theme

CACHE_DIR = ".amber-cache"
STATE_FILE = "state.db"
STATE_FORMAT = 8
"""Bump when the layout of ``state.db`` or of a record changes."""


Signature = tuple[int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode): changes whenever a file is written or replaced."""


def signature(path: Path) -> Signature | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


NOT_RENDERING = frozenset({
    "__main__.py", "cli.py", "commands", "fork.py", "importers", "lock.py", "atomic.py",
    "progress.py", "review", "scaffold", "serve", "content/shares.py", "content/sensitive.py",
    "render/links.py", "build/check.py", "build/delta.py", "build/quick.py", "build/swap.py",
    "build/check_cache.py", "build/check_site.py", "build/check_quick.py",
})
"""Modules (and packages), relative to the package, that never run while a share is
rendered: the commands, the importers, the preview server, the writers. A release that
changes only these keeps the rendered pages; any other module is in the key, so a change
there renders everything."""

_CODE_FINGERPRINT: str | None = None


def code_fingerprint() -> str:
    """amber's own source, its fonts and the rendering libraries: any change re-renders
    everything."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        digest = hashlib.sha256(f"amber-render-{STATE_FORMAT}".encode())
        package = Path(__file__).parents[1]
        for source in sorted(package.rglob("*.py")):
            name = source.relative_to(package).as_posix()
            if name in NOT_RENDERING or name.split("/")[0] in NOT_RENDERING:
                continue
            digest.update(name.encode() + b"\0")
            digest.update(source.read_bytes() + b"\0")
        for font in sorted((package / "render" / "fonts").glob("*")):
            # The preview images are drawn with these: a new font draws them again.
            digest.update(f"fonts/{font.name}\0".encode() + font.read_bytes() + b"\0")
        versions = library_versions(RENDER_LIBRARIES)
        for name in RENDER_LIBRARIES:
            digest.update(f"{name}={versions.get(name, '-')}\0".encode())
        digest.update(f"python={sys.version_info[:2]}".encode())
        _CODE_FINGERPRINT = digest.hexdigest()
    return _CODE_FINGERPRINT


def theme_fingerprint(theme: Theme) -> str:
    """Every template and static file the theme could use, by layer, name and content."""
    digest = hashlib.sha256()
    for layer in theme.layers:
        for sub in ("templates", "static"):
            folder = layer / sub
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    digest.update(f"{layer}\0{path.relative_to(layer).as_posix()}\0".encode())
                    digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def site_key(config: SiteConfig, theme: Theme) -> str:
    """What every share page depends on besides its own snapshot."""
    settings = json.dumps(asdict(config), sort_keys=True)
    return hashlib.sha256(
        f"{code_fingerprint()}\0{theme_fingerprint(theme)}\0{settings}".encode()
    ).hexdigest()


def record_key(key_of_site: str, file_digest: str) -> str:
    return hashlib.sha256(f"{key_of_site}\0{file_digest}".encode()).hexdigest()


class _Share(Protocol):
    @property
    def id(self) -> str: ...


def site_fingerprint(key: str, shard: tuple[int, int] | None, order: Sequence[_Share],
                     keys: dict[str, str | None], revoked: set[str],
                     records: dict[str, ShareRecord], content_dir: Path) -> str:
    """Everything the output depends on; the same value means the same site.

    ``order`` is every share, newest first, and ``keys`` each one's record key (None
    where its file could not be vouched for: then the fingerprint is empty and no
    build is ever skipped).
    """
    assets = sorted({src for r in records.values() for src, ok in r.assets.items() if ok})
    data = {
        "key": key, "shard": list(shard) if shard else None,
        "shares": [[m.id, keys.get(m.id)] for m in order],
        "revoked": sorted(revoked),
        "assets": [[src, list(signature(content_dir / src) or ())] for src in assets],
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    if any(k is None for k in keys.values()):
        return ""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def pack_files(files: dict[str, bytes], blocks: dict[str, str]) -> bytes:
    """A record's bytes on disk: a JSON header, then the files back to back, compressed.

    ``blocks`` (highlighted code by digest) is kept for the next render of the same
    share under another theme; it is tied to this version of amber's code.
    """
    names = sorted(files)
    header = json.dumps({"files": [[n, len(files[n])] for n in names], "blocks": blocks,
                         "code": code_fingerprint()}, ensure_ascii=True).encode()
    body = b"".join(files[n] for n in names)
    return zlib.compress(len(header).to_bytes(8, "big") + header + body, 1)


def unpack_files(blob: bytes) -> tuple[dict[str, bytes], dict[str, str]]:
    raw = zlib.decompress(blob)
    size = int.from_bytes(raw[:8], "big")
    header = json.loads(raw[8:8 + size])
    blocks = header["blocks"] if header.get("code") == code_fingerprint() else {}
    files: dict[str, bytes] = {}
    offset = 8 + size
    for name, length in header["files"]:
        files[name] = raw[offset:offset + length]
        offset += length
    if offset != len(raw):
        raise ValueError("record length mismatch")
    return files, blocks


class BuildCache:
    """``.amber-cache/``: file memo, share records, and what the last build wrote.

    ``BuildCache(None)`` is the cache turned off (``--no-cache``): every lookup
    misses and nothing is saved, so the build does all the work.

    The state lives in one SQLite database (``state.db``), read whole at the start
    and written back row by row at the end: a build that changed one share writes a
    handful of rows, not the state of 10,000 shares. SQLite's journal makes each save
    all-or-nothing, and ``secure_delete`` overwrites the rows of a revoked share, so
    its title and text do not linger in the file's free pages.
    """

    def __init__(self, directory: Path | None, *, load: bool = True,
                 site_root: Path | None = None) -> None:
        """``site_root`` names files relative to it (default: the cache folder's parent,
        the site); ``amber check`` keeps its own cache one folder deeper."""
        self.directory = directory
        self.files: dict[str, dict[str, object]] = {}
        self.records: dict[str, ShareRecord] = {}
        self.trees: dict[str, dict[str, object]] = {}
        self._seen_files: set[str] = set()
        self._fresh: set[str] = set()
        self._root: str | None = (os.path.abspath(site_root) + os.sep
                                  if site_root is not None else None)
        """Files checked unchanged in this run: no need to look at them again."""
        self._changed_files: set[str] = set()
        self._loaded_records: dict[str, ShareRecord] = {}
        self._loaded_trees: dict[str, dict[str, object]] = {}
        self._loaded_files: set[str] = set()
        """What the database holds, so a save writes only the difference."""
        if directory is not None and load:
            self._load()

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    # --- state ----------------------------------------------------------------

    def _state_path(self) -> Path:
        assert self.directory is not None
        return self.directory / STATE_FILE

    def _load(self) -> None:
        path = self._state_path()
        if not path.is_file():
            return
        try:
            with contextlib.closing(_connect(path)) as db:
                if db.execute("PRAGMA user_version").fetchone()[0] != STATE_FORMAT:
                    return
                files = {name: json.loads(entry)
                         for name, entry in db.execute("SELECT name, entry FROM files")}
                records = {sid: ShareRecord.from_state(json.loads(data), json.loads(hashes),
                                                       search, feed)
                           for sid, data, hashes, search, feed in db.execute(
                               "SELECT id, data, hashes, search_entry, feed_entry FROM records")}
                trees: dict[str, dict[str, object]] = {}
                for target, fp in db.execute("SELECT target, fingerprint FROM trees"):
                    trees[target] = {"output": {}, "spare": {}, "fingerprint": fp}
                for target, role, rel, digest, size, mtime, ino in db.execute(
                        "SELECT target, role, rel, hash, size, mtime, ino FROM manifest"):
                    tree = trees.get(target)
                    if tree is not None and role in ("output", "spare"):
                        tree[role][rel] = {"hash": digest,  # type: ignore[index]
                                           "sig": [size, mtime, ino]}
        except (sqlite3.Error, ValueError, TypeError, KeyError):
            return  # a damaged cache is an empty one; the next save starts it afresh
        self.files, self.records, self.trees = files, records, trees
        self._loaded_records = dict(records)
        self._loaded_trees = {t: {"output": dict(v["output"]),  # type: ignore[call-overload]
                                  "spare": dict(v["spare"]),  # type: ignore[call-overload]
                                  "fingerprint": v["fingerprint"]} for t, v in trees.items()}
        self._loaded_files = set(files)

    def save(self, live_shares: Iterable[str]) -> None:
        """Write what changed, keeping only files seen in this build and shares still live."""
        if self.directory is None:
            return
        live = set(live_shares)
        gone_files = sorted(self._loaded_files - self._seen_files)
        gone_records = sorted(set(self._loaded_records) - live)
        new_records = {k: v for k, v in self.records.items()
                       if k in live and self._loaded_records.get(k) is not v}
        if not (gone_files or gone_records or new_records or self._changed_files
                or self.trees != self._loaded_trees) and self._state_path().is_file():
            return  # a build that changed nothing writes nothing
        self.directory.mkdir(parents=True, exist_ok=True)
        _ignore_marker(self.directory)
        try:
            self._write(gone_files, gone_records, new_records)
        except sqlite3.DatabaseError:
            # A damaged database: start a new one with everything this build knows.
            self._state_path().unlink(missing_ok=True)
            self._loaded_records, self._loaded_trees, self._loaded_files = {}, {}, set()
            self._changed_files = set(self.files) & self._seen_files
            self._write([], [], {k: v for k, v in self.records.items() if k in live})
        self.records = {k: v for k, v in self.records.items() if k in live}
        self.files = {k: v for k, v in self.files.items() if k in self._seen_files}
        self._prune_blobs({r.key for r in self.records.values()})
        self._prune_trees()

    def _write(self, gone_files: list[str], gone_records: list[str],
               new_records: dict[str, ShareRecord]) -> None:
        with contextlib.closing(_connect(self._state_path())) as db, db:
            db.execute(f"PRAGMA user_version = {STATE_FORMAT:d}")
            db.executemany("DELETE FROM files WHERE name = ?", [(n,) for n in gone_files])
            db.executemany(
                "INSERT OR REPLACE INTO files (name, entry) VALUES (?, ?)",
                [(n, json.dumps(self.files[n], separators=(",", ":")))
                 for n in sorted(self._changed_files & self._seen_files) if n in self.files])
            db.executemany("DELETE FROM records WHERE id = ?", [(i,) for i in gone_records])
            db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                           [_record_row(v) for _, v in sorted(new_records.items())])
            for target in sorted(set(self._loaded_trees) - set(self.trees)):
                db.execute("DELETE FROM trees WHERE target = ?", (target,))
                db.execute("DELETE FROM manifest WHERE target = ?", (target,))
            for target, tree in sorted(self.trees.items()):
                old = self._loaded_trees.get(target, {})
                db.execute("INSERT OR REPLACE INTO trees (target, fingerprint) VALUES (?, ?)",
                           (target, tree.get("fingerprint")))
                for role in ("output", "spare"):
                    _write_manifest(db, target, role, tree.get(role, {}),  # type: ignore[arg-type]
                                    old.get(role, {}))  # type: ignore[arg-type]
        self._changed_files = set()
        self._loaded_records = dict(self.records)
        self._loaded_trees = {t: {"output": dict(v.get("output", {})),  # type: ignore[call-overload]
                                  "spare": dict(v.get("spare", {})),  # type: ignore[call-overload]
                                  "fingerprint": v.get("fingerprint")}
                              for t, v in self.trees.items()}
        self._loaded_files = set(self.files) & self._seen_files

    def _prune_trees(self) -> None:
        """Spare trees of output folders this cache no longer tracks."""
        assert self.directory is not None
        trees = spare_tree_path(self.directory, "").parent
        if not trees.is_dir():
            return
        keep = {tree_folder_name(target) for target in self.trees}
        for folder in trees.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    # --- content files (the memo load_content asks) ---------------------------

    def unchanged(self, path: Path) -> object | None:
        """What a clean earlier read of ``path`` gave, if the file is still the same."""
        name = self._name(path)
        self._seen_files.add(name)
        entry = self.files.get(name)
        if entry is None:
            return None
        sig = signature(path)
        if sig is None:
            return None
        if list(sig) == entry["sig"]:
            self._fresh.add(name)
        else:
            try:
                if sha256_file(path) != entry["digest"]:
                    return None
            except OSError:
                return None
            entry["sig"] = list(sig)  # touched but not changed (a fresh git checkout)
            self._changed_files.add(name)
            self._fresh.add(name)
        return _payload(entry)

    def remember(self, path: Path, payload: ShareMeta | str, before: Signature | None) -> None:
        """Note a file that read cleanly; ``before`` is its signature before it was parsed."""
        if self.directory is None or before is None:
            return
        try:
            data = path.read_bytes()
        except OSError:
            return
        if signature(path) != before:
            return  # changed while we read it: do not vouch for either version
        name = self._name(path)
        self._seen_files.add(name)
        entry: dict[str, object] = {
            "sig": list(before), "digest": hashlib.sha256(data).hexdigest(),
            "mentions": [list(m) for m in share_id_mentions_in(data)],
        }
        if isinstance(payload, ShareMeta):
            entry["share"] = payload.state()
        else:
            entry["conversation"] = payload
        self.files[name] = entry
        self._changed_files.add(name)
        self._fresh.add(name)

    def mentions(self, path: Path) -> tuple[tuple[str, int], ...] | None:
        name = self._name(path)
        entry = self.files.get(name)
        if entry is None:
            return None
        if name not in self._fresh and list(signature(path) or ()) != entry["sig"]:
            return None
        return tuple((str(i), int(line)) for i, line in entry["mentions"])  # type: ignore[union-attr]

    def file_digest(self, path: Path) -> str | None:
        entry = self.files.get(self._name(path))
        return str(entry["digest"]) if entry is not None else None

    def vouched_digest(self, path: Path) -> str | None:
        """The file's digest, only if this run found it unchanged or read it cleanly (an
        entry left from an older version of a file that now has problems is not)."""
        name = self._name(path)
        entry = self.files.get(name)
        return str(entry["digest"]) if entry is not None and name in self._fresh else None

    def adopt(self, entries: dict[str, dict[str, object]]) -> None:
        """Take file entries another cache vouched for (``amber check`` starts from the
        build's); each is still checked by signature, else digest, before it is used."""
        for name, entry in entries.items():
            if name not in self.files:
                self.files[name] = entry
                self._changed_files.add(name)

    def site_name(self, path: Path) -> str:
        """The name this cache knows ``path`` by (see ``_name``)."""
        return self._name(path)

    def _name(self, path: Path) -> str:
        """Files are known by their path inside the site, so a moved site keeps its cache.

        (Plain string work: this runs for every content file of every build.)
        """
        if self.directory is not None:
            if self._root is None:
                self._root = os.path.abspath(self.directory.parent) + os.sep
            full = os.path.abspath(path)
            if full.startswith(self._root):
                return full[len(self._root):].replace(os.sep, "/")
        return str(path)

    # --- share records --------------------------------------------------------

    def record(self, share_id: str, key: str) -> ShareRecord | None:
        found = self.records.get(share_id)
        return found if found is not None and found.key == key else None

    def previous_blocks(self, key: str | None) -> dict[str, str]:
        """Highlighted code of a share's last render, whatever the theme was then."""
        if key is None or self.directory is None:
            return {}
        try:
            return unpack_files(self.blob_path(key).read_bytes())[1]
        except (OSError, ValueError, KeyError, zlib.error):
            return {}

    def write_blob(self, key: str, files: dict[str, bytes], blocks: dict[str, str]) -> None:
        """Store a rendered share. Not fsynced: a torn blob fails its hash check on read."""
        if self.directory is None:
            return
        path = self.blob_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pack_files(files, blocks))
        os.replace(tmp, path)

    def blob_path(self, key: str) -> Path:
        assert self.directory is not None
        return blob_path(self.directory, key)

    def read_files(self, record: ShareRecord) -> dict[str, bytes] | None:
        """A record's files from disk, if its blob is there and intact."""
        if self.directory is None:
            return None
        try:
            files, _ = unpack_files(self.blob_path(record.key).read_bytes())
        except (OSError, ValueError, KeyError, zlib.error):
            return None
        if {k: hashlib.sha256(v).hexdigest() for k, v in files.items()} != record.hashes:
            return None
        return files

    def _prune_blobs(self, keep: set[str]) -> None:
        assert self.directory is not None
        pages = self.directory / "pages"
        if not pages.is_dir():
            return
        for folder in pages.iterdir():
            for blob in folder.iterdir() if folder.is_dir() else ():
                if blob.name.removesuffix(".bin") not in keep:
                    with contextlib.suppress(OSError):
                        blob.unlink()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (name TEXT PRIMARY KEY, entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, key TEXT NOT NULL, data TEXT NOT NULL,
                                    hashes TEXT NOT NULL, search_entry TEXT NOT NULL,
                                    feed_entry TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS trees (target TEXT PRIMARY KEY, fingerprint TEXT);
CREATE TABLE IF NOT EXISTS manifest (
    target TEXT NOT NULL, role TEXT NOT NULL, rel TEXT NOT NULL, hash TEXT NOT NULL,
    size INTEGER NOT NULL, mtime INTEGER NOT NULL, ino INTEGER NOT NULL,
    PRIMARY KEY (target, role, rel)) WITHOUT ROWID;
"""


def _record_row(record: ShareRecord) -> tuple[str, str, str, str, str, str]:
    return (record.id, record.key, json.dumps(record.state(), separators=(",", ":")),
            json.dumps(record.hashes, separators=(",", ":")), record.search_entry,
            record.feed_entry)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level="DEFERRED")
    db.execute("PRAGMA secure_delete = ON")  # a deleted row's bytes are overwritten
    db.execute("PRAGMA journal_mode = DELETE")
    db.executescript(_SCHEMA)
    return db


def _write_manifest(db: sqlite3.Connection, target: str, role: str,
                    new: dict[str, dict[str, object]], old: dict[str, dict[str, object]]) -> None:
    """Rows of one tree's manifest that differ from what the database holds."""
    db.executemany("DELETE FROM manifest WHERE target = ? AND role = ? AND rel = ?",
                   [(target, role, rel) for rel in sorted(set(old) - set(new))])
    rows = []
    for rel, entry in sorted(new.items()):
        if old.get(rel) != entry:
            size, mtime, ino = entry["sig"]  # type: ignore[misc]
            rows.append((target, role, rel, entry["hash"], size, mtime, ino))
    db.executemany("INSERT OR REPLACE INTO manifest VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def tree_folder_name(target: str) -> str:
    """``trees/<name>``: where the spare copy of the output folder ``target`` lives."""
    return hashlib.sha256(target.encode()).hexdigest()[:16]


def spare_tree_path(directory: Path, target: str) -> Path:
    """The spare copy of the output folder ``target`` in the cache ``directory``."""
    return directory / "trees" / tree_folder_name(target)


def blob_path(directory: Path, key: str) -> Path:
    """Where the cache ``directory`` keeps the files of the record ``key``."""
    return directory / "pages" / key[:2] / f"{key}.bin"


def _payload(entry: dict[str, object]) -> object:
    if "share" in entry:
        return ShareMeta.from_state(entry["share"])  # type: ignore[arg-type]
    return entry.get("conversation")


def _ignore_marker(directory: Path) -> None:
    """A cache folder explains itself and keeps out of git even without a .gitignore entry."""
    marker = directory / ".gitignore"
    if not marker.exists():
        write_atomic(marker, b"# amber's build cache: safe to delete\n*\n")


class StateQuery:
    """The few questions a small rebuild asks the state database, without reading it all.

    ``amber.build.delta`` uses this: after a change to a handful of share files it
    needs every share's record (for the index and the leak check) but only the
    manifest rows that differ between the two trees, and it writes back only rows
    that changed. Opening fails (``None``) when there is no usable database.
    """

    def __init__(self, db: sqlite3.Connection, directory: Path) -> None:
        self.db = db
        self.directory = directory

    @classmethod
    def open(cls, directory: Path) -> StateQuery | None:
        path = directory / STATE_FILE
        if not path.is_file():
            return None
        try:
            db = _connect(path)
            if db.execute("PRAGMA user_version").fetchone()[0] != STATE_FORMAT:
                db.close()
                return None
        except sqlite3.Error:
            return None
        return cls(db, directory)

    def close(self) -> None:
        self.db.close()

    def records(self, hashes_of: set[str]) -> dict[str, ShareRecord]:
        """Every record; the file hashes only of the shares in ``hashes_of``."""
        return {sid: ShareRecord.from_state(
                    json.loads(data), json.loads(hashes) if sid in hashes_of else {},
                    search, feed)
                for sid, data, hashes, search, feed in self.db.execute(
                    "SELECT id, data, hashes, search_entry, feed_entry FROM records")}

    def record(self, share_id: str) -> ShareRecord | None:
        """One share's record, with its file hashes."""
        row = self.db.execute("SELECT data, hashes, search_entry, feed_entry FROM records "
                              "WHERE id = ?", (share_id,)).fetchone()
        if row is None:
            return None
        return ShareRecord.from_state(json.loads(row[0]), json.loads(row[1]), row[2], row[3])

    def file_entries(self) -> dict[str, dict[str, object]]:
        return {name: json.loads(entry)
                for name, entry in self.db.execute("SELECT name, entry FROM files")}

    def fingerprint(self, target: str) -> str | None:
        row = self.db.execute("SELECT fingerprint FROM trees WHERE target = ?",
                              (target,)).fetchone()
        return None if row is None else str(row[0] or "")

    def output_rows(self, target: str, rels: Iterable[str]) -> dict[str, dict[str, object]]:
        rows: dict[str, dict[str, object]] = {}
        for rel in sorted(set(rels)):
            found = self.db.execute(
                "SELECT hash, size, mtime, ino FROM manifest WHERE target = ? AND "
                "role = 'output' AND rel = ?", (target, rel)).fetchone()
            if found is not None:
                rows[rel] = {"hash": found[0], "sig": [found[1], found[2], found[3]]}
        return rows

    def site_wide_rels(self, target: str) -> dict[str, dict[str, object]]:
        """Output rows of every file not under ``share/``: the index, feeds, assets."""
        return {rel: {"hash": h, "sig": [size, mtime, ino]} for rel, h, size, mtime, ino in
                self.db.execute("SELECT rel, hash, size, mtime, ino FROM manifest WHERE "
                                "target = ? AND role = 'output' AND rel NOT LIKE 'share/%'",
                                (target,))}

    def differing(self, target: str) -> dict[str, dict[str, object] | None]:
        """Paths where the spare tree is not the output: what the last build changed.

        Each maps to the output's row, or None where only the spare has the path.
        """
        found: dict[str, dict[str, object] | None] = {}
        for rel, h, size, mtime, ino in self.db.execute(
                "SELECT o.rel, o.hash, o.size, o.mtime, o.ino FROM manifest o "
                "LEFT JOIN manifest s ON s.target = o.target AND s.role = 'spare' "
                "AND s.rel = o.rel WHERE o.target = ? AND o.role = 'output' AND "
                "(s.rel IS NULL OR s.hash != o.hash OR s.size != o.size OR "
                "s.mtime != o.mtime OR s.ino != o.ino)", (target,)):
            found[rel] = {"hash": h, "sig": [size, mtime, ino]}
        for (rel,) in self.db.execute(
                "SELECT s.rel FROM manifest s WHERE s.target = ? AND s.role = 'spare' AND "
                "NOT EXISTS (SELECT 1 FROM manifest o WHERE o.target = s.target AND "
                "o.role = 'output' AND o.rel = s.rel)", (target,)):
            found[rel] = None
        return found

    def files_mentioning(self, share_ids: Iterable[str], skip: set[str]) -> list[str]:
        """Content files (by site path) whose remembered mentions include any of the IDs."""
        names: list[str] = []
        for share_id in sorted(set(share_ids)):
            for name, entry in self.db.execute(
                    "SELECT name, entry FROM files WHERE instr(entry, ?) > 0", (share_id,)):
                if name in skip:
                    continue
                mentions = json.loads(entry).get("mentions", [])
                if any(m[0] == share_id for m in mentions):
                    names.append(name)
        return names

    def apply(self, target: str, *, fingerprint: str,
              output: dict[str, dict[str, object] | None],
              spare: dict[str, dict[str, object] | None],
              records: dict[str, ShareRecord | None],
              files: dict[str, dict[str, object] | None]) -> None:
        """One transaction: manifest rows, records and file entries (None deletes)."""
        with self.db:
            for role, rows in (("output", output), ("spare", spare)):
                for rel, entry in sorted(rows.items()):
                    if entry is None:
                        self.db.execute("DELETE FROM manifest WHERE target = ? AND role = ? "
                                        "AND rel = ?", (target, role, rel))
                    else:
                        size, mtime, ino = entry["sig"]  # type: ignore[misc]
                        self.db.execute("INSERT OR REPLACE INTO manifest VALUES "
                                        "(?, ?, ?, ?, ?, ?, ?)",
                                        (target, role, rel, entry["hash"], size, mtime, ino))
            for sid, record in sorted(records.items()):
                if record is None:
                    self.db.execute("DELETE FROM records WHERE id = ?", (sid,))
                else:
                    self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                                    _record_row(record))
            for name, file_entry in sorted(files.items()):
                if file_entry is None:
                    self.db.execute("DELETE FROM files WHERE name = ?", (name,))
                else:
                    self.db.execute("INSERT OR REPLACE INTO files (name, entry) VALUES (?, ?)",
                                    (name, json.dumps(file_entry, separators=(",", ":"))))
            self.db.execute("UPDATE trees SET fingerprint = ? WHERE target = ?",
                            (fingerprint, target))
