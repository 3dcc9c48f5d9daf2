"""Freeze conversations into snapshots, digest them, and read/write share files.

A share file must be self-contained and must read well in a pull-request diff:
keys in a fixed order, Markdown as YAML block scalars, one message after
another. Digests are SHA-256 over canonical JSON, so they do not depend on how
the YAML happens to be laid out.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from amber.content.ids import SLUG_RE, is_share_id
from amber.content.model import (
    BRANCHES,
    Conversation,
    Encryption,
    Message,
    RedactionRecord,
    Selection,
    Snapshot,
    Tombstone,
    has_alternatives,
    shared_path,
)
from amber.content.nodes import Node
from amber.content.schema import Reader, read_language, read_messages, shown
from amber.errors import Problem

if TYPE_CHECKING:
    from amber.content.redaction import RedactionRules

FORMAT_VERSION = 2
"""The newest snapshot format. Format 2 adds the alternatives of ``--branches all``; a
snapshot that holds none is still written as format 1, byte for byte as before."""
READABLE_FORMATS = (1, 2)
BRANCHES_FORMAT = 2
"""The format a share of every branch (``--branches all``) is written in."""

SNAPSHOT_HEADER = (
    "# amber share snapshot: frozen content, published at share/<id>/.\n"
    "# Edit title, author or listed if you must; the messages are covered by `digest`,\n"
    "# so re-freeze with `amber update ID` instead of editing them.\n"
)
REVOKED_HEADER = (
    "# Revoked share IDs (tombstones). Never remove an entry: amber refuses to reuse\n"
    "# these IDs and fails the build if one appears in content/ or output/ again.\n"
)

SNAPSHOT_REQUIRED = (
    "format", "id", "title", "author", "listed", "frozen",
    "source", "source_digest", "digest", "messages",
)
SNAPSHOT_OPTIONAL = ("allow_sensitive", "expires", "encryption", "created", "model", "language",
                     "selection", "redactions", "branches")


def canonical_json(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def messages_digest(messages: tuple[Message, ...]) -> str:
    """Digest of frozen messages: detects hand edits of a snapshot."""
    return "sha256:" + hashlib.sha256(canonical_json([m.as_dict() for m in messages])).hexdigest()


def source_digest(conv: Conversation, selection: Selection | None = None,
                  branches: str = "current") -> str:
    """Digest of everything in a conversation that a share would show.

    With a selection, only the selected messages count: a share of messages 3-8 is
    not stale because message 12 changed. A selection past the current end never
    matches, so a shortened conversation shows as stale. A share of the current
    branch is not stale because an alternative changed; one of every branch is."""
    from amber.content.selection import covers, select

    messages = conv.messages if branches == "all" else shared_path(conv.messages)
    body: dict[str, object] = {
        "title": conv.title,
        "created": conv.created,
        "model": conv.model,
        "messages": [m.as_dict() for m in select(messages, selection)],
    }
    if conv.language is not None:  # only when set: older shares keep their digests
        body["language"] = conv.language
    if selection is not None:
        body["selection"] = list(selection.numbers)
        if not covers(conv.messages, selection):
            body["missing"] = True
    return "sha256:" + hashlib.sha256(canonical_json(body)).hexdigest()


def freeze(
    conv: Conversation, share_id: str, *, title: str | None, author: str | None,
    listed: bool, frozen: str, allow_sensitive: bool = False, expires: str | None = None,
    selection: Selection | None = None, redaction: Redaction | None = None,
    encryption: Encryption | None = None, branches: str = "current",
) -> Snapshot:
    """A snapshot of ``conv``: only the ``selection`` of its messages when given, with
    the ``redaction`` rules applied to every published field when given; with
    ``branches="all"`` each message keeps its alternatives (never with a selection,
    whose numbers count the shared path only); its page sealed with ``encryption``
    when given (unlisted shares only)."""
    if encryption is not None and listed:
        raise ValueError("a listed share cannot be encrypted")
    from amber.content.redaction import record_of, redact
    from amber.content.selection import select

    if branches not in BRANCHES:
        raise ValueError(f"branches: expected one of {BRANCHES}, got {branches!r}")
    if branches == "all" and selection is not None:
        raise ValueError("a share of every branch cannot also be a selection of messages")
    kept = conv.messages if branches == "all" else shared_path(conv.messages)
    messages = select(kept, selection)
    shown_title = title if title is not None else conv.title
    model = conv.model
    record = None
    if redaction is not None and redaction.rules:
        done = redact(shown_title, model, messages, redaction.rules, source_title=conv.title)
        shown_title, model, messages = done.title, done.model, done.messages
        record = record_of(redaction.rules, done.count, redaction.key)
    return Snapshot(
        id=share_id,
        title=shown_title,
        author=author,
        listed=listed,
        frozen=frozen,
        source=conv.slug,
        source_digest=source_digest(conv, selection, branches),
        digest=messages_digest(messages),
        messages=messages,
        created=conv.created,
        model=model,
        allow_sensitive=allow_sensitive,
        expires=expires,
        selection=selection,
        redactions=record,
        encryption=encryption,
        language=conv.language,
        branches=branches,
    )


@dataclass(frozen=True)
class Redaction:
    """Redaction rules with the share's digest key (kept across updates)."""

    rules: RedactionRules
    key: str


