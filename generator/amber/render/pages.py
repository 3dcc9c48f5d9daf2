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
    """BCP 47 language tag for ``<html lang>``."""
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
    continuation: Continuation | None = None
    """Links that carry the conversation to a chat app (Continue)."""
    json_digest: str = ""
    """SHA-256 of ``conversation.json``, in hex: anyone can check a download against it."""
    report_href: str | None = None
    """"Report this page": a ``mailto:`` or URL made from ``site.yaml``'s ``contact`` with
    this page's URL filled in; None when the site names no contact."""
    outline: tuple[OutlineItem, ...] = ()
    """The user's questions of a long conversation, for a jump list; empty when short."""


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
