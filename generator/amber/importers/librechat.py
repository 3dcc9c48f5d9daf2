"""LibreChat: "Export → JSON" of one conversation.

``{conversationId, title, endpoint, options, recursive, messages}``. With
``recursive`` the messages nest: each holds its replies under ``children``
(newer exports name the top list ``messagesTree``); without, they are a flat
list linked by ``parentMessageId`` (the root's parent is null or the all-zero
UUID). Either way they form a tree (``tree.MessageTree``): an edited prompt
or a regenerated answer is a sibling. LibreChat has no "current" pointer and
shows the newest version of each turn, so the newest child is followed; the
other versions are kept as alternatives (``branches``).

What a message becomes: ``text`` is Markdown, with ``:::thinking`` blocks as
reasoning; newer messages carry typed ``content`` (``text``, ``think``,
``tool_call`` with its output, ``image_url``, ``error``); ``files`` become
image placeholders (the export holds no file) or attachment parts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from amber.content.model import Message, Part
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
from amber.importers.tree import MessageTree, NodeInput

FORMAT = "librechat"
NO_PARENT = "00000000-0000-0000-0000-000000000000"
MAX_DEPTH = 100_000
"""Nested messages followed at most: a chat is a chain, so depth is its length."""

_THINKING = re.compile(r":::thinking\s*\n(.*?)\n:::\s*(?:\n|\Z)", re.DOTALL)


def looks_like(record: object) -> bool:
    """``conversationId`` and messages that have a ``messageId`` (an API log might have the
    first, not the second)."""
    if not isinstance(record, dict) or "conversationId" not in record:
        return False
    top = record.get("messagesTree")
    if not isinstance(top, list):
        top = record.get("messages")
    if not isinstance(top, list):
        return False
    first = next((m for m in top if isinstance(m, dict)), None)
    return first is None or "messageId" in first


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, dict):
        return Skipped(where, f"not a conversation object (found {type(record).__name__})")
    title = single_line(record.get("title"))
    if title:
        where = f"{where} ({title!r})"
    top = record.get("messagesTree")
    if not isinstance(top, list):
        top = record.get("messages")
    if not isinstance(top, list) or not top:
        return Skipped(where, "no 'messages': not a LibreChat conversation")
    notes = Notes()
    tree = MessageTree.build(_nodes(top, notes))
    options = record.get("options") if isinstance(record.get("options"), dict) else {}
    assert isinstance(options, dict)
    conv_model = model_name(options.get("model"))

    def convert_run(run: list[str]) -> list[Message]:
        messages = [_message(tree.nodes[node_id], conv_model, notes) for node_id in run]
        return merge_turns([m for m in messages if m is not None])

    # The other versions of each turn are kept as alternatives (importers.branches).
    path = [tree.root, *tree.newest_child_path(_time)]
    walked = walk(tree.branch_tree(_time, convert_run, merge_turns), path)
    messages = walked.messages
    if not messages:
        return Skipped(where, "no visible messages")
    source_id = record.get("conversationId")
    if not isinstance(source_id, str) or not source_id.strip():
        return Skipped(where, "no 'conversationId' to recognise it by on a later import")
    return Imported(
        format=FORMAT,
        source_id=source_id.strip(),
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        created=messages[0].created,
        model=conv_model,
        branches_dropped=walked.dropped,
        notes=tuple(notes.items),
    )


def _nodes(top: list[object], notes: Notes) -> Iterator[NodeInput]:
    """Every message, nested or flat, without recursion (a long chat nests deep)."""
    stack: list[tuple[object, str | None]] = [(m, None) for m in reversed(top)]
    count = 0
    while stack and count < MAX_DEPTH:
        raw, nesting_parent = stack.pop()
        if not isinstance(raw, dict):
            continue
        node_id = raw.get("messageId")
        if not isinstance(node_id, str) or not node_id:
            notes.add("a message without 'messageId' was skipped")
            continue
        count += 1
        parent = raw.get("parentMessageId")
        if not isinstance(parent, str) or parent in ("", NO_PARENT):
            parent = nesting_parent
        yield node_id, parent, raw
        children = raw.get("children")
        if isinstance(children, list):
            stack.extend((child, node_id) for child in reversed(children))


def _message(raw: object, conv_model: str | None, notes: Notes) -> Message | None:
    assert isinstance(raw, dict)
    role = "user" if raw.get("isCreatedByUser") is True else "assistant"
    parts = _files(raw.get("files"), role) + _body(raw, notes)
    model = model_name(raw.get("model")) if role == "assistant" else None
    return message(role, parts, time_from_any(raw.get("createdAt")),
                   None if model == conv_model else model)


def _time(raw: object) -> str | None:
    return time_from_any(raw.get("createdAt")) if isinstance(raw, dict) else None


def _body(raw: dict[str, object], notes: Notes) -> list[Part]:
    content = raw.get("content")
    if isinstance(content, list) and any(isinstance(c, dict) for c in content):
        parts: list[Part] = []
        for block in content:
            if isinstance(block, dict):
                parts.extend(_block(block, notes))
        return parts
    return _text_parts(clean_text(raw.get("text")))


def _text_parts(text: str) -> list[Part]:
    """Text with LibreChat's ``:::thinking`` directive blocks as reasoning parts."""
    parts: list[Part] = []
    cursor = 0
    for match in _THINKING.finditer(text):
        before = text[cursor:match.start()].strip()
        if before:
            parts.append(Part("text", text=before))
        thought = match.group(1).strip()
        if thought:
            parts.append(Part("reasoning", text=thought, title="Thinking"))
        cursor = match.end()
    rest = text[cursor:].strip()
    if rest:
        parts.append(Part("text", text=rest))
    return parts


