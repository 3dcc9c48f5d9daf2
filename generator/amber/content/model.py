"""The content model: frozen dataclasses, no I/O.

A ``Conversation`` is live and editable; a ``Snapshot`` is one frozen share of
it. Messages hold either a Markdown string or a tuple of typed parts, and keep
that form through freezing so a snapshot file reads like its source.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("user", "assistant", "system", "tool")

BRANCHES = ("current", "all")
"""What a share keeps of a conversation's branches (``amber share --branches``)."""

PART_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # type: (required keys, optional keys) besides "type"
    "text": (("text",), ()),
    "code": (("code",), ("language", "title")),
    "image": ((), ("src", "name", "alt")),
    "reasoning": (("text",), ("title",)),
    "tool_call": (("name",), ("id", "arguments")),
    "tool_result": (("text",), ("name", "id", "is_error")),
    "attachment": (("name",), ("text",)),
}
"""Keys each part type accepts, in the order a snapshot writes them."""


@dataclass(frozen=True)
class Part:
    """One typed piece of a message's content."""

    type: str
    """One of PART_FIELDS: text, code, image, reasoning, tool_call, tool_result, attachment."""
    text: str | None = None
    """Markdown for text and reasoning; the output for tool_result; an attachment's
    extracted text (shown as it is, not as Markdown)."""
    code: str | None = None
    """Source of a code part."""
    language: str | None = None
    """Language name of a code part (a Pygments alias); never guessed."""
    title: str | None = None
    """Caption of a code part (a file name, an artifact title) or of a reasoning part."""
    src: str | None = None
    """Image file, relative to content/ (``assets/<sha256>.<ext>``); None if not exported."""
    name: str | None = None
    """Image or attachment file name as uploaded, or the tool's name for tool parts."""
    alt: str | None = None
    """Alternative text of an image."""
    id: str | None = None
    """Tool call id that links a tool_call to its tool_result."""
    arguments: str | None = None
    """A tool call's arguments, as the model wrote them (usually JSON)."""
    is_error: bool | None = None
    """Whether a tool_result reports a failure."""

    def as_dict(self) -> dict[str, object]:
        """The part as written in files: ``type`` first, then its keys in schema order."""
        required, optional = PART_FIELDS[self.type]
        out: dict[str, object] = {"type": self.type}
        for key in required + optional:
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


Content = str | tuple[Part, ...]


@dataclass(frozen=True)
class Message:
    role: str
    """user, assistant, system or tool."""
    content: Content
    """A Markdown string, or a tuple of parts."""
    created: str | None = None
    """ISO 8601 UTC (``2026-01-31T12:00:00Z``) when known."""
    model: str | None = None
    """The model that wrote an assistant message, when known."""
    alternatives: tuple[tuple[Message, ...], ...] = ()
    """The other versions of this message (an edited prompt, a regenerated answer), in the
    order the app kept them: each is a branch, that version and the messages that followed
    it. Empty for a message that was never edited or regenerated."""
    version: int = 1
    """Where this message stands among its versions, 1-based: the page shows
    ``version / (len(alternatives) + 1)``. 1 when there are no alternatives."""

    @functools.cached_property
    def parts(self) -> tuple[Part, ...]:
        """The content as parts (a string is one text part); kept, as a page, its
        Markdown and its JSON each ask for them."""
        if isinstance(self.content, str):
            return (Part("text", text=self.content),)
        return self.content

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"role": self.role}
        if self.created is not None:
            out["created"] = self.created
        if self.model is not None:
            out["model"] = self.model
        if isinstance(self.content, str):
            out["content"] = self.content
        else:
            out["content"] = [p.as_dict() for p in self.content]
        if self.alternatives:  # written only when there are some: older files stay the same
            out["version"] = self.version
            out["alternatives"] = [[m.as_dict() for m in branch] for branch in self.alternatives]
        return out


def shared_path(messages: tuple[Message, ...]) -> tuple[Message, ...]:
    """The messages as shown, without the alternatives any of them hold: what a share of
    the current branch freezes, and what ``conversation.json`` and ``.md`` hold."""
    if not any(m.alternatives for m in messages):
        return messages
    return tuple(
        Message(m.role, m.content, m.created, m.model) if m.alternatives else m
        for m in messages
    )


def every_message(messages: Iterable[Message]) -> Iterator[Message]:
    """Each message and, after it, every message of its alternatives, depth first: what a
    check of everything a share publishes must read."""
    for message in messages:
        yield message
        for branch in message.alternatives:
            yield from every_message(branch)


def has_alternatives(messages: Iterable[Message]) -> bool:
    return any(m.alternatives for m in messages)


@dataclass(frozen=True)
class Conversation:
    """A live conversation from ``content/conversations/<slug>.yaml|json``."""

    slug: str
    """File name without extension: the conversation's identity."""
    title: str
    messages: tuple[Message, ...]
    created: str | None = None
    model: str | None = None
    path: Path | None = field(default=None, compare=False)
    """Where it was read from, for messages to the user."""
    language: str | None = None
    """BCP 47 tag of the conversation's language (``ko``, ``pt-BR``); None: the site's."""


