"""One share's page and files, and the site around them: the assembly every build runs.

A share renders into its files (``share/<id>/``) and a ``ShareRecord``
(``share_output``). The site-wide files (index, search index, 404, sitemap,
feed, theme assets, published images) are assembled from records alone, and
the leak check runs on them in the same step (``assemble_site``): a revoked ID
anywhere, or an unlisted ID outside its own ``share/<id>/``, fails the build
before anything can be written. ``amber build`` (cold, cached or delta),
``amber serve`` and ``amber check`` all call this one assembly; they differ only
in where the bytes go (``amber.build``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import jinja2
from markupsafe import Markup

from amber.content.assets import asset_refusal, file_problem, referenced_file
from amber.content.ids import ids_in_bytes
from amber.content.load import SitePaths
from amber.content.model import Message, SiteConfig, Snapshot, has_alternatives
from amber.errors import ContentError, Problem
from amber.render.branches import thread_items
from amber.render.continuation import continuation, report_href
from amber.render.description import description_text
from amber.render.exports import ROLE_LABELS, to_chat_json, to_markdown
from amber.render.image_size import image_size
from amber.render.markdown import pygments_css, render_parts
from amber.render.pages import (
    IndexPage,
    MessageView,
    NotFoundPage,
    OutlineItem,
    SealedPage,
    SharePage,
    ShareSummary,
    SiteView,
)
from amber.render.partial import mark_redactions, partial_fields
from amber.render.preview import PREVIEW_NAME, CardStyle, card_png, card_style, preview_card
from amber.render.record import ShareRecord
from amber.render.seal import (
    SEALED_DESCRIPTION,
    SEALED_PASSPHRASE_DESCRIPTION,
    SEALED_TITLE,
    Download,
    seal_page,
)
from amber.render.search import search_entry, search_file, search_text
from amber.render.templates import (
    CSP,
    display_date,
    expiry_display,
    plain_text,
    render_template,
)
from amber.render.theme import Theme, fingerprint
from amber.render.tools import pair_results, render_message

OUTLINE_MIN_QUESTIONS = 4
"""A conversation with this many questions or more gets an outline of them."""


def xml_escape(text: str) -> str:
    """``xml.sax.saxutils.escape``: importing that module brings urllib.request and
    http.client, a twentieth of a one-share rebuild."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


@dataclass(frozen=True)
class SiteFrame:
    """What every file of one build shares: the settings, the theme's templates and the
    ``site`` context, and the theme's fingerprinted assets."""

    config: SiteConfig
    paths: SitePaths
    env: jinja2.Environment
    view: SiteView
    """The ``site`` context of every template."""
    theme_files: dict[str, bytes]
    """``assets/<name>.<hash>.<ext>`` -> bytes: the theme's static files and Pygments' CSS."""
    card: CardStyle
    """The colours of the link-preview images (``theme_card_style``)."""


def site_frame(config: SiteConfig, paths: SitePaths, theme: Theme,
               env: jinja2.Environment) -> SiteFrame:
    view, theme_files = theme_site_view(config, theme)
    return SiteFrame(config, paths, env, view, theme_files, theme_card_style(theme))


def theme_card_style(theme: Theme) -> CardStyle:
    """The preview images' colours: those of the theme's ``amber.css`` (its light scheme)."""
    css = theme.static_files().get("amber.css")
    return card_style(css.read_text("utf-8", errors="replace")) if css else CardStyle()


def share_output(snap: Snapshot, page: SharePage, config: SiteConfig,
                 files: dict[str, bytes], refs: dict[str, bool]) -> ShareRecord:
    """The record of a rendered share (``files`` empty when only its summary is needed).

    ``refs`` is every image reference of the page and whether it resolved
    (``share_page``'s ``refs``). The record's ``key`` is left empty for the cache to set.

    An encrypted share's record holds nothing of its content (the cache keeps records
    on disk): a generic title, no author, no description. Its leak-check IDs are those
    of the plain page it seals, so a sealed page is held to the same rule as its twin.
    """
    search, feed = ("", "")
    if snap.listed:
        summary = _summary_of(snap, config, page.frozen_display, page.description,
                             page.message_count)
        search, feed = _share_fragments(config, snap, summary, search_text(page))
    # A page's own ID is always allowed in its own folder: keep only the others.
    ids = {rel: sorted(ids_in_bytes(data) - {snap.id}) for rel, data in sorted(files.items())}
    if snap.encryption is not None:
        ids = {rel: sorted(_plain_ids(page) - {snap.id}) for rel in ids}
    sealed = snap.encryption is not None
    return ShareRecord(
        id=snap.id, key="", listed=snap.listed, frozen=snap.frozen,
        title=SEALED_TITLE if sealed else snap.title, author=None if sealed else snap.author,
        frozen_display=page.frozen_display, description="" if sealed else page.description,
        message_count=page.message_count, search_entry=search, feed_entry=feed,
        hashes={rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(files.items())},
        ids={**ids, **_fragment_ids(snap.id, search, feed)},
        assets=dict(refs), sealed=sealed,
    )


