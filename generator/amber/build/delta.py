"""A rebuild after a few share files changed, without reading the rest of the site.

``amber share``, ``update`` and ``revoke`` change only files in ``content/shares/``,
``content/revoked.yaml`` and perhaps the conversation that was re-frozen. The last
successful build left the signature of every content file (``quickcheck``), so the
next build knows exactly which files changed. When nothing else did (same code,
theme, settings and ``site.yaml``; ``output/`` untouched), the rest of the site is
what it was: this module reads and checks only the changed files, renders only
new or updated shares, rebuilds the index and feeds from the records in the state
database, and brings the spare tree up to date by touching only the paths that
differ, before swapping it in as the full build does.

Anything it is not sure of returns None, and the full build (``incremental``)
runs instead: a problem in a changed file (the full build reports it with every
other problem), an unexpected kind of change, missing or damaged state. The
bytes written are the same either way; the incremental tests compare each with
a ``--no-cache`` build.
"""

from __future__ import annotations

import gc
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from amber.build.cache import (
    CACHE_DIR,
    StateQuery,
    blob_path,
    record_key,
    site_fingerprint,
    site_key,
    spare_tree_path,
)
from amber.build.pool import Job, RenderContext, render_one, start_worker
from amber.build.quick import ContentListing, output_holds, revocation_token
from amber.build.result import BuildResult
from amber.build.swap import exchange, link, put, remove, remove_stale_dirs
from amber.content.ids import SLUG_RE, is_share_id
from amber.content.load import (
    CONVERSATION_SUFFIXES,
    ShareMeta,
    SitePaths,
    share_id_mentions_in,
    with_base_url,
)
from amber.content.model import SiteConfig, Snapshot
from amber.content.nodes import ParseError, parse_file
from amber.content.schema import read_conversation, read_site
from amber.content.snapshot import read_snapshot, read_tombstones
from amber.errors import AmberError
from amber.render.record import ShareRecord
from amber.render.site import assemble_site, newest_first, site_frame
from amber.render.templates import make_environment
from amber.render.theme import resolve_theme

DELTA_LIMIT = 64
"""Most changed content files handled this way; more go through the full build."""


@dataclass
class Changes:
    """Which content files differ from the last build, by kind."""

    shares: dict[str, bool] = field(default_factory=dict)
    """Share ID -> whether its file exists now (False: deleted, as by a revocation)."""
    conversations: dict[str, bool] = field(default_factory=dict)
    """Path inside content/ -> whether it exists now."""
    revoked: bool = False


def plan(before: ContentListing, now: ContentListing) -> Changes | None:
    """The changes, if every one is of a kind this module handles; else None."""
    changes = Changes()
    count = 0
    for rel in before.keys() | now.keys():
        old, new = before.get(rel), now.get(rel)
        if old == new:
            continue
        kinds = {row[0] for row in (old, new) if row}
        if rel in ("", "shares", "conversations"):
            if old is not None and new is not None and kinds == {"d"}:
                continue  # a folder whose entries changed: the entries are compared below
            return None
        if kinds != {"f"}:
            return None
        count += 1
        if count > DELTA_LIMIT:
            return None
        folder, _, name = rel.partition("/")
        if rel == "revoked.yaml":
            changes.revoked = True
        elif folder in ("shares", "conversations") and name.startswith("."):
            continue  # hidden files are not content (an editor's swap file)
        elif folder == "shares" and "/" not in name:
            share_id = name.removesuffix(".yaml")
            if not (name.endswith(".yaml") and is_share_id(share_id)):
                return None
            changes.shares[share_id] = new is not None
        elif folder == "conversations" and "/" not in name:
            stem, dot, suffix = name.rpartition(".")
            if not dot or f".{suffix.lower()}" not in CONVERSATION_SUFFIXES:
                continue  # not a conversation file: the loader skips it too
            if not SLUG_RE.match(stem):
                return None
            changes.conversations[rel] = new is not None
        else:
            return None
    return changes


