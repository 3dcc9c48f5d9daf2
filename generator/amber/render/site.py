"""The build pipeline: load and validate, plan, render, check for leaks, write.

Nothing is written until everything has been read, validated and rendered in
memory; the finished tree is then swapped in whole (``output.write_tree``). The
leak check runs on the rendered bytes: a revoked ID anywhere, or an unlisted
ID outside its own ``share/<id>/``, fails the build before it can be deployed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from xml.sax.saxutils import escape as xml_escape

import jinja2
from amber.atomic import write_tree
from amber.content.assets import asset_refusal, file_problem, referenced_file
from amber.content.ids import ids_in_bytes
from amber.content.load import SiteContent, SitePaths, load_content
from amber.content.model import SiteConfig, Snapshot
from amber.content.schema import normalise_base_url
from amber.errors import AmberError, ContentError, Problem
from amber.progress import progress
from amber.render.exports import ROLE_LABELS, to_chat_json, to_markdown
from amber.render.markdown import pygments_css, render_parts
from amber.render.pages import (
    IndexPage,
    MessageView,
    NotFoundPage,
    SharePage,
    ShareSummary,
    SiteView,
)
from amber.render.search import search_entry, search_file, search_text
from amber.render.templates import CSP, display_date, make_environment, plain_text, render_template
from amber.render.theme import Theme, fingerprint, resolve_theme


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    """Share pages written."""
    files: int
    """All files in the built site."""
    changed: int | None = None
    """Files that had to be written (the rest were already there); None if not known."""


def build_site(
    root: Path, *, base_url: str | None = None, output: Path | None = None
) -> BuildResult:
    paths = SitePaths(root)
    content = load_content(paths)
    config = content.require_valid()
    if base_url is not None:
        normalised = normalise_base_url(base_url)
        if normalised is None:
            raise AmberError(f"--base-url: {base_url!r} is not an absolute http(s) URL")
        config = SiteConfig(config.title, normalised, config.author, config.language,
                            config.theme, config.cname)
    files = render_site(content, config)
    target = output if output is not None else paths.output
    try:
        write_tree(target, files)
    except OSError as exc:
        raise AmberError(f"cannot write {target}: {exc.strerror or exc}; the previous site "
                         "is unchanged") from None
    return BuildResult(target, len(content.snapshots), len(files))


ShareRenderer = Callable[
    [Snapshot, SiteConfig, SiteView, jinja2.Environment, SitePaths],
    tuple[SharePage, dict[str, bytes], dict[str, Path]],
]
"""Renders one share: its page model, its files and the content assets it uses."""


def render_site(
    content: SiteContent, config: SiteConfig, *, render_share: ShareRenderer | None = None,
    find_ids: Callable[[bytes], Iterable[str]] | None = None,
    env: jinja2.Environment | None = None, jobs: int | None = 1,
) -> dict[str, bytes]:
    """Every output file as bytes, keyed by its path relative to output/.

    ``jobs`` other than 1 renders shares on that many processes (None: one per core),
    as ``amber check`` does; the bytes are the same.

    ``render_share``, ``find_ids`` and ``env`` (made by ``make_environment`` for this
    site's theme) let the preview server reuse share pages, leak scans and compiled
    templates from its previous build; they must give what the defaults would.
    """
    paths = content.paths
    theme = resolve_theme(paths.root, config.theme)
    env = env or make_environment(theme)
    site_view, files = theme_site_view(config, theme)

    snapshots = sorted(content.snapshots.values(), key=lambda s: (s.frozen, s.id), reverse=True)
    summaries: list[ShareSummary] = []
    fragments: list[tuple[str, str]] = []
    used_assets: dict[str, Path] = {}
    if render_share is None and jobs != 1:
        return _render_site_parallel(content, config, theme, env, site_view, files, snapshots,
                                     jobs, find_ids)
    for snap in progress(snapshots, "Rendering shares"):
        page, share_files, assets = (render_share or _render_share)(
            snap, config, site_view, env, paths)
        files.update(share_files)
        used_assets.update(assets)
        if snap.listed:
            summary = summary_of(snap, config, page.frozen_display, page.description,
                                 page.message_count)
            summaries.append(summary)
            fragments.append(share_fragments(config, snap, summary, search_text(page)))
    for rel, source in sorted(used_assets.items()):
        files[rel] = source.read_bytes()
    listed = [s for s in snapshots if s.listed]
    files.update(site_wide_files(config, site_view, env, listed, summaries, fragments))
    check_for_leaks(files, content, find_ids=find_ids)
    return files


def _render_site_parallel(
    content: SiteContent, config: SiteConfig, theme: Theme, env: jinja2.Environment,
    site_view: SiteView, files: dict[str, bytes], snapshots: list[Snapshot],
    jobs: int | None, find_ids: Callable[[bytes], Iterable[str]] | None,
) -> dict[str, bytes]:
    """``render_site`` with shares rendered by the build's process pool."""
    from amber.build.pipeline import Job, RenderContext, default_jobs, render_all

    paths = content.paths
    context = RenderContext(config, site_view, paths, theme, None, None, env)
    work = [Job(s.id, s.path or paths.share_file(s.id), None, None, True, s) for s in snapshots]
    summaries: list[ShareSummary] = []
    fragments: list[tuple[str, str]] = []
    used_assets: dict[str, Path] = {}
    for snap, (record, _, share_files) in zip(
            snapshots, render_all(work, context, jobs or default_jobs()), strict=True):
        assert share_files is not None
        files.update(share_files)
        for src, found in record.assets.items():
            source = asset_source(paths, src) if found else None
            if source is not None:
                used_assets[src] = source
        if snap.listed:
            summaries.append(summary_of(snap, config, record.frozen_display,
                                        record.description, record.message_count))
            fragments.append((record.search_entry, record.feed_entry))
    for rel, source in sorted(used_assets.items()):
        files[rel] = source.read_bytes()
    listed = [s for s in snapshots if s.listed]
    files.update(site_wide_files(config, site_view, env, listed, summaries, fragments))
    check_for_leaks(files, content, find_ids=find_ids)
    return files


class ShareFacts(Protocol):
    """What the index, sitemap and feed need of a share: a Snapshot or a ShareMeta."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def author(self) -> str | None: ...
    @property
    def frozen(self) -> str: ...
    @property
    def listed(self) -> bool: ...


def summary_of(share: ShareFacts, config: SiteConfig, frozen_display: str, description: str,
               message_count: int) -> ShareSummary:
    return ShareSummary(
        title=share.title, href=f"{config.base_path}share/{share.id}/",
        frozen=share.frozen, frozen_display=frozen_display,
        excerpt=description, message_count=message_count, author=share.author,
    )


def share_fragments(config: SiteConfig, share: ShareFacts, summary: ShareSummary,
                    text: str) -> tuple[str, str]:
    """A listed share's entry in ``search.json`` and in ``feed.xml``.

    A build keeps them with the share's record, so the search index and the feed of
    10,000 shares are joined from strings instead of encoded again at every build.
    """
    return search_entry(summary, text), _feed_entry(config, share, summary)


def site_wide_files(
    config: SiteConfig, site_view: SiteView, env: jinja2.Environment,
    listed: Sequence[ShareFacts], summaries: Sequence[ShareSummary],
    fragments: Sequence[tuple[str, str]],
) -> dict[str, bytes]:
    """The index, search index, 404, sitemap, feed and the small fixed files.

    ``listed``, ``summaries`` and ``fragments`` (from ``share_fragments``) are the
    listed shares, newest first, in the same order.
    """
    files: dict[str, bytes] = {}
    files["index.html"] = render_template(
        env, "index.html", site=site_view,
        page=IndexPage(shares=tuple(summaries), url=config.base_url,
                       description=f"Conversations shared on {config.title}",
                       search_href=f"{config.base_path}search.json"),
    )
    files["search.json"] = search_file([search for search, _ in fragments])
    files["404.html"] = render_template(
        env, "404.html", site=site_view, page=NotFoundPage(url=f"{config.base_url}404.html"),
    )
    files["sitemap.xml"] = _sitemap(config, listed)
    files["feed.xml"] = _feed(config, listed, [feed for _, feed in fragments])
    robots = f"User-agent: *\nAllow: /\nSitemap: {config.base_url}sitemap.xml\n"
    files["robots.txt"] = robots.encode()
    files[".nojekyll"] = b""
    if config.cname:
        files["CNAME"] = f"{config.cname}\n".encode()
    return files


def theme_site_view(config: SiteConfig, theme: Theme) -> tuple[SiteView, dict[str, bytes]]:
    """The context every template gets as ``site``, and the theme's fingerprinted assets."""
    files: dict[str, bytes] = {}
    asset_hrefs: dict[str, str] = {}
    statics = {name: path.read_bytes() for name, path in theme.static_files().items()}
    statics["pygments.css"] = pygments_css().encode()
    for name, data in sorted(statics.items()):
        out_name = fingerprint(name, data)
        files[f"assets/{out_name}"] = data
        asset_hrefs[name] = f"{config.base_path}assets/{out_name}"
    site_view = SiteView(
        title=config.title, language=config.language, home_href=config.base_path,
        base_url=config.base_url, assets=asset_hrefs,
        feed_href=f"{config.base_path}feed.xml", csp=CSP,
    )
    return site_view, files


def _render_share(
    snap: Snapshot, config: SiteConfig, site_view: SiteView, env, paths: SitePaths  # type: ignore[no-untyped-def]
) -> tuple[SharePage, dict[str, bytes], dict[str, Path]]:
    page, assets = share_page(snap, config, paths)
    return page, share_files(snap, page, site_view, env), assets


def share_files(
    snap: Snapshot, page: SharePage, site_view: SiteView, env: jinja2.Environment
) -> dict[str, bytes]:
    """The files of ``share/<id>/``: the page through the theme, and its two exports."""
    base = f"share/{snap.id}/"
    return {
        f"{base}index.html": render_template(env, "share.html", site=site_view, page=page),
        f"{base}conversation.json": to_chat_json(snap, page.url).encode(),
        f"{base}conversation.md": to_markdown(snap, page.url).encode(),
    }


def share_page(
    snap: Snapshot, config: SiteConfig, paths: SitePaths, *,
    folder_href: str | None = None, asset_prefix: str | None = None,
    refs: dict[str, bool] | None = None,
) -> tuple[SharePage, dict[str, Path]]:
    """The page model of one share (its messages rendered: the costly part) and its assets.

    ``folder_href`` and ``asset_prefix`` move the links to the exports and to images
    elsewhere; the preview server uses them for drafts, which are never in output/.
    ``refs`` receives every image reference and whether it resolved (a cached page
    is valid only while each still resolves the same way).
    """
    base = f"share/{snap.id}/"
    url = f"{config.base_url}{base}"
    folder = folder_href if folder_href is not None else f"{config.base_path}{base}"
    prefix = asset_prefix if asset_prefix is not None else config.base_path
    assets: dict[str, Path] = {}
    refused: list[Problem] = []

    def resolve_asset(src: str) -> str | None:
        found = asset_source(paths, src)
        if refs is not None:
            refs[src] = found is not None
        if found is None:
            if (why := asset_refusal(paths.assets, src)) is not None:
                refused.append(Problem(snap.path or paths.share_file(snap.id),
                                       f"image {src}: {why}"))
            return None
        assets[src] = found
        return f"{prefix}{src}"

    views = []
    for number, message in enumerate(snap.messages, start=1):
        anchor = f"m-{number}"
        views.append(MessageView(
            number=number, anchor=anchor, role=message.role,
            role_label=ROLE_LABELS[message.role], model=message.model, created=message.created,
            html=render_parts(message.parts, anchor, resolve_asset),
        ))
    if refused:  # a missing image is a placeholder; one that must not be published is an error
        raise ContentError(list(dict.fromkeys(refused)))
    first_user = next((v for v in views if v.role == "user"), views[0])
    page = SharePage(
        id=snap.id, title=snap.title, author=snap.author, frozen=snap.frozen,
        frozen_display=display_date(snap.frozen), models=snap.models,
        message_count=len(views), messages=tuple(views), url=url,
        json_href=f"{folder}conversation.json",
        md_href=f"{folder}conversation.md",
        description=plain_text(first_user.html), listed=snap.listed,
    )
    return page, assets


def asset_source(paths: SitePaths, src: str) -> Path | None:
    """The file an image reference publishes: only real files inside content/assets/,
    of an image type the rule accepts (``amber.content.assets``)."""
    source = referenced_file(paths.assets, src)
    if source is None or file_problem(source) is not None:
        return None
    return source


def build_time(listed: Sequence[ShareFacts]) -> str:
    """The feed's updated time: newest listed share, else SOURCE_DATE_EPOCH, else 1970."""
    if listed:
        return max(s.frozen for s in listed)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "0")
    try:
        seconds = int(epoch)
    except ValueError:
        seconds = 0
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sitemap(config: SiteConfig, listed: Sequence[ShareFacts]) -> bytes:
    rows = [f"  <url><loc>{xml_escape(config.base_url)}</loc></url>"]
    for snap in listed:
        loc = xml_escape(f"{config.base_url}share/{snap.id}/")
        rows.append(f"  <url><loc>{loc}</loc><lastmod>{snap.frozen}</lastmod></url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows) + "\n</urlset>\n"
    ).encode()


