"""The template context of each page type: what a theme author can use.

Every template receives ``page`` (one of the dataclasses below) and ``site``
(``SiteView``). Strings are plain text and autoescaped by Jinja; fields typed
``Markup`` are HTML that amber has already rendered and sanitised. URLs named
``*_url`` are absolute (``https://...``); ``*_href`` are root-relative paths that
already carry the ``base_url`` path prefix, so they work under a sub-path and in
``404.html`` served at any depth.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class SiteView:
    """What every page knows about the site: ``site`` in every template."""

    title: str
    """``site.yaml`` title."""
    language: str
    """The site's BCP 47 language tag (``site.yaml``), for ``<html lang>``; a share page
    declares its conversation's own instead (``page.language``)."""
    home_href: str
    """The index page (the base path, such as ``/chats/``)."""
    base_url: str
    """Absolute base URL, ending in '/'."""
    assets: dict[str, str]
    """Theme asset name -> href with its content hash (``assets['amber.css']``)."""
    feed_href: str
    """The Atom feed of listed shares."""
    csp: str
    """The Content-Security-Policy the page declares (first element of ``<head>``)."""


@dataclass(frozen=True)
class MessageView:
    """One message of a share page (``page.messages``), rendered and ready to show."""

    number: int
    """1-based position in the conversation (a share of some messages keeps their numbers)."""
    anchor: str
    """Fragment id of the message (``m-3``)."""
    role: str
    """user, assistant, system or tool (for CSS classes)."""
    role_label: str
    """Human label: User, Assistant, System, Tool."""
    model: str | None
    """The model that wrote this message, when known (shown for assistant messages)."""
    created: str | None
    """ISO 8601 time when known."""
    html: Markup
    """The rendered content: Markdown, code, reasoning, tool parts, images."""


@dataclass(frozen=True)
class PreviewCard:
    """A share's link-preview image (``page.preview``): what chat apps and social sites show.

    A share that must not reveal its title gets a generic card: the site's title
    alone, and ``title`` None.
    """

    url: str
    """Absolute URL of the image (``share/<id>/preview.png``), for ``og:image``."""
    alt: str
    """Text that says what the image shows, for ``og:image:alt``."""
    site_title: str
    """The site's title, on every card."""
    title: str | None
    """The share's title, or None on a generic card."""
    details: str
    """Date, message count and models (``28 November 2026 · 4 messages · gpt-4o``);
    empty on a generic card."""
    width: int = 1200
    """Pixels; 1200 × 630 is the size chat apps and social sites show large."""
    height: int = 630
    """Pixels."""


@dataclass(frozen=True)
class VersionView:
    """One version at a message with alternatives (``‹ 2 / 3 ›``): that message and the
    ones that followed it, as ``ThreadItem``s after its ``version`` item."""

    anchor: str
    """Fragment id of the version's container (``v-3-2``; inside another version the
    ids chain: ``v-3-1-v-5-2``). Linking to it shows it, with or without JavaScript."""
    number: int
    """Its place among the versions, 1-based."""
    count: int
    """How many versions the message has."""
    message_number: int
    """The number of the message the versions stand at."""
    shared: bool
    """The version the page shows first: the one on the conversation's shared path."""
    prev_anchor: str | None
    """The version before it (``‹``), or None for the first."""
    next_anchor: str | None
    """The version after it (``›``), or None for the last."""


@dataclass(frozen=True)
class ThreadItem:
    """One step of ``SharePage.thread``, the conversation with every branch, as a flat
    list a template walks in one loop (no recursion, however deep the branches go).

    ``kind`` is ``message`` (``message`` set), ``fork`` (open the container of one
    message's versions), ``version`` (open one version: ``version`` set), ``end_version``
    or ``end_fork`` (close what the last open step opened)."""

    kind: str
    """message, fork, version, end_version or end_fork."""
    message: MessageView | None = None
    """The message, for a ``message`` step."""
    version: VersionView | None = None
    """The version it opens, for a ``version`` step."""


