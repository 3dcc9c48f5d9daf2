"""Anthropic Messages API: a request ``{system?, messages}``, a response, a list or JSONL.

A request is one conversation; so is a response (``{"type": "message",
"role": "assistant", "content": [...]}``) alone. Message Batches input lines
wrap the request as ``{"custom_id", "params"}``. The ID is ``custom_id`` or the
response's ``id`` when present, else one derived from the opening messages.

What each content block becomes: ``text`` Markdown (with links to the sources
it cites); ``image`` an image (copied from base64 data, a placeholder for a
URL); ``document`` an attachment with its title (and its text when inline);
``thinking`` a reasoning part; ``tool_use`` and ``server_tool_use`` tool
calls; ``tool_result`` and ``web_search_tool_result`` tool results. Tool
results sit in a user turn in the API; here they become a ``tool`` message
of their own, ahead of the user's words, as chat apps show them.
Dropped: ``redacted_thinking`` (encrypted; nobody ever saw it).
"""

from __future__ import annotations

import json

from amber.content.model import Message, Part
from amber.importers import markup
from amber.importers.identity import derived_id
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    single_line,
    title_from_text,
)
from amber.importers.openai import image_part
from amber.importers.record import (
    ImageResolver,
    Imported,
    Notes,
    Skipped,
    first_text,
    message,
)
from amber.importers.textblocks import joined_text_blocks

FORMAT = "anthropic"

ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking",
                              "server_tool_use"})
"""Content block types only the Messages API uses (OpenAI has none of these)."""
TOOL_RESULT_BLOCKS = frozenset({"tool_result", "web_search_tool_result",
                                "web_fetch_tool_result", "code_execution_tool_result"})


def unwrap(record: object) -> object:
    if isinstance(record, dict) and isinstance(record.get("params"), dict):
        return record["params"]
    return record


def is_response(record: object) -> bool:
    return (isinstance(record, dict) and record.get("type") == "message"
            and record.get("role") == "assistant" and isinstance(record.get("content"), list))


def looks_like(record: object) -> bool:
    """A request whose shape only the Messages API has, or a response."""
    request = unwrap(record)
    if is_response(request):
        return True
    if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
        return False
    if "system" in request or (isinstance(record, dict) and "params" in record):
        return True
    for msg in request["messages"][:50]:
        if not isinstance(msg, dict):
            continue
        if msg.get("role") in ("system", "tool", "developer", "function"):
            return False
        content = msg.get("content")
        for block in content if isinstance(content, list) else []:
            if not isinstance(block, dict) or not isinstance(block.get("type"), str):
                continue  # a list as the type cannot be looked up in a set
            if block.get("type") in ANTHROPIC_BLOCKS:
                return True
            if block.get("type") in ("image", "document") and isinstance(block.get("source"),
                                                                       dict):
                return True
    return False


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    request = unwrap(record)
    if is_response(request):
        assert isinstance(request, dict)
        request = {"model": request.get("model"), "id": request.get("id"),
                   "messages": [{"role": "assistant", "content": request["content"]}]}
    if not isinstance(request, dict) or not isinstance(request.get("messages"), list):
        return Skipped(where, "no 'messages' list: not a Messages API request or response")
    notes = Notes()
    tool_names: dict[str, str] = {}
    messages: list[Message] = []
    system = _system(request.get("system"))
    if system:
        messages.append(Message("system", system))
    for index, raw in enumerate(request["messages"]):
        if not isinstance(raw, dict) or raw.get("role") not in ("user", "assistant"):
            notes.add(f"message {index + 1} is not a user or assistant message; skipped")
            continue
        try:
            messages.extend(_turn(str(raw["role"]), raw.get("content"), images, notes,
                                  tool_names))
        except RecursionError:
            notes.add(f"message {index + 1} is nested too deeply; skipped")
    if not any(m.role != "system" for m in messages):
        return Skipped(where, "no messages with content")
    source_id = None
    for holder in (record, request):
        if isinstance(holder, dict):
            for key in ("custom_id", "id"):
                value = holder.get(key)
                if isinstance(value, str) and value.strip():
                    source_id = source_id or f"{key}:{value.strip()}"
    if source_id is None:
        source_id = derived_id(request["messages"][:2])
    return Imported(
        format=FORMAT,
        source_id=source_id,
        title=(title_from_text(first_text(messages) or first_text(messages, "assistant"))
               or "Untitled conversation"),
        messages=tuple(messages),
        model=model_name(request.get("model")),
        notes=tuple(notes.items),
    )