def _plain_ids(page: SharePage) -> set[str]:
    """Share IDs in what a plain page shows of its share (everything else on it is the
    theme's, which names only the page's own ID)."""
    shown = [page.title, page.author or "", page.description, *page.models,
             *(m.html for m in page.messages), *(m.model or "" for m in page.messages)]
    return ids_in_bytes("\n".join(shown).encode())


def newest_first(records: Iterable[ShareRecord]) -> list[ShareRecord]:
    """The order of the index and feeds: newest frozen first, ties by ID."""
    return sorted(records, key=lambda r: (r.frozen, r.id), reverse=True)


def assemble_site(frame: SiteFrame, records: Sequence[ShareRecord], revoked: set[str], *,
                  published: set[str] | None = None,
                  expired: Iterable[str] = ()) -> dict[str, bytes]:
    """Every file of the site but the share pages, checked for leaks with the pages.

    ``records`` are every active share, newest first (``newest_first``).
    ``published`` is the IDs whose pages this build writes (all, unless a shard
    writes a bucket of them); only their files and images go out, and only their
    files are checked, but every listed share is on the index and in the feeds.
    Raises ContentError naming each file that would leak a revoked or unlisted ID.
    ``expired`` IDs (``amber.content.expiry``) are held to the rule of revoked ones.
    """
    config = frame.config
    listed = [r for r in records if r.listed]
    summaries = [_summary_of(r, config, r.frozen_display, r.description, r.message_count)
                 for r in listed]
    fragments = [(r.search_entry, r.feed_entry) for r in listed]
    files = dict(frame.theme_files)
    used: dict[str, Path] = {}
    for record in records:
        if published is not None and record.id not in published:
            continue
        if record.sealed:  # its images travel inside its ciphertext
            continue
        for src, ok in record.assets.items():
            source = asset_source(frame.paths, src) if ok and src not in used else None
            if source is not None:
                used[src] = source
    for src, source in sorted(used.items()):
        files[src] = source.read_bytes()
    files.update(_site_wide_files(config, frame.view, frame.env, listed, summaries, fragments))

    unlisted = {r.id for r in records if not r.listed}
    found = [(rel, ids) for r in records for rel, ids in r.ids.items()
             if published is None or r.id in published or rel in _JOINED]
    found += _site_wide_ids(config, listed, files)
    problems = _leak_problems(sorted(found, key=lambda item: item[0]), revoked, unlisted,
                              set(expired))
    if problems:
        raise ContentError(problems)
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


def _summary_of(share: ShareFacts, config: SiteConfig, frozen_display: str, description: str,
               message_count: int) -> ShareSummary:
    return ShareSummary(
        title=share.title, href=f"{config.base_path}share/{share.id}/",
        frozen=share.frozen, frozen_display=frozen_display,
        excerpt=description, message_count=message_count, author=share.author,
    )


def _share_fragments(config: SiteConfig, share: ShareFacts, summary: ShareSummary,
                    text: str) -> tuple[str, str]:
    """A listed share's entry in ``search.json`` and in ``feed.xml``.

    A build keeps them with the share's record, so the search index and the feed of
    10,000 shares are joined from strings instead of encoded again at every build.
    """
    return search_entry(summary, text), _feed_entry(config, share, summary)


