"""Claude Code sessions: ``~/.claude/projects/<project>/<session>.jsonl``.

Each line is a record ``{type, uuid, parentUuid, sessionId, timestamp, ...}``;
``user`` and ``assistant`` records carry an Anthropic Messages ``message``.
What the page shows, and what it leaves out:

- The thread: records form a tree through ``parentUuid``; the session shows
  the path to its last message. After a rewind or an edited prompt, the
  abandoned version of the prompt and what followed it are kept as an
  alternative of the prompt that replaced it (``branches``). Parallel tool
  calls hang their results off sibling records, so records of the same API
  reply (``message.id``) and results of calls on the path stay. A compaction
  restarts the chain at null and links back through ``logicalParentUuid``.
- One agent turn (everything between two prompts of the person) is one
  assistant message, split only where the model changes; its tool calls read
  as ``agent_tools`` makes them (diffs, console blocks).
- Sub-agents: inline ``isSidechain`` records (older versions) or the files in
  ``<session>/subagents/`` (and ``agent-*.jsonl`` beside the session) are
  written out under the ``Task`` call that started them, collapsed.
- Compaction summaries (``isCompactSummary``) become a marked system message.
- Noise is left out: hook and progress records, file-history snapshots, queue
  operations, ``isMeta`` text injected for the model, ``<system-reminder>``
  blocks, local slash commands' output, timing and error records.

The title is the session's own (``custom-title``, then ``ai-title``, then a
``summary`` of it), else its first prompt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from amber.content.model import Message, Part
from amber.importers.agent_tools import SUBAGENT_TOOLS, ToolCall, parts_for, result_text
from amber.importers.branches import walk
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    time_from_string,
    title_from_text,
)
from amber.importers.openai import image_part
from amber.importers.record import ImageResolver, Imported, Notes, Skipped, first_text, message
from amber.importers.tree import MessageTree

FORMAT = "claude-code"

RECORD_TYPES = frozenset({"user", "assistant", "system", "summary", "progress",
                          "file-history-snapshot", "queue-operation", "attachment",
                          "custom-title", "ai-title", "last-prompt"})
MESSAGE_TYPES = frozenset({"user", "assistant"})
COMPACTED_TITLE = "Conversation compacted: the summary the agent continued from"

_REMINDER = re.compile(r"<system-reminder>.*?</system-reminder>\s*", re.DOTALL)
_TAG = re.compile(r"<([a-z-]+)>(.*?)</\1>", re.DOTALL)
_LOCAL_NOISE = ("local-command-stdout", "local-command-stderr", "local-command-caveat")
_SYNTHETIC_MODEL = "<synthetic>"
_LINE_NUMBER = re.compile(r"^ *\d+\u2192", re.MULTILINE)


def looks_like(record: object) -> bool:
    """A line only Claude Code writes: a typed record with its session's ID or links."""
    if not isinstance(record, dict) or _field(record, "type") not in RECORD_TYPES:
        return False
    if "payload" in record:
        return False
    if isinstance(record.get("sessionId"), str):
        return True
    if record.get("type") == "summary" and "leafUuid" in record:
        return True
    return record.get("type") == "file-history-snapshot" and "snapshot" in record


def slim(record: object) -> object | None:
    """A record with only what the page needs: records that are noise keep just their links.

    ``toolUseResult`` repeats a tool's output for the terminal (for an edit, the
    whole file before and after); only a sub-agent's ID is read from it.
    """
    if not isinstance(record, dict):
        return None
    kind = record.get("type")
    if kind in ("user", "assistant", "summary", "custom-title", "ai-title", "attachment"):
        extra = record.get("toolUseResult")
        if extra is not None:
            agent = extra.get("agentId") if isinstance(extra, dict) else None
            record["toolUseResult"] = {"agentId": agent} if isinstance(agent, str) else None
        return record
    if kind == "system" and record.get("subtype") == "compact_boundary":
        return record
    links = {key: record[key] for key in ("type", "uuid", "parentUuid", "logicalParentUuid",
                                          "sessionId", "isSidechain", "cwd") if key in record}
    return links or None


