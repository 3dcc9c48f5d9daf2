"""Claude.ai data export: ``conversations.json`` (a list of conversations) or one of them.

A conversation is ``{uuid, name, created_at, chat_messages[]}``; a message has
``sender`` (``human`` or ``assistant``), ``text``, and in newer exports typed
``content`` blocks, which are preferred when present.

What each message becomes:

- text: Markdown; ``<antArtifact>`` tags inside it become titled code blocks
  (an HTML page, a React component, a Mermaid diagram...);
- ``thinking`` blocks: a reasoning part (collapsed);
- ``tool_use`` / ``tool_result`` blocks: tool call and tool result parts
  (an ``artifacts`` tool call that writes an artifact becomes its code block);
- ``attachments`` (pasted or uploaded documents): an attachment part with the
  file name and the text Claude extracted from it;
- ``files`` (uploaded images and files, which the export does not include): an
  image placeholder naming the file, or an attachment part.

Dropped: ``<antThinking>`` notes, which the app never showed, and empty messages.
"""

from __future__ import annotations

import json
import re

from amber.content.model import Message, Part
from amber.importers import markup
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
from amber.importers.textblocks import joined_text_blocks

FORMAT = "claude"

ROLES = {"human": "user", "user": "user", "assistant": "assistant"}
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".heic", ".bmp", ".svg")

_ARTIFACT = re.compile(r"<antArtifact\b([^>]*)>(.*?)(?:</antArtifact>|\Z)", re.DOTALL)
_ANT_THINKING = re.compile(r"<antThinking>.*?(?:</antThinking>|\Z)\n?", re.DOTALL)
_ATTRIBUTE = re.compile(r'([A-Za-z_:-]+)\s*=\s*"([^"]*)"')

ARTIFACT_LANGUAGES = {
    "text/html": "html",
    "text/markdown": "markdown",
    "image/svg+xml": "xml",
    "application/vnd.ant.react": "jsx",
    "application/vnd.ant.mermaid": "mermaid",
}


def looks_like(record: object) -> bool:
    return isinstance(record, dict) and isinstance(record.get("chat_messages"), list)


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, dict):
        return Skipped(where, f"not a conversation object (found {type(record).__name__})")
    title = single_line(record.get("name"))
    if title:
        where = f"{where} ({title!r})"
    raw_messages = record.get("chat_messages")
    if not isinstance(raw_messages, list):
        return Skipped(where, "no 'chat_messages': not a Claude conversation")
    notes = Notes()
    ordered = _in_order([m for m in raw_messages if isinstance(m, dict)])
    if len(ordered) != len(raw_messages):
        notes.add("entries of chat_messages that are not objects were skipped")
    messages: list[Message] = []
    for raw in ordered:
        role = ROLES.get(str(raw.get("sender")))
        if role is None:
            notes.add(f"a message from {single_line(raw.get('sender'), 40) or 'no one'!r} "
                      "was skipped")
            continue
        try:
            parts = _files(raw, images, notes) + _body(raw, notes)
        except RecursionError:
            notes.add("a message nested too deeply was skipped")
            continue
        converted = message(role, parts, time_from_any(raw.get("created_at")))
        if converted is not None:
            messages.append(converted)
    messages = merge_turns(messages)
    if not messages:
        return Skipped(where, "no visible messages")
    source_id = record.get("uuid")
    if not isinstance(source_id, str) or not source_id.strip():
        return Skipped(where, "no 'uuid' to recognise the conversation by on a later import")
    return Imported(
        format=FORMAT,
        source_id=source_id.strip(),
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        created=time_from_any(record.get("created_at")),
        model=model_name(record.get("model")),
        notes=tuple(notes.items),
    )


def _in_order(messages: list[dict[str, object]]) -> list[dict[str, object]]:
    """Messages in the order they were written.

    Exports do not always list them in order (a message edited later can come
    first); when every message has a time, a stable sort by time restores the
    thread, keeping the export's order for messages written together.
    """
    times = [time_from_any(m.get("created_at")) for m in messages]
    if any(t is None for t in times):
        return messages
    order = sorted(range(len(messages)), key=lambda i: times[i] or "")
    return [messages[i] for i in order]


def _files(raw: dict[str, object], images: ImageResolver, notes: Notes) -> list[Part]:
    """Attachments first, as the app shows them above the message."""
    parts: list[Part] = []
    attachments = raw.get("attachments")
    for item in attachments if isinstance(attachments, list) else []:
        if not isinstance(item, dict):
            continue
        name = label(item.get("file_name"), 200) or "attachment"
        text = clean_text(item.get("extracted_content"))
        parts.append(Part("attachment", name=name, text=text or None))
    files = raw.get("files")
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict):
            continue
        name = label(item.get("file_name"), 200)
        if not name:
            continue
        if name.lower().endswith(IMAGE_EXTENSIONS):
            parts.append(Part("image", name=name))  # exports do not include the file
        else:
            parts.append(Part("attachment", name=name))
    return parts