def _site_wide_files(
    config: SiteConfig, site_view: SiteView, env: jinja2.Environment,
    listed: Sequence[ShareFacts], summaries: Sequence[ShareSummary],
    fragments: Sequence[tuple[str, str]],
) -> dict[str, bytes]:
    """The index, search index, 404, sitemap, feed and the small fixed files.

    ``listed``, ``summaries`` and ``fragments`` (from ``_share_fragments``) are the
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


def share_files(
    snap: Snapshot, page: SharePage, site_view: SiteView, env: jinja2.Environment,
    card: CardStyle, images: dict[str, Path] | None = None,
) -> dict[str, bytes]:
    """The files of ``share/<id>/``: the page through the theme, its two exports and its
    link-preview image (``page.preview`` drawn in the ``card`` colours).

    An encrypted share has its sealed page and a generic preview image: the plain
    page, the exports and ``images`` (image reference -> file, from ``share_page``)
    travel inside the sealed page."""
    base = f"share/{snap.id}/"
    page_html = render_template(env, "share.html", site=site_view, page=page)
    preview = card_png(page.preview, card)
    if snap.encryption is None:
        return {
            f"{base}index.html": page_html,
            f"{base}conversation.json": page.chat_json.encode(),
            f"{base}conversation.md": page.markdown.encode(),
            f"{base}{PREVIEW_NAME}": preview,
        }
    downloads = [
        Download(page.json_href, "conversation.json", "application/json", page.chat_json),
        Download(page.md_href, "conversation.md", "text/markdown", page.markdown),
    ]
    hrefs = {f"{site_view.home_href}{src}": path for src, path in (images or {}).items()}
    sealed = seal_page(snap.id, page_html.decode(), downloads, hrefs, snap.encryption)
    passphrase = snap.encryption.passphrase
    sealed_page = SealedPage(
        id=snap.id, url=page.url, title=SEALED_TITLE,
        description=SEALED_PASSPHRASE_DESCRIPTION if passphrase else SEALED_DESCRIPTION,
        passphrase=passphrase, aad=sealed.aad, iv=sealed.iv, ciphertext=sealed.ciphertext,
        salt=sealed.salt or "", iterations=sealed.iterations or 0, preview=page.preview,
    )
    return {f"{base}index.html": render_template(env, "sealed.html", site=site_view,
                                                 page=sealed_page),
            f"{base}{PREVIEW_NAME}": preview}


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

    def measure(src: str) -> tuple[int, int] | None:
        found = assets.get(src) or asset_source(paths, src)
        return image_size(found) if found is not None else None

    def view_of(message: Message, number: int, anchor: str, html: Markup | None = None,
                ) -> MessageView:
        if html is None:  # a message of a branch: its tool parts are shown one by one
            html = render_parts(message.parts, anchor, resolve_asset)
        return MessageView(
            number=number, anchor=anchor, role=message.role,
            role_label=ROLE_LABELS[message.role], model=message.model, created=message.created,
            html=mark_redactions(html) if snap.redactions else html,
        )

    thread = ()
    views: list[MessageView] = []
    if snap.branches == "all" and has_alternatives(snap.messages):
        thread = thread_items(snap.messages, view_of)
        # The shared path's views are the thread's own (rendered once), in order.
        views = [i.message for i in thread if i.message is not None
                 and i.message.anchor == f"m-{i.message.number}"]
    else:
        pairing = pair_results(snap.messages)
        absorbed = {index: f"m-{number}" for index, (number, message)
                    in enumerate(zip(snap.numbers, snap.messages, strict=True))
                    if pairing.absorbs(index, message)}
        for index, (number, message) in enumerate(zip(snap.numbers, snap.messages,
                                                      strict=True)):
            anchor = f"m-{number}"
            if index in absorbed:
                continue  # every result it holds is shown with its call
            views.append(view_of(message, number, anchor, render_message(
                message, index, anchor, pairing, resolve_asset, measure, absorbed)))
    if refused:  # a missing image is a placeholder; one that must not be published is an error
        raise ContentError(list(dict.fromkeys(refused)))
    first_user = next((v for v in views if v.role == "user"), views[0])
    questions = [v for v in views if v.role == "user"]
    outline = tuple(OutlineItem(v.anchor, v.number, plain_text(v.html, 80))
                    for v in questions) if len(questions) >= OUTLINE_MIN_QUESTIONS else ()
    # Made once: the page links and digests them, and share_files writes or seals them.
    chat_json, markdown = to_chat_json(snap, url), to_markdown(snap, url)
    preview = preview_card(
        f"{url}{PREVIEW_NAME}", config.title, title=snap.title,
        frozen_display=display_date(snap.frozen), message_count=len(snap.messages),
        models=snap.models,
        reveal=snap.encryption is None,  # an encrypted share's card is generic
    )
    page = SharePage(
        id=snap.id, title=snap.title, author=snap.author, frozen=snap.frozen,
        frozen_display=display_date(snap.frozen), models=snap.models,
        message_count=len(snap.messages), messages=tuple(views), url=url,
        json_href=f"{folder}conversation.json",
        md_href=f"{folder}conversation.md",
        description=description_text(first_user.html), listed=snap.listed, preview=preview,
        expires=snap.expires, expires_display=expiry_display(snap.expires),
        thread=thread, **partial_fields(snap), language=snap.language or config.language,
        continuation=continuation(markdown, snap.title, url),
        json_digest=hashlib.sha256(chat_json.encode()).hexdigest(),
        report_href=report_href(config.contact, snap.title, url),
        outline=outline, chat_json=chat_json, markdown=markdown,
    )
    return page, assets


def asset_source(paths: SitePaths, src: str) -> Path | None:
    """The file an image reference publishes: only real files inside content/assets/,
    of an image type the rule accepts (``amber.content.assets``)."""
    source = referenced_file(paths.assets, src)
    if source is None or file_problem(source) is not None:
        return None
    return source


def _build_time(listed: Sequence[ShareFacts]) -> str:
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
        f"  <updated>{_build_time(listed)}</updated>\n"
        f"  <author><name>{xml_escape(site_author)}</name></author>\n"
        + "".join(e + "\n" for e in entries)
        + "</feed>\n"
    ).encode()


_JOINED = ("search.json", "feed.xml")
"""Site-wide files joined from per-share fragments (``_share_fragments``)."""


def _fragment_ids(share_id: str, search: str, feed: str) -> dict[str, list[str]]:
    """Other share IDs in a share's search and feed entries, under those files' names.

    A share's own ID is always allowed there (it is listed and live, or it would have
    no entries). Kept with the record, so the leak check of a 10,000-share
    ``search.json`` need not scan it whole: no ID can span two entries, since entries
    are separated by characters no ID contains.
    """
    if not (search or feed):
        return {}
    return {"search.json": sorted(ids_in_bytes(search.encode()) - {share_id}),
            "feed.xml": sorted(ids_in_bytes(feed.encode()) - {share_id})}


def _site_wide_ids(config: SiteConfig, listed: Sequence[ShareFacts],
                  files: dict[str, bytes]) -> list[tuple[str, Iterable[str]]]:
    """IDs in each site-wide file: every file is scanned but the joined ones, whose
    entries' IDs the records hold (``_fragment_ids``); of those only the frame is."""
    found: list[tuple[str, Iterable[str]]] = [
        (rel, ids_in_bytes(data)) for rel, data in sorted(files.items()) if rel not in _JOINED]
    found.append(("feed.xml", ids_in_bytes(_feed(config, listed, []))))
    found.append(("search.json", ids_in_bytes(search_file([]))))
    found.append(("feed.xml", {s.id for s in listed}))
    found.append(("search.json", {s.id for s in listed}))
    return found


def _leak_problems(
    found: Iterable[tuple[str, Iterable[str]]], revoked: set[str], unlisted: set[str],
    expired: set[str] | None = None,
) -> list[Problem]:
    """The leak rule over (output path, share IDs in that file) pairs."""
    problems: list[Problem] = []
    for rel, ids in found:
        for share_id in sorted(ids):
            if expired and share_id in expired:
                problems.append(Problem(Path("output") / rel,
                                        f"would publish expired share ID {share_id} (its "
                                        "link is gone; remove the mention)"))
            elif share_id in revoked:
                problems.append(Problem(Path("output") / rel,
                                        f"would publish revoked share ID {share_id}"))
            elif share_id in unlisted and not rel.startswith(f"share/{share_id}/"):
                problems.append(Problem(Path("output") / rel,
                                        f"would publish unlisted share ID {share_id} outside "
                                        f"share/{share_id}/"))
    return problems