def is_subagent_file(path: Path) -> bool:
    """A sub-agent's transcript, imported with its session rather than on its own."""
    return path.name.startswith("agent-") or path.parent.name == "subagents"


def subagent_files(session: Path, beside: list[Path] | None = None) -> tuple[Path, ...]:
    """A session's sub-agent files: in ``<session>/subagents/``, or ``agent-*`` beside it.

    ``beside`` is the folder's ``agent-*.jsonl`` files when the caller listed them
    already (a folder of a thousand sessions is listed once, not once a session).
    """
    found: list[Path] = []
    folder = session.with_suffix("") / "subagents"
    if folder.is_dir():
        found.extend(sorted(p for p in folder.glob("agent-*.jsonl") if p.is_file()))
    session_id = session.stem
    if beside is None:
        try:
            beside = sorted(session.parent.glob("agent-*.jsonl"))
        except OSError:
            beside = []
    for path in beside:
        if _first_session_id(path) == session_id:
            found.append(path)
    return tuple(found)


def _first_session_id(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            for _ in range(5):
                line = fh.readline(1 << 20)
                if not line:
                    return None
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("sessionId"), str):
                    return str(record["sessionId"])
    except OSError:
        return None
    return None


# --- the thread ----------------------------------------------------------------


def _active(records: list[dict[str, object]]) -> tuple[list[dict[str, object]], bool]:
    """The main thread's message records in file order, and whether its chain is whole.

    The path from the last message up to the root, plus the records a parallel
    tool call leaves beside it. When the chain is broken (a parent the file does
    not hold), every record is kept: showing too much beats losing the thread.
    """
    main = [r for r in records if _field(r, "type") in MESSAGE_TYPES
            and not r.get("isSidechain")]
    if not main:
        return [], True
    by_uuid = {r["uuid"]: r for r in records if isinstance(r.get("uuid"), str)}
    path: set[str] = set()
    node: dict[str, object] | None = main[-1]
    while node is not None:
        uuid = node.get("uuid")
        if not isinstance(uuid, str) or uuid in path:
            break
        path.add(uuid)
        parent = node.get("parentUuid")
        if parent is None and isinstance(node.get("logicalParentUuid"), str):
            parent = node["logicalParentUuid"]
        if parent is None:
            node = None
        elif isinstance(parent, str) and parent in by_uuid:
            node = by_uuid[parent]
        else:
            return main, False  # broken chain
    reply_ids = {_message_id(r) for r in main if _field(r, "uuid") in path} - {None}
    call_ids = {_field(b, "id") for r in main
                if _field(r, "uuid") in path or _message_id(r) in reply_ids
                for b in _blocks(r) if b.get("type") == "tool_use"} - {None}
    kept = []
    for record in main:
        results = _results_of(record)
        if (_field(record, "uuid") in path or _message_id(record) in reply_ids
                or (results and results <= call_ids)):
            kept.append(record)
    return kept, True


def _parent(record: dict[str, object]) -> str | None:
    """The record before this one; across a compaction, the one it continues from."""
    parent = record.get("parentUuid")
    if parent is None:
        parent = record.get("logicalParentUuid")
    return parent if isinstance(parent, str) else None


# --- branches -------------------------------------------------------------------


@dataclass
class _Turns:
    """The session as a tree of turns, for ``branches.walk``: a turn is a prompt of the
    person and everything after it up to the next prompt. Rewinding to a prompt, or
    editing it, writes a new prompt beside the old one: a second child of the turn
    before it."""

    tree: MessageTree
    """Turns by the uuid of their prompt."""
    records: dict[str | None, list[dict[str, object]]]
    """Each turn's records in file order (None: those that follow no prompt)."""


