"""Rendering shares on every core: the jobs, the worker processes, results in order.

Each worker renders whole shares (``amber.render.site``), keeps their bytes in
the cache's blob store when the job has a key, and writes them into the spare
tree when the build has one (``amber.build.swap``), so page bytes need not
cross the process boundary. Results come back in job order, so the output does
not depend on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from amber.build.cache import BuildCache
from amber.build.swap import put
from amber.content.load import SitePaths, read_share_file
from amber.content.model import SiteConfig, Snapshot
from amber.errors import AmberError, ContentError, Problem
from amber.progress import progress_count
from amber.render.markdown import code_block_memo, summary_only
from amber.render.pages import SiteView
from amber.render.preview import CardStyle
from amber.render.record import ShareRecord
from amber.render.site import share_files, share_output, share_page, theme_card_style
from amber.render.templates import make_environment
from amber.render.theme import Theme

POOL_THRESHOLD = 8
"""Fewer shares than this render in-process: starting workers would cost more."""


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
    """The spare tree to write pages into, or None to return their bytes."""
    cache_dir: Path | None
    env: jinja2.Environment | None = field(default=None, repr=False)
    card: CardStyle | None = None
    """The preview images' colours; worked out from ``theme`` when None."""


Rendered = tuple[ShareRecord, dict[str, list[int]], dict[str, bytes] | None]
"""A share's record, its files' signatures in the tree, and its bytes if not written."""

_CONTEXT: RenderContext | None = None


def start_worker(context: RenderContext) -> None:
    """Make ``context`` the one ``render_one`` uses in this process (a worker's initializer)."""
    global _CONTEXT
    context.env = context.env or make_environment(context.theme, watch=False)
    context.card = context.card or theme_card_style(context.theme)
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


def render_one(job: Job) -> Rendered:
    """Render one share with the context ``start_worker`` set."""
    ctx = _CONTEXT
    assert ctx is not None and ctx.env is not None and ctx.card is not None
    snap = job.snapshot or snapshot_to_render(job.path)
    refs: dict[str, bool] = {}
    if not job.write:  # another shard's page: only its summary is needed here
        with summary_only():
            page, _assets = share_page(snap, ctx.config, ctx.paths, refs=refs)
        return share_output(snap, page, ctx.config, {}, refs), {}, None
    store = BuildCache(ctx.cache_dir, load=False)
    with code_block_memo(store.previous_blocks(job.previous)) as blocks:
        page, assets = share_page(snap, ctx.config, ctx.paths, refs=refs)
    files = share_files(snap, page, ctx.site_view, ctx.env, ctx.card, assets)
    record = replace(share_output(snap, page, ctx.config, files, refs), key=job.key or "")
    if job.key is not None:
        # An encrypted share's highlighted code is its plain text: never kept on disk.
        store.write_blob(job.key, files, {} if snap.encryption is not None else blocks)
    if ctx.tree is None:
        return record, {}, files
    return record, {rel: put(ctx.tree, rel, data) for rel, data in sorted(files.items())}, None


def snapshot_to_render(path: Path) -> Snapshot:
    """A share file the memo vouched for, read in full because its page must be rendered."""
    snap, problems = read_share_file(path)
    if snap is None or problems:
        raise ContentError(problems or [Problem(path, "unreadable share file")])
    return snap


def render_all(jobs: Sequence[Job], context: RenderContext, workers: int) -> Iterator[Rendered]:
    """Render jobs on ``workers`` processes; results in job order (output is deterministic)."""
    if workers <= 1 or len(jobs) < POOL_THRESHOLD:
        start_worker(context)
        outcomes: Iterator[tuple[str, object]] = map(_render_job, jobs)
        yield from _unwrap(progress_count(outcomes, len(jobs), "Rendering shares"))
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with warnings.catch_warnings():
        # Python 3.12+ warns that fork and threads mix badly; the build starts no threads.
        warnings.simplefilter("ignore", DeprecationWarning)
        shipped = replace(context, env=None)  # each worker makes its own environment
        pool = multiprocessing.get_context(method).Pool(
            workers, initializer=start_worker, initargs=(shipped,))
    with pool:
        chunk = max(1, min(8, len(jobs) // (workers * 8)))
        outcomes = pool.imap(_render_job, jobs, chunksize=chunk)
        yield from _unwrap(progress_count(outcomes, len(jobs), "Rendering shares"))


def _unwrap(outcomes: Iterator[tuple[str, object]]) -> Iterator[Rendered]:
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
