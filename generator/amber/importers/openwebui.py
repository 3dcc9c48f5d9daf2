"""Open WebUI: "Export chat (.json)" (a list of one chat) or "Export All Chats" (many).

Each item is ``{id, title, created_at, chat: {models, history: {messages,
currentId}}}``. ``history.messages`` maps message IDs to ``{parentId,
childrenIds, role, content, timestamp, model, files}``: a tree, where an
edited prompt or a regenerated answer is a sibling; ``currentId`` is the leaf
the app shows. The tree is rebuilt from ``parentId`` (some versions leave
``childrenIds`` empty) and kept in ``tree.MessageTree``; the other versions of
each turn are kept as its alternatives (``branches``).

What a message becomes:

- ``content`` is Markdown; the ``<details type="reasoning">`` blocks Open WebUI
  writes into it become reasoning parts, ``<details type="tool_calls">`` a tool
  call and its result, ``<details type="code_interpreter">`` a code part;
- ``files``: images (``data:`` URLs are copied in) and uploaded documents
  (an attachment part with the file's name);
- ``sources`` (web search and document citations): links after the answer.

Left out: the chat's system prompt and parameters, which the chat view does
not show, and usage figures.
"""

from __future__ import annotations

import html
import json
import re

from amber.content.model import Message, Part
from amber.importers import markup
from amber.importers.branches import walk
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    single_line,
    time_from_any,
    title_from_text,
)
from amber.importers.record import (
    ImageResolver,
    Imported,
    Notes,
    Skipped,
    first_text,
    merge_turns,
    message,
)
from amber.importers.tree import MessageTree

FORMAT = "open-webui"
ROLES = {"user": "user", "assistant": "assistant"}

_DETAILS = re.compile(r"<details\b([^>]*)>(.*?)</details>\s*", re.DOTALL | re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([A-Za-z_:-]+)\s*=\s*"([^"]*)"')
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary>", re.DOTALL | re.IGNORECASE)
_CODE_FENCE = re.compile(r"```([A-Za-z0-9_+#.-]*)\n(.*?)\n?```", re.DOTALL)


def looks_like(record: object) -> bool:
    chat = _chat(record)
    history = chat.get("history") if chat is not None else None
    return isinstance(history, dict) and isinstance(history.get("messages"), dict)


def _chat(record: object) -> dict[str, object] | None:
    """The chat object: under ``chat`` in exports, or the record itself."""
    if not isinstance(record, dict):
        return None
    inner = record.get("chat")
    return inner if isinstance(inner, dict) else record


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    chat = _chat(record)
    if chat is None or not isinstance(record, dict):
        return Skipped(where, f"not a chat object (found {type(record).__name__})")
    title = single_line(record.get("title") or chat.get("title"))
    if title:
        where = f"{where} ({title!r})"
    history = chat.get("history")
    raw_messages = history.get("messages") if isinstance(history, dict) else None
    if not isinstance(raw_messages, dict) or not raw_messages:
        return Skipped(where, "no 'history' of messages: not an Open WebUI chat")
    assert isinstance(history, dict)
    tree = MessageTree.build(  # system messages: the chat view does not show them
        (str(key), _parent(raw), raw) for key, raw in raw_messages.items()
        if not (isinstance(raw, dict) and raw.get("role") == "system")
    )
    notes = Notes()
    current = history.get("currentId")
    if not isinstance(current, str) or current not in tree.nodes:
        current = tree.latest_leaf(_time)
        notes.add("no valid currentId; followed the most recent branch")
    models = chat.get("models")
    conv_model = model_name(models[0]) if isinstance(models, list) and models else None

    def convert_run(run: list[str]) -> list[Message]:
        messages: list[Message] = []
        for node_id in run:
            converted = _message(node_id, tree.nodes[node_id], conv_model, images, notes)
            if converted is not None:
                messages.append(converted)
        return merge_turns(messages)

    # Edits and regenerations off the path are kept as alternatives (importers.branches).
    walked = walk(tree.branch_tree(_time, convert_run, merge_turns), tree.shown(current))
    messages = walked.messages
    if not messages:
        return Skipped(where, "no visible messages")
    source_id = record.get("id") or chat.get("id")
    if not isinstance(source_id, str) or not source_id.strip():
        return Skipped(where, "no 'id' to recognise the chat by on a later import")
    return Imported(
        format=FORMAT,
        source_id=source_id.strip(),
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        created=time_from_any(record.get("created_at") or chat.get("timestamp")),
        model=conv_model,
        branches_dropped=walked.dropped,
        notes=tuple(notes.items),
    )