def _turns(records: list[dict[str, object]]) -> _Turns:
    by_uuid = {r["uuid"]: r for r in records if isinstance(r.get("uuid"), str)}
    prompts = {str(r["uuid"]) for r in records
               if r.get("type") == "user" and not r.get("isSidechain")
               and isinstance(r.get("uuid"), str) and _is_prompt(r)}
    claimed: dict[str, str] = {}
    """Attachment records: the prompt they were attached to (they come before it)."""
    for uuid in prompts:
        parent = _parent(by_uuid[uuid])
        while parent in by_uuid and parent not in claimed and \
                by_uuid[parent].get("type") == "attachment":
            claimed[parent] = uuid
            parent = _parent(by_uuid[parent])
    turn_of: dict[str, str | None] = {}

    def turn(uuid: str | None) -> str | None:
        """The prompt a record follows: up the parents to the nearest prompt."""
        chain: dict[str, None] = {}
        while uuid is not None and uuid in by_uuid and uuid not in turn_of:
            if uuid in prompts:
                turn_of[uuid] = uuid
                break
            if uuid in claimed:
                turn_of[uuid] = claimed[uuid]
                break
            if uuid in chain:  # a loop of parents: no prompt above
                break
            chain[uuid] = None
            uuid = _parent(by_uuid[uuid])
        found = turn_of.get(uuid) if uuid is not None else None
        for link in chain:
            turn_of[link] = found
        return found

    items = [(uuid, turn(_parent(by_uuid[uuid])), by_uuid[uuid])
             for uuid in by_uuid if uuid in prompts]
    grouped: dict[str | None, list[dict[str, object]]] = {}
    for record in records:
        if not record.get("isSidechain") and \
                _field(record, "type") in MESSAGE_TYPES | {"attachment"}:
            grouped.setdefault(turn(_field(record, "uuid")), []).append(record)
    return _Turns(MessageTree.build(items), grouped)


def _no_time(raw: object) -> str | None:
    return None  # versions are numbered in the order the file wrote them


def _field(record: dict[str, object], key: str) -> str | None:
    """A string field of a record; anything else (a list, a number) counts as absent."""
    value = record.get(key)
    return value if isinstance(value, str) else None


def _message_id(record: dict[str, object]) -> str | None:
    msg = record.get("message")
    value = msg.get("id") if isinstance(msg, dict) else None
    return value if isinstance(value, str) else None