def _value(value: object) -> str:
    """A text that newer versions wrap as ``{value: ...}``."""
    if isinstance(value, dict):
        value = value.get("value")
    return clean_text(value)


def _block(block: dict[str, object], notes: Notes) -> list[Part]:
    kind = block.get("type")
    if kind == "text":
        return _text_parts(_value(block.get("text")))
    if kind == "think":
        text = _value(block.get("think")).strip()
        return [Part("reasoning", text=text, title="Thinking")] if text else []
    if kind == "tool_call":
        call = block.get("tool_call")
        if not isinstance(call, dict):
            return []
        name = label(call.get("name"), 60) or "tool"
        call_id = label(call.get("id"), 100)
        args = call.get("args")
        arguments = args if isinstance(args, str) else (
            json.dumps(args, ensure_ascii=False) if args is not None else None)
        parts = [Part("tool_call", name=name, id=call_id,
                      arguments=clean_text(arguments) or None)]
        output = clean_text(call.get("output")).strip()
        if output:
            parts.append(Part("tool_result", text=output, name=name, id=call_id))
        return parts
    if kind in ("image_url", "image_file"):
        inner = block.get(kind)
        name = label(inner.get("filename"), 200) if isinstance(inner, dict) else None
        return [Part("image", name=name or "image")]
    if kind == "error":
        text = _value(block.get("error")).strip()
        return [Part("text", text=f"*Error:* {text}")] if text else []
    if kind in ("agent_update", "image_generation"):
        return []
    notes.add(f"a content block of type {single_line(kind, 40) or 'unknown'!r} could not be "
              "imported")
    return []


def _files(files: object, role: str) -> list[Part]:
    """Uploaded files, which the export names but does not hold."""
    parts: list[Part] = []
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict):
            continue
        name = label(item.get("filename"), 200) or "attachment"
        kind = item.get("type")
        if isinstance(kind, str) and kind.startswith("image/"):
            parts.append(Part("image", name=name))
        else:
            parts.append(Part("attachment", name=name))
    return parts if role in ("user", "assistant") else []