def _message(node_id: str, raw: object, conv_model: str | None, images: ImageResolver,
             notes: Notes) -> Message | None:
    if not isinstance(raw, dict):
        notes.add(f"message {node_id:.40}: not an object; skipped")
        return None
    role = ROLES.get(str(raw.get("role")))
    if role is None:
        notes.add(f"a message from {single_line(raw.get('role'), 40) or 'no one'!r} "
                  "was skipped")
        return None
    parts = _files(raw.get("files"), images, notes) + _content(raw, notes)
    parts += _sources(raw.get("sources") or raw.get("citations"))
    model = model_name(raw.get("model")) if role == "assistant" else None
    return message(role, parts, time_from_any(raw.get("timestamp")),
                   None if model == conv_model else model)


def _parent(raw: object) -> str | None:
    parent = raw.get("parentId") if isinstance(raw, dict) else None
    return str(parent) if isinstance(parent, str | int) and parent != "" else None


def _time(raw: object) -> str | None:
    return time_from_any(raw.get("timestamp")) if isinstance(raw, dict) else None


def _content(raw: dict[str, object], notes: Notes) -> list[Part]:
    """Text with Open WebUI's ``<details>`` blocks as typed parts, in order."""
    text = clean_text(raw.get("content"))
    if "<details" not in text:
        return [Part("text", text=text.strip())] if text.strip() else []
    parts: list[Part] = []
    cursor = 0
    for match in _DETAILS.finditer(text):
        before = text[cursor:match.start()].strip()
        if before:
            parts.append(Part("text", text=before))
        parts.extend(_details(dict(_ATTRIBUTE.findall(match.group(1))), match.group(2), notes))
        cursor = match.end()
    rest = text[cursor:].strip()
    if rest:
        parts.append(Part("text", text=rest))
    return parts


def _details(attributes: dict[str, str], body: str, notes: Notes) -> list[Part]:
    kind = attributes.get("type", "")
    summary = _SUMMARY.search(body)
    inner = _SUMMARY.sub("", body, count=1).strip()
    if kind == "reasoning":
        lines = [line[2:] if line.startswith("> ") else line.lstrip(">")
                 for line in inner.splitlines()]
        text = "\n".join(lines).strip()
        title = single_line(html.unescape(summary.group(1)), 120) if summary else ""
        return [Part("reasoning", text=text, title=title or "Thinking")] if text else []
    if kind == "tool_calls":
        name = label(html.unescape(attributes.get("name", "")), 60) or "tool"
        call_id = label(html.unescape(attributes.get("id", "")), 100)
        arguments = _decoded(attributes.get("arguments", ""))
        result = _decoded(attributes.get("result", ""))
        parts = [Part("tool_call", name=name, id=call_id, arguments=arguments or None)]
        if result:
            parts.append(Part("tool_result", text=result, name=name, id=call_id))
        return parts
    if kind == "code_interpreter":
        fence = _CODE_FENCE.search(inner)
        if fence:
            return [Part("code", code=fence.group(2), language=label(fence.group(1), 40),
                         title="Code interpreter")]
        return [Part("text", text=inner)] if inner else []
    if inner:
        return [Part("text", text=inner)]
    notes.add(f"an empty details block of type {single_line(kind, 40) or 'unknown'!r} "
              "was left out")
    return []


def _decoded(value: str) -> str:
    """An attribute Open WebUI wrote as HTML-escaped JSON: the JSON's text."""
    text = clean_text(html.unescape(value)).strip()
    try:
        decoded = json.loads(text) if text else ""
    except (ValueError, RecursionError):
        return text
    if isinstance(decoded, str):
        return clean_text(decoded).strip()
    return clean_text(json.dumps(decoded, ensure_ascii=False))


def _files(files: object, images: ImageResolver, notes: Notes) -> list[Part]:
    parts: list[Part] = []
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict):
            continue
        name = label(item.get("name"), 200)
        url = item.get("url")
        if item.get("type") == "image":
            src, note = images(url, name) if isinstance(url, str) else (None, None)
            if note:
                notes.add(note)
            parts.append(Part("image", src=src, name=name))
            continue
        inner = item.get("file") if isinstance(item.get("file"), dict) else {}
        assert isinstance(inner, dict)
        name = name or label(inner.get("filename"), 200) or "attachment"
        data = inner.get("data") if isinstance(inner.get("data"), dict) else {}
        assert isinstance(data, dict)
        text = clean_text(data.get("content")).strip()
        parts.append(Part("attachment", name=name, text=text or None))
    return parts


def _sources(sources: object) -> list[Part]:
    links: list[str] = []
    for item in sources if isinstance(sources, list) else []:
        if not isinstance(item, dict):
            continue
        source = item.get("source") if isinstance(item.get("source"), dict) else {}
        assert isinstance(source, dict)
        metadata = item.get("metadata")
        urls = [source.get("url")]
        if isinstance(metadata, list):
            urls += [m.get("source") for m in metadata if isinstance(m, dict)]
        for url in urls:
            if markup.safe_url(url):
                entry = "- " + markup.link(source.get("name") or url, url)
                if entry not in links:
                    links.append(entry)
    return [Part("text", text="Sources:\n\n" + "\n".join(links))] if links else []
