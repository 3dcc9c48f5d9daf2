"""Gemini: Google Takeout's "My Activity → Gemini Apps", in JSON or in HTML.

Takeout writes activity, not conversations: one entry per prompt, newest
first. A JSON entry is ``{header: "Gemini Apps", title: "Prompted <the
prompt>", time, safeHtmlItem: [{html}], details: [{url}], imageFile,
attachedFiles}``; the HTML file holds the same entries as ``outer-cell``
blocks (``Prompted <prompt><br><date><br><reply HTML>``), read by
``gemini_html``. ``regroup`` gathers a file's entries into conversations: the
entries whose links name one chat (``https://gemini.google.com/app/<id>``)
form one, oldest first; an entry with no such link is a conversation of its
own, named after its time and prompt so a later export finds it again.

What an entry becomes: the prompt a user message (with its uploaded image and
files as placeholders: Takeout keeps their bytes apart, under other names),
the reply (HTML, turned back into Markdown by ``htmltext``) an assistant
message. ``safeHtmlItem`` holds one item per draft; the first is the one
Gemini shows, the others are kept as its alternatives (``branches``). Entries that are not
turns (a Canvas created, feedback given, a draft chosen) are left out and
counted in the import summary.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from amber.content.model import Message, Part
from amber.importers.branches import Tree, walk
from amber.importers.gemini_html import activity_entries
from amber.importers.htmltext import html_to_markdown
from amber.importers.normalise import (
    clean_text,
    label,
    single_line,
    time_from_string,
    title_from_text,
)
from amber.importers.record import (
    ImageResolver,
    Imported,
    Notes,
    Skipped,
    first_text,
    message,
)
from amber.importers.records import HtmlDocument

FORMAT = "gemini"
PRODUCTS = frozenset({"Gemini Apps", "Bard"})
TURN_VERBS = ("Prompted", "Branched", "Answered", "Asked")
"""How English exports begin a turn's title; other languages use their own word."""

_CHAT_LINK = re.compile(r"https://gemini\.google\.com/app/([A-Za-z0-9_-]{4,100})")


@dataclass(frozen=True)
class ActivityConversation:
    """Entries of one conversation, oldest first (what ``regroup`` hands ``convert``)."""

    key: str | None
    """The chat ID from the entries' links; None for an entry that names none."""
    entries: tuple[dict[str, object], ...]
    others: int = 0
    """For the record that only counts entries that are not turns."""


def looks_like(record: object) -> bool:
    if isinstance(record, HtmlDocument):
        return any(f'mdl-typography--title">{p}' in record.text[:200_000] for p in PRODUCTS)
    if isinstance(record, ActivityConversation):
        return True
    if not isinstance(record, dict) or not isinstance(record.get("title"), str):
        return False
    products = record.get("products")
    return record.get("header") in PRODUCTS or (
        isinstance(products, list) and any(p in PRODUCTS for p in products if isinstance(p, str)))


def regroup(records: Iterator[tuple[str, object]]) -> Iterator[tuple[str, object]]:
    """The entries of each file, gathered into conversations in order of first appearance."""
    groups: dict[str, list[dict[str, object]]] = {}
    others = 0
    for _where, record in records:
        entries = activity_entries(record.text) if isinstance(record, HtmlDocument) \
            else [record] if isinstance(record, dict) else []
        for index, entry in enumerate(entries):
            if not _is_turn(entry):
                others += 1
                continue
            key = _chat_id(entry)
            group = f"app:{key}" if key else f"entry:{len(groups)}:{index}"
            groups.setdefault(group, []).append(entry)
    for count, (group, entries) in enumerate(groups.items(), 1):
        key = group.removeprefix("app:") if group.startswith("app:") else None
        yield f"conversation {count}", ActivityConversation(key, tuple(_oldest_first(entries)))
    if others:
        yield "activity", ActivityConversation(None, (), others)


def _is_turn(entry: dict[str, object]) -> bool:
    if isinstance(entry.get("safeHtmlItem"), list) and entry["safeHtmlItem"]:
        return True
    title = entry.get("title")
    return isinstance(title, str) and title.startswith(TURN_VERBS)


def _chat_id(entry: dict[str, object]) -> str | None:
    candidates: list[object] = [entry.get("titleUrl")]
    for key in ("details", "subtitles"):
        items = entry.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                candidates += [item.get("url"), item.get("name")]
    for value in candidates:
        match = _CHAT_LINK.match(value) if isinstance(value, str) else None
        if match:
            return match.group(1)
    return None


