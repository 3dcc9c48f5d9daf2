"""Read model objects out of positioned trees, collecting every problem.

Each reader returns the object or None and appends ``Problem``s naming the
line and column of the offending value and what was expected. Unknown keys
are errors: a typo such as ``tilte`` must not silently drop a title.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from amber.content.model import PART_FIELDS, ROLES, Conversation, Message, Part, SiteConfig
from amber.content.nodes import Node
from amber.content.urls import normalise_base_url
from amber.errors import Problem

_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?\Z"
)


def shown(value: object, limit: int = 60) -> str:
    """``repr`` of a value read from a file, cut short: a message stays one readable line
    even when the value is a megabyte long."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 2] + "…" + text[-1]


class Reader:
    """Problem collector for one file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def error(self, node: Node, message: str) -> None:
        self.problems.append(Problem(self.path, message, node.line, node.col))

    def mapping(
        self, node: Node, what: str, required: tuple[str, ...], optional: tuple[str, ...]
    ) -> dict[str, Node] | None:
        if node.kind != "map":
            self.error(node, f"{what}: expected a mapping, got {node.type_name()}")
            return None
        allowed = set(required) | set(optional)
        for key, (knode, _) in node.items.items():
            if key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.error(knode, f"{what}: unknown key {shown(key)} (expected one of: {expected})")
        for key in required:
            if key not in node.items:
                self.error(node, f"{what}: missing required key {key!r}")
        return {k: v for k, (_, v) in node.items.items() if k in allowed}

    def string(self, node: Node, what: str, *, empty_ok: bool = True) -> str | None:
        if node.kind != "scalar" or node.value is None:
            self.error(node, f"{what}: expected a string, got {node.type_name()}")
            return None
        value = node.value if isinstance(node.value, str) else node.raw
        if value is None:  # a JSON number or boolean where text belongs
            self.error(node, f"{what}: expected a string, got {node.type_name()}")
            return None
        if not empty_ok and not value.strip():
            self.error(node, f"{what}: must not be empty")
            return None
        return value

    def optional_string(self, fields: dict[str, Node], key: str, what: str) -> str | None:
        node = fields.get(key)
        if node is None or (node.kind == "scalar" and node.value is None):
            return None
        return self.string(node, f"{what}.{key}")

    def boolean(self, node: Node, what: str) -> bool | None:
        if node.kind != "scalar" or not isinstance(node.value, bool):
            self.error(node, f"{what}: expected true or false, got {node.type_name()}")
            return None
        return node.value

    def timestamp(self, node: Node | None, what: str) -> str | None:
        if node is None or (node.kind == "scalar" and node.value is None):
            return None
        text = self.string(node, what)
        if text is None:
            return None
        parsed = parse_time(text)
        if parsed is None:
            self.error(node, f"{what}: expected an ISO 8601 time like 2026-01-31T12:00:00Z")
        return parsed


_CANONICAL_TIME = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
"""A time already in the normal form (years from 1000: ``%Y`` pads no shorter year)."""


def parse_time(text: str) -> str | None:
    """Normalise an ISO 8601 time to ``YYYY-MM-DDTHH:MM:SSZ`` in UTC, or None.

    Nearly every time in content is already normal (amber writes them so); such a
    time only needs its fields checked, which skips the time-zone arithmetic and
    ``strftime`` that a build would otherwise run for every message of every file.
    """
    text = text.strip()
    if not _TIME_RE.match(text):
        return None
    if _CANONICAL_TIME.match(text):
        try:
            datetime.fromisoformat(text[:-1])  # the same fields the full path reads
        except ValueError:
            return None
        return text
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):  # 0001-01-01T00:00+01:00 falls off the calendar
        return None


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")


def is_language_tag(text: str) -> bool:
    """A BCP 47 language tag in its usual shape: ``en``, ``ko``, ``pt-BR``, ``zh-Hant``."""
    return len(text) <= 35 and _LANGUAGE_TAG.match(text) is not None


def read_language(r: Reader, fields: dict[str, Node], what: str) -> str | None:
    """The optional ``language`` key of a conversation or snapshot, checked."""
    language = r.optional_string(fields, "language", what)
    if language is not None and not is_language_tag(language):
        r.error(fields["language"], "language: expected a BCP 47 language tag such as "
                "ko or pt-BR")
        return None
    return language


def read_part(r: Reader, node: Node, what: str) -> Part | None:
    if node.kind != "map":
        r.error(node, f"{what}: expected a mapping with a 'type', got {node.type_name()}")
        return None
    type_entry = node.items.get("type")
    if type_entry is None:
        r.error(node, f"{what}: missing required key 'type'")
        return None
    kind = r.string(type_entry[1], f"{what}.type")
    if kind is None:
        return None
    if kind not in PART_FIELDS:
        r.error(type_entry[1], f"{what}.type: unknown part type {shown(kind)} "
                f"(expected one of: {', '.join(PART_FIELDS)})")
        return None
    required, optional = PART_FIELDS[kind]
    fields = r.mapping(node, f"{what} ({kind})", ("type", *required), optional)
    if fields is None:
        return None
    values: dict[str, object] = {}
    for key in required + optional:
        if key not in fields:
            continue
        if key == "is_error":
            values[key] = r.boolean(fields[key], f"{what}.{key}")
        elif key in required:
            values[key] = r.string(fields[key], f"{what}.{key}")
        else:
            values[key] = r.optional_string(fields, key, what)
    if kind == "image" and values.get("src"):
        src = str(values["src"])
        if not is_safe_asset_ref(src):
            r.error(fields["src"], f"{what}.src: expected a file under assets/ "
                    "such as assets/<sha256>.png")
            return None
    return Part(kind, **values)  # type: ignore[arg-type]


_ASSET_REF = re.compile(r"^assets/[A-Za-z0-9][A-Za-z0-9._-]{0,200}\Z")


def is_safe_asset_ref(src: str) -> bool:
    """An image reference must name a plain file directly under content/assets/."""
    return bool(_ASSET_REF.match(src)) and ".." not in src


def read_message(r: Reader, node: Node, what: str, depth: int = 0) -> Message | None:
    fields = r.mapping(node, what, ("role", "content"),
                       ("created", "model", "version", "alternatives"))
    if fields is None:
        return None
    role = r.string(fields["role"], f"{what}.role") if "role" in fields else None
    if role is not None and role not in ROLES:
        r.error(fields["role"], f"{what}.role: expected one of {', '.join(ROLES)}, "
                f"got {shown(role)}")
        role = None
    content: str | tuple[Part, ...] | None = None
    cnode = fields.get("content")
    if cnode is not None:
        if cnode.kind == "seq":
            parts = [read_part(r, p, f"{what}.content[{i}]") for i, p in enumerate(cnode.value)]
            if not parts:
                r.error(cnode, f"{what}.content: expected at least one part")
            content = tuple(p for p in parts if p is not None)
            if len(content) != len(parts):
                content = None
        else:
            content = r.string(cnode, f"{what}.content")
    created = r.timestamp(fields.get("created"), f"{what}.created")
    model = r.optional_string(fields, "model", what)
    branches = read_alternatives(r, fields, what, depth)
    if role is None or content is None or branches is None:
        return None
    alternatives, version = branches
    return Message(role, content, created, model, alternatives, version)


MAX_BRANCH_DEPTH = 50
"""Alternatives inside alternatives deeper than this are refused: a real tree of edits is
far shallower, each level is three levels of YAML (``nodes.MAX_DEPTH`` bounds those),
and a hostile file must not exhaust the stack. Importers keep no deeper branches."""


def read_alternatives(
    r: Reader, fields: dict[str, Node], what: str, depth: int
) -> tuple[tuple[tuple[Message, ...], ...], int] | None:
    """A message's ``alternatives`` (a list of branches, each a list of messages) and its
    ``version`` (1 to the number of versions); None after an error."""
    anode, vnode = fields.get("alternatives"), fields.get("version")
    if anode is None:
        if vnode is not None:
            r.error(vnode, f"{what}.version: only a message with alternatives has a version")
            return None
        return (), 1
    if anode.kind != "seq" or not anode.value:
        r.error(anode, f"{what}.alternatives: expected a list of branches, each a list of "
                "messages")
        return None
    if depth >= MAX_BRANCH_DEPTH:
        r.error(anode, f"{what}.alternatives: nested more than {MAX_BRANCH_DEPTH} deep")
        return None
    out: list[tuple[Message, ...]] = []
    for i, bnode in enumerate(anode.value):
        where = f"{what}.alternatives[{i}]"
        if bnode.kind != "seq" or not bnode.value:
            r.error(bnode, f"{where}: expected a list of at least one message")
            return None
        branch = [read_message(r, m, f"{where}[{j}]", depth + 1)
                  for j, m in enumerate(bnode.value)]
        if any(m is None for m in branch):
            return None
        out.append(tuple(m for m in branch if m is not None))
    version = 1
    if vnode is not None:
        value = vnode.value
        if (not isinstance(value, int) or isinstance(value, bool)
                or not 1 <= value <= len(out) + 1):
            r.error(vnode, f"{what}.version: expected a whole number from 1 to {len(out) + 1} "
                    "(this message's place among its versions)")
            return None
        version = value
    return tuple(out), version


def read_messages(r: Reader, node: Node | None, what: str) -> tuple[Message, ...] | None:
    if node is None:
        return None
    if node.kind != "seq":
        r.error(node, f"{what}: expected a list of messages, got {node.type_name()}")
        return None
    if not node.value:
        r.error(node, f"{what}: expected at least one message")
        return None
    out = [read_message(r, m, f"messages[{i}]") for i, m in enumerate(node.value)]
    if any(m is None for m in out):
        return None
    return tuple(m for m in out if m is not None)


def read_conversation(
    node: Node, path: Path, slug: str
) -> tuple[Conversation | None, list[Problem]]:
    r = Reader(path)
    fields = r.mapping(node, "conversation", ("title", "messages"),
                       ("created", "model", "language"))
    if fields is None:
        return None, r.problems
    title = r.string(fields["title"], "title", empty_ok=False) if "title" in fields else None
    created = r.timestamp(fields.get("created"), "created")
    model = r.optional_string(fields, "model", "conversation")
    language = read_language(r, fields, "conversation")
    messages = read_messages(r, fields.get("messages"), "messages")
    if r.problems or title is None or messages is None:
        return None, r.problems
    return Conversation(slug, title, messages, created, model, path, language), []


SITE_REQUIRED = ("title", "base_url")
SITE_OPTIONAL = ("author", "language", "theme", "cname", "contact", "encrypt_unlisted")

_EMAIL = re.compile(r"[^@\s<>()\[\]\\,;:\"?&#%/]{1,64}"
                    r"@[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_CONTACT_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s<>\"\\]*)?", re.IGNORECASE)


def read_site(node: Node, path: Path) -> tuple[SiteConfig | None, list[Problem]]:
    r = Reader(path)
    fields = r.mapping(node, "site.yaml", SITE_REQUIRED, SITE_OPTIONAL)
    if fields is None:
        return None, r.problems
    title = r.string(fields["title"], "title", empty_ok=False) if "title" in fields else None
    base_url = None
    if "base_url" in fields:
        base_url = r.string(fields["base_url"], "base_url")
        if base_url is not None:
            base_url = normalise_base_url(base_url)
            if base_url is None:
                r.error(fields["base_url"], "base_url: expected an absolute http(s) URL "
                        "such as https://jane.github.io/chats/ (a host name or IP address, "
                        "a path of letters, digits and - . _ ~ only)")
    author = r.optional_string(fields, "author", "site")
    language = r.optional_string(fields, "language", "site") or "en"
    if not is_language_tag(language):
        r.error(fields["language"], "language: expected a language tag such as en or pt-BR")
    theme = r.optional_string(fields, "theme", "site") or "default"
    cname = r.optional_string(fields, "cname", "site")
    if cname is not None and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?",
                                               cname):
        r.error(fields["cname"], "cname: expected a bare domain name such as chats.example.com")
    contact = r.optional_string(fields, "contact", "site")
    if contact is not None and not (_EMAIL.fullmatch(contact) or _CONTACT_URL.fullmatch(contact)):
        r.error(fields["contact"], "contact: expected an e-mail address such as "
                "jane@example.com or an http(s) URL such as https://example.com/report")
    encrypt_unlisted = False
    if "encrypt_unlisted" in fields:
        encrypt_unlisted = bool(r.boolean(fields["encrypt_unlisted"], "encrypt_unlisted"))
    if r.problems or title is None or base_url is None:
        return None, r.problems
    return SiteConfig(title, base_url, author, language, theme, cname, encrypt_unlisted,
                      contact), []