def _feed_entry(config: SiteConfig, share: ShareFacts, summary: ShareSummary) -> str:
    url = xml_escape(f"{config.base_url}share/{share.id}/")
    author = (f"<author><name>{xml_escape(share.author)}</name></author>"
              if share.author else "")
    return (
        "  <entry>\n"
        f"    <title>{xml_escape(share.title)}</title>\n"
        f'    <link rel="alternate" type="text/html" href="{url}"/>\n'
        f"    <id>urn:uuid:{share.id}</id>\n"
        f"    <published>{share.frozen}</published>\n"
        f"    <updated>{share.frozen}</updated>\n"
        + (f"    {author}\n" if author else "")
        + f"    <summary>{xml_escape(summary.excerpt)}</summary>\n"
        "  </entry>"
    )


def _feed(config: SiteConfig, listed: Sequence[ShareFacts], entries: list[str]) -> bytes:
    site_author = config.author or config.title
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <title>{xml_escape(config.title)}</title>\n"
        f'  <link rel="alternate" type="text/html" href="{xml_escape(config.base_url)}"/>\n'
        f'  <link rel="self" type="application/atom+xml" '
        f'href="{xml_escape(config.base_url)}feed.xml"/>\n'
        f"  <id>{xml_escape(config.base_url)}</id>\n"
        f"  <updated>{build_time(listed)}</updated>\n"
        f"  <author><name>{xml_escape(site_author)}</name></author>\n"
        + "".join(e + "\n" for e in entries)
        + "</feed>\n"
    ).encode()