# --- writing ----------------------------------------------------------------


_LINE_BREAKS_YAML_FOLDS = re.compile("[\r\x85\u2028\u2029]")
"""Characters a YAML reader turns into plain newlines inside a block scalar."""
_BLOCK_UNSAFE = re.compile(
    "[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so a diff shows Markdown line by line.

    PyYAML refuses block style for text with tabs or trailing spaces (hard line
    breaks in Markdown, Go code), which YAML block scalars carry fine; the
    analysis is widened for those. Whatever this writes is read back and
    compared before it is used (``dump_yaml``).
    """

    block_everything = True

    def ignore_aliases(self, data: object) -> bool:
        return True

    def analyze_scalar(self, scalar: str):  # type: ignore[no-untyped-def]
        analysis = super().analyze_scalar(scalar)
        if (
            self.block_everything
            and "\n" in scalar
            and not analysis.allow_block
            and not _BLOCK_UNSAFE.search(scalar)
        ):
            analysis.allow_block = True
        return analysis


_READER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlainDumper(_Dumper):
    """PyYAML's own judgement of styles: the fallback when a widened dump misreads."""

    block_everything = False


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    if _LINE_BREAKS_YAML_FOLDS.search(text):
        style: str | None = '"'  # escaped, so \r and U+0085 survive the round trip
    elif "\n" in text:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_str)


class _FastDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """libyaml's emitter: about 20x faster, and the same block scalars for ordinary text."""

    def ignore_aliases(self, data: object) -> bool:
        return True


_FastDumper.add_representer(str, _represent_str)

