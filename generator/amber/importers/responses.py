"""OpenAI Responses API: requests ``{input, instructions?}``, responses, or both.

The Responses API replaced chat completions as OpenAI's main API; its logs
hold a request (``input``: a string or a list of items), a response
(``{"object": "response", "output": [...]}``), or an exchange of the two
(``{"request": ..., "response": ...}``, as recorders and proxies write them).
Batch API lines wrap the request as ``{"custom_id", "body"}``. One record is
one conversation: the request's items, then the response's. Its ID is
``custom_id``, else the response's ``id``, else one derived from the opening
items.

What each item becomes: ``instructions`` and ``system``/``developer``
messages a system message; ``message`` items (``input_text``,
``output_text`` with its ``url_citation`` links, ``input_image``,
``input_file``, ``refusal``) user or assistant messages; ``reasoning`` a
reasoning part from its readable summary (encrypted reasoning, which nobody
saw, is left out); ``function_call``, ``custom_tool_call`` and the built-in
tools' calls (``web_search_call``, ``file_search_call``,
``code_interpreter_call``…) tool calls; their outputs tool results, named
after the call they answer; ``image_generation_call`` its image.
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
    merge_turns,
    message,
)

FORMAT = "responses"

ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
CALL_OUTPUTS = frozenset({"function_call_output", "custom_tool_call_output",
                          "computer_call_output", "local_shell_call_output", "mcp_call_output"})
BUILT_IN_CALLS = {
    "web_search_call": "web_search",
    "file_search_call": "file_search",
    "code_interpreter_call": "code_interpreter",
    "computer_call": "computer",
    "local_shell_call": "shell",
    "mcp_call": "mcp",
}
SILENT_ITEMS = frozenset({"item_reference", "mcp_list_tools", "compaction"})
"""Items that carry nothing a reader saw: references to stored items, tool listings."""


def unwrap(record: object) -> tuple[dict[str, object] | None, dict[str, object] | None]:
    """(request, response) of a record; either may be None."""
    if not isinstance(record, dict):
        return None, None
    if isinstance(record.get("body"), dict):
        record = record["body"]
        assert isinstance(record, dict)
    request = record.get("request") if isinstance(record.get("request"), dict) else None
    response = record.get("response") if isinstance(record.get("response"), dict) else None
    if request is not None or response is not None:
        assert request is None or isinstance(request, dict)
        assert response is None or isinstance(response, dict)
        return (request if request is not None and _is_request(request) else None,
                response if response is not None and _is_response(response) else None)
    if _is_response(record):
        return None, record
    if _is_request(record):
        return record, None
    return None, None


def _is_request(value: dict[str, object]) -> bool:
    """``input`` items, or an ``input`` string sent to a ``model``.

    Instruction data sets (``{"instruction", "input", "output"}``) have an
    ``input`` string too, but no model and an ``output`` string: not requests.
    """
    items = value.get("input")
    if "messages" in value or isinstance(value.get("output"), str):
        return False
    if isinstance(items, str):
        return isinstance(value.get("model"), str)
    return isinstance(items, list) and bool(items) and all(
        isinstance(i, dict) and ("role" in i or "type" in i) for i in items[:50])


def _is_response(value: dict[str, object]) -> bool:
    return value.get("object") == "response" and isinstance(value.get("output"), list)


def looks_like(record: object) -> bool:
    request, response = unwrap(record)
    return request is not None or response is not None


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    request, response = unwrap(record)
    if request is None and response is None:
        return Skipped(where, "no 'input' or 'output' items: not a Responses API record")
    reader = _Reader(images)
    if request is not None:
        instructions = clean_text(request.get("instructions")).strip() \
            if isinstance(request.get("instructions"), str) else ""
        if instructions:
            reader.messages.append(Message("system", instructions))
        items = request.get("input")
        if isinstance(items, str):
            reader.messages.append(Message("user", clean_text(items)))
        else:
            reader.items(items)
    if response is not None:
        reader.items(response.get("output"))
    messages = merge_turns([m for m in reader.messages if m is not None])
    if not any(m.role != "system" for m in messages):
        return Skipped(where, "no messages with content")
    model = model_name((response or {}).get("model")) or model_name((request or {}).get("model"))
    return Imported(
        format=FORMAT,
        source_id=_source_id(record, request, response),
        title=(title_from_text(first_text(messages) or first_text(messages, "assistant"))
               or "Untitled conversation"),
        messages=tuple(messages),
        model=model,
        notes=tuple(reader.notes.items),
    )


def _source_id(record: object, request: dict[str, object] | None,
               response: dict[str, object] | None) -> str:
    if isinstance(record, dict) and isinstance(record.get("custom_id"), str) \
            and record["custom_id"].strip():
        return f"custom_id:{record['custom_id'].strip()}"
    if request is not None:
        items = request.get("input")
        opening = items if isinstance(items, str) else (
            [i for i in items if isinstance(i, dict) and i.get("role") in ("user", "assistant")
             ][:2] if isinstance(items, list) else [])
        if opening:
            return derived_id(opening)
    if response is not None and isinstance(response.get("id"), str) and response["id"].strip():
        return f"id:{response['id'].strip()}"
    return derived_id([request, response])


class _Reader:
    """Turns a run of items into messages, remembering which call each output answers."""

    def __init__(self, images: ImageResolver) -> None:
        self.images = images
        self.notes = Notes()
        self.messages: list[Message] = []
        self.call_names: dict[str, str] = {}

    def items(self, items: object) -> None:
        if not isinstance(items, list):
            return
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self.notes.add(f"item {index + 1} is not an object; skipped")
                continue
            try:
                self.item(item)
            except RecursionError:
                self.notes.add(f"item {index + 1} is nested too deeply; skipped")

    def add(self, role: str, parts: list[Part]) -> None:
        msg = message(role, parts)
        if msg is not None:
            self.messages.append(msg)

    def item(self, item: dict[str, object]) -> None:
        kind = item.get("type")
        if kind in (None, "message") and isinstance(item.get("role"), str):
            role = ROLES.get(str(item["role"]))
            if role is None:
                self.notes.add(f"a message from {single_line(item['role'], 40)!r} was skipped")
                return
            self.add(role, self.content(item.get("content")))
        elif kind == "reasoning":
            self.add("assistant", _reasoning(item))
        elif kind in ("function_call", "custom_tool_call"):
            name = label(item.get("name"), 60) or "tool"
            call_id = label(item.get("call_id"), 100) or label(item.get("id"), 100)
            if call_id:
                self.call_names[call_id] = name
            arguments = item.get("arguments") if kind == "function_call" else item.get("input")
            self.add("assistant", [Part("tool_call", name=name, id=call_id,
                                        arguments=_arguments(arguments))])
        elif isinstance(kind, str) and kind in CALL_OUTPUTS:
            call_id = label(item.get("call_id"), 100)
            name = self.call_names.get(call_id) if call_id else None
            self.add("tool", [Part("tool_result", text=_output_text(item.get("output")),
                                   name=name, id=call_id)])
        elif kind == "image_generation_call":
            result = item.get("result")
            if isinstance(result, str) and result:
                self.add("assistant", [image_part(f"data:image/png;base64,{result}",
                                                  self.images, self.notes)])
        elif isinstance(kind, str) and kind in BUILT_IN_CALLS:
            self.built_in_call(kind, item)
        elif isinstance(kind, str) and kind in SILENT_ITEMS:
            return
        else:
            self.notes.add(f"an item of type {single_line(kind, 40) or 'unknown'!r} could not "
                           "be imported")

    def built_in_call(self, kind: str, item: dict[str, object]) -> None:
        """A call to one of OpenAI's own tools: the call, and its results when the item has them."""
        name = BUILT_IN_CALLS[kind]
        call_id = label(item.get("id"), 100) or label(item.get("call_id"), 100)
        shown: dict[str, object] = {k: v for k, v in item.items()
                                    if k in ("action", "queries", "code", "arguments",
                                             "server_label", "name")}
        action = shown.get("action")
        if isinstance(action, dict) and "sources" in action:  # listed as links below
            shown["action"] = {k: v for k, v in action.items() if k != "sources"}
        self.add("assistant", [Part("tool_call", name=name, id=call_id,
                                    arguments=_arguments(shown) if shown else None)])
        links = _source_links(item.get("action"))
        results = item.get("results") or item.get("outputs") or item.get("output")
        if links:
            self.add("tool", [Part("text", text=links)])
        elif results:
            self.add("tool", [Part("tool_result", text=_output_text(results), name=name,
                                   id=call_id)])

    def content(self, content: object) -> list[Part]:
        if isinstance(content, str):
            return [Part("text", text=clean_text(content))]
        if not isinstance(content, list):
            return []
        parts: list[Part] = []
        for block in content:
            if not isinstance(block, dict):
                continue
            kind = block.get("type")
            if kind in ("input_text", "output_text", "text"):
                parts.append(Part("text", text=clean_text(block.get("text"))
                                  + _citations(block.get("annotations"))))
            elif kind == "refusal":
                parts.append(Part("text", text=clean_text(block.get("refusal"))))
            elif kind == "input_image":
                url = block.get("image_url")
                if not isinstance(url, str):
                    parts.append(Part("image", name=label(block.get("file_id"), 100) or "image"))
                else:
                    parts.append(image_part(url, self.images, self.notes))
            elif kind == "input_file":
                name = label(block.get("filename"), 200) or label(block.get("file_id"), 100)
                parts.append(Part("attachment", name=name or "file"))
            else:
                self.notes.add(f"a content part of type {single_line(kind, 40) or 'unknown'!r} "
                               "could not be imported")
        return parts


