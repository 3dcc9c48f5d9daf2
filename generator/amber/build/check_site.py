"""The rendered site as ``amber check`` needs it, from its cache: records and links.

``amber.build.memory.render_site`` renders every share and keeps every byte; a
check needs only what the leak check and the link check read. So a share whose
file, theme, settings and amber's code are unchanged (its ``record_key``) and
whose images still resolve as when it was rendered comes from the check's cache
(``amber.build.check_cache``) as its record and its reduced links; only the
others are rendered, and their bytes are dropped once summarised. The site-wide
files (index, feeds, 404, theme assets, images) are assembled from the records
by the one ``assemble_site``, with its leak check, and their links read afresh.
The broken links found are those ``amber.render.links.broken_links`` finds in the
whole site, in the same order.
"""

from __future__ import annotations

from amber.build.cache import record_key, site_key
from amber.build.check_cache import CheckStore, ShareLinks
from amber.build.pool import Job, RenderContext, default_jobs, render_all
from amber.content.assets import asset_refusal
from amber.content.load import ShareMeta, SiteContent, SitePaths
from amber.content.model import SiteConfig
from amber.render.links import broken_on_page, page_links
from amber.render.record import ShareRecord
from amber.render.site import assemble_site, asset_source, newest_first, site_frame
from amber.render.templates import make_environment
from amber.render.theme import resolve_theme


def checked_links(content: SiteContent, config: SiteConfig, store: CheckStore
                  ) -> list[tuple[str, str]]:
    """Render what changed, assemble the site (raising ContentError as a build would) and
    return its broken internal links as (page, link), sorted as ``broken_links`` sorts."""
    paths = content.paths
    theme = resolve_theme(paths.root, config.theme)
    frame = site_frame(config, paths, theme, make_environment(theme, watch=False))
    key = site_key(config, theme)
    memo = store.memo
    metas: dict[str, ShareMeta] = dict(content.unread_shares)
    for snap in content.snapshots.values():
        metas[snap.id] = ShareMeta.of(snap, snap.path or paths.share_file(snap.id))
    order = sorted(metas.values(), key=lambda m: (m.frozen, m.id), reverse=True)

    records: dict[str, ShareRecord] = {}
    link_keys: dict[str, str] = {}
    todo: list[Job] = []
    fresh: dict[str, ShareLinks] = {}

    def keep(record: ShareRecord, files: dict[str, bytes]) -> None:
        records[record.id] = record
        summary = ShareLinks.of(files, config.base_url)
        fresh[record.id] = summary
        if record.key:
            memo.records[record.id] = record
            lkey = store.link_key(record.key, config.base_url)
            store.links[lkey] = (record.id, summary)
            link_keys[record.id] = lkey

    for meta in order:
        digest = memo.vouched_digest(meta.path)
        rkey = record_key(key, digest) if digest else None
        found = memo.record(meta.id, rkey) if rkey else None
        if found is not None and store.has_links(store.link_key(found.key, config.base_url)) \
                and refs_hold(found.assets, paths):
            records[meta.id] = found
            link_keys[meta.id] = store.link_key(found.key, config.base_url)
            continue
        built = store.built_share(meta.id, rkey) if rkey else None
        if built is not None and refs_hold(built[0].assets, paths):
            keep(built[0], built[1])  # rendered by the build for these same bytes
            continue
        todo.append(Job(meta.id, meta.path, rkey, None, True, content.snapshots.get(meta.id)))

    context = RenderContext(config, frame.view, paths, theme, None, None, frame.env, frame.card)
    for record, _, files in render_all(todo, context, default_jobs()):
        assert files is not None
        keep(record, files)

    site_files = assemble_site(frame, newest_first(records.values()), content.revoked_ids,
                               expired=content.expired)
    store.live_links = set(link_keys.values())

    every = set(site_files)
    for record in records.values():
        every.update(record.hashes)
    site_pages = {rel: page_links(rel, data, config.base_url)
                  for rel, data in site_files.items() if rel.endswith(".html")}
    stored = store.read_links(k for sid, k in link_keys.items() if sid not in fresh)
    summaries = {sid: fresh[sid] if sid in fresh else stored[link_keys[sid]]
                 for sid in records}

    def ids_of(rel: str) -> frozenset[str] | None:
        """A share page's anchors, read only when another page links to one of them."""
        parts = rel.split("/")
        if len(parts) < 3 or parts[0] != "share" or parts[1] not in records:
            return None
        if parts[1] in fresh:
            return fresh[parts[1]].anchors(rel)
        return store.anchors(link_keys[parts[1]], rel)

    broken: list[tuple[str, int, str]] = []
    for rel, page in site_pages.items():
        broken.extend((rel, pos, link) for pos, link in
                      broken_on_page(page.links, site_pages, every, ids_of))
    for summary in summaries.values():
        broken.extend(summary.broken)
        by_page: dict[str, list[tuple[int, str, str, str]]] = {}
        for rel, pos, link, path, fragment in summary.needs:
            by_page.setdefault(rel, []).append((pos, link, path, fragment))
        for rel, links in by_page.items():
            broken.extend((rel, pos, link) for pos, link in
                          broken_on_page(links, site_pages, every, ids_of))
    broken.sort(key=lambda item: (item[0], item[1]))
    return [(rel, link) for rel, _, link in broken]


def refs_hold(refs: dict[str, bool], paths: SitePaths) -> bool:
    """Each image still resolves as when the page was rendered (as the build asks of a
    cached page: a file that appeared but may not be published must be rendered again,
    to be reported)."""
    return all((asset_source(paths, src) is not None) == ok
               and (ok or asset_refusal(paths.assets, src) is None) for src, ok in refs.items())


def share_ids_of(content: SiteContent) -> set[str]:
    """The live shares' IDs (after ``withdraw``)."""
    return set(content.snapshots) | set(content.unread_shares)