def _body(raw: dict[str, object], notes: Notes) -> list[Part]:
    blocks = raw.get("content")
    if isinstance(blocks, list) and any(isinstance(b, dict) for b in blocks):
        parts: list[Part] = []
        for block in joined_text_blocks(blocks, _citation_links):
            if isinstance(block, dict):
                parts.extend(_block(block, notes))
        return parts
    return split_artifacts(clean_text(raw.get("text")))


def _block(block: dict[str, object], notes: Notes) -> list[Part]:
    kind = block.get("type")
    if kind == "text":
        text = clean_text(block.get("text"))
        return split_artifacts(text + _citation_links(block.get("citations")))
    if kind == "thinking":
        text = clean_text(block.get("thinking")).strip()
        summaries = block.get("summaries")
        title = None
        if isinstance(summaries, list) and summaries and isinstance(summaries[-1], dict):
            title = single_line(summaries[-1].get("summary"), 120) or None
        return [Part("reasoning", text=text, title=title or "Thinking")] if text else []
    if kind == "tool_use":
        return [_tool_use(block)]
    if kind == "tool_result":
        return [Part("tool_result", text=_result_text(block.get("content")),
                     name=label(block.get("name"), 60),
                     id=label(block.get("tool_use_id"), 100),
                     is_error=True if block.get("is_error") is True else None)]
    if kind in ("token_budget", "redacted_thinking"):
        return []
    notes.add(f"a content block of type {single_line(kind, 40) or 'unknown'!r} could not be "
              "imported")
    return []


def _tool_use(block: dict[str, object]) -> Part:
    name = label(block.get("name"), 60) or "tool"
    tool_input = block.get("input")
    if name == "artifacts" and isinstance(tool_input, dict):
        code = clean_text(tool_input.get("content"))
        if code.strip() and tool_input.get("command") in ("create", "rewrite", None):
            return artifact_part(code, tool_input)
    arguments = json.dumps(tool_input, ensure_ascii=False, indent=None) \
        if tool_input is not None else None
    return Part("tool_call", name=name, id=label(block.get("id"), 100),
                arguments=clean_text(arguments) or None)


def _result_text(content: object) -> str:
    if isinstance(content, str):
        return clean_text(content)
    if isinstance(content, list):
        texts = [clean_text(c.get("text")) for c in content
                 if isinstance(c, dict) and isinstance(c.get("text"), str)]
        return "\n\n".join(t for t in texts if t)
    return ""


def _citation_links(citations: object) -> str:
    if not isinstance(citations, list):
        return ""
    links = []
    for item in citations:
        if not isinstance(item, dict):
            continue
        details = item.get("details") if isinstance(item.get("details"), dict) else item
        assert isinstance(details, dict)
        url = details.get("url")
        if markup.safe_url(url):
            link = markup.link(details.get("title"), url)
            if link not in links:
                links.append(link)
    return " (" + ", ".join(links) + ")" if links else ""


def split_artifacts(text: str) -> list[Part]:
    """Text with ``<antArtifact>`` tags as text and titled code parts, in order."""
    if "<antThinking>" in text:
        text = _ANT_THINKING.sub("", text)
    if "<antArtifact" not in text:
        return [Part("text", text=text.strip())] if text.strip() else []
    parts: list[Part] = []
    cursor = 0
    for match in _ARTIFACT.finditer(text):
        before = text[cursor:match.start()].strip()
        if before:
            parts.append(Part("text", text=before))
        attributes = dict(_ATTRIBUTE.findall(match.group(1)))
        code = match.group(2).removeprefix("\n")
        if code.strip():
            parts.append(artifact_part(code, attributes))
        cursor = match.end()
    rest = text[cursor:].strip()
    if rest:
        parts.append(Part("text", text=rest))
    return parts


def artifact_part(code: str, attributes: dict[str, object]) -> Part:
    kind = attributes.get("type")
    language = attributes.get("language")
    if not isinstance(language, str) or not language.strip():
        language = ARTIFACT_LANGUAGES.get(kind) if isinstance(kind, str) else None
    title = label(attributes.get("title"), 200) or label(attributes.get("identifier"), 200)
    return Part("code", code=code, language=label(language, 40), title=title)
