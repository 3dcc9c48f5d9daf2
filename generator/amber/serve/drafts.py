"""Draft pages: a live conversation rendered exactly as its share page would be.

A draft is the conversation frozen in memory (``amber.content.snapshot.freeze``)
under a placeholder ID that says it is a draft, then rendered by the same
``share_page`` and ``share.html`` a build uses, with the last good build's
theme. It is unlisted, so it carries ``noindex``; it lives at
``/_preview/<slug>/`` and nowhere else, and nothing of it is ever written to
disk. The query string tries the choices ``amber share`` offers before
anything is frozen: ``?title=T``, ``?name`` (the site's author), ``?name=NAME``,
``?anonymous`` (the default), and ``?messages=`` and the redaction options
(``amber.serve.draft_partial``).
"""

from __future__ import annotations

import shlex
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from amber.content.load import SitePaths
from amber.content.model import Conversation, Selection, SiteConfig
from amber.content.redaction import RedactionRules
from amber.content.shares import now_utc
from amber.content.snapshot import Redaction, freeze
from amber.render.site import share_page
from amber.render.templates import render_template
from amber.serve.builder import Build

DRAFT_ID = "draft-not-shared-yet"
"""The placeholder share ID of every draft: never a valid share ID, plainly not a real link."""
PREVIEW_PREFIX = "/_preview/"
DRAFT_ASSET_PREFIX = "/_amber/draft/"
"""Images of drafts are served from content/assets/ under ``/_amber/draft/assets/``."""
DRAFT_KEY = "0" * 32
"""The digest key of a draft's redactions: a draft is never written, so nothing is kept."""
CACHE_SIZE = 32
MAX_OPTION_LENGTH = 500


@dataclass(frozen=True)
class DraftChoice:
    """The share options a draft shows, read from its query string."""

    title: str | None
    """A title other than the conversation's, or None."""
    author: str | None
    """The name shown as 'Shared by', or None for anonymous."""
    name_arg: str | None
    """How the name was asked for: None (anonymous), '' (site author) or the name."""
    notes: tuple[str, ...] = ()
    """Options that could not be applied, and why."""
    messages: str | None = None
    """``?messages=3-8,12`` as given, when it names messages of the conversation."""
    selection: Selection | None = None
    """Those messages (``amber.serve.draft_partial``); None shows every message."""
    rules: RedactionRules | None = None
    """``?redact=``, ``?redact-pattern=``, ``?redact-sensitive``; None when there are none."""

    def query(self, **changes: str | None) -> str:
        """This choice as a query string ('' when it is all defaults), with ``changes``
        applied (None drops an option)."""
        values = {"title": self.title, "name": self.name_arg, **changes}
        pairs = [(k, v) for k, v in values.items() if v is not None] + self._partial_pairs()
        return f"?{urlencode(pairs)}" if pairs else ""

    def _partial_pairs(self) -> list[tuple[str, str]]:
        pairs = [("messages", self.messages)] if self.messages is not None else []
        if self.rules is not None:
            pairs += [("redact", t) for t in self.rules.literals]
            pairs += [("redact-pattern", p) for p in self.rules.patterns]
            pairs += [("redact-sensitive", "")] if self.rules.sensitive else []
        return pairs

    def command(self, verb: str, slug: str) -> str:
        """The ``amber share`` (or ``preview``) command that makes this choice."""
        words = ["amber", verb, slug]
        if self.title is not None:
            words += ["--title", self.title]
        if self.name_arg is not None:
            words += ["--name", self.name_arg] if self.name_arg else ["--name"]
        for key, value in self._partial_pairs():
            words += [f"--{key}"] + ([value] if key != "redact-sensitive" else [])
        return " ".join(shlex.quote(w) for w in words)


def read_choice(query: str, config: SiteConfig) -> DraftChoice:
    """Parse ``?title=&name=&anonymous``; problems become notes, never errors."""
    try:
        params = parse_qs(query, keep_blank_values=True, max_num_fields=16)
    except ValueError:
        return DraftChoice(None, None, None, ("too many options in the address; ignored",))
    notes: list[str] = []
    title = None
    titles = [t.strip() for t in params.get("title", []) if t.strip()]
    if titles:
        title = titles[-1]
        if len(title) > MAX_OPTION_LENGTH:
            notes.append(f"title longer than {MAX_OPTION_LENGTH} characters; shortened here")
            title = title[:MAX_OPTION_LENGTH]
    names = params.get("name")
    if names is None:
        return DraftChoice(title, None, None, tuple(notes))
    if "anonymous" in params:
        notes.append("both name and anonymous were asked for; showing it anonymously")
        return DraftChoice(title, None, None, tuple(notes))
    name = names[-1].strip()[:MAX_OPTION_LENGTH]
    if name:
        return DraftChoice(title, name, name, tuple(notes))
    if config.author:
        return DraftChoice(title, config.author, "", tuple(notes))
    notes.append("content/site.yaml has no author, so --name needs a name: try ?name=Your+Name")
    return DraftChoice(title, None, None, tuple(notes))


@dataclass(frozen=True)
class Draft:
    html: bytes
    """The page as share.html renders it (the server adds its banner when sending it)."""
    json: bytes
    markdown: bytes


class DraftRenderer:
    """Renders drafts on request, keeping the most recent ones (request threads share it)."""

    def __init__(self, paths: SitePaths) -> None:
        self.paths = paths
        self._cache: OrderedDict[object, Draft] = OrderedDict()
        self._lock = threading.Lock()

    def render(self, conv: Conversation, choice: DraftChoice, build: Build) -> Draft:
        frozen = now_utc()
        key = (conv, choice.title, choice.author, frozen, build.config, build.theme_key,
               choice.selection, choice.rules)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        draft = self._render(conv, choice, build, frozen)
        with self._lock:
            self._cache[key] = draft
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return draft

    def _render(self, conv: Conversation, choice: DraftChoice, build: Build,
                frozen: str) -> Draft:
        # Unlisted always: a draft must never invite indexing, whatever it tries.
        snap = freeze(conv, DRAFT_ID, title=choice.title, author=choice.author, listed=False,
                      frozen=frozen, selection=choice.selection,
                      redaction=Redaction(choice.rules, DRAFT_KEY) if choice.rules else None)
        snap = replace(snap, path=conv.path)  # a problem of the draft is in its conversation
        page, _assets = share_page(snap, build.config, self.paths,
                                   folder_href=f"{PREVIEW_PREFIX}{conv.slug}/",
                                   asset_prefix=DRAFT_ASSET_PREFIX)
        if choice.selection is not None or choice.rules is not None:
            # The downloads must be the same part, redacted the same way, as the page.
            query = choice.query()
            page = replace(page, json_href=page.json_href + query, md_href=page.md_href + query)
        html = render_template(build.env, "share.html", site=build.site_view, page=page)
        return Draft(html, page.chat_json.encode(), page.markdown.encode())
