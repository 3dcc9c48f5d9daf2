"""``amber build``: render only what changed, on every core, and swap the site in whole.

The plan: load content (unchanged files come from the cache's memo, unparsed),
look up each share's rendered record by ``record_key``, render the rest in a
process pool, render the site-wide pages from the records, check for leaks,
then bring the spare tree up to date and exchange it with ``output/``
(``amber.build.swap``). A build with nothing changed finds the same
fingerprint and an intact ``output/``, and writes nothing.

Everything that decides bytes is in ``amber.render.site`` and shared with the
in-memory ``render_site`` the preview server and ``check`` use; this module
only decides what to skip, and a test builds both ways and compares.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import traceback
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from amber.build import quick as quickcheck
from amber.render.site import (
    JOINED,
    BuildResult,
    asset_source,
    fragment_ids,
    ids_in,
    leak_problems,
    share_files,
    share_fragments,
    share_page,
    site_wide_files,
    site_wide_ids,
    summary_of,
    theme_site_view,
)
from amber.build.cache import (
    CACHE_DIR,
    BuildCache,
    ShareRecord,
    record_key,
    signature,
    site_key,
    tree_folder_name,
)
from amber.content.assets import asset_refusal
from amber.content.load import ShareMeta, SitePaths, load_content
from amber.errors import AmberError, ContentError, Problem
from amber.render.markdown import code_block_memo, summary_only
from amber.content.model import SiteConfig, Snapshot
from amber.atomic import refuse_unsafe_target
from amber.render.pages import SharePage, SiteView
from amber.progress import progress_count
from amber.render.templates import make_environment
from amber.content.schema import normalise_base_url
from amber.render.search import search_text
from amber.build.swap import (
    Manifest,
    discard,
    exchange,
    fresh_dir,
    link,
    mirror,
    put,
    remove,
    remove_stale_dirs,
    scan,
    tree_signature,
)
from amber.content.snapshot import read_snapshot
from amber.render.theme import Theme, packaged_default_theme, resolve_theme
from amber.content.nodes import ParseError, parse_file

POOL_THRESHOLD = 8
"""Fewer shares than this render in-process: starting workers would cost more."""

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


@dataclass(frozen=True)
class Job:
    share_id: str
    path: Path
    key: str | None
    """Where the record goes in the cache; None when the file could not be vouched for."""
    previous: str | None
    """The key of this share's last record, whose highlighted code can be reused."""
    write: bool
    """False for shares of other shards: only their summary is needed."""
    snapshot: Snapshot | None = None


@dataclass
class RenderContext:
    """What a worker needs to render any share; sent once per worker."""

    config: SiteConfig
    site_view: SiteView
    paths: SitePaths
    theme: Theme
    tree: Path | None
    cache_dir: Path | None
    env: jinja2.Environment | None = field(default=None, repr=False)


_CONTEXT: RenderContext | None = None


def _init_worker(context: RenderContext) -> None:
    global _CONTEXT
    context.env = context.env or make_environment(context.theme, watch=False)
    _CONTEXT = context


def _render_job(job: Job) -> tuple[str, object]:
    """Render one share; errors come back as text (content problems as themselves), so
    they cross the process boundary."""
    try:
        return "ok", render_one(job)
    except ContentError as exc:
        return "content", exc.problems  # they name their files already
    except AmberError as exc:
        return "amber", f"{job.path}: {exc}"
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return "amber", (f"cannot write the site{where}: {exc.strerror or exc}; the previous "
                         "site is unchanged")
    except Exception:
        return "crash", f"{job.path}: rendering failed:\n{traceback.format_exc()}"


def render_one(job: Job) -> tuple[ShareRecord, dict[str, list[int]], dict[str, bytes] | None]:
    """The record of a share, its files' signatures in the tree, and its bytes if not written."""
    ctx = _CONTEXT
    assert ctx is not None and ctx.env is not None
    snap = job.snapshot or _read_snapshot(job.path)
    store = BuildCache(ctx.cache_dir, load=False)
    refs: dict[str, bool] = {}
    if not job.write:  # another shard's page: only its summary is needed here
        with summary_only():
            page, _assets = share_page(snap, ctx.config, ctx.paths, refs=refs)
        search, feed = _fragments(snap, page, ctx.config)
        record = ShareRecord(
            id=snap.id, key="", listed=snap.listed, frozen=snap.frozen, title=snap.title,
            author=snap.author, frozen_display=page.frozen_display,
            description=page.description, message_count=page.message_count,
            search_entry=search, feed_entry=feed, hashes={},
            ids=fragment_ids(snap.id, search, feed), assets=refs)
        return record, {}, None
    with code_block_memo(store.previous_blocks(job.previous)) as blocks:
        page, _assets = share_page(snap, ctx.config, ctx.paths, refs=refs)
    files = share_files(snap, page, ctx.site_view, ctx.env)
    search, feed = _fragments(snap, page, ctx.config)
    record = ShareRecord(
        id=snap.id, key=job.key or "", listed=snap.listed, frozen=snap.frozen,
        title=snap.title, author=snap.author, frozen_display=page.frozen_display,
        description=page.description, message_count=page.message_count,
        search_entry=search, feed_entry=feed,
        hashes={rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(files.items())},
        # A page's own ID is always allowed in its own folder: keep only the others.
        ids={**{rel: sorted(ids_in(data) - {snap.id}) for rel, data in sorted(files.items())},
             **fragment_ids(snap.id, search, feed)},
        assets=refs,
    )
    if job.key is not None:
        store.write_blob(job.key, files, blocks)
    sigs: dict[str, list[int]] = {}
    if ctx.tree is not None:
        for rel, data in sorted(files.items()):
            sigs[rel] = put(ctx.tree, rel, data)
        return record, sigs, None
    return record, sigs, files