JOINED = ("search.json", "feed.xml")
"""Site-wide files joined from per-share fragments (``share_fragments``)."""


def fragment_ids(share_id: str, search: str, feed: str) -> dict[str, list[str]]:
    """Other share IDs in a share's search and feed entries, under those files' names.

    A share's own ID is always allowed there (it is listed and live, or it would have
    no entries). Kept with the record, so the leak check of a 10,000-share
    ``search.json`` need not scan it whole: no ID can span two entries, since entries
    are separated by characters no ID contains.
    """
    if not (search or feed):
        return {}
    return {"search.json": sorted(ids_in(search.encode()) - {share_id}),
            "feed.xml": sorted(ids_in(feed.encode()) - {share_id})}


def site_wide_ids(config: SiteConfig, listed: Sequence[ShareFacts],
                  files: dict[str, bytes]) -> list[tuple[str, Iterable[str]]]:
    """IDs in each site-wide file: every file is scanned but the joined ones, whose
    entries' IDs the records hold (``fragment_ids``); of those only the frame is."""
    found: list[tuple[str, Iterable[str]]] = [
        (rel, ids_in(data)) for rel, data in sorted(files.items()) if rel not in JOINED]
    found.append(("feed.xml", ids_in(_feed(config, listed, []))))
    found.append(("search.json", ids_in(search_file([]))))
    found.append(("feed.xml", {s.id for s in listed}))
    found.append(("search.json", {s.id for s in listed}))
    return found