def _blocks(record: dict[str, object]) -> list[dict[str, object]]:
    msg = record.get("message")
    content = msg.get("content") if isinstance(msg, dict) else None
    return [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []


def _results_of(record: dict[str, object]) -> set[object]:
    return {_field(b, "tool_use_id") for b in _blocks(record)
            if b.get("type") == "tool_result"} - {None}


def _is_prompt(record: dict[str, object]) -> bool:
    if record.get("isMeta") or record.get("isCompactSummary"):
        return False
    msg = record.get("message")
    content = msg.get("content") if isinstance(msg, dict) else None
    if isinstance(content, str):
        return bool(content.strip())
    return any(b.get("type") in ("text", "image") for b in _blocks(record))


# --- building messages -----------------------------------------------------------


@dataclass
class _Turn:
    """The agent's reply being gathered: parts and tool calls in order."""

    model: str | None = None
    created: str | None = None
    items: list[Part | ToolCall] = field(default_factory=list)


@dataclass
class _Builder:
    images: ImageResolver
    notes: Notes
    subagents: dict[str, list[Part]]
    """Sub-agent parts by agent ID and by the prompt that started them."""
    messages: list[Message] = field(default_factory=list)
    turn: _Turn | None = None
    calls: dict[str, ToolCall] = field(default_factory=dict)
    pending_attachments: list[Part] = field(default_factory=list)
    root: str | None = None
    """The session's working folder, for file names relative to it."""

    def flush(self) -> None:
        turn, self.turn = self.turn, None
        if turn is None:
            return
        parts: list[Part] = []
        for item in turn.items:
            parts.extend(parts_for(item, self.root) if isinstance(item, ToolCall) else [item])
        msg = message("assistant", parts, turn.created, turn.model)
        if msg is not None:
            self.messages.append(msg)

    def add(self, record: dict[str, object]) -> None:
        if record.get("type") == "assistant":
            self._assistant(record)
        elif record.get("type") == "user":
            self._user(record)
        elif record.get("type") == "attachment":
            self._attachment(record.get("attachment"))

    def _assistant(self, record: dict[str, object]) -> None:
        msg = record.get("message")
        if not isinstance(msg, dict):
            return
        model = msg.get("model")
        model = None if model == _SYNTHETIC_MODEL else model_name(model)
        if self.turn is not None and model and self.turn.model and model != self.turn.model:
            self.flush()
        if self.turn is None:
            self.turn = _Turn(model, time_from_string(record.get("timestamp")))
        self.turn.model = self.turn.model or model
        content = msg.get("content")
        if isinstance(content, str):
            self.turn.items.append(Part("text", text=clean_text(content)))
            return
        for block in _blocks(record):
            kind = block.get("type")
            if kind == "text":
                self.turn.items.append(Part("text", text=clean_text(block.get("text"))))
            elif kind == "thinking":
                text = clean_text(block.get("thinking")).strip()
                if text:
                    self.turn.items.append(Part("reasoning", text=text, title="Thinking"))
            elif kind in ("tool_use", "server_tool_use"):
                name = label(block.get("name"), 60) or "tool"
                call_id = label(block.get("id"), 100)
                call = ToolCall(name, call_id, block.get("input"))
                if name in SUBAGENT_TOOLS and isinstance(block.get("input"), dict):
                    prompt = block["input"].get("prompt")  # type: ignore[union-attr]
                    if isinstance(prompt, str) and prompt.strip() in self.subagents:
                        call.subagent = self.subagents[prompt.strip()]
                if call_id:
                    self.calls[call_id] = call
                self.turn.items.append(call)
            elif kind == "image":
                self.turn.items.append(_image(block, self.images, self.notes))

    def _user(self, record: dict[str, object]) -> None:
        msg = record.get("message")
        if not isinstance(msg, dict):
            return
        created = time_from_string(record.get("timestamp"))
        if record.get("isCompactSummary"):
            self.flush()
            text = _strip(result_text(msg.get("content")))
            if text:
                self.messages.append(Message("system", (
                    Part("reasoning", text=text, title=COMPACTED_TITLE),), created))
            return
        if record.get("isMeta"):
            return
        parts: list[Part] = []
        content = msg.get("content")
        if isinstance(content, str):
            if _is_local_output(content):
                self._drop_local_command()
                return
            parts.extend(_user_text(content))
        for block in _blocks(record):
            kind = block.get("type")
            if kind == "tool_result":
                self._result(block, record)
            elif kind == "text":
                parts.extend(_user_text(clean_text(block.get("text"))))
            elif kind == "image":
                parts.append(_image(block, self.images, self.notes))
            elif kind == "document":
                parts.append(Part("attachment", name=label(block.get("title"), 200)
                                  or "document"))
        if not parts:
            return
        self.flush()
        parts = self.pending_attachments + parts
        self.pending_attachments = []
        out = message("user", parts, created)
        if out is not None:
            self.messages.append(out)

    def _drop_local_command(self) -> None:
        """A slash command that printed to the terminal (``/mcp``) never reached the model."""
        last = self.messages[-1] if self.messages and self.turn is None else None
        if last is not None and last.role == "user" and isinstance(last.content, str) \
                and last.content.startswith("`/"):
            self.messages.pop()

    def _result(self, block: dict[str, object], record: dict[str, object]) -> None:
        call_id = block.get("tool_use_id")
        call = self.calls.get(call_id) if isinstance(call_id, str) else None
        if call is None:
            return
        call.result = _strip(result_text(block.get("content")))
        if call.name == "Read":  # the numbers Read puts before each line for the model
            call.result = _LINE_NUMBER.sub("", call.result)
        call.is_error = block.get("is_error") is True
        extra = record.get("toolUseResult")
        agent = extra.get("agentId") if isinstance(extra, dict) else None
        if call.name in SUBAGENT_TOOLS and isinstance(agent, str) and agent in self.subagents:
            call.subagent = self.subagents[agent]

    def _attachment(self, attachment: object) -> None:
        """Files the person attached with ``@``; every other attachment is context for the model."""
        if not isinstance(attachment, dict) or attachment.get("type") != "file":
            return
        name = label(attachment.get("displayPath") or attachment.get("filename"), 200)
        content = attachment.get("content")
        inner = content.get("file") if isinstance(content, dict) else None
        text = clean_text(inner.get("content")) if isinstance(inner, dict) else ""
        self.pending_attachments.append(Part("attachment", name=name or "file",
                                             text=text or None))


def _strip(text: str) -> str:
    """Text without the reminders Claude Code adds for the model (indentation kept)."""
    return _REMINDER.sub("", text).strip("\n").rstrip()


def _is_local_output(text: str) -> bool:
    return any(f"<{tag}>" in text for tag in _LOCAL_NOISE)


def _user_text(text: str) -> list[Part]:
    """A prompt's text without what the person never typed; slash commands as typed."""
    text = _strip(text).strip()
    if not text:
        return []
    tags = dict((m.group(1), m.group(2).strip()) for m in _TAG.finditer(text))
    if any(tag in tags for tag in _LOCAL_NOISE):
        return []
    if "command-name" in tags:
        typed = tags["command-name"]
        if tags.get("command-args"):
            typed += " " + tags["command-args"]
        return [Part("text", text=f"`{typed}`" if "`" not in typed else typed)]
    if "bash-input" in tags:
        return [Part("code", code="$ " + tags["bash-input"], language="console",
                     title="Shell")]
    if "bash-stdout" in tags or "bash-stderr" in tags:
        output = "\n".join(t for t in (tags.get("bash-stdout"), tags.get("bash-stderr")) if t)
        return [Part("code", code=output, language="console", title="Output")] if output else []
    return [Part("text", text=text)]


def _image(block: dict[str, object], images: ImageResolver, notes: Notes) -> Part:
    source = block.get("source")
    if not isinstance(source, dict):
        return Part("image", name="image")
    if source.get("type") == "base64":
        media = source.get("media_type") if isinstance(source.get("media_type"), str) else ""
        data = source.get("data") if isinstance(source.get("data"), str) else ""
        return image_part(f"data:{media};base64,{data}", images, notes)
    return image_part(source.get("url"), images, notes)


# --- sub-agents ---------------------------------------------------------------


def _subagent_parts(records: list[dict[str, object]], images: ImageResolver,
                    root: str | None) -> tuple[str | None, list[Part]]:
    """A sub-agent's prompt and its work as parts (its own tool calls included)."""
    builder = _Builder(images, Notes(), {}, root=root)
    prompt = None
    for record in records:
        if prompt is None and record.get("type") == "user":
            msg = record.get("message")
            content = msg.get("content") if isinstance(msg, dict) else None
            if isinstance(content, str | list) and not _results_of(record):
                prompt = _strip(result_text(content))
                continue
        builder.add(record)
    builder.flush()
    parts = [p for m in builder.messages if m.role == "assistant" for p in m.parts]
    return prompt, parts


def _subagents(side: list[dict[str, object]], files: Iterable[list[object]],
               images: ImageResolver, root: str | None) -> dict[str, list[Part]]:
    """Each sub-agent's parts, keyed by its agent ID and by its prompt."""
    out: dict[str, list[Part]] = {}
    groups: list[list[dict[str, object]]] = []
    owner: dict[str, int] = {}
    for record in side:  # inline sidechains: each chain from a null parent is one run
        parent = record.get("parentUuid")
        index = owner.get(parent) if isinstance(parent, str) else None
        if index is None:
            groups.append([])
            index = len(groups) - 1
        groups[index].append(record)
        if isinstance(record.get("uuid"), str):
            owner[str(record["uuid"])] = index
    for lines in files:
        groups.append([r for r in lines if isinstance(r, dict)
                       and r.get("type") in ("user", "assistant")])
    for group in groups:
        prompt, parts = _subagent_parts(group, images, root)
        agent = next((r.get("agentId") for r in group if isinstance(r.get("agentId"), str)),
                     None)
        if isinstance(agent, str):
            out.setdefault(agent, parts)
        if prompt:
            out.setdefault(prompt, parts)
    return out


# --- the session ----------------------------------------------------------------


def convert_session(lines: list[object], subagent_files: list[list[object]], where: str,
                    images: ImageResolver, fallback_id: str) -> Imported | Skipped:
    records = [r for r in lines if isinstance(r, dict)]
    session_id = _session_id(records, fallback_id)
    kept, whole = _active(records)
    side = [r for r in records if _field(r, "type") in MESSAGE_TYPES and r.get("isSidechain")]
    notes = Notes()
    cwd = next((r["cwd"] for r in records if isinstance(r.get("cwd"), str)), None)
    subagents = _subagents(side, subagent_files, images, cwd)

    def build(run: Iterable[dict[str, object]]) -> list[Message]:
        builder = _Builder(images, notes, subagents, root=cwd)
        for record in run:
            builder.add(record)
        builder.flush()
        return _without_empty(builder.messages)

    if whole:
        messages, dropped = _walked(records, kept, build)
    else:
        messages, dropped = build(_with_attachments(records, kept)), 0
    if not any(m.role in ("user", "assistant") for m in messages):
        return Skipped(where, "no messages: the session holds no prompt or reply")
    models = [m.model for m in messages if m.model]
    return Imported(
        format=FORMAT,
        source_id=f"session:{session_id}",
        title=_title(records, kept) or title_from_text(first_text(messages))
        or "Claude Code session",
        messages=tuple(messages),
        created=next((m.created for m in messages if m.created), None),
        model=models[0] if models else None,
        branches_dropped=dropped,
        notes=tuple(notes.items),
    )


def _walked(records: list[dict[str, object]], kept: list[dict[str, object]],
            build: Callable[[Iterable[dict[str, object]]], list[Message]]
            ) -> tuple[list[Message], int]:
    """The thread shown, with each earlier version of a rewound or edited prompt (and what
    followed it) kept as an alternative of the prompt that replaced it."""
    turns = _turns(records)
    keep = {id(r) for r in kept}
    last = next((r for r in reversed(kept) if r.get("type") == "user"
                 and _field(r, "uuid") in turns.tree.nodes), None)
    shown = turns.tree.shown(_field(last, "uuid") if last is not None else None)
    on_path = set(shown)
    order = {id(r): index for index, r in enumerate(records)}

    def shown_record(record: dict[str, object]) -> bool:
        return id(record) in keep or record.get("type") == "attachment"

    # What follows no prompt goes with the shown thread: walk converts its first run first.
    before = [r for r in turns.records.get(None, []) if shown_record(r)]

    def convert(run: list[str]) -> list[Message]:
        nonlocal before
        chosen, before = before, []
        for turn in run:
            chosen += [r for r in turns.records.get(turn, [])
                       if turn not in on_path or shown_record(r)]
        return build(sorted(chosen, key=lambda r: order[id(r)]))

    walked = walk(turns.tree.branch_tree(_no_time, convert, lambda ms: ms), shown)
    return walked.messages, walked.dropped


def _session_id(records: list[dict[str, object]], file_stem: str) -> str:
    """The session's ID: the file's name when a record bears it, else the first one given.

    A resumed session's file starts with the earlier session's records, which keep
    that session's ID; the file is named after its own.
    """
    ids = {r["sessionId"] for r in records if isinstance(r.get("sessionId"), str)}
    if file_stem in ids:
        return file_stem
    return next((str(r["sessionId"]).strip() for r in records
                 if isinstance(r.get("sessionId"), str) and str(r["sessionId"]).strip()),
                file_stem)


def _with_attachments(records: list[dict[str, object]], kept: list[dict[str, object]]
                      ) -> list[dict[str, object]]:
    """The kept messages, with file attachments of the main thread in their place."""
    keep = {id(r) for r in kept}
    return [r for r in records if id(r) in keep
            or (r.get("type") == "attachment" and not r.get("isSidechain"))]


def _without_empty(messages: list[Message]) -> list[Message]:
    return [m for m in messages if m.parts]


def _title(records: list[dict[str, object]], kept: list[dict[str, object]]) -> str:
    titles: dict[str, str] = {}
    uuids = {_field(r, "uuid") for r in kept} - {None}
    for record in records:
        kind = record.get("type")
        if kind == "custom-title":
            titles["custom"] = clean_text(record.get("customTitle"))
        elif kind == "ai-title":
            titles["ai"] = clean_text(record.get("aiTitle"))
        elif kind == "summary" and _field(record, "leafUuid") in uuids:
            titles["summary"] = clean_text(record.get("summary"))
    for key in ("custom", "ai", "summary"):
        title = title_from_text(titles.get(key, ""))
        if title:
            return title
    return ""
