"""OpenAI chat completions: ``{"messages": [...]}``, a list of them, or JSONL.

Fine-tuning files have one such object per line; request logs and Batch API
input files wrap it (``{"custom_id", "body": {...}}``). Each object is one
conversation; its ID is ``custom_id`` or ``id`` when present, else one
derived from its opening messages.

What each message becomes: ``system`` and ``developer`` messages a system
message (the person who wrote the request wrote them); text content Markdown;
``image_url`` parts an image (copied when it is a ``data:`` URL, else a
placeholder: remote images are never fetched); ``file`` parts an attachment;
``tool_calls`` and the legacy ``function_call`` tool call parts;
``tool``/``function`` messages tool results, named after the call they answer;
``reasoning_content`` (as some compatible APIs return) a reasoning part.
"""

from __future__ import annotations

import json
from urllib.parse import unquote, urlsplit

from amber.content.model import Message, Part
from amber.importers.identity import derived_id
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

FORMAT = "openai"

ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant",
         "tool": "tool", "function": "tool"}


def unwrap(record: object) -> object:
    """The request inside a Batch API line or a logged request."""
    if isinstance(record, dict) and isinstance(record.get("body"), dict) \
            and "messages" in record["body"]:
        return record["body"]
    return record


def looks_like(record: object) -> bool:
    request = unwrap(record)
    return isinstance(request, dict) and isinstance(request.get("messages"), list)


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    request = unwrap(record)
    if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
        return Skipped(where, "no 'messages' list: not a chat-completions request")
    raw_messages = request["messages"]
    notes = Notes()
    call_names: dict[str, str] = {}
    messages: list[Message] = []
    for index, raw in enumerate(raw_messages):
        if not isinstance(raw, dict):
            notes.add(f"message {index + 1} is not an object; skipped")
            continue
        role = ROLES.get(str(raw.get("role")))
        if role is None:
            notes.add(f"message {index + 1} has role {single_line(raw.get('role'), 40)!r}; "
                      "skipped")
            continue
        try:
            parts = _parts(raw, role, images, notes, call_names)
        except RecursionError:
            notes.add(f"message {index + 1} is nested too deeply; skipped")
            continue
        converted = message(role, parts, model=None)
        if converted is not None:
            messages.append(converted)
    if not messages:
        return Skipped(where, "no messages with content")
    source_id = _record_id(record, request)
    if source_id is None:
        opening = [m for m in raw_messages if isinstance(m, dict)
                   and m.get("role") not in ("system", "developer")][:2]
        source_id = derived_id(opening)
    title = title_from_text(first_text(messages)) or "Untitled conversation"
    return Imported(
        format=FORMAT,
        source_id=source_id,
        title=title,
        messages=tuple(messages),
        model=model_name(request.get("model")),
        notes=tuple(notes.items),
    )


def _record_id(record: object, request: dict[str, object]) -> str | None:
    for holder in (record, request):
        if isinstance(holder, dict):
            for key in ("custom_id", "id"):
                value = holder.get(key)
                if isinstance(value, str | int) and not isinstance(value, bool) \
                        and str(value).strip():
                    return f"{key}:{value}"
    return None


def _parts(raw: dict[str, object], role: str, images: ImageResolver, notes: Notes,
           call_names: dict[str, str]) -> list[Part]:
    parts: list[Part] = []
    reasoning = raw.get("reasoning_content") or raw.get("reasoning")
    if isinstance(reasoning, str) and reasoning.strip():
        parts.append(Part("reasoning", text=clean_text(reasoning).strip()))
    if role == "tool":
        call_id = label(raw.get("tool_call_id"), 100)
        name = label(raw.get("name"), 60) or (call_names.get(call_id) if call_id else None)
        text = "\n\n".join(p.text or "" for p in _content(raw.get("content"), images, notes)
                           if p.type == "text")
        return [Part("tool_result", text=text, name=name, id=call_id)]
    parts.extend(_content(raw.get("content"), images, notes))
    refusal = raw.get("refusal")
    if isinstance(refusal, str) and refusal.strip():
        parts.append(Part("text", text=clean_text(refusal)))
    calls = raw.get("tool_calls")
    for call in calls if isinstance(calls, list) else []:
        if not isinstance(call, dict):
            continue
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        assert isinstance(function, dict)
        name = label(function.get("name"), 60) or "tool"
        call_id = label(call.get("id"), 100)
        if call_id:
            call_names[call_id] = name
        parts.append(Part("tool_call", name=name, id=call_id,
                          arguments=_arguments(function.get("arguments"))))
    legacy = raw.get("function_call")
    if isinstance(legacy, dict):
        parts.append(Part("tool_call", name=label(legacy.get("name"), 60) or "function",
                          arguments=_arguments(legacy.get("arguments"))))
    return parts


def _arguments(value: object) -> str | None:
    """Arguments as the model wrote them: a JSON string (an object, if given one, as JSON)."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return clean_text(value) or None


def _content(content: object, images: ImageResolver, notes: Notes) -> list[Part]:
    if isinstance(content, str):
        return [Part("text", text=clean_text(content))]
    if not isinstance(content, list):
        return []
    parts: list[Part] = []
    for item in content:
        if isinstance(item, str):
            parts.append(Part("text", text=clean_text(item)))
            continue
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind in ("text", "input_text", "output_text"):
            parts.append(Part("text", text=clean_text(item.get("text"))))
        elif kind in ("image_url", "input_image"):
            url = item.get("image_url")
            if isinstance(url, dict):
                url = url.get("url")
            parts.append(image_part(url, images, notes))
        elif kind == "refusal":
            parts.append(Part("text", text=clean_text(item.get("refusal"))))
        elif kind in ("file", "input_file"):
            file = item.get("file") if isinstance(item.get("file"), dict) else item
            assert isinstance(file, dict)
            name = label(file.get("filename"), 200) or label(file.get("file_id"), 100)
            parts.append(Part("attachment", name=name or "file"))
        else:
            notes.add(f"a content part of type {single_line(kind, 40) or 'unknown'!r} could "
                      "not be imported")
    return parts


def image_part(url: object, images: ImageResolver, notes: Notes) -> Part:
    """An image from a URL: copied when inline (``data:``), a named placeholder otherwise."""
    if not isinstance(url, str) or not url:
        return Part("image", name="image")
    if url.startswith("data:"):
        src, note = images(url, None)
        if note:
            notes.add(note)
        return Part("image", src=src, name=None if src else "inline image")
    path = urlsplit(url).path if url.startswith(("http://", "https://")) else url
    name = label(unquote(path.rsplit("/", 1)[-1]), 200) or label(url, 200) or "image"
    return Part("image", name=name)