_LIBYAML_QUOTES = re.compile(
    r"\t| \n|[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""Text for which libyaml gives up block style (tabs, trailing spaces): the Python emitter."""


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


SLOW_EMITTER_LIMIT = 1_000_000
"""Characters of text past which libyaml writes even what it would quote.

The pure-Python emitter keeps block scalars for text with tabs or trailing spaces,
but takes about a minute for 20 MB; libyaml quotes that text instead, in a second."""


def dump_yaml(value: object) -> str:
    """YAML that reads back to exactly ``value``; checked, never assumed."""
    strings = list(_strings(value))
    simple = not any(_LIBYAML_QUOTES.search(s) for s in strings if "\n" in s)
    if not simple and sum(map(len, strings)) > SLOW_EMITTER_LIMIT:
        simple = True  # a diff of this much text is unreadable either way: be quick
    dumpers = (_FastDumper, _Dumper, _PlainDumper) if simple else (_Dumper, _PlainDumper)
    for dumper in dumpers:
        text = yaml.dump(
            value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100,
            default_flow_style=False, indent=2,
        )
        try:
            if yaml.load(text, Loader=_READER) == value:  # the loader amber reads with
                return text
        except yaml.YAMLError:
            continue  # libyaml refuses a block line starting with a tab: quote instead
    raise ValueError("cannot write this content as YAML that reads back unchanged")


def snapshot_dict(snap: Snapshot) -> dict[str, object]:
    out: dict[str, object] = {
        "format": BRANCHES_FORMAT if snap.branches == "all" else 1,
        "id": snap.id,
        "title": snap.title,
        "author": snap.author,
        "listed": snap.listed,
        "frozen": snap.frozen,
        "source": snap.source,
        "source_digest": snap.source_digest,
        "digest": snap.digest,
    }
    if snap.allow_sensitive:  # written only when set, so older share files stay as they were
        out["allow_sensitive"] = True
    if snap.expires is not None:  # likewise: a share without expiry is written as before
        out["expires"] = snap.expires
    if snap.encryption is not None:
        out["encryption"] = encryption_dict(snap.encryption)
    if snap.created is not None:
        out["created"] = snap.created
    if snap.model is not None:
        out["model"] = snap.model
    if snap.language is not None:  # written only when known, like the keys above
        out["language"] = snap.language
    out.update(_selection_and_redactions(snap))
    if snap.branches == "all":
        out["branches"] = "all"
    out["messages"] = [m.as_dict() for m in snap.messages]
    return out


def encryption_dict(encryption: Encryption) -> dict[str, object]:
    out: dict[str, object] = {"key": encryption.key}
    if encryption.salt is not None:
        out["passphrase"] = {"salt": encryption.salt, "iterations": encryption.iterations}
    return out


def _selection_and_redactions(snap: Snapshot) -> dict[str, object]:
    """The keys of a partial or redacted share; none for a share of everything as it is."""
    from amber.content.selection import format_ranges

    out: dict[str, object] = {}
    if snap.selection is not None:
        out["selection"] = {"messages": format_ranges(snap.selection.numbers),
                            "of": snap.selection.total}
    record = snap.redactions
    if record is not None:
        rules: dict[str, object] = {"count": record.count, "key": record.key}
        if record.literals:
            rules["literals"] = list(record.literals)
        if record.patterns:
            rules["patterns"] = list(record.patterns)
        if record.sensitive:
            rules["sensitive"] = True
        out["redactions"] = rules
    return out


def serialise_snapshot(snap: Snapshot) -> bytes:
    return (SNAPSHOT_HEADER + dump_yaml(snapshot_dict(snap))).encode()


def serialise_tombstones(tombstones: list[Tombstone]) -> bytes:
    entries = [{"id": t.id, "revoked": t.revoked} for t in tombstones]
    body = dump_yaml(entries) if entries else "[]\n"
    return (REVOKED_HEADER + body).encode()


# --- reading ----------------------------------------------------------------


def read_snapshot(
    node: Node, path: Path, *, verify_digest: bool = True
) -> tuple[Snapshot | None, list[Problem]]:
    """A snapshot from its file; ``verify_digest=False`` only for re-freezing a hand-edited one."""
    r = Reader(path)
    fields = r.mapping(node, "snapshot", SNAPSHOT_REQUIRED, SNAPSHOT_OPTIONAL)
    if fields is None:
        return None, r.problems
    fmt_value = None
    if "format" in fields:
        fmt = fields["format"]
        fmt_value = fmt.value
        if fmt.value not in READABLE_FORMATS or isinstance(fmt.value, bool):
            r.error(fmt, "format: this amber reads snapshot formats "
                    f"{', '.join(map(str, READABLE_FORMATS))}, not {shown(fmt.value)}")
            fmt_value = None
    share_id = r.string(fields["id"], "id") if "id" in fields else None
    file_id = path.name.removesuffix(".yaml")
    if share_id is not None:
        if not is_share_id(share_id):
            r.error(fields["id"], f"id: {shown(share_id)} is not a lowercase UUID4")
        elif share_id != file_id:
            r.error(fields["id"], f"id: {share_id} does not match the file name {path.name}")
    title = r.string(fields["title"], "title", empty_ok=False) if "title" in fields else None
    author = r.optional_string(fields, "author", "snapshot")
    listed = r.boolean(fields["listed"], "listed") if "listed" in fields else None
    frozen = None
    if "frozen" in fields:
        frozen = r.timestamp(fields["frozen"], "frozen")
        if fields["frozen"].kind == "scalar" and fields["frozen"].value is None:
            r.error(fields["frozen"], "frozen: expected an ISO 8601 time, got null")
    source = r.string(fields["source"], "source") if "source" in fields else None
    if source is not None and not SLUG_RE.match(source):
        r.error(fields["source"], f"source: {shown(source)} is not a conversation slug")
        source = None
    digests = {}
    for key in ("source_digest", "digest"):
        if key in fields:
            value = r.string(fields[key], key)
            if value is not None and not _is_digest(value):
                r.error(fields[key], f"{key}: expected sha256:<64 hex digits>")
            digests[key] = value
    created = r.timestamp(fields.get("created"), "created")
    expires = r.timestamp(fields.get("expires"), "expires")
    model = r.optional_string(fields, "model", "snapshot")
    language = read_language(r, fields, "snapshot")
    allow_sensitive = False
    if "allow_sensitive" in fields:
        allow_sensitive = bool(r.boolean(fields["allow_sensitive"], "allow_sensitive"))
    messages = read_messages(r, fields.get("messages"), "messages")
    selection = _read_selection(r, fields.get("selection"), len(messages or ()))
    redactions = _read_redactions(r, fields.get("redactions"))
    encryption = _read_encryption(r, fields.get("encryption"))
    if encryption is not None and listed:
        r.error(fields["encryption"], "encryption: a listed share is public on purpose and "
                "cannot be encrypted; set listed: false, or share it anew without --encrypt")
    branches = _read_branches(r, fields, fmt_value, messages)
    if (
        selection is not None and messages is not None
        and len(selection.numbers) != len(messages)
    ):
        r.error(fields["selection"], f"selection: names {len(selection.numbers)} messages, "
                f"but the snapshot holds {len(messages)}")
    if (
        verify_digest
        and messages is not None
        and digests.get("digest")
        and _is_digest(digests["digest"] or "")
    ):
        actual = messages_digest(messages)
        if actual != digests["digest"]:
            r.error(fields["digest"], "frozen messages were changed by hand (digest does not "
                    "match); restore the file from git, or re-freeze with `amber update "
                    f"{file_id}`")
    if r.problems or None in (share_id, title, listed, frozen, source, messages):
        return None, r.problems
    return Snapshot(
        id=share_id, title=title, author=author, listed=bool(listed), frozen=frozen,  # type: ignore[arg-type]
        source=source, source_digest=digests["source_digest"], digest=digests["digest"],  # type: ignore[arg-type]
        messages=messages, created=created, model=model, path=path,  # type: ignore[arg-type]
        allow_sensitive=allow_sensitive, expires=expires, selection=selection,
        redactions=redactions, encryption=encryption, language=language,
        branches=branches,
    ), []


def _read_encryption(r: Reader, node: Node | None) -> Encryption | None:
    from amber.content.keys import key_problem

    if node is None:
        return None
    fields = r.mapping(node, "encryption", ("key",), ("passphrase",))
    if fields is None or "key" not in fields:
        return None
    key = r.string(fields["key"], "encryption.key")
    salt: str | None = None
    iterations: int | None = None
    where = fields["key"]
    if "passphrase" in fields:
        where = fields["passphrase"]
        kdf = r.mapping(fields["passphrase"], "encryption.passphrase", ("salt", "iterations"), ())
        if kdf is None or len(kdf) != 2:
            return None
        salt = r.string(kdf["salt"], "encryption.passphrase.salt")
        count = kdf["iterations"].value
        if not isinstance(count, int) or isinstance(count, bool):
            r.error(kdf["iterations"], "encryption.passphrase.iterations: expected a whole number")
            return None
        iterations = count
    if key is None:
        return None
    encryption = Encryption(key=key, salt=salt, iterations=iterations)
    if (why := key_problem(encryption)) is not None:
        r.error(fields["key"] if why.startswith("key") else where, f"encryption.{why}")
        return None
    return encryption


def _read_branches(r: Reader, fields: dict[str, Node], fmt: object,
                   messages: tuple[Message, ...] | None) -> str:
    """``branches``: ``all`` in a format-2 snapshot that keeps alternatives; absent (the
    current branch) otherwise. A format-1 file never holds alternatives: an older amber
    would have read it as a share of less than it publishes."""
    node = fields.get("branches")
    branches = "current"
    if node is not None:
        value = r.string(node, "branches")
        if value != "all":
            r.error(node, f"branches: expected 'all' (a share of the current branch says "
                    f"nothing), got {shown(value)}")
            return branches
        branches = "all"
        if fmt == 1:
            r.error(node, f"branches: a share of every branch is snapshot format "
                    f"{BRANCHES_FORMAT}, not 1")
        if "selection" in fields:
            r.error(node, "branches: a share of every branch cannot also hold a selection")
    elif fmt == BRANCHES_FORMAT:
        r.error(fields["format"], f"format: {BRANCHES_FORMAT} is for a share of every "
                "branch (branches: all)")
    if branches == "current" and messages is not None and has_alternatives(messages):
        r.error(fields["messages"], "messages: alternatives are kept only by a share of "
                f"every branch (format {BRANCHES_FORMAT}, branches: all)")
    return branches


def _read_selection(r: Reader, node: Node | None, held: int) -> Selection | None:
    from amber.content.selection import RangeError, parse_selection

    if node is None:
        return None
    fields = r.mapping(node, "selection", ("messages", "of"), ())
    if fields is None or len(fields) != 2:
        return None
    total = fields["of"].value
    if not isinstance(total, int) or isinstance(total, bool) or total < 1:
        r.error(fields["of"], "selection.of: expected the number of source messages")
        return None
    text = r.string(fields["messages"], "selection.messages")
    if text is None:
        return None
    try:
        return parse_selection(text, total, most=held)
    except RangeError as exc:
        r.error(fields["messages"], f"selection.messages: {exc}")
        return None


_DIGEST_KEY = re.compile(r"[0-9a-f]{32}\Z")
_LITERAL_DIGEST = re.compile(r"hmac-sha256:[0-9a-f]{64}\Z")


def _read_redactions(r: Reader, node: Node | None) -> RedactionRecord | None:
    from amber.content.redaction import RuleError, check_pattern

    if node is None:
        return None
    fields = r.mapping(node, "redactions", ("count", "key"),
                       ("literals", "patterns", "sensitive"))
    if fields is None or "count" not in fields or "key" not in fields:
        return None
    count = fields["count"].value
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        r.error(fields["count"], "redactions.count: expected a whole number")
        return None
    key = r.string(fields["key"], "redactions.key")
    if key is None or not _DIGEST_KEY.match(key):
        r.error(fields["key"], "redactions.key: expected 32 hex digits")
        return None
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("literals", "patterns"):
        node_ = fields.get(name)
        if node_ is None:
            continue
        if node_.kind != "seq":
            r.error(node_, f"redactions.{name}: expected a list, got {node_.type_name()}")
            return None
        items = []
        for i, item in enumerate(node_.value):  # type: ignore[arg-type]
            text = r.string(item, f"redactions.{name}[{i}]")
            if text is None:
                return None
            if name == "literals" and not _LITERAL_DIGEST.match(text):
                r.error(item, f"redactions.literals[{i}]: expected hmac-sha256:<64 hex digits>")
                return None
            if name == "patterns":
                try:
                    check_pattern(text)
                except RuleError as exc:
                    r.error(item, f"redactions.patterns[{i}]: {exc}")
                    return None
            items.append(text)
        lists[name] = tuple(items)
    sensitive = False
    if "sensitive" in fields:
        sensitive = bool(r.boolean(fields["sensitive"], "redactions.sensitive"))
    return RedactionRecord(count=count, key=key, literals=lists.get("literals", ()),
                           patterns=lists.get("patterns", ()), sensitive=sensitive)


def _is_digest(text: str) -> bool:
    return (
        text.startswith("sha256:")
        and len(text) == 71
        and all(c in "0123456789abcdef" for c in text[7:])
    )


def read_tombstones(node: Node, path: Path) -> tuple[list[Tombstone], list[Problem]]:
    r = Reader(path)
    if node.kind == "scalar" and node.value is None:
        return [], []
    if node.kind != "seq":
        r.error(node, f"revoked.yaml: expected a list of {{id, revoked}}, got {node.type_name()}")
        return [], r.problems
    out: list[Tombstone] = []
    seen: set[str] = set()
    for i, item in enumerate(node.value):
        fields = r.mapping(item, f"revoked[{i}]", ("id", "revoked"), ())
        if fields is None or len(fields) != 2:
            continue
        share_id = r.string(fields["id"], f"revoked[{i}].id")
        when = r.timestamp(fields["revoked"], f"revoked[{i}].revoked")
        if share_id is None or when is None:
            continue
        if not is_share_id(share_id):
            r.error(fields["id"], f"revoked[{i}].id: {shown(share_id)} is not a lowercase "
                    "UUID4")
            continue
        if share_id in seen:
            r.error(fields["id"], f"revoked[{i}].id: {share_id} is listed twice")
            continue
        seen.add(share_id)
        out.append(Tombstone(share_id, when))
    return out, r.problems