@dataclass(frozen=True)
class SharePage:
    """``share/<id>/index.html``."""

    id: str
    """The share ID, a random UUID4 (the last path segment of ``url``)."""
    title: str
    """The title frozen with the share (``--title`` or the conversation's)."""
    author: str | None
    """'Shared by NAME', or None when anonymous."""
    frozen: str
    """ISO 8601 time the snapshot was taken."""
    frozen_display: str
    """The same, for people (``28 November 2026``)."""
    models: tuple[str, ...]
    """Distinct models of the conversation, in order of first appearance; may be empty."""
    message_count: int
    """Number of messages in the share. A tool message whose every result is shown with
    its call (``render.tools``) counts here but is not in ``messages``."""
    messages: tuple[MessageView, ...]
    """The conversation in order."""
    url: str
    """Absolute URL of this page (canonical, Share)."""
    json_href: str
    """``conversation.json``: chat-completions messages plus metadata."""
    md_href: str
    """``conversation.md``: the same as Markdown."""
    description: str
    """Plain text from the first question, for meta description and cards."""
    listed: bool
    """False adds ``<meta name="robots" content="noindex">``."""
    preview: PreviewCard
    """The link-preview image (``preview.png`` in the share's folder), for ``og:image``."""
    expires: str | None = None
    """ISO 8601 moment from which the link is gone (``amber share --expires``); None: never."""
    expires_display: str | None = None
    """The same, for people, to follow "This link expires": ``at the end of 31 December
    2026 (UTC)`` for an expiry at midnight (a date given alone), else ``on 31 December
    2026 at 18:30 UTC``."""
    selection: str | None = None
    """Which messages of the conversation the share holds (``Messages 3–8 and 12 of 20``),
    or None when it holds all of them. ``messages[i].number`` keeps each one's number."""
    redactions: int = 0
    """How many ``[redacted]`` markers the share holds; each is shown as
    ``<mark class="redacted" role="img" aria-label="redacted">`` in ``messages[i].html``."""
    language: str = "en"
    """BCP 47 tag of the conversation (its ``language``, else the site's): the page's
    ``<html lang>``."""

    thread: tuple[ThreadItem, ...] = ()
    """A share of every branch (``amber share --branches all``) whose messages have
    alternatives: the whole tree, with ``messages`` its shared path. Empty otherwise:
    ``messages`` is all there is."""

    continuation: Continuation | None = None
    """Links that carry the conversation to a chat app (Continue)."""
    json_digest: str = ""
    """SHA-256 of ``conversation.json``, in hex: anyone can check a download against it."""
    report_href: str | None = None
    """"Report this page": a ``mailto:`` or URL made from ``site.yaml``'s ``contact`` with
    this page's URL filled in; None when the site names no contact."""
    outline: tuple[OutlineItem, ...] = ()
    """The user's questions of a long conversation, for a jump list; empty when short."""
    chat_json: str = ""
    """The text of ``conversation.json`` (what ``json_href`` serves)."""
    markdown: str = ""
    """The text of ``conversation.md`` (what ``md_href`` serves)."""


@dataclass(frozen=True)
class SealedPage:
    """``share/<id>/index.html`` of an encrypted share (``sealed.html``).

    It holds nothing of the conversation in the clear: the theme's ``amber-seal.js``
    decrypts ``ciphertext`` in the browser and shows the plain page's ``<main>`` in place.
    """

    id: str
    """The share ID (the last path segment of ``url``)."""
    url: str
    """Absolute URL of this page, without the key (the canonical link)."""
    title: str
    """A generic title ("Encrypted conversation"), never the share's own."""
    description: str
    """A generic description for link previews."""
    passphrase: bool
    """True when the reader types a passphrase; False when the key is in the link."""
    aad: str
    """``data-aad``: the additional authenticated data (``amber-seal-v1:<id>``)."""
    iv: str
    """``data-iv``: the nonce, standard base64."""
    ciphertext: str
    """``data-ct``: the sealed content, standard base64."""
    salt: str
    """``data-salt``: passphrase shares only, the PBKDF2 salt (unpadded base64url); else ''."""
    iterations: int
    """``data-iterations``: passphrase shares only, the PBKDF2-SHA-256 iteration count; else 0."""
    preview: PreviewCard
    """The link-preview image: a generic card with the site's name only."""
    listed: bool = False
    """Always False: a listed share is never encrypted."""


@dataclass(frozen=True)
class Continuation:
    """``page.continuation``: the conversation opened in a chat app, with the text filled in."""

    chatgpt_href: str
    """``https://chatgpt.com/?q=...``."""
    claude_href: str
    """``https://claude.ai/new?q=...``."""
    complete: bool
    """True when the links carry the whole conversation; False when it was too long for a
    link, so they carry a short request and the reader pastes the copied Markdown."""


@dataclass(frozen=True)
class OutlineItem:
    """One question in ``page.outline``."""

    anchor: str
    """The message's fragment id (``m-3``)."""
    number: int
    """The message's number."""
    text: str
    """The question's first words, as plain text."""


@dataclass(frozen=True)
class ShareSummary:
    """One listed share on the index."""

    title: str
    """The share's title."""
    href: str
    """Its page (``/chats/share/<id>/``)."""
    frozen: str
    """ISO 8601 time the snapshot was taken (for ``<time datetime>``)."""
    frozen_display: str
    """The same, for people (``28 November 2026``)."""
    excerpt: str
    """Plain text from the first question, shortened."""
    message_count: int
    """Number of messages in the share."""
    author: str | None
    """'Shared by NAME', or None when anonymous."""


@dataclass(frozen=True)
class IndexPage:
    """``index.html``: listed shares, newest first."""

    shares: tuple[ShareSummary, ...]
    """Listed shares, newest first; empty when nothing is listed (say that shares go by link)."""
    url: str
    """Absolute URL of the index (canonical, cards)."""
    description: str
    """One line about the site, for the meta description."""
    search_href: str
    """``search.json``: title, href, date, excerpt and text of each listed share, for the
    client-side filter (``[{"title", "href", "frozen", "frozen_display", "excerpt",
    "text"}]``, newest first). Never holds an unlisted share."""


@dataclass(frozen=True)
class NotFoundPage:
    """``404.html``: served by GitHub Pages at any missing or revoked URL."""

    url: str
    """Absolute URL of ``404.html`` itself (links on the page must not be relative to it)."""
