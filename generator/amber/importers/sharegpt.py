"""ShareGPT: ``[{"id", "conversations": [{"from", "value"}]}]``, or one item per JSONL line.

``from`` is ``human``/``user``, ``gpt``/``chatgpt``/``assistant`` (and other
model names such as ``bard``), ``system``, and in tool-use datasets
``function_call`` (a JSON call) and ``observation``/``tool`` (its result). Some
datasets use ``role``/``content`` keys instead; both are read. Scraped
answers that are HTML become Markdown again (see ``htmltext``).
"""

from __future__ import annotations

import json

from amber.content.model import Message, Part
from amber.importers.htmltext import html_to_markdown, looks_like_html
from amber.importers.identity import derived_id
from amber.importers.language import declared_language
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    single_line,
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

FORMAT = "sharegpt"

ROLES = {
    "human": "user", "user": "user", "gpt": "assistant", "chatgpt": "assistant",
    "assistant": "assistant", "bard": "assistant", "bing": "assistant", "model": "assistant",
    "claude": "assistant", "system": "system", "function_call": "assistant",
    "observation": "tool", "tool": "tool", "function": "tool", "function_response": "tool",
}


def looks_like(record: object) -> bool:
    if not isinstance(record, dict) or not isinstance(record.get("conversations"), list):
        return False
    turns = [t for t in record["conversations"][:5] if isinstance(t, dict)]
    return any("from" in t or "value" in t or "role" in t for t in turns)


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, dict) or not isinstance(record.get("conversations"), list):
        return Skipped(where, "no 'conversations' list: not a ShareGPT item")
    title = single_line(record.get("title"))
    if title:
        where = f"{where} ({title!r})"
    notes = Notes()
    messages: list[Message] = []
    last_call: str | None = None
    for index, turn in enumerate(record["conversations"]):
        if not isinstance(turn, dict):
            notes.add(f"turn {index + 1} is not an object; skipped")
            continue
        speaker = str(turn.get("from", turn.get("role", ""))).strip().lower()
        role = ROLES.get(speaker)
        value = turn.get("value", turn.get("content"))
        if role is None:
            notes.add(f"turn {index + 1} is from {single_line(speaker, 40)!r}; skipped")
            continue
        text = clean_text(value)
        if speaker == "function_call":
            part = _function_call(text)
            last_call = part.name
            parts = [part]
        elif role == "tool":
            parts = [Part("tool_result", text=text, name=last_call)]
        else:
            if looks_like_html(text):
                text = html_to_markdown(text)
            parts = [Part("text", text=text)]
        converted = message(role, parts)
        if converted is not None:
            messages.append(converted)
    if not any(m.role != "system" for m in messages):
        return Skipped(where, "no turns with text")
    raw_id = record.get("id")
    if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and str(raw_id).strip():
        source_id = f"id:{raw_id}"
    else:
        source_id = derived_id([t for t in record["conversations"] if isinstance(t, dict)][:2])
    return Imported(
        format=FORMAT,
        source_id=source_id,
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        model=model_name(record.get("model")),
        notes=tuple(notes.items),
        language=declared_language(record.get("language", record.get("lang"))),
    )


def _function_call(text: str) -> Part:
    """``{"name": ..., "arguments": {...}}`` as a tool call; other text as its arguments."""
    try:
        call = json.loads(text)
    except (ValueError, RecursionError):
        call = None
    if isinstance(call, dict) and isinstance(call.get("name"), str):
        arguments = call.get("arguments", call.get("parameters"))
        if arguments is not None and not isinstance(arguments, str):
            arguments = json.dumps(arguments, ensure_ascii=False)
        return Part("tool_call", name=label(call["name"], 60) or "function",
                    arguments=clean_text(arguments) or None)
    return Part("tool_call", name="function", arguments=text or None)
