"""ChatGPT data export: ``conversations.json`` (a list of conversations) or one of them.

A conversation is a tree: ``mapping`` holds nodes ``{id, message, parent,
children}``; a node with several children is an edited prompt or a
regenerated answer. What the user saw last is the path from ``current_node``
up to the root: that is the conversation; the other branches are kept as
alternatives of the message they replace (``amber.importers.branches``).

What each message becomes:

- ``text``: Markdown, with citation markers turned into links to their sources;
- ``multimodal_text``: text and images (copied when the export holds the file,
  else a placeholder naming it); uploaded files show their name;
- ``code`` to ``python``: a tool call whose code renders as a Python block;
  ``code`` to another tool (``web``, ``dalle.text2im``): a tool call;
- ``execution_output`` and other tool messages: tool results;
- ``thoughts``: a reasoning part, titled by the ``reasoning_recap`` after it;
- ``tether_quote``: a quotation with a link to its page; a quote of an
  uploaded file (file search) a collapsed attachment with a short excerpt,
  once per file, not the pasted document;
- web search results (``search_result_groups``, the browser's cited pages): a
  compact list of links;
- canvas (``canmore.create_textdoc`` / ``update_textdoc``): the document as
  a code part titled with its name (Markdown for text documents), each update
  as the document's new version;
- image generation: the image, titled by ``image_gen_title``, with its prompt
  as alternative text;
- ``system_error``: a tool result marked as an error.

Tools the export names internally (``t2uay3k.sj1i4kz``, ``myfiles_browser``)
get readable labels (``TOOL_LABELS``).

Dropped, because the user never saw them: system messages, custom
instructions and memory (``user_editable_context``, ``model_editable_context``,
messages to or from the ``bio`` memory tool), messages marked
``is_visually_hidden_from_conversation``, empty placeholders, and text only
the model read: the image generator's "returned 1 images. From now on, do not
say or show ANYTHING" orders, file search's reminders, canvas confirmations.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

from amber.content.model import Message, Part
from amber.importers import markup
from amber.importers.branches import Tree, walk, without_model
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    single_line,
    time_from_epoch,
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

FORMAT = "chatgpt"

HIDDEN_CONTENT = frozenset({"user_editable_context", "model_editable_context"})
MEMORY_TOOLS = frozenset({"bio"})
CODE_RUNNERS = frozenset({"python", "jupyter"})
IMAGE_TOOLS = frozenset({"dalle.text2im", "t2uay3k.sj1i4kz", "image_gen.text2im"})
"""Image generators: their images are shown, their text results are orders to the model."""
FILE_TOOLS = frozenset({"file_search", "myfiles_browser", "file_search.msearch",
                        "file_search.mclick"})
"""Search over uploaded files: quotes become attachments; their text results are reminders
to the model ("Please remember to search the user's documents...")."""
WEB_TOOLS = frozenset({"web", "web.run", "web.search", "browser", "web.open_url"})
CANVAS_PREFIX = "canmore."
TOOL_LABELS = {
    "dalle.text2im": "image generation",
    "t2uay3k.sj1i4kz": "image generation",
    "image_gen.text2im": "image generation",
    "file_search": "file search",
    "myfiles_browser": "file search",
    "file_search.msearch": "file search",
    "file_search.mclick": "file search",
    "web.run": "web search",
    "web.search": "web search",
}
"""Readable labels for tools the export names by internal names."""
CANVAS_LANGUAGES = {"document": "markdown", "react": "jsx", "other": None}
EXCERPT_LINES = 6
EXCERPT_CHARS = 400
"""An uploaded document quoted by file search shows this much, collapsed."""
SEARCH_LINKS = 20

_CITE_MARKERS = re.compile(" ?\ue200[^\ue200\ue201]{0,200}\ue201|[\ue200-\ue206]")
"""Private-use markers around citations; the UI turns them into chips or hides them."""
_CITE_ANY = re.compile("[\ue200-\ue206]")
"""A quick test before the slower substitution: most text has no markers at all."""
_OLD_CITATION = re.compile(r" ?【\d+(?::\d+)?†[^】\n]{0,200}】")


def looks_like(record: object) -> bool:
    return isinstance(record, dict) and isinstance(record.get("mapping"), dict)


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, dict):
        return Skipped(where, f"not a conversation object (found {type(record).__name__})")
    mapping = record.get("mapping")
    title = single_line(record.get("title"))
    if title:
        where = f"{where} ({title!r})"
    if not isinstance(mapping, dict) or not mapping:
        return Skipped(where, "no 'mapping' of messages: not a ChatGPT conversation")
    notes = Notes()
    path, _ = visible_path(mapping, record.get("current_node"), notes)
    conv_model = model_name(record.get("default_model_slug"))
    state = _Thread(images, notes)
    # Edits and regenerations off the path are kept as alternatives (importers.branches).
    walked = walk(Tree(children=lambda node_id: tree_children(mapping, node_id),
                       convert=lambda run: _convert_run(mapping, run, state, conv_model),
                       merge=merge_turns), path)
    messages, branches = walked.messages, walked.dropped
    if not messages:
        return Skipped(where, "no visible messages")
    if conv_model is None:
        conv_model = next((m.model for m in messages if m.model), None)
    messages = [without_model(m, conv_model) for m in messages]
    source_id = record.get("conversation_id") or record.get("id")
    if not isinstance(source_id, str) or not source_id.strip():
        # The tree's root id is as stable as a conversation id: it never changes.
        source_id = "root:" + hashlib.sha256(path[0].encode()).hexdigest()[:32]
    return Imported(
        format=FORMAT,
        source_id=source_id.strip(),
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        created=time_from_epoch(record.get("create_time")),
        model=conv_model,
        branches_dropped=branches,
        notes=tuple(notes.items),
    )


def visible_path(mapping: dict[str, object], current: object, notes: Notes
                 ) -> tuple[list[str], int]:
    """Node ids from the root to ``current_node``, and how many branches were left out."""
    if not isinstance(current, str) or current not in mapping:
        current = _latest_leaf(mapping)
        notes.add("no valid current_node; followed the most recent branch")
    chain: list[str] = []
    seen: set[str] = set()
    node_id: object = current
    while isinstance(node_id, str) and node_id in mapping and node_id not in seen:
        seen.add(node_id)
        chain.append(node_id)
        node = mapping[node_id]
        node_id = node.get("parent") if isinstance(node, dict) else None
    if isinstance(node_id, str) and node_id in seen:
        notes.add("the message tree has a loop; imported the part before it")
    chain.reverse()
    dropped = 0
    for i, node_id in enumerate(chain):
        node = mapping[node_id]
        children = node.get("children") if isinstance(node, dict) else None
        if not isinstance(children, list):
            continue
        others = [c for c in children if isinstance(c, str) and c in mapping]
        on_path = chain[i + 1] if i + 1 < len(chain) else None
        dropped += len([c for c in others if c != on_path])
    return chain, dropped


def tree_children(mapping: dict[str, object], node_id: str) -> list[str]:
    """A node's children that exist and name it as their parent, in the export's order."""
    node = mapping.get(node_id)
    children = node.get("children") if isinstance(node, dict) else None
    if not isinstance(children, list):
        return []
    out = []
    for child in children:
        kid = mapping.get(child) if isinstance(child, str) else None
        if isinstance(kid, dict) and kid.get("parent") == node_id and child not in out:
            out.append(child)
    return out


def _convert_run(mapping: dict[str, object], run: Sequence[str], state: _Thread,
                 conv_model: str | None) -> list[Message]:
    """The messages of a run of nodes on one path, a turn's nodes merged into one."""
    messages: list[Message] = []
    for node_id in run:
        node = mapping.get(node_id)
        raw = node.get("message") if isinstance(node, dict) else None
        if raw is None:
            continue
        if not isinstance(raw, dict):
            state.notes.add(f"message {node_id!s:.40}: not an object; skipped")
            continue
        try:
            converted = state.message(raw, conv_model)
        except RecursionError:
            state.notes.add(f"message {node_id!s:.40}: nested too deeply; skipped")
            continue
        if converted is not None:
            messages.append(converted)
    return [m for m in map(_fold_recaps, merge_turns(messages)) if m is not None]