def _fragments(snap: Snapshot, page: SharePage, config: SiteConfig) -> tuple[str, str]:
    if not snap.listed:
        return "", ""
    summary = summary_of(snap, config, page.frozen_display, page.description,
                         page.message_count)
    return share_fragments(config, snap, summary, search_text(page))


def _read_snapshot(path: Path) -> Snapshot:
    """A share file the memo vouched for, read in full because its page must be rendered."""
    try:
        node = parse_file(path)
    except ParseError as exc:
        raise ContentError([exc.problem]) from None
    snap, problems = read_snapshot(node, path)
    if snap is None or problems:
        raise ContentError(problems or [Problem(path, "unreadable share file")])
    return snap


def render_all(jobs: Sequence[Job], context: RenderContext, workers: int) -> Iterator[
        tuple[ShareRecord, dict[str, list[int]], dict[str, bytes] | None]]:
    """Render jobs on ``workers`` processes; results in job order (output is deterministic)."""
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        _init_worker(context)
        outcomes: Iterator[tuple[str, object]] = map(_render_job, jobs)
        yield from _unwrap(progress_count(outcomes, len(jobs), "Rendering shares"))
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with warnings.catch_warnings():
        # Python 3.12+ warns that fork and threads mix badly; the build starts no threads.
        warnings.simplefilter("ignore", DeprecationWarning)
        shipped = RenderContext(context.config, context.site_view, context.paths, context.theme,
                                context.tree, context.cache_dir)  # each worker makes its env
        pool = multiprocessing.get_context(method).Pool(
            workers, initializer=_init_worker, initargs=(shipped,))
    with pool:
        chunk = max(1, min(8, len(jobs) // (workers * 8)))
        outcomes = pool.imap(_render_job, jobs, chunksize=chunk)
        yield from _unwrap(progress_count(outcomes, len(jobs), "Rendering shares"))


def _unwrap(outcomes: Iterator[tuple[str, object]]) -> Iterator[
        tuple[ShareRecord, dict[str, list[int]], dict[str, bytes] | None]]:
    for status, value in outcomes:
        if status == "ok":
            yield value  # type: ignore[misc]
        elif status == "content":
            raise ContentError(value)  # type: ignore[arg-type]
        elif status == "amber":
            raise AmberError(str(value))
        else:
            raise RuntimeError(str(value))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def build(
    root: Path, *, base_url: str | None = None, output: Path | None = None,
    jobs: int | None = None, use_cache: bool = True, shard: Shard | None = None,
) -> BuildResult:
    paths = SitePaths(root)
    target = (output if output is not None else paths.output).absolute()
    settings = quickcheck.settings_key(target, base_url,
                                       f"{shard.index}/{shard.count}" if shard else None)
    static, listing = "", {}
    if use_cache:
        probe = quickcheck.probed(paths.root, settings)
        if probe is not None:  # the quick check just read these
            listing, last = probe
        else:
            last = quickcheck.load(paths.root / CACHE_DIR)
            listing = quickcheck.content_listing(paths.root)  # before reading anything
        if shard is not None:
            last = None
        quickcheck.forget(paths.root / CACHE_DIR)  # until this build has finished
        static = quickcheck.static_digest(paths.root, settings, [])
        if last is not None:
            from amber.build.delta import build_delta

            done = build_delta(paths, target, settings, static, listing, last, base_url)
            if done is not None:
                result, revoked_ids, output_rows = done
                _remember_quick(paths, target, settings, static, listing, revoked_ids, result,
                                output_rows)
                return result
    store = BuildCache(paths.root / CACHE_DIR if use_cache else None)
    content = load_content(paths, memo=store if store.enabled else None, light=True,
                           keep=KEEP_PARSED)
    config = content.require_valid()
    if base_url is not None:
        normalised = normalise_base_url(base_url)
        if normalised is None:
            raise AmberError(f"--base-url: {base_url!r} is not an absolute http(s) URL")
        config = SiteConfig(config.title, normalised, config.author, config.language,
                            config.theme, config.cname)
    theme = resolve_theme(paths.root, config.theme)
    env = make_environment(theme, watch=False)
    site_view, theme_files = theme_site_view(config, theme)
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
    fingerprint = _fingerprint(key, shard, order, keys, content.revoked_ids, records, paths)
    target_good, target_stray = scan(target, out_manifest) if out_manifest else ({}, [])
    damage = len(target_stray) + len(out_manifest) - len(target_good)
    """Files of output/ changed, added or removed by hand since the last build."""
    if not todo and trees.get("fingerprint") == fingerprint and out_manifest and not damage:
        store.save(metas)
        result = BuildResult(target, sum(writes.values()), len(out_manifest), changed=0)
        if _theme_watched(paths, theme):
            _remember_quick(paths, target, settings, static, listing,
                            sorted(content.revoked_ids), result)
        return result

    spare, keep_spare = _spare_tree(store, target)
    spare_manifest: Manifest = trees.get("spare", {}) if keep_spare else {}  # type: ignore[assignment]
    good, stray = scan(spare, spare_manifest)
    for rel in stray:
        remove(spare, rel)
    remove_stale_dirs(spare, set(stray))

    context = RenderContext(config, site_view, paths, theme, spare, store.directory, env)
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

    summaries = []
    fragments = []
    listed = []
    for meta in order:
        if meta.listed:
            rec = records[meta.id]
            listed.append(meta)
            summaries.append(summary_of(meta, config, rec.frozen_display, rec.description,
                                        rec.message_count))
            fragments.append((rec.search_entry, rec.feed_entry))
    site_files = dict(theme_files)
    for rel, source in sorted(_used_assets(order, records, writes, paths).items()):
        site_files[rel] = source.read_bytes()
    site_files.update(site_wide_files(config, site_view, env, listed, summaries, fragments))

    revoked = content.revoked_ids
    unlisted = {m.id for m in order if not m.listed}
    found_ids = [(rel, ids) for m in order
                 for rel, ids in records[m.id].ids.items() if writes[m.id] or rel in JOINED]
    found_ids += site_wide_ids(config, listed, site_files)
    problems = leak_problems(sorted(found_ids, key=lambda item: item[0]), revoked, unlisted)
    if problems:
        raise ContentError(problems)

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
                        result)
    return result


def _theme_watched(paths: SitePaths, theme: Theme) -> bool:
    """Whether the quick check sees every theme file (a theme outside the site: no)."""
    watched = [paths.root / "themes", packaged_default_theme()]
    return all(any(layer.resolve().is_relative_to(w.resolve()) for w in watched)
               for layer in theme.layers)


def _remember_quick(paths: SitePaths, target: Path, settings: str, static: str,
                    listing: quickcheck.ContentListing, revoked: list[str],
                    result: BuildResult, output: list[list[object]] | None = None) -> None:
    """Let the next build see at once what changed since this one (``amber.build.quick``)."""
    quickcheck.remember(paths.root / CACHE_DIR, target, settings, static, listing, [],
                        result.pages, result.files, revoked, output)


def _refs_hold(refs: dict[str, bool], paths: SitePaths) -> bool:
    """Each image still resolves as when the page was rendered (a file that appeared
    but may not be published must reach ``share_page`` again, to be reported)."""
    return all((asset_source(paths, src) is not None) == ok
               and (ok or asset_refusal(paths.assets, src) is None) for src, ok in refs.items())


def _used_assets(order: Sequence[ShareMeta], records: dict[str, ShareRecord],
                 writes: dict[str, bool], paths: SitePaths) -> dict[str, Path]:
    used: dict[str, Path] = {}
    for meta in order:
        if not writes[meta.id]:
            continue
        for src, ok in records[meta.id].assets.items():
            source = asset_source(paths, src) if ok else None
            if source is not None:
                used[src] = source
    return used


def _fingerprint(key: str, shard: Shard | None, order: Sequence[ShareMeta],
                 keys: dict[str, str | None], revoked: set[str],
                 records: dict[str, ShareRecord], paths: SitePaths) -> str:
    """Everything the output depends on; the same value means the same site."""
    assets = sorted({src for r in records.values() for src, ok in r.assets.items() if ok})
    data = {
        "key": key, "shard": [shard.index, shard.count] if shard else None,
        "shares": [[m.id, keys.get(m.id)] for m in order],
        "revoked": sorted(revoked),
        "assets": [[src, list(signature(paths.content / src) or ())] for src in assets],
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
    }
    if any(k is None for k in keys.values()):
        return ""  # some share could not be vouched for: never skip the build
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _spare_tree(store: BuildCache, target: Path) -> tuple[Path, bool]:
    """The tree to bring up to date: the cache's spare copy, or a fresh folder."""
    if store.directory is not None:
        spare = store.directory / "trees" / tree_folder_name(str(target))
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
        _init_worker(context)
        tree, context.tree = context.tree, None
        try:
            _, _, files = render_one(Job(share_id, Path(), keys.get(share_id), None, True,
                                         _read_snapshot(context.paths.share_file(share_id))))
        finally:
            context.tree = tree
        assert files is not None
    return files[rel]



