"""``amber build``: the one entry of the build, and the route it takes to disk.

``build`` answers in the cheapest way that gives the same bytes: a build with
nothing changed is answered from ``quick.json`` (``amber.build.quick``); a few
changed share, conversation or revocation files go the delta route
(``amber.build.delta``); anything else is the full build below. The full build
loads content (unchanged files come from the cache's memo, unparsed), looks up
each share's rendered record by ``record_key``, renders the rest in the pool
(``amber.build.pool``), runs the site-wide assembly with its leak check
(``amber.render.site.assemble_site``, the same one the preview server and
``amber check`` run), then brings the spare tree up to date and exchanges it with
``output/`` (``amber.build.swap``). ``--no-cache`` takes the full route with no
cache at all; the tests compare every route's bytes with it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from amber.build import delta, quick
from amber.build.cache import (
    CACHE_DIR,
    BuildCache,
    record_key,
    site_fingerprint,
    site_key,
    spare_tree_path,
)
from amber.build.pool import (
    Job,
    RenderContext,
    default_jobs,
    render_all,
    render_one,
    snapshot_to_render,
    start_worker,
)
from amber.build.result import BuildResult
from amber.build.swap import (
    Manifest,
    discard,
    exchange,
    fresh_dir,
    link,
    mirror,
    put,
    refuse_unsafe_target,
    remove,
    remove_stale_dirs,
    scan,
    tree_signature,
)
from amber.content import expiry
from amber.content.assets import asset_refusal
from amber.content.clock import now as clock_now
from amber.content.load import ShareMeta, SitePaths, load_content, with_base_url
from amber.errors import AmberError
from amber.render.record import ShareRecord
from amber.render.site import assemble_site, asset_source, site_frame
from amber.render.templates import make_environment
from amber.render.theme import Theme, packaged_default_theme, resolve_theme

KEEP_PARSED = 1000
"""Snapshots a build keeps from validation for rendering (about 30 KB each); the rest
are read again by the worker that renders them, so memory stays bounded at 10,000."""


@dataclass(frozen=True)
class Shard:
    """``--shard I/N``: this build writes the share pages whose ID falls in bucket I of N.

    Buckets split the ID space by its leading hex digits, so every share lands in
    exactly one shard. Each shard also writes the site-wide files (identical in
    every shard), so the trees of all N shards copied together are the whole site.
    """

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            left, right = text.split("/")
            index, count = int(left), int(right)
        except ValueError:
            raise AmberError(f"--shard: expected I/N such as 2/4, got {text!r}") from None
        if not 1 <= index <= count:
            raise AmberError(f"--shard {text}: I must be between 1 and N")
        return cls(index, count)

    def holds(self, share_id: str) -> bool:
        return int(share_id[:8], 16) * self.count >> 32 == self.index - 1


def build(
    root: Path, *, base_url: str | None = None, output: Path | None = None,
    jobs: int | None = None, use_cache: bool = True, shard: Shard | None = None,
    now: datetime | None = None,
) -> BuildResult:
    """Build the site as it is at ``now`` (default ``amber.content.clock.now()``): shares
    expired by then are left out as if revoked."""
    moment = now if now is not None else clock_now()
    paths = SitePaths(root)
    target = (output if output is not None else paths.output).absolute()
    settings = quick.settings_key(target, base_url,
                                  f"{shard.index}/{shard.count}" if shard else None)
    static, listing = "", {}
    if use_cache:
        probe = quick.probed(paths.root, settings)
        if probe is not None:  # the quick check just read these
            listing, last = probe
        else:
            last = quick.load(paths.root / CACHE_DIR)
            listing = quick.content_listing(paths.root)  # before reading anything
        if shard is not None:
            last = None
        quick.forget(paths.root / CACHE_DIR)  # until this build has finished
        static = quick.static_digest(paths.root, settings, [])
        # A delta keeps the last build's live shares: only while no expiry came between.
        if last is not None and expiry.window_holds(last.get("window"), moment):
            done = delta.build_delta(paths, target, settings, static, listing, last, base_url)
            if done is not None:
                result, revoked_ids, output_rows = done
                _remember_quick(paths, target, settings, static, listing, revoked_ids, result,
                                last["window"], output_rows)  # type: ignore[arg-type]
                return result
    store = BuildCache(paths.root / CACHE_DIR if use_cache else None)
    content = load_content(paths, memo=store if store.enabled else None, light=True,
                           keep=KEEP_PARSED)
    config = with_base_url(content.require_valid(), base_url)
    window = expiry.withdraw(content, moment).state()
    gone = content.revoked_ids | set(content.expired)
    """IDs no file may mention: revoked, and expired (left out exactly as revoked)."""
    theme = resolve_theme(paths.root, config.theme)
    frame = site_frame(config, paths, theme, make_environment(theme, watch=False))
    key = site_key(config, theme)

    try:
        refuse_unsafe_target(target)
    except OSError as exc:
        raise AmberError(f"cannot write {target}: {exc}") from None

    metas: dict[str, ShareMeta] = dict(content.unread_shares)
    for snap in content.snapshots.values():
        metas[snap.id] = ShareMeta.of(snap, snap.path or paths.share_file(snap.id))
    order = sorted(metas.values(), key=lambda m: (m.frozen, m.id), reverse=True)
    writes = {m.id: shard is None or shard.holds(m.id) for m in order}

    records: dict[str, ShareRecord] = {}
    todo: list[Job] = []
    keys: dict[str, str | None] = {}
    for meta in order:
        digest = store.file_digest(meta.path)
        rkey = record_key(key, digest) if digest else None
        keys[meta.id] = rkey
        found = store.record(meta.id, rkey) if rkey else None
        if found is not None and _refs_hold(found.assets, paths):
            records[meta.id] = found
            continue
        previous = store.records.get(meta.id)
        todo.append(Job(meta.id, meta.path, rkey, previous.key if previous else None,
                        writes[meta.id], content.snapshots.get(meta.id)))

    trees = store.trees.get(str(target), {})
    out_manifest: Manifest = trees.get("output", {})  # type: ignore[assignment]
    fingerprint = site_fingerprint(key, shard and (shard.index, shard.count), order, keys,
                                   gone, records, paths.content)
    target_good, target_stray = scan(target, out_manifest) if out_manifest else ({}, [])
    damage = len(target_stray) + len(out_manifest) - len(target_good)
    """Files of output/ changed, added or removed by hand since the last build."""
    if not todo and trees.get("fingerprint") == fingerprint and out_manifest and not damage:
        store.save(metas)
        result = BuildResult(target, sum(writes.values()), len(out_manifest), changed=0)
        if _theme_watched(paths, theme):
            _remember_quick(paths, target, settings, static, listing,
                            sorted(content.revoked_ids), result, window)
        return result

    spare, keep_spare = _spare_tree(store, target)
    spare_manifest: Manifest = trees.get("spare", {}) if keep_spare else {}  # type: ignore[assignment]
    good, stray = scan(spare, spare_manifest)
    for rel in stray:
        remove(spare, rel)
    remove_stale_dirs(spare, set(stray))

    context = RenderContext(config, frame.view, paths, theme, spare, store.directory,
                            frame.env, frame.card)
    written: dict[str, list[int]] = {}
    pending: dict[str, bytes] = {}
    workers = jobs if jobs is not None else default_jobs()
    for record, sigs, files in render_all(todo, context, workers):
        records[record.id] = record
        written.update(sigs)
        if files:
            pending.update(files)
        if record.key:
            store.records[record.id] = record

    # Only a shard publishes some shares' pages; every build lists every listed share.
    published = {m.id for m in order if writes[m.id]} if shard is not None else None
    site_files = assemble_site(frame, [records[m.id] for m in order], content.revoked_ids,
                               published=published, expired=content.expired)

    want: dict[str, str] = {rel: hashlib.sha256(data).hexdigest()
                            for rel, data in site_files.items()}
    for meta in order:
        if writes[meta.id]:
            want.update(records[meta.id].hashes)

    new_manifest: Manifest = {}
    changed = damage
    try:
        for rel, digest in sorted(want.items()):
            if rel in written:
                new_manifest[rel] = {"hash": digest, "sig": written[rel]}
                changed += 1
                continue
            kept = good.get(rel)
            if kept is not None and kept[0] == digest:
                new_manifest[rel] = {"hash": digest, "sig": kept[1]}
                continue
            old = out_manifest.get(rel)
            if old is not None and old["hash"] == digest and \
                    tree_signature(target / rel) == old["sig"]:
                linked = link(spare, rel, target / rel)
                if linked is not None:
                    new_manifest[rel] = {"hash": digest, "sig": linked}
                    continue
            data = site_files.get(rel)
            if data is None:
                data = pending.get(rel)
            if data is None:
                data = _share_bytes(rel, records, store, context, keys)
            new_manifest[rel] = {"hash": digest, "sig": put(spare, rel, data)}
            changed += 1
        removed = set(good) - set(want)
        for rel in sorted(removed):
            remove(spare, rel)
        remove_stale_dirs(spare, removed)
        changed += len(set(out_manifest) - set(want))  # files the new site no longer has
        exchange(spare, target)
    except OSError as exc:
        if not keep_spare:  # a folder made for this build only: it must not linger
            discard(spare)
        raise AmberError(f"cannot write {target}: {exc.strerror or exc}; the previous site "
                         "is unchanged") from None
    if keep_spare:
        gone = {rel for rel, entry in out_manifest.items()
                if rel not in new_manifest or new_manifest[rel]["hash"] != entry["hash"]}
        for rel in gone:  # a revoked page, or an old index naming it, does not linger
            remove(spare, rel)
        remove_stale_dirs(spare, gone)
        out_manifest = {k: v for k, v in out_manifest.items() if k not in gone}
        if not out_manifest:
            # The tree swapped out is of unknown make (first cached build): replace it
            # with links to the new site, so the next build changes only what changed.
            discard(spare)
            spare.mkdir(mode=0o755)
            out_manifest = mirror(target, new_manifest, spare)
        store.trees[str(target)] = {"output": new_manifest, "spare": out_manifest,
                                    "fingerprint": fingerprint}
    else:
        discard(spare)
    store.save(metas)
    result = BuildResult(target, sum(writes.values()), len(new_manifest), changed=changed)
    if keep_spare and _theme_watched(paths, theme):
        _remember_quick(paths, target, settings, static, listing, sorted(content.revoked_ids),
                        result, window)
    return result


def _theme_watched(paths: SitePaths, theme: Theme) -> bool:
    """Whether the quick check sees every theme file (a theme outside the site: no)."""
    watched = [paths.root / "themes", packaged_default_theme()]
    return all(any(layer.resolve().is_relative_to(w.resolve()) for w in watched)
               for layer in theme.layers)


def _remember_quick(paths: SitePaths, target: Path, settings: str, static: str,
                    listing: quick.ContentListing, revoked: list[str],
                    result: BuildResult, window: list[int | None],
                    output: list[list[object]] | None = None) -> None:
    """Let the next build see at once what changed since this one (``amber.build.quick``)."""
    quick.remember(paths.root / CACHE_DIR, target, settings, static, listing, [],
                   result.pages, result.files, revoked, output, window=window)


def _refs_hold(refs: dict[str, bool], paths: SitePaths) -> bool:
    """Each image still resolves as when the page was rendered (a file that appeared
    but may not be published must reach ``share_page`` again, to be reported)."""
    return all((asset_source(paths, src) is not None) == ok
               and (ok or asset_refusal(paths.assets, src) is None) for src, ok in refs.items())


def _spare_tree(store: BuildCache, target: Path) -> tuple[Path, bool]:
    """The tree to bring up to date: the cache's spare copy, or a fresh folder."""
    if store.directory is not None:
        spare = spare_tree_path(store.directory, str(target))
        try:
            spare.mkdir(parents=True, exist_ok=True)
            target.parent.mkdir(parents=True, exist_ok=True)
            if spare.stat().st_dev == target.parent.stat().st_dev:
                os.chmod(spare, 0o755)
                return spare, True
        except OSError:
            pass
    return fresh_dir(target, "new"), False


def _share_bytes(rel: str, records: dict[str, ShareRecord], store: BuildCache,
                 context: RenderContext, keys: dict[str, str | None]) -> bytes:
    """A cached share's file when neither tree has it: from its blob, else rendered again."""
    share_id = rel.split("/")[1]
    record = records[share_id]
    files = store.read_files(record)
    if files is None:
        start_worker(context)
        tree, context.tree = context.tree, None
        try:
            _, _, files = render_one(Job(share_id, Path(), keys.get(share_id), None, True,
                                         snapshot_to_render(context.paths.share_file(share_id))))
        finally:
            context.tree = tree
        assert files is not None
    return files[rel]