def _reasoning(item: dict[str, object]) -> list[Part]:
    """The readable summary (or plain reasoning text) of a reasoning item; never the cipher."""
    texts: list[str] = []
    for key in ("summary", "content"):
        blocks = item.get(key)
        for block in blocks if isinstance(blocks, list) else []:
            if isinstance(block, dict) and isinstance(block.get("text"), str):
                text = clean_text(block["text"]).strip()
                if text:
                    texts.append(text)
    return [Part("reasoning", text="\n\n".join(texts))] if texts else []


def _arguments(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return clean_text(value) or None


def _output_text(output: object) -> str:
    """A call's output: text as it is, anything else as JSON."""
    if isinstance(output, str):
        return clean_text(output)
    if isinstance(output, list) and all(isinstance(o, dict) and o.get("type") in
                                        ("input_text", "output_text", "text", "logs")
                                        for o in output):
        return "\n\n".join(clean_text(o.get("text") or o.get("logs")) for o in output)
    if output is None:
        return ""
    return clean_text(json.dumps(output, ensure_ascii=False))


def _citations(annotations: object) -> str:
    if not isinstance(annotations, list):
        return ""
    links: list[str] = []
    for item in annotations:
        if isinstance(item, dict) and item.get("type") == "url_citation" \
                and markup.safe_url(item.get("url")):
            link = markup.link(item.get("title"), item.get("url"))
            if link not in links:
                links.append(link)
    return " (" + ", ".join(links) + ")" if links else ""


def _source_links(action: object) -> str:
    """A web search's sources as a list of links (``action.sources``), or ''."""
    if not isinstance(action, dict) or not isinstance(action.get("sources"), list):
        return ""
    lines = [f"- {markup.link(s.get('title'), s.get('url'))}" for s in action["sources"][:20]
             if isinstance(s, dict) and markup.safe_url(s.get("url"))]
    return "\n".join(lines)
