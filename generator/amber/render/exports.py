"""The "continue" formats of a share: chat-completions JSON and Markdown.

Both are written beside each share page so a reader can carry the
conversation on elsewhere, and ``amber fork`` reads them back.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring

from amber.content.model import Message, Part, Snapshot
from amber.render.markdown import code_argument, pretty_arguments

_INFO = re.compile(r"[A-Za-z0-9_+#.\-]{1,40}\Z")
"""A fence's language must not be able to close or break the fence line."""

ROLE_LABELS = {"user": "User", "assistant": "Assistant", "system": "System", "tool": "Tool"}


def fence(code: str, language: str | None = None) -> str:
    """A fenced block longer than any backtick run inside, so content cannot close it."""
    longest = max((len(m) for m in re.findall(r"`{3,}", code)), default=2)
    ticks = "`" * (longest + 1)
    body = code if code.endswith("\n") else code + "\n"
    info = language if language and _INFO.match(language) else ""
    return f"{ticks}{info}\n{body}{ticks}"


def part_markdown(part: Part) -> str:
    if part.type == "text":
        return part.text or ""
    if part.type == "code":
        title = f"**{part.title}**\n\n" if part.title else ""
        return title + fence(part.code or "", part.language)
    if part.type == "reasoning":
        lines = (part.text or "").splitlines() or [""]
        quoted = "\n".join(f"> {line}".rstrip() for line in lines)
        return f"> **{part.title or 'Reasoning'}**\n>\n{quoted}"
    if part.type == "tool_call":
        args, language = pretty_arguments(part.arguments)
        code = code_argument(part.arguments)
        if code is not None and part.name and _INFO.match(part.name):
            args, language = code, part.name  # python(code=...): the code, as code
        return f"**Tool call: `{part.name}`**\n\n" + fence(args, language)
    if part.type == "tool_result":
        label = f"Tool result: `{part.name}`" if part.name else "Tool result"
        if part.is_error:
            label += " (error)"
        return f"**{label}**\n\n" + fence(part.text or "")
    if part.type == "image":
        return f"*[image: {part.name or part.alt or part.src or 'not included'}]*"
    if part.type == "attachment":
        label = f"*[attachment: {part.name}]*"
        return f"{label}\n\n" + fence(part.text) if part.text else label
    raise ValueError(part.type)


def message_markdown(message: Message) -> str:
    return "\n\n".join(part_markdown(p) for p in message.parts)


def to_markdown(snap: Snapshot, url: str) -> str:
    lines = [f"# {snap.title}", ""]
    meta = []
    if snap.author:
        meta.append(f"Shared by {snap.author}")
    meta.append(f"frozen {snap.frozen}")
    if snap.models:
        meta.append("model: " + ", ".join(snap.models))
    meta += partial_notes(snap)
    lines += ["*" + " · ".join(meta) + "*", "", f"<{url}>", ""]
    for message in snap.messages:
        heading = ROLE_LABELS[message.role]
        if message.model and message.role == "assistant":
            heading += f" ({message.model})"
        lines += ["---", "", f"## {heading}", "", message_markdown(message).rstrip(), ""]
    return "\n".join(lines)


def chat_messages(messages: tuple[Message, ...]) -> list[dict[str, object]]:
    """Messages as a chat-completions API takes them: role + string content.

    Reasoning is left out (APIs do not accept it back); tool calls become
    ``tool_calls`` and tool results become ``tool`` messages tied by id.
    """
    out: list[dict[str, object]] = []
    for message in messages:
        text_parts: list[str] = []
        calls: list[dict[str, object]] = []
        results: list[Part] = []
        for part in message.parts:
            if part.type == "reasoning":
                continue
            if part.type == "tool_call":
                calls.append({
                    "id": part.id or f"call_{len(out)}_{len(calls)}",
                    "type": "function",
                    "function": {"name": part.name or "tool", "arguments": part.arguments or ""},
                })
            elif part.type == "tool_result" and message.role == "tool":
                results.append(part)
            else:
                text_parts.append(part_markdown(part))
        if results:
            for n, result in enumerate(results):
                text = result.text or ""
                if n == 0 and text_parts:  # keep any prose the tool message also had
                    text = "\n\n".join([*text_parts, text])
                entry: dict[str, object] = {"role": "tool", "content": text}
                if result.id:
                    entry["tool_call_id"] = result.id
                out.append(entry)
            continue
        entry = {"role": message.role, "content": "\n\n".join(text_parts)}
        if calls:
            entry["tool_calls"] = calls
        out.append(entry)
    return pair_tool_messages(out)


