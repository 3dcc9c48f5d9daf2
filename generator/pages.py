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
    number: int
    """1-based position in the conversation."""
    anchor: str
    """Fragment id of the message (``m-3``)."""
    role: str
    """user, assistant, system or tool (for CSS classes)."""
    role_label: str
    """Human label: You, Assistant, System, Tool."""
    model: str | None
    created: str | None
    """ISO 8601 time when known."""
    html: Markup
    """The rendered content: Markdown, code, reasoning, tool parts, images."""


@dataclass(frozen=True)
class SharePage:
    """``share/<id>/index.html``."""

    id: str
    title: str
    author: str | None
    """'Shared by NAME', or None when anonymous."""
    frozen: str
    """ISO 8601 time the snapshot was taken."""
    frozen_display: str
    """The same, for people (``28 November 2026``)."""
    models: tuple[str, ...]
    message_count: int
    messages: tuple[MessageView, ...]
    url: str
    """Absolute URL of this page (canonical, Copy link)."""
    json_href: str
    """``conversation.json``: chat-completions messages plus metadata."""
    md_href: str
    """``conversation.md``: the same as Markdown."""
    description: str
    """Plain text from the first question, for meta description and cards."""
    listed: bool
    """False adds ``<meta name="robots" content="noindex">``."""


@dataclass(frozen=True)
class ShareSummary:
    """One listed share on the index."""

    title: str
    href: str
    frozen: str
    frozen_display: str
    excerpt: str
    """Plain text from the first question, shortened."""
    message_count: int
    author: str | None


@dataclass(frozen=True)
class IndexPage:
    """``index.html``: listed shares, newest first."""

    shares: tuple[ShareSummary, ...]
    url: str
    description: str


@dataclass(frozen=True)
class NotFoundPage:
    """``404.html``: served by GitHub Pages at any missing or revoked URL."""

    url: str