def _latest_leaf(mapping: dict[str, object]) -> str:
    """The leaf written last: where the user most likely left off."""
    best: tuple[float, int] = (float("-inf"), -1)
    best_id = next(iter(mapping))
    for index, (node_id, node) in enumerate(mapping.items()):
        if not isinstance(node, dict) or node.get("children"):
            continue
        msg = node.get("message")
        when = msg.get("create_time") if isinstance(msg, dict) else None
        key = (float(when) if isinstance(when, int | float) else float("-inf"), index)
        if key > best:
            best, best_id = key, node_id
    return best_id


def _fold_recaps(msg: Message) -> Message | None:
    """A ``reasoning_recap`` ("Thought for 9 seconds") titles the reasoning before it.

    It arrives as an empty reasoning part with only a title; alone it shows
    nothing, so it is dropped when no reasoning precedes it.
    """
    if isinstance(msg.content, str):
        return msg
    parts: list[Part] = []
    for part in msg.content:
        if part.type == "reasoning" and not part.text:
            if parts and parts[-1].type == "reasoning" and part.title:
                parts[-1] = Part("reasoning", text=parts[-1].text, title=part.title)
            continue
        parts.append(part)
    return message(msg.role, parts, msg.created, msg.model)


class _Thread:
    """Converts the messages of one visible thread, in order."""

    def __init__(self, images: ImageResolver, notes: Notes) -> None:
        self.images = images
        self.notes = notes
        self.pending_calls: dict[str, str] = {}
        """Tool name -> id of its last call, so the result can point back to it."""
        self.image_prompt: str | None = None
        """The prompt of the last image generation call: the image's alternative text."""
        self.canvas: tuple[str, str, str] | None = None
        """The open canvas document: (name, type, content), so an update can apply."""
        self.quoted_files: set[str] = set()
        """Uploaded documents already shown: each is shown once."""

    def message(self, raw: dict[str, object], conv_model: str | None) -> Message | None:
        author = raw.get("author") if isinstance(raw.get("author"), dict) else {}
        assert isinstance(author, dict)
        role = author.get("role")
        metadata = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
        assert isinstance(metadata, dict)
        content = raw.get("content") if isinstance(raw.get("content"), dict) else {}
        assert isinstance(content, dict)
        ctype = content.get("content_type")
        recipient = raw.get("recipient") if isinstance(raw.get("recipient"), str) else "all"
        tool_name = label(author.get("name"))
        if (
            metadata.get("is_visually_hidden_from_conversation")
            or (isinstance(ctype, str) and ctype in HIDDEN_CONTENT)  # a list is unhashable
            or role == "system"
            or recipient in MEMORY_TOOLS
            or (role == "tool" and tool_name in MEMORY_TOOLS)
        ):
            return None
        if role not in ("user", "assistant", "tool"):
            self.notes.add(f"a message from {single_line(role, 40) or 'no one'!r} was skipped")
            return None
        msg_id = raw.get("id") if isinstance(raw.get("id"), str) else ""
        if role == "tool" and _model_only(tool_name, ctype, metadata):
            return None
        parts = self.parts(role, ctype, content, metadata, recipient, tool_name, msg_id)
        if role == "tool" and parts and all(p.type == "image" for p in parts):
            role = "assistant"  # a generated picture: the app shows it as the answer
        created = time_from_epoch(raw.get("create_time"))
        model = model_name(metadata.get("model_slug")) if role == "assistant" else None
        return message(role, parts, created, model)

    def parts(self, role: str, ctype: object, content: dict[str, object],
              metadata: dict[str, object], recipient: str, tool_name: str | None,
              msg_id: str) -> list[Part]:
        if role == "assistant" and recipient != "all" and ctype in ("code", "text"):
            if recipient.startswith(CANVAS_PREFIX):
                return self.canvas_call(recipient, content)
            if recipient in IMAGE_TOOLS:
                self.image_prompt = _prompt(content)
                return []  # the app shows the picture, not the call
            return [self.tool_call(recipient, content, msg_id)]
        if role == "tool" and tool_name in WEB_TOOLS:
            links = search_links(metadata)
            if links:
                self.pending_calls.pop(tool_name, None)
                return [Part("text", text=links)]
        if ctype == "text":
            text = _joined_strings(content.get("parts"))
            text = cite(text, metadata)
            if role == "tool":
                return [self.tool_result(tool_name, text)] if text.strip() else []
            return [Part("text", text=text)]
        if ctype == "multimodal_text":
            if role == "tool" and (tool_name in IMAGE_TOOLS or "image_gen_title" in metadata):
                return self.generated_images(content.get("parts"), metadata)
            return self.multimodal(content.get("parts"), metadata)
        if ctype == "code":
            code = clean_text(content.get("text"))
            if not code.strip():
                return []
            language = content.get("language")
            language = language if isinstance(language, str) and language != "unknown" else None
            return [Part("code", code=code, language=label(language, 40))]
        if ctype == "execution_output":
            output = clean_text(content.get("text"))
            return [self.tool_result(tool_name or "python", output)] if output.strip() else []
        if ctype == "thoughts":
            return self.thoughts(content.get("thoughts"))
        if ctype == "reasoning_recap":
            recap = single_line(content.get("content"), 80)
            return [Part("reasoning", text="", title=recap)] if recap else []
        if ctype == "tether_quote":
            if tool_name in FILE_TOOLS or not markup.safe_url(content.get("url")):
                return self.quoted_file(content)
            return self.quote(content)
        if ctype == "tether_browsing_display":
            result = clean_text(content.get("result")) or clean_text(content.get("summary"))
            return [self.tool_result(tool_name or "browser", result)] if result.strip() else []
        if ctype == "system_error":
            text = clean_text(content.get("text")) or single_line(content.get("name"))
            return [Part("tool_result", text=text, name=tool_name or "system", is_error=True)]
        # An unknown kind: keep whatever text it has, or say it was left out.
        text = clean_text(content.get("text")) or _joined_strings(content.get("parts"))
        if text.strip():
            return [Part("text", text=text)]
        self.notes.add(f"a message of type {single_line(ctype, 40) or 'unknown'!r} could not "
                       "be imported")
        return []

    def tool_call(self, recipient: str, content: dict[str, object], msg_id: str) -> Part:
        text = clean_text(content.get("text")) or _joined_strings(content.get("parts"))
        name = TOOL_LABELS.get(recipient) or label(recipient, 60) or "tool"
        call_id = "call_" + hashlib.sha256(msg_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        self.pending_calls[name] = call_id
        arguments = json.dumps({"code": text}, ensure_ascii=False) if name in CODE_RUNNERS \
            else text
        return Part("tool_call", name=name, id=call_id, arguments=arguments)

    def tool_result(self, name: str | None, text: str) -> Part:
        name = TOOL_LABELS.get(name, name) if name else None
        call_id = self.pending_calls.pop(name, None) if name else None
        return Part("tool_result", text=text, name=name, id=call_id)

    def canvas_call(self, recipient: str, content: dict[str, object]) -> list[Part]:
        """A canvas document as it stands after this call: created, or updated.

        The call's text is JSON: ``{name, type, content}`` to create;
        ``{updates: [{pattern, multiple, replacement}]}`` to change the open
        document (``.*`` replaces it whole). Comments on a document, and an
        update to a document this export never showed, have nothing to show.
        """
        try:
            request = json.loads(clean_text(content.get("text"))
                                 or _joined_strings(content.get("parts")))
        except (ValueError, RecursionError):
            request = None
        if not isinstance(request, dict):
            return [self.tool_call(recipient, content, "")]
        action = recipient[len(CANVAS_PREFIX):]
        if action == "create_textdoc":
            name = single_line(request.get("name"), 200) or "Canvas"
            kind = single_line(request.get("type"), 40) or "document"
            self.canvas = (name, kind, clean_text(request.get("content")))
        elif action == "update_textdoc" and self.canvas is not None:
            name, kind, text = self.canvas
            updates = request.get("updates")
            for update in updates if isinstance(updates, list) else []:
                if isinstance(update, dict):
                    text = apply_update(text, update)
            self.canvas = (name, kind, text)
        else:
            return []
        name, kind, text = self.canvas
        if not text.strip():
            return []
        language = CANVAS_LANGUAGES.get(kind.removeprefix("code/"), kind.removeprefix("code/"))
        return [Part("code", code=text, language=label(language, 40), title=name)]

    def generated_images(self, raw_parts: object, metadata: dict[str, object]) -> list[Part]:
        """The pictures an image generator made, titled as the app titles them."""
        title = single_line(metadata.get("image_gen_title"), 200) or None
        parts = []
        for part in self.multimodal(raw_parts, metadata):
            if part.type == "image":
                part = Part("image", src=part.src, name=title or part.name,
                            alt=part.alt or self.image_prompt or title)
            parts.append(part)
        self.image_prompt = None
        return parts

    def quoted_file(self, content: dict[str, object]) -> list[Part]:
        """An uploaded document quoted by file search: once, collapsed, a short excerpt."""
        name = single_line(content.get("title") or content.get("domain"), 200) or "document"
        if name in self.quoted_files:
            return []
        self.quoted_files.add(name)
        return [Part("attachment", name=name, text=excerpt(clean_text(content.get("text")))
                     or None)]

    def multimodal(self, raw_parts: object, metadata: dict[str, object]) -> list[Part]:
        if not isinstance(raw_parts, list):
            return []
        attachments = _attachments(metadata)
        shown: set[str] = set()
        parts: list[Part] = []
        for item in raw_parts:
            if isinstance(item, str):
                parts.append(Part("text", text=cite(clean_text(item), metadata)))
                continue
            if not isinstance(item, dict):
                continue
            kind = item.get("content_type")
            if kind == "image_asset_pointer":
                pointer = item.get("asset_pointer")
                pointer = pointer if isinstance(pointer, str) else ""
                file_id = pointer.split("://", 1)[-1]
                shown.add(file_id)
                name = attachments.get(file_id, (None, None))[0]
                dalle = item.get("metadata", {})
                prompt = None
                if isinstance(dalle, dict) and isinstance(dalle.get("dalle"), dict):
                    prompt = single_line(dalle["dalle"].get("prompt"), 300) or None
                src, note = self.images(pointer, name)
                if note:
                    self.notes.add(note)
                parts.append(Part("image", src=src, name=name or label(file_id), alt=prompt))
            elif kind == "audio_transcription":
                text = clean_text(item.get("text"))
                if text.strip():
                    parts.append(Part("text", text=text))
            elif isinstance(kind, str) and ("audio" in kind or "video" in kind):
                self.notes.add("voice and video clips are not imported (their transcripts are)")
            else:
                self.notes.add(f"a message part of type {single_line(kind, 40) or 'unknown'!r} "
                               "could not be imported")
        for file_id, (name, mime) in attachments.items():
            if file_id in shown or not name:
                continue
            if mime.startswith("image/"):
                src, note = self.images(f"file-service://{file_id}", name)
                if note:
                    self.notes.add(note)
                parts.append(Part("image", src=src, name=name))
            else:
                parts.append(Part("attachment", name=name))
        return parts

    def thoughts(self, raw: object) -> list[Part]:
        if not isinstance(raw, list):
            return []
        sections = []
        for thought in raw:
            if not isinstance(thought, dict):
                continue
            summary = single_line(thought.get("summary"), 200)
            body = clean_text(thought.get("content")).strip()
            if summary and body:
                sections.append(f"**{markup.escape_text(summary)}**\n\n{body}")
            elif body or summary:
                sections.append(body or summary)
        text = "\n\n".join(sections)
        return [Part("reasoning", text=text, title="Thoughts")] if text else []

    def quote(self, content: dict[str, object]) -> list[Part]:
        text = clean_text(content.get("text")).strip()
        source = markup.link(content.get("title") or content.get("domain"), content.get("url"))
        if not text and not source:
            return []
        body = markup.blockquote(text) if text else ""
        if source:
            body = f"{body}\n\n— {source}" if body else source
        return [Part("text", text=body)]


def _model_only(tool_name: str | None, ctype: object, metadata: dict[str, object]) -> bool:
    """Whether a tool message was written for the model only: the app never shows it."""
    if tool_name and tool_name.startswith(CANVAS_PREFIX):
        return True  # "Successfully created text document ..." confirmations
    if tool_name in FILE_TOOLS:  # its quotes are attachments; its text is for the model
        return ctype in ("text", "tether_browsing_display")
    if ctype != "text":
        return False
    return tool_name in IMAGE_TOOLS or "image_gen_title" in metadata


def _prompt(content: dict[str, object]) -> str | None:
    """The prompt of an image generation call (its text is JSON with a ``prompt``)."""
    text = clean_text(content.get("text")) or _joined_strings(content.get("parts"))
    try:
        request = json.loads(text)
    except (ValueError, RecursionError):
        return single_line(text, 300) or None
    if isinstance(request, dict):
        return single_line(request.get("prompt"), 300) or None
    return None


def apply_update(text: str, update: dict[str, object]) -> str:
    """One canvas update. ``.*`` replaces the document; another pattern is applied only
    when it is plain text: a hostile pattern must not get a regular-expression engine."""
    pattern = update.get("pattern")
    replacement = clean_text(update.get("replacement"))
    if not isinstance(pattern, str):
        return text
    if pattern in (".*", "^.*$", "(?s).*", "[\\s\\S]*"):
        return replacement
    literal = re.sub(r"\\(.)", r"\1", pattern)
    if re.search(r"[.*+?^$()\[\]{}|]", re.sub(r"\\.", "", pattern)) or literal not in text:
        return text
    return text.replace(literal, replacement, -1 if update.get("multiple") else 1)


def excerpt(text: str) -> str:
    """The first few lines of a document, marked as cut when there is more."""
    text = text.strip()
    lines = text.splitlines()
    cut = "\n".join(lines[:EXCERPT_LINES])
    if len(cut) > EXCERPT_CHARS:
        cut = cut[:EXCERPT_CHARS].rsplit(" ", 1)[0]
    return cut + ("\n…" if len(cut) < len(text) else "")


def search_links(metadata: dict[str, object]) -> str:
    """Web search results as a Markdown list of links, from a tool message's metadata."""
    found: list[tuple[object, object]] = []
    groups = metadata.get("search_result_groups")
    for group in groups if isinstance(groups, list) else []:
        entries = group.get("entries") if isinstance(group, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                found.append((entry.get("title"), entry.get("url")))
    cited = metadata.get("_cite_metadata")
    listed = cited.get("metadata_list") if isinstance(cited, dict) else None
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, dict):
            found.append((entry.get("title"), entry.get("url")))
    lines: list[str] = []
    seen: set[str] = set()
    for title, url in found:
        safe = markup.safe_url(url)
        if safe and safe not in seen and len(lines) < SEARCH_LINKS:
            seen.add(safe)
            lines.append("- " + markup.link(title, url))
    return "\n".join(lines)


def _joined_strings(parts: object) -> str:
    if not isinstance(parts, list):
        return ""
    return "\n\n".join(clean_text(p) for p in parts if isinstance(p, str) and p)


def _attachments(metadata: dict[str, object]) -> dict[str, tuple[str | None, str]]:
    """Uploaded files of a message: id -> (file name, MIME type)."""
    out: dict[str, tuple[str | None, str]] = {}
    raw = metadata.get("attachments")
    if not isinstance(raw, list):
        return out
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            mime = item.get("mime_type") if isinstance(item.get("mime_type"), str) else ""
            out[item["id"]] = (label(item.get("name"), 200), str(mime))
    return out


def cite(text: str, metadata: dict[str, object]) -> str:
    """Replace citation markers with links to their sources, and drop the rest.

    Newer exports list ``content_references`` whose ``matched_text`` is the
    marker in the text; older ones list ``citations`` with character offsets
    around ``【n†source】`` markers.
    """
    if not text:
        return text
    citations = metadata.get("citations")
    if isinstance(citations, list) and citations:
        text = _old_citations(text, citations)  # offsets into the text as exported: first
    refs = metadata.get("content_references")
    if isinstance(refs, list) and refs:
        cursor = 0
        for ref in refs:
            if not isinstance(ref, dict):
                continue
            matched = ref.get("matched_text")
            if not isinstance(matched, str) or not matched:
                continue
            at = text.find(matched, cursor)
            if at < 0:
                continue
            replacement = _reference_markdown(ref)
            after = text[at + len(matched):at + len(matched) + 1]
            if text[at - 1:at] == " " and (replacement.startswith(" ") or (
                    not replacement and after in ("", " ", "\n", ".", ",", ";", ":", ")"))):
                at -= 1  # no double space, and no space left before punctuation
                matched = " " + matched
            text = text[:at] + replacement + text[at + len(matched):]
            cursor = at + len(replacement)
    if _CITE_ANY.search(text):
        text = _CITE_MARKERS.sub("", text)
    return _OLD_CITATION.sub("", text) if "【" in text else text


def _reference_markdown(ref: dict[str, object]) -> str:
    kind = ref.get("type")
    if kind == "hidden":
        return ""
    links: list[str] = []
    items = ref.get("items")
    if isinstance(items, list):
        for item in items[:5]:
            if isinstance(item, dict) and markup.safe_url(item.get("url")):
                links.append(markup.link(item.get("title"), item.get("url")))
    if not links and markup.safe_url(ref.get("url")):
        links.append(markup.link(ref.get("title"), ref.get("url")))
    if not links and isinstance(ref.get("safe_urls"), list):
        for url in ref["safe_urls"][:3]:  # type: ignore[index]
            if markup.safe_url(url):
                links.append(markup.link(None, url))
    if not links:
        alt = ref.get("alt")
        return clean_text(alt) if isinstance(alt, str) and kind != "webpage" else ""
    return " (" + ", ".join(links) + ")"


def _old_citations(text: str, citations: list[object]) -> str:
    spans = []
    for item in citations:
        if not isinstance(item, dict):
            continue
        meta = item.get("metadata")
        start, end = item.get("start_ix"), item.get("end_ix")
        if not (isinstance(meta, dict) and isinstance(start, int) and isinstance(end, int)):
            continue
        if not 0 <= start < end <= len(text) or not text[start:end].startswith("【"):
            continue
        if markup.safe_url(meta.get("url")):
            spans.append((start, end, " (" + markup.link(meta.get("title"), meta["url"]) + ")"))
    for start, end, replacement in sorted(spans, reverse=True):
        if text[start - 1:start] == " ":
            replacement = replacement[1:]
        text = text[:start] + replacement + text[end:]
    return text