class NotHandled(Exception):
    """This change needs the full build."""


def build_delta(paths: SitePaths, target: Path, settings: str, static: str,
                listing: ContentListing, last: dict[str, object],
                base_url: str | None) -> tuple[BuildResult, list[str], list[list[object]]] | None:
    """The build, if this change is one a delta can apply: the result, the revoked IDs and
    the listing of the new output/."""
    try:
        if last.get("settings") != settings or last.get("static") != static:
            return None
        before = last.get("content")
        if not isinstance(before, dict):
            return None
        changes = plan(before, listing)
        if changes is None or not output_holds(last, target):
            return None
        state = StateQuery.open(paths.root / CACHE_DIR)
        if state is None:
            return None
        # Tens of thousands of small objects and no cycles worth collecting: the cyclic
        # collector would only walk them again and again (a fifth of the time at 10,000).
        gc.disable()
        try:
            return _Delta(paths, target, listing, last, base_url, changes, state).run()
        finally:
            gc.enable()
            state.close()
    except NotHandled:
        return None


class _Delta:
    def __init__(self, paths: SitePaths, target: Path, listing: ContentListing,
                 last: dict[str, object], base_url: str | None, changes: Changes,
                 state: StateQuery) -> None:
        self.paths = paths
        self.target = target
        self.listing = listing
        self.last = last
        self.base_url = base_url
        self.changes = changes
        self.state = state
        self.file_entries: dict[str, dict[str, object] | None] = {}
        """Rows of the file memo to write: site path -> entry (None: the file is gone)."""

    # --- reading the changed files ------------------------------------------

    def _read(self, rel: str) -> tuple[object, bytes]:
        """Parse a changed content file; any problem sends the build the full way."""
        path = self.paths.content / rel
        row = self.listing.get(rel)
        try:
            node = parse_file(path)
            data = path.read_bytes()
            st = os.lstat(path)
        except (ParseError, OSError):
            raise NotHandled from None
        if row is None or [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] != row[1:]:
            raise NotHandled  # changed while being read
        return node, data

    def _remember(self, rel: str, data: bytes, payload: dict[str, object]) -> str:
        """Note a changed file for the memo; its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        self.file_entries[f"content/{rel}"] = {
            "sig": list(self.listing[rel][1:]), "digest": digest,
            "mentions": [list(m) for m in share_id_mentions_in(data)], **payload}
        return digest

    def _config(self) -> SiteConfig:
        path = self.paths.site_yaml
        try:
            config, problems = read_site(parse_file(path), path)
        except (ParseError, OSError):
            raise NotHandled from None
        if config is None or problems:
            raise NotHandled
        try:
            return with_base_url(config, self.base_url)
        except AmberError:
            raise NotHandled from None

    def _revoked(self) -> set[str]:
        path = self.paths.revoked
        if "revoked.yaml" not in self.listing:
            return set()
        try:
            tombstones, problems = read_tombstones(parse_file(path), path)
        except (ParseError, OSError):
            raise NotHandled from None
        if problems:
            raise NotHandled
        return {t.id for t in tombstones}

    def _changed_shares(self) -> dict[str, tuple[Snapshot, str]]:
        """Each new or replaced share file: its snapshot and the SHA-256 of its bytes."""
        read: dict[str, tuple[Snapshot, str]] = {}
        for share_id, present in sorted(self.changes.shares.items()):
            rel = f"shares/{share_id}.yaml"
            if not present:
                self.file_entries[f"content/{rel}"] = None
                continue
            node, data = self._read(rel)
            path = self.paths.content / rel
            snap, problems = read_snapshot(node, path)
            if snap is None or problems or snap.id != share_id:
                raise NotHandled
            if snap.expires is not None:
                raise NotHandled  # it moves the expiry window: the full build works it out
            read[share_id] = (snap, self._remember(rel, data, {"share": ShareMeta.of(
                snap, path).state()}))
        return read

    def _changed_conversations(self) -> None:
        for rel, present in sorted(self.changes.conversations.items()):
            if not present:
                self.file_entries[f"content/{rel}"] = None
                continue
            name = rel.split("/", 1)[1]
            slug = name.rpartition(".")[0]
            twins = [other for other in self.listing if other != rel
                     and other.startswith("conversations/")
                     and other.split("/", 1)[1].rpartition(".")[0] == slug
                     and f".{other.rpartition('.')[2].lower()}" in CONVERSATION_SUFFIXES]
            if twins:
                raise NotHandled  # two files for one conversation: the full build says so
            node, data = self._read(rel)
            conv, problems = read_conversation(node, self.paths.content / rel, slug)
            if conv is None or problems:
                raise NotHandled
            self._remember(rel, data, {"conversation": slug})

    def _check_revocations(self, revoked: set[str]) -> None:
        """The rule of ``content.revocation_problems``, asked only where it could fail now."""
        if not revoked:
            return
        if any(f"shares/{i}.yaml" in self.listing for i in revoked):
            raise NotHandled  # a revoked share's file is back
        for entry in self.file_entries.values():
            mentions = entry["mentions"] if entry is not None else []
            if any(m[0] in revoked for m in mentions):  # type: ignore[union-attr, index]
                raise NotHandled
        known = self.last.get("revoked")
        known_set = set(known) if isinstance(known, list) else set()
        newly = {i for i in revoked if revocation_token(i) not in known_set}
        if self.state.files_mentioning(newly, set(self.file_entries)):
            raise NotHandled

    # --- the build ------------------------------------------------------------

    def run(self) -> tuple[BuildResult, list[str], list[list[object]]] | None:
        target_key = str(self.target)
        if not self.state.fingerprint(target_key):
            return None
        spare = spare_tree_path(self.paths.root / CACHE_DIR, target_key)
        if not spare.is_dir() or spare.is_symlink():
            return None
        config = self._config()
        revoked = self._revoked()
        fresh = self._changed_shares()
        self._changed_conversations()
        self._check_revocations(revoked)

        records = self.state.records(hashes_of=set(self.changes.shares))
        old_records = {sid: records.get(sid) for sid in self.changes.shares}
        unchanged_ids = {sid for sid in records if sid not in self.changes.shares}
        on_disk = {rel[7:-5] for rel, row in self.listing.items()
                   if rel.startswith("shares/") and rel.endswith(".yaml") and row[0] == "f"
                   and is_share_id(rel[7:-5])}
        if unchanged_ids | set(fresh) != on_disk:
            return None  # the records are not exactly the shares of the last build
        for sid, present in self.changes.shares.items():
            if not present:
                records.pop(sid, None)

        theme = resolve_theme(self.paths.root, config.theme)
        frame = site_frame(config, self.paths, theme, make_environment(theme, watch=False))
        key = site_key(config, theme)
        start_worker(RenderContext(config, frame.view, self.paths, theme, None,
                                   self.paths.root / CACHE_DIR, frame.env, frame.card))
        writes: dict[str, bytes] = {}
        for sid, (snap, digest) in sorted(fresh.items()):
            previous = old_records.get(sid)
            record, _, files = render_one(Job(sid, snap.path or self.paths.share_file(sid),
                                              record_key(key, digest),
                                              previous.key if previous else None, True, snap))
            assert files is not None
            records[sid] = record
            writes.update(files)

        order = newest_first(records.values())
        site_files = assemble_site(frame, order, revoked)

        # What the new site differs in from the output on disk.
        old_site_wide = self.state.site_wide_rels(target_key)
        hashes = {rel: hashlib.sha256(data).hexdigest() for rel, data in site_files.items()}
        for rel, data in site_files.items():
            old = old_site_wide.get(rel)
            if old is None or old["hash"] != hashes[rel]:
                writes[rel] = data
        removes = {rel for rel in old_site_wide if rel not in site_files}
        for sid, old_rec in old_records.items():
            if old_rec is not None:
                new_rec = records.get(sid)
                removes |= {rel for rel in old_rec.hashes
                            if new_rec is None or rel not in new_rec.hashes}
        for sid in fresh:
            hashes.update(records[sid].hashes)
            previous = old_records.get(sid)
            for rel, digest in records[sid].hashes.items():
                if previous is not None and previous.hashes.get(rel) == digest:
                    writes.pop(rel, None)  # re-frozen with the same bytes

        # Bring the spare tree (the site before last) up to the new site.
        differing = self.state.differing(target_key)
        touched = set(differing) | set(writes) | removes
        output_before = self.state.output_rows(target_key, touched)
        new_output: dict[str, dict[str, object] | None] = {}
        try:
            for rel in sorted(touched):
                if rel in removes:
                    remove(spare, rel)
                    new_output[rel] = None
                elif rel in writes:
                    new_output[rel] = {"hash": hashes[rel], "sig": put(spare, rel, writes[rel])}
                else:
                    entry = differing.get(rel)
                    if entry is None:
                        remove(spare, rel)
                        continue
                    if link(spare, rel, self.target / rel) != entry["sig"]:
                        return None  # the state does not describe output/: build in full
            remove_stale_dirs(spare, removes | {r for r, e in differing.items() if e is None})
            exchange(spare, self.target)
        except OSError as exc:
            raise AmberError(f"cannot write {self.target}: {exc.strerror or exc}; the "
                             "previous site is unchanged") from None

        # The state: output rows changed now; the spare (the old output) as it was.
        # Old copies of changed files leave the spare too: an old index would still name
        # a share revoked now.
        dropped = removes | set(writes)
        new_spare: dict[str, dict[str, object] | None] = {
            rel: (None if rel in dropped else output_before.get(rel)) for rel in touched}
        keys: dict[str, str | None] = {r.id: r.key for r in order}
        fingerprint = site_fingerprint(key, None, order, keys, revoked, records,
                                       self.paths.content)
        changed_records: dict[str, ShareRecord | None] = {
            sid: records.get(sid) for sid in self.changes.shares}
        self.state.apply(target_key, fingerprint=fingerprint, output=new_output,
                         spare=new_spare, records=changed_records, files=self.file_entries)
        for rel in sorted(dropped):  # a revoked page does not linger in the spare tree
            remove(spare, rel)
        remove_stale_dirs(spare, dropped)
        for sid, old_rec in old_records.items():
            new_rec = records.get(sid)
            if old_rec is not None and (new_rec is None or new_rec.key != old_rec.key):
                blob = blob_path(self.paths.root / CACHE_DIR, old_rec.key)
                blob.unlink(missing_ok=True)

        rows = self._output_listing(new_output)
        changed = len(writes) + len(removes)
        result = BuildResult(self.target, len(records), sum(r[1] == "f" for r in rows),
                             changed=changed)
        return result, sorted(revoked), rows

    def _output_listing(self, changed: dict[str, dict[str, object] | None]) -> list[list[object]]:
        """``quickcheck.output_listing`` of the new output/, from the old one and the changes.

        Every file not written now is the same inode as before (a hard link), so only
        the written files and the folders (the spare's own) are looked at again.
        """
        files = {str(row[0]): row for row in self.last["output"]  # type: ignore[attr-defined]
                 if row[1] == "f"}
        for rel, entry in changed.items():
            if entry is None:
                files.pop(rel, None)
            else:
                files[rel] = [rel, "f", *entry["sig"]]  # type: ignore[misc]
        folders = {""}
        for rel in files:
            cut = rel.rfind("/")
            while cut > 0 and rel[:cut + 1] not in folders:
                folders.add(rel[:cut + 1])
                cut = rel.rfind("/", 0, cut)
        top = os.fspath(self.target)
        rows = list(files.values())
        for prefix in folders:
            st = os.lstat(f"{top}/{prefix}" if prefix else top)
            rows.append([prefix, "d", st.st_mtime_ns, st.st_ino])
        rows.sort(key=lambda row: str(row[0]))
        return rows