MISSING_RESULT = "(the tool's result is not part of this share)"


def pair_tool_messages(messages: list[dict[str, object]]) -> list[dict[str, object]]:
    """Make tool traffic valid for chat-completions APIs, which reject it otherwise.

    Every ``tool_calls`` id must be answered by a ``tool`` message before the next
    turn, and every ``tool`` message must name the call it answers. Exports break
    both rules (ChatGPT hides browsing results; some tool messages carry no id):
    an unanswered call gets a placeholder result, a result without a matching id
    takes the oldest unanswered call, and a result with no call left becomes
    user text.
    """
    out: list[dict[str, object]] = []
    pending: list[str] = []

    def close_pending() -> None:
        for call_id in pending:
            out.append({"role": "tool", "tool_call_id": call_id, "content": MISSING_RESULT})
        pending.clear()

    for entry in messages:
        if entry["role"] == "tool":
            call_id = entry.get("tool_call_id")
            if call_id in pending:
                pending.remove(call_id)  # type: ignore[arg-type]
                out.append(entry)
            elif pending:  # no id, or one that matches no call: answer the oldest open call
                out.append({**entry, "tool_call_id": pending.pop(0)})
            else:
                out.append({"role": "user", "content": f"Tool output:\n\n{entry['content']}"})
            continue
        close_pending()
        out.append(entry)
        calls = entry.get("tool_calls")
        if isinstance(calls, list):
            pending.extend(str(call["id"]) for call in calls)
    close_pending()
    return out


def to_chat_json(snap: Snapshot, url: str) -> str:
    body = {
        "id": snap.id,
        "title": snap.title,
        "url": url,
        "author": snap.author,
        "frozen": snap.frozen,
        "created": snap.created,
        "models": list(snap.models),
        **({"language": snap.language} if snap.language else {}),
        "source_format": "amber-share-1",
        **partial_metadata(snap),
        "messages": chat_messages(snap.messages),
    }
    try:
        pieces: list[str] = []
        _indented_json(body, pieces, "\n")
        text = "".join(pieces)
    except TypeError:  # a value _indented_json does not write: let json decide
        text = json.dumps(body, indent=2, ensure_ascii=False)
    return text + "\n"


def _indented_json(value: object, out: list[str], newline: str) -> None:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, piece by piece, into ``out``.

    With an indent, ``json`` leaves its C encoder for a generator per list and dict
    that passes every piece up through each level; for a share's small tree of
    strings that was most of the file's cost. The layout is json's: ``[``/``{``,
    items on their own lines two spaces deeper, ``,`` between them, ``: `` after
    keys, empty ones as ``[]``/``{}``, strings through json's own escaper. Floats,
    keys that are not strings and other types raise TypeError, so the caller hands
    them to ``json`` itself.
    """
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        out.append("[" + inner)
        for index, item in enumerate(value):
            if index:
                out.append("," + inner)
            _indented_json(item, out, inner)
        out.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{" + inner)
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError("a key that is not a string")
            if index:
                out.append("," + inner)
            out.append(encode_basestring(key) + ": ")
            _indented_json(item, out, inner)
        out.append(newline + "}")
    else:
        raise TypeError(f"not written here: {type(value).__name__}")


def partial_metadata(snap: Snapshot) -> dict[str, object]:
    """conversation.json keys of a partial or redacted share; none for a whole, plain one.

    ``selection`` is in the ``--messages`` form, ``source_messages`` the source's count:
    whoever continues the conversation learns that it is not all of it."""
    from amber.content.selection import format_ranges

    out: dict[str, object] = {}
    if snap.selection is not None:
        out["selection"] = format_ranges(snap.selection.numbers)
        out["source_messages"] = snap.selection.total
    if snap.redactions is not None:
        out["redactions"] = snap.redactions.count
    return out


def partial_notes(snap: Snapshot) -> list[str]:
    """What conversation.md says of a partial or redacted share, as the page does."""
    from amber.content.selection import describe

    notes = [describe(snap.selection)] if snap.selection is not None else []
    if snap.redactions is not None and snap.redactions.count:
        count = snap.redactions.count
        notes.append(f"{count} redaction{'' if count == 1 else 's'}")
    return notes
