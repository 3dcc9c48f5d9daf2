"""OpenAI Codex CLI rollouts: ``~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl``.

Each line is ``{timestamp, type, payload}``: ``session_meta`` first (the
session's ID and start), ``turn_context`` (the model of the turns that
follow), ``response_item`` (what went to and came from the model),
``event_msg`` (what the terminal showed) and ``compacted``. The page is made
of the response items alone: the events repeat the same text, and keeping
both would show every message twice.

- ``message``: the person's (``user``) and the agent's (``assistant``) text
  and images; ``developer`` messages and the context Codex adds as user text
  (``<environment_context>``, AGENTS.md instructions) are for the model only.
- ``reasoning``: its summary, collapsed (the full reasoning is encrypted).
- ``function_call`` / ``custom_tool_call`` with their outputs by ``call_id``:
  shell commands as console blocks, ``apply_patch`` as a diff, others as tool
  calls (see ``agent_tools``); ``web_search_call`` as a call with its query.
- ``compacted``: a marked system message where the history was summarised.

The title is the thread's name when Codex gave it one, else the first prompt.
"""

from __future__ import annotations

import json

from amber.content.model import Message, Part
from amber.importers.agent_tools import ToolCall, parts_for, result_text
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    time_from_string,
    title_from_text,
)
from amber.importers.openai import image_part
from amber.importers.record import ImageResolver, Imported, Notes, Skipped, first_text, message

FORMAT = "codex"

LINE_TYPES = frozenset({"session_meta", "response_item", "event_msg", "turn_context",
                        "compacted"})
COMPACTED_TITLE = "Conversation compacted: the summary the agent continued from"
CONTEXT_PREFIXES = ("<environment_context>", "<user_instructions>", "# AGENTS.md instructions",
                    "<permissions instructions>", "<user_shell_command>", "<turn_aborted>")
"""Text Codex adds to the person's turn for the model; the terminal never shows it as theirs."""


def looks_like(record: object) -> bool:
    """A rollout line: a known line type wrapping its payload object."""
    return (isinstance(record, dict) and isinstance(record.get("type"), str)
            and record["type"] in LINE_TYPES
            and isinstance(record.get("payload"), dict))


def slim(record: object) -> object | None:
    """Only the lines a page is made of; events (but a thread's name) repeat them."""
    if not isinstance(record, dict):
        return None
    payload = record.get("payload")
    if record.get("type") == "event_msg":
        return record if isinstance(payload, dict) \
            and payload.get("type") == "thread_name_updated" else None
    if record.get("type") == "turn_context" and isinstance(payload, dict):
        return {**record, "payload": {"model": payload.get("model")}}
    if record.get("type") == "session_meta" and isinstance(payload, dict):
        return {**record, "payload": {key: payload.get(key) for key in ("id", "timestamp",
                                                                        "cwd")}}
    return record