def _oldest_first(entries: list[dict[str, object]]) -> list[dict[str, object]]:
    """Takeout lists newest first; times sort them when every entry has one."""
    times = [time_from_string(e.get("time")) for e in entries]
    if all(times):
        order = sorted(range(len(entries)), key=lambda i: (times[i], -i))
        return [entries[i] for i in order]
    return entries[::-1]


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, ActivityConversation):
        return Skipped(where, "not Gemini activity")
    if not record.entries:
        what = "entry is not a conversation turn" if record.others == 1 \
            else "entries are not conversation turns"
        return Skipped(where, f"{record.others} activity {what} (a Canvas created, feedback "
                              "given, a draft chosen); left out")
    notes = Notes()
    walked = walk(_draft_tree(record.entries), _shown(record.entries))
    messages, dropped = walked.messages, walked.dropped
    if not messages:
        return Skipped(where, "no visible messages")
    first = record.entries[0]
    if record.key:
        source_id = f"app:{record.key}"
    else:
        opening = f"{first.get('time') or first.get('time_text')}\0{first.get('title')}"
        source_id = "entry:" + hashlib.sha256(opening.encode("utf-8", "replace")).hexdigest()[:32]
    title = title_from_text(first_text(messages)) or "Untitled conversation"
    return Imported(
        format=FORMAT,
        source_id=source_id,
        title=title,
        messages=tuple(messages),
        created=messages[0].created,
        branches_dropped=dropped,
        notes=tuple(notes.items),
    )


def _drafts(entry: dict[str, object]) -> list[str]:
    items = entry.get("safeHtmlItem")
    return [d["html"] for d in (items if isinstance(items, list) else [])
            if isinstance(d, dict) and isinstance(d.get("html"), str)]


def _draft_tree(entries: tuple[dict[str, object], ...]) -> Tree:
    """The conversation as ``branches.walk`` reads it: each prompt (``p:<entry>``) has its
    drafts (``d:<entry>:<draft>``) as children, and the first draft, the one Gemini shows,
    leads on to the next prompt; the other drafts are alternatives of it."""
    drafts = [_drafts(entry) for entry in entries]

    def onward(index: int) -> list[str]:
        return [f"p:{index + 1}"] if index + 1 < len(entries) else []

    def children(node: str) -> list[str]:
        kind, index, *draft = node.split(":")
        at = int(index)
        if kind == "p":
            return [f"d:{at}:{k}" for k in range(len(drafts[at]))] or onward(at)
        return onward(at) if draft == ["0"] else []

    def convert(run: Sequence[str]) -> list[Message]:
        out: list[Message] = []
        for node in run:
            kind, index, *draft = node.split(":")
            entry = entries[int(index)]
            created = time_from_string(entry.get("time"))
            if kind == "p":
                converted = message("user", _uploads(entry) + _prompt(entry), created)
            else:
                html = drafts[int(index)][int(draft[0])]
                reply = clean_text(html_to_markdown(clean_text(html))).strip()
                converted = message("assistant", [Part("text", text=reply)], created)
            if converted is not None:
                out.append(converted)
        return out

    return Tree(children=children, convert=convert)


def _shown(entries: tuple[dict[str, object], ...]) -> list[str]:
    """Each prompt and its first draft."""
    path: list[str] = []
    for index, entry in enumerate(entries):
        path.append(f"p:{index}")
        if _drafts(entry):
            path.append(f"d:{index}:0")
    return path


def _prompt(entry: dict[str, object]) -> list[Part]:
    title = clean_text(entry.get("title"))
    for verb in TURN_VERBS:
        if title.startswith(verb + " ") or title.startswith(verb + "\xa0"):
            title = title[len(verb) + 1:]
            break
    else:
        if entry.get("html") is True and "\xa0" in title[:40]:
            title = title.split("\xa0", 1)[1]  # a localised verb, as HTML writes it
    text = title.strip()
    return [Part("text", text=text)] if text else []


def _uploads(entry: dict[str, object]) -> list[Part]:
    parts: list[Part] = []
    images = entry.get("imageFile")
    for name in images if isinstance(images, list) else [images]:
        if isinstance(name, str) and name.strip():
            parts.append(Part("image", name=label(name, 200)))
    files = entry.get("attachedFiles")
    for name in files if isinstance(files, list) else [files]:
        if isinstance(name, str) and name.strip():
            parts.append(Part("attachment", name=single_line(name, 200)))
    return parts