def ids_in(data: bytes) -> set[str]:
    """Every share ID a file spells out, lowercase (``ids_in_bytes``: any case, through
    markup, invisible characters and escapes)."""
    return ids_in_bytes(data)


def check_for_leaks(
    files: dict[str, bytes], content: SiteContent, *,
    find_ids: Callable[[bytes], Iterable[str]] | None = None,
) -> None:
    """Refuse to publish a revoked ID anywhere, or an unlisted ID outside its own folder."""
    revoked = content.revoked_ids
    unlisted = {s.id for s in content.snapshots.values() if not s.listed}
    unlisted |= {m.id for m in content.unread_shares.values() if not m.listed}
    if not (revoked or unlisted):
        return
    scan = find_ids or ids_in
    problems = leak_problems(((rel, scan(data)) for rel, data in sorted(files.items())),
                             revoked, unlisted)
    if problems:
        raise ContentError(problems)


def leak_problems(
    found: Iterable[tuple[str, Iterable[str]]], revoked: set[str], unlisted: set[str]
) -> list[Problem]:
    """The leak rule over (output path, share IDs in that file) pairs."""
    problems: list[Problem] = []
    for rel, ids in found:
        for share_id in sorted(ids):
            if share_id in revoked:
                problems.append(Problem(Path("output") / rel,
                                        f"would publish revoked share ID {share_id}"))
            elif share_id in unlisted and not rel.startswith(f"share/{share_id}/"):
                problems.append(Problem(Path("output") / rel,
                                        f"would publish unlisted share ID {share_id} outside "
                                        f"share/{share_id}/"))
    return problems