def _system(value: object) -> str:
    if isinstance(value, str):
        return clean_text(value).strip()
    if isinstance(value, list):
        texts = [clean_text(b.get("text")) for b in value if isinstance(b, dict)]
        return "\n\n".join(t for t in texts if t.strip()).strip()
    return ""


def _turn(role: str, content: object, images: ImageResolver, notes: Notes,
          tool_names: dict[str, str]) -> list[Message]:
    """One API message; a user turn's tool results become a tool message before it."""
    if isinstance(content, str):
        msg = message(role, [Part("text", text=clean_text(content))])
        return [msg] if msg else []
    if not isinstance(content, list):
        return []
    results: list[Part] = []
    parts: list[Part] = []
    for block in joined_text_blocks(content, _citations):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if isinstance(kind, str) and kind in TOOL_RESULT_BLOCKS:  # a list is unhashable
            result = _tool_result(block, tool_names)
            (results if role == "user" else parts).append(result)
        else:
            parts.extend(_block(block, images, notes, tool_names))
    out = []
    if results:
        out.append(Message("tool", tuple(results)))
    msg = message(role, parts)
    if msg is not None:
        out.append(msg)
    return out


def _block(block: dict[str, object], images: ImageResolver, notes: Notes,
           tool_names: dict[str, str]) -> list[Part]:
    kind = block.get("type")
    if kind == "text":
        return [Part("text", text=clean_text(block.get("text"))
                     + _citations(block.get("citations")))]
    if kind == "thinking":
        text = clean_text(block.get("thinking")).strip()
        return [Part("reasoning", text=text, title="Thinking")] if text else []
    if kind == "redacted_thinking":
        return []
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        name = label(block.get("name"), 60) or "tool"
        call_id = label(block.get("id"), 100)
        if call_id:
            tool_names[call_id] = name
        tool_input = block.get("input")
        arguments = json.dumps(tool_input, ensure_ascii=False) if tool_input is not None else None
        return [Part("tool_call", name=name, id=call_id, arguments=arguments)]
    if kind == "image":
        return [_image(block.get("source"), images, notes)]
    if kind == "document":
        source = block.get("source") if isinstance(block.get("source"), dict) else {}
        assert isinstance(source, dict)
        text = clean_text(source.get("data")) if source.get("type") == "text" else ""
        name = label(block.get("title"), 200) or "document"
        return [Part("attachment", name=name, text=text or None)]
    notes.add(f"a content block of type {single_line(kind, 40) or 'unknown'!r} could not be "
              "imported")
    return []


def _image(source: object, images: ImageResolver, notes: Notes) -> Part:
    if not isinstance(source, dict):
        return Part("image", name="image")
    if source.get("type") == "base64":
        media = source.get("media_type") if isinstance(source.get("media_type"), str) else ""
        data = source.get("data") if isinstance(source.get("data"), str) else ""
        return image_part(f"data:{media};base64,{data}", images, notes)
    if source.get("type") == "url":
        return image_part(source.get("url"), images, notes)
    return Part("image", name=label(source.get("file_id"), 100) or "image")


def _tool_result(block: dict[str, object], tool_names: dict[str, str]) -> Part:
    call_id = label(block.get("tool_use_id"), 100)
    name = tool_names.get(call_id) if call_id else None
    content = block.get("content")
    if isinstance(content, str):
        text = clean_text(content)
    elif isinstance(content, list):
        lines = []
        for item in content:
            if not isinstance(item, dict):
                continue
            if item.get("type") == "text":
                lines.append(clean_text(item.get("text")))
            elif markup.safe_url(item.get("url")):  # web search results
                lines.append("- " + markup.link(item.get("title"), item.get("url")))
        text = "\n".join(line for line in lines if line)
    elif isinstance(content, dict):
        text = clean_text(json.dumps(content, ensure_ascii=False))
    else:
        text = ""
    is_error = block.get("is_error") is True or (
        isinstance(content, dict) and str(content.get("type", "")).endswith("_error"))
    return Part("tool_result", text=text, name=name, id=call_id,
                is_error=True if is_error else None)


def _citations(citations: object) -> str:
    if not isinstance(citations, list):
        return ""
    links: list[str] = []
    for item in citations:
        if isinstance(item, dict) and markup.safe_url(item.get("url")):
            link = markup.link(item.get("title"), item.get("url"))
            if link not in links:
                links.append(link)
    return " (" + ", ".join(links) + ")" if links else ""