@dataclass(frozen=True)
class Snapshot:
    """One active share: ``content/shares/<id>.yaml``, immutable once written."""

    id: str
    """A UUID4 string; the unguessable part of the share URL."""
    title: str
    author: str | None
    """Display name when shared with name; None when anonymous."""
    listed: bool
    """Listed shares appear on the index, sitemap and feed; unlisted ones only at their URL."""
    frozen: str
    """ISO 8601 UTC time the snapshot was taken."""
    source: str
    """Slug of the conversation it was frozen from."""
    source_digest: str
    """Digest of the source at freeze time, to tell when the source moved on."""
    digest: str
    """Digest of ``messages``, to detect hand edits of frozen content."""
    messages: tuple[Message, ...]
    created: str | None = None
    """When the source conversation started, if known."""
    model: str | None = None
    """The conversation's model, if the source named one."""
    allow_sensitive: bool = False
    """Shared with ``--allow-sensitive``: likely secrets or personal data were accepted."""
    expires: str | None = None
    """ISO 8601 UTC moment from which the link is gone (``--expires``); None: never."""
    selection: Selection | None = None
    """The source messages frozen (``--messages``); None when all of them were."""
    redactions: RedactionRecord | None = None
    """The redaction rules applied and how many markers they left; None when none."""
    encryption: Encryption | None = None
    """The key its page is sealed with (``--encrypt``, ``--passphrase``); None: a plain page."""
    branches: str = "current"
    """``current``: the shared path alone; ``all``: the messages keep their alternatives
    (``amber share --branches all``, snapshot format 2)."""
    path: Path | None = field(default=None, compare=False)
    language: str | None = None
    """BCP 47 tag of the conversation's language, frozen with it; None: the site's."""

    @property
    def numbers(self) -> tuple[int, ...]:
        """Each frozen message's 1-based number in its source conversation."""
        if self.selection is not None:
            return self.selection.numbers
        return tuple(range(1, len(self.messages) + 1))

    @property
    def models(self) -> tuple[str, ...]:
        """Every model named in the snapshot, conversation first, without repeats."""
        seen: list[str] = []
        for name in [self.model, *(m.model for m in self.messages)]:
            if name and name not in seen:
                seen.append(name)
        return tuple(seen)


@dataclass(frozen=True)
class Selection:
    """Which messages of a conversation a share holds (``--messages 3-8,12``)."""

    numbers: tuple[int, ...]
    """1-based message numbers in the source, ascending, without repeats."""
    total: int
    """How many messages the source had when frozen (the "of 20" a page shows)."""


@dataclass(frozen=True)
class Encryption:
    """The secret of an encrypted share (``amber.content.keys``), kept in its snapshot.

    The published page holds only ciphertext; whoever has ``key`` (from the link's
    fragment, or derived from the passphrase in the reader's browser) can read it.
    """

    key: str
    """The AES-256-GCM key, 32 bytes as unpadded base64url (43 characters)."""
    salt: str | None = None
    """Passphrase shares: the PBKDF2 salt (unpadded base64url); None for link-key shares."""
    iterations: int | None = None
    """Passphrase shares: PBKDF2-HMAC-SHA-256 iterations; None for link-key shares."""

    @property
    def passphrase(self) -> bool:
        """True when the reader types a passphrase instead of carrying the key in the link."""
        return self.salt is not None

    @property
    def kind(self) -> str:
        """``passphrase`` or ``link`` (the key is in the link), as list, review and the
        manage page name it."""
        return "passphrase" if self.passphrase else "link"


@dataclass(frozen=True)
class RedactionRecord:
    """The redaction rules of a share, kept in a form that holds no redacted text.

    ``literals`` are keyed digests (``amber.content.redaction``): they let ``amber
    update`` tell that the texts passed again with ``--redact`` are the ones the share
    was made with, without the snapshot holding those texts."""

    count: int
    """How many markers the rules left in the frozen title and messages."""
    key: str
    """The share's random digest key, hex."""
    literals: tuple[str, ...] = ()
    """``hmac-sha256:<hex>`` of each ``--redact`` text, sorted."""
    patterns: tuple[str, ...] = ()
    """Each ``--redact-pattern`` as given, in order."""
    sensitive: bool = False
    """Whether detector findings were replaced (``--redact-sensitive``)."""


@dataclass(frozen=True)
class Tombstone:
    """A revoked share: its ID and when it was revoked, nothing else."""

    id: str
    revoked: str


@dataclass(frozen=True)
class SiteConfig:
    """``content/site.yaml``."""

    title: str
    base_url: str
    """Absolute, ending in '/'; its path is the prefix of every internal link."""
    author: str | None = None
    language: str = "en"
    theme: str = "default"
    cname: str | None = None
    encrypt_unlisted: bool = False
    """``encrypt_unlisted``: new unlisted shares are encrypted unless ``--no-encrypt``."""
    contact: str | None = None
    """Where readers report a page: an e-mail address or an http(s) URL (``site.yaml``)."""

    @property
    def base_path(self) -> str:
        """The URL path prefix, such as ``/chats/`` (always starts and ends with '/')."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"