class _Builder:
    def __init__(self, images: ImageResolver, notes: Notes) -> None:
        self.images = images
        self.notes = notes
        self.messages: list[Message] = []
        self.items: list[Part | ToolCall] = []
        self.turn_model: str | None = None
        self.turn_created: str | None = None
        self.calls: dict[str, ToolCall] = {}
        self.model: str | None = None
        self.root: str | None = None

    def flush(self) -> None:
        items, self.items = self.items, []
        parts: list[Part] = []
        for item in items:
            parts.extend(parts_for(item, self.root) if isinstance(item, ToolCall) else [item])
        msg = message("assistant", parts, self.turn_created, self.turn_model)
        if msg is not None:
            self.messages.append(msg)

    def agent(self, part: Part | ToolCall, created: str | None) -> None:
        if not self.items or (self.model and self.turn_model and self.model != self.turn_model):
            if self.items:
                self.flush()
            self.turn_model, self.turn_created = self.model, created
        self.turn_model = self.turn_model or self.model
        self.items.append(part)

    def item(self, payload: dict[str, object], created: str | None) -> None:
        kind = payload.get("type")
        if kind == "message":
            self._message(payload, created)
        elif kind == "reasoning":
            texts = [clean_text(s.get("text")) for s in _list(payload.get("summary"))
                     if isinstance(s, dict)]
            text = "\n\n".join(t.strip() for t in texts if t.strip())
            if text:
                self.agent(Part("reasoning", text=text, title="Reasoning"), created)
        elif kind in ("function_call", "custom_tool_call", "local_shell_call"):
            self._call(payload, created)
        elif kind in ("function_call_output", "custom_tool_call_output"):
            call = self.calls.get(str(payload.get("call_id")))
            if call is not None:
                call.result, call.is_error = _output(payload.get("output"))
        elif kind == "web_search_call":
            action = payload.get("action")
            query = action.get("query") if isinstance(action, dict) else None
            arguments = {"query": clean_text(query)} if isinstance(query, str) else None
            self.agent(ToolCall("web_search", None, arguments), created)

    def _message(self, payload: dict[str, object], created: str | None) -> None:
        role = payload.get("role")
        if role not in ("user", "assistant"):
            return
        parts: list[Part] = []
        for block in _list(payload.get("content")):
            if not isinstance(block, dict):
                continue
            if block.get("type") in ("input_text", "output_text", "text"):
                text = clean_text(block.get("text"))
                if role == "user" and text.lstrip().startswith(CONTEXT_PREFIXES):
                    continue
                parts.append(Part("text", text=text))
            elif block.get("type") == "input_image":
                parts.append(image_part(block.get("image_url"), self.images, self.notes))
        if role == "assistant":
            for part in parts:
                self.agent(part, created)
            return
        if not any(p.type != "text" or (p.text or "").strip() for p in parts):
            return
        self.flush()
        msg = message("user", parts, created)
        if msg is not None:
            self.messages.append(msg)

    def _call(self, payload: dict[str, object], created: str | None) -> None:
        name = label(payload.get("name"), 60) or "tool"
        raw = payload.get("arguments", payload.get("input"))
        arguments: object = raw
        if isinstance(raw, str):
            try:
                arguments = json.loads(raw)
            except (ValueError, RecursionError):
                arguments = raw  # apply_patch takes the patch itself
        if payload.get("type") == "local_shell_call":
            name = "local_shell"
            action = payload.get("action")
            arguments = {"command": action.get("command")} if isinstance(action, dict) else None
        call = ToolCall(name, label(payload.get("call_id"), 100), arguments)
        if call.call_id:
            self.calls[call.call_id] = call
        self.agent(call, created)

    def compacted(self, payload: dict[str, object], created: str | None) -> None:
        self.flush()
        text = clean_text(payload.get("message")).strip()
        body = text or "*The earlier conversation was summarised for the model here.*"
        self.messages.append(Message("system", (Part("reasoning", text=body,
                                                     title=COMPACTED_TITLE),), created))


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _output(output: object) -> tuple[str, bool]:
    """A call's output text and whether it failed; older rollouts wrap it in JSON."""
    if isinstance(output, str):
        try:
            decoded = json.loads(output)
        except (ValueError, RecursionError):
            decoded = None
        if isinstance(decoded, dict) and isinstance(decoded.get("output"), str):
            meta = decoded.get("metadata")
            code = meta.get("exit_code") if isinstance(meta, dict) else None
            return clean_text(decoded["output"]), isinstance(code, int) and code != 0
        return clean_text(output), False
    return result_text(output), False


def convert_session(lines: list[object], where: str, images: ImageResolver
                    ) -> Imported | Skipped:
    notes = Notes()
    builder = _Builder(images, notes)
    session_id = None
    started = None
    thread_name = ""
    for line in lines:
        if not isinstance(line, dict) or not isinstance(line.get("payload"), dict):
            continue
        payload = line["payload"]
        created = time_from_string(line.get("timestamp"))
        kind = line.get("type")
        if kind == "session_meta":
            if session_id is None and isinstance(payload.get("id"), str):
                session_id = payload["id"].strip() or None
                started = time_from_string(payload.get("timestamp")) or created
                builder.root = payload["cwd"] if isinstance(payload.get("cwd"), str) else None
        elif kind == "turn_context":
            builder.model = model_name(payload.get("model")) or builder.model
        elif kind == "response_item":
            builder.item(payload, created)
        elif kind == "compacted":
            builder.compacted(payload, created)
        elif kind == "event_msg" and payload.get("type") == "thread_name_updated":
            thread_name = clean_text(payload.get("thread_name"))
    builder.flush()
    messages = builder.messages
    if not any(m.role in ("user", "assistant") for m in messages):
        return Skipped(where, "no messages: the rollout holds no prompt or reply")
    models = [m.model for m in messages if m.model]
    return Imported(
        format=FORMAT,
        source_id=f"session:{session_id}" if session_id else f"file:{where}",
        title=title_from_text(thread_name) or title_from_text(first_text(messages))
        or "Codex session",
        messages=tuple(messages),
        created=started or next((m.created for m in messages if m.created), None),
        model=models[0] if models else None,
        notes=tuple(notes.items),
    )
