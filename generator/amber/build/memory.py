"""The site as bytes in memory, for the preview server and ``amber check``.

The same steps as ``amber build`` (``amber.render.site``: each share rendered
into a record and its files, then the one site-wide assembly with its leak
check), with memory as the place the bytes go instead of the output tree. The
preview server passes a ``renderer`` that reuses the pages it rendered before.
"""

from __future__ import annotations

from collections.abc import Callable

import jinja2

from amber.build.pool import Job, RenderContext, default_jobs, render_all
from amber.content.load import SiteContent
from amber.content.model import SiteConfig, Snapshot
from amber.render.record import ShareRecord
from amber.render.site import SiteFrame, assemble_site, newest_first, site_frame
from amber.render.templates import make_environment
from amber.render.theme import resolve_theme

ShareRenderer = Callable[[Snapshot, SiteFrame], tuple[ShareRecord, dict[str, bytes]]]
"""Renders one share in a frame: its record and its files (as ``build.pool.render_one``)."""


def render_site(content: SiteContent, config: SiteConfig, *,
                renderer: ShareRenderer | None = None, env: jinja2.Environment | None = None,
                jobs: int | None = 1) -> dict[str, bytes]:
    """Every output file as bytes, keyed by its path relative to output/.

    ``jobs`` other than 1 renders on that many processes (None: one per core).
    ``renderer`` and ``env`` (made by ``make_environment`` for this site's theme) let
    the preview server reuse pages and compiled templates; they must give what the
    defaults would.
    """
    paths = content.paths
    theme = resolve_theme(paths.root, config.theme)
    frame = site_frame(config, paths, theme, env or make_environment(theme))
    snapshots = sorted(content.snapshots.values(), key=lambda s: (s.frozen, s.id), reverse=True)
    files: dict[str, bytes] = {}
    records: list[ShareRecord] = []
    if renderer is not None:
        for snap in snapshots:
            record, share_files = renderer(snap, frame)
            records.append(record)
            files.update(share_files)
    else:
        context = RenderContext(config, frame.view, paths, theme, None, None, frame.env,
                                 frame.card)
        work = [Job(s.id, s.path or paths.share_file(s.id), None, None, True, s)
                for s in snapshots]
        for record, _, share_files in render_all(work, context, jobs or default_jobs()):
            assert share_files is not None
            records.append(record)
            files.update(share_files)
    # Expired shares (withdrawn by the caller) are kept out exactly as revoked ones.
    files.update(assemble_site(frame, newest_first(records), content.revoked_ids,
                               expired=content.expired))
    return files
