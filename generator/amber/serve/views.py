"""The preview server's own pages and fragments: management page, error overlay, draft
banner, error pages. Jinja2 with autoescape, like the site's templates: every title,
name and message shown here comes from content and is hostile input.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from amber.content.model import Conversation, SiteConfig, Tombstone
from amber.content.shares import reader_url, share_states
from amber.errors import display_path
from amber.render.partial import partial_fields
from amber.render.templates import CSP, display_date, sandboxed_environment
from amber.serve.drafts import PREVIEW_PREFIX, DraftChoice
from amber.serve.state import ServedState

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
MANAGE_PATH = "/_manage/"


@functools.cache
def environment() -> jinja2.Environment:
    """Sandboxed like the site's themes: these templates are amber's own, but the values
    they show are content, and one rule for every environment leaves nothing to audit."""
    return sandboxed_environment([str(TEMPLATES)])


def render(name: str, **context: object) -> bytes:
    return environment().get_template(name).render(csp=CSP, **context).encode("utf-8")


def overlay(problems: tuple[str, ...], has_build: bool) -> bytes:
    return render("_serve_overlay.html", problems=problems, has_build=has_build)


def error_page(heading: str, message: str, home_href: str | None = None) -> bytes:
    return render("_serve_error.html", heading=heading, message=message, home_href=home_href)


def draft_href(slug: str) -> str:
    return f"{PREVIEW_PREFIX}{slug}/"


@dataclass(frozen=True)
class ShareRow:
    id: str
    title: str
    visibility: str
    """listed or unlisted."""
    author: str | None
    frozen: str
    frozen_display: str
    state: str
    """expired, current, stale, source gone or source invalid
    (``amber.content.shares.share_states``, at the moment of the served build)."""
    hint: str | None
    """The command that deals with the state, if any."""
    source: str
    page_href: str | None
    """The share's page on this server, or None if the served build does not have it yet."""
    draft_href: str | None
    """The draft of its conversation, or None if the conversation is gone."""
    selection: str | None = None
    """``Messages 3–8 of 20`` for a share of some messages; None when it holds them all."""
    redactions: int = 0
    """How many redaction markers the share holds."""
    encryption: str | None = None
    """``link`` (the key is in the link), ``passphrase``, or None for a plain page."""
    link: str | None = None
    """An encrypted share's whole public link, key included: this page is the owner's
    alone (it answers this machine only), so it may show what CI logs never do."""


@dataclass(frozen=True)
class ConversationRow:
    slug: str
    title: str
    file: str
    messages: int
    shares: int
    draft_href: str


@dataclass(frozen=True)
class ManagePage:
    site_title: str
    home_href: str
    shares: tuple[ShareRow, ...]
    listed_count: int
    stale_count: int
    conversations: tuple[ConversationRow, ...]
    tombstones: tuple[Tombstone, ...]
    """Newest first."""


def share_rows(state: ServedState, source: str | None = None) -> list[ShareRow]:
    """Active shares with their state (all of them, or those of one conversation)."""
    content = state.content
    if content is None:
        return []
    if source is not None:
        # Only this conversation's shares: stating all of them costs a digest each.
        content = replace(content, snapshots={
            i: s for i, s in content.snapshots.items() if s.source == source})
    build = state.build
    base_path = build.config.base_path if build else "/"
    rows = []
    for item in share_states(content, state.moment):
        snap = item.snapshot
        built = build is not None and f"share/{snap.id}/index.html" in build.files
        hint = {"stale": f"amber update {snap.id}",
                "expired": "amber revoke --expired"}.get(item.state)
        encryption = snap.encryption.kind if snap.encryption is not None else None
        fragment = f"#{snap.encryption.key}" if encryption == "link" else ""  # type: ignore[union-attr]
        rows.append(ShareRow(
            id=snap.id, title=snap.title, visibility="listed" if snap.listed else "unlisted",
            author=snap.author, frozen=snap.frozen, frozen_display=display_date(snap.frozen),
            state=item.state, hint=hint, source=snap.source,
            page_href=f"{base_path}share/{snap.id}/{fragment}" if built else None,
            encryption=encryption,
            link=(reader_url(build.config if build else content.config, snap)  # type: ignore[arg-type]
                  if encryption == "link" and (build or content.config) else None),
            draft_href=draft_href(snap.source) if snap.source in state.conversations else None,
            **partial_fields(snap),
        ))
    return rows


def manage_page(state: ServedState) -> bytes:
    content = state.content
    build = state.build
    rows = share_rows(state)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.source] = counts.get(row.source, 0) + 1
    conversations = tuple(
        ConversationRow(slug, conv.title, _file(conv), len(conv.messages),
                        counts.get(slug, 0), draft_href(slug))
        for slug, conv in sorted(state.conversations.items())
    )
    config = build.config if build else (content.config if content else None)
    tombstones = tuple(sorted(content.tombstones if content else [],
                              key=lambda t: (t.revoked, t.id), reverse=True))
    page = ManagePage(
        site_title=config.title if config else "this site",
        home_href=config.base_path if config else "/",
        shares=tuple(rows), listed_count=sum(1 for r in rows if r.visibility == "listed"),
        stale_count=sum(1 for r in rows if r.state == "stale"),
        conversations=conversations, tombstones=tombstones,
    )
    return render("_serve_manage.html", page=page)


def draft_banner(
    conv: Conversation, choice: DraftChoice, config: SiteConfig, state: ServedState
) -> bytes:
    href = draft_href(conv.slug)
    return render(
        "_serve_draft_banner.html",
        file=_file(conv), href=href, notes=choice.notes,
        conversation_title=conv.title, custom_title=choice.title is not None,
        title_value=choice.title or "", named=choice.author is not None,
        name_value=choice.name_arg or "", site_author=config.author,
        anonymous_query=choice.query(name=None), author_query=choice.query(name=""),
        original_title_query=choice.query(title=None),
        share_command=choice.command("share", conv.slug),
        **draft_partial_context(conv, choice),
        shares=share_rows(state, source=conv.slug) if state.content else [],
    )


def _file(conv: Conversation) -> str:
    if conv.path is None:
        return f"content/conversations/{conv.slug}"
    parts = conv.path.parts
    return "/".join(parts[-3:]) if len(parts) >= 3 else display_path(conv.path)


def draft_partial_context(conv: Conversation, choice: DraftChoice) -> dict[str, object]:
    """What the draft banner shows and pre-fills of ``?messages=`` and the redactions."""
    from amber.content.partial import published_view
    from amber.content.selection import describe

    rules = choice.rules
    count = 0
    if rules is not None:
        count = published_view(conv, choice.title or conv.title, choice.selection,
                               rules).count
    return {
        "messages_value": choice.messages or "",
        "redact_value": "\n".join(rules.literals) if rules else "",
        "patterns_value": "\n".join(rules.patterns) if rules else "",
        "redact_sensitive": bool(rules and rules.sensitive),
        "selection": describe(choice.selection) if choice.selection else None,
        "redactions": count,
    }
