"""xAI Grok: the account export's ``prod-grok-backend.json``.

One object holds every conversation: ``{conversations: [{conversation,
responses: [{response}]}]}``. ``regroup`` hands each conversation on as a
record of its own. A response is one message: ``sender`` ``human`` or
``assistant`` (in any case), ``message`` (Markdown), ``parent_response_id``
(edits and regenerations are siblings: a tree, kept in
``tree.MessageTree``), ``create_time`` (an ISO string, or MongoDB's
``{$date: {$numberLong}}``). The shown thread ends at the conversation's
``leaf_response_id`` when the export names one, else at the newest leaf; the
versions off it are kept as alternatives (``branches``).

What a response becomes: ``thinking_trace`` a reasoning part,
``web_search_results`` a list of links after the answer, the text of its
``steps`` (DeepSearch, tools) a reasoning part titled "Steps", generated images and
uploaded files placeholders naming them (the export keeps their bytes under
asset IDs amber cannot match to a name).
"""

from __future__ import annotations

from collections.abc import Iterator

from amber.content.model import Message, Part, every_message
from amber.importers import markup
from amber.importers.branches import walk, without_model
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
from amber.importers.tree import MessageTree

FORMAT = "grok"
ROLES = {"human": "user", "user": "user", "assistant": "assistant"}


def looks_like(record: object) -> bool:
    """The whole export, or one of its conversations."""
    if not isinstance(record, dict):
        return False
    conversations = record.get("conversations")
    if isinstance(conversations, list):
        first = next((c for c in conversations if isinstance(c, dict)), None)
        return first is not None and _is_conversation(first)
    return _is_conversation(record)


def _is_conversation(item: dict[str, object]) -> bool:
    return isinstance(item.get("conversation"), dict) and isinstance(item.get("responses"), list)


def regroup(records: Iterator[tuple[str, object]]) -> Iterator[tuple[str, object]]:
    """Each conversation of the export as a record of its own."""
    count = 0
    for where, record in records:
        inner = record.get("conversations") if isinstance(record, dict) else None
        if not isinstance(inner, list):
            yield where, record
            continue
        prefix = where.rsplit("conversation ", 1)[0]
        for item in inner:
            count += 1
            yield f"{prefix}conversation {count}", item


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, dict) or not _is_conversation(record):
        return Skipped(where, "not a Grok conversation ({conversation, responses})")
    meta = record["conversation"]
    assert isinstance(meta, dict)
    title = single_line(meta.get("title"))
    if title:
        where = f"{where} ({title!r})"
    responses = [r.get("response") for r in record["responses"] if isinstance(r, dict)]
    tree = MessageTree.build(
        (node_id, _parent(raw), raw) for raw in responses
        if isinstance(raw, dict) and (node_id := _id(raw)) is not None
    )
    notes = Notes()
    leaf = meta.get("leaf_response_id")
    if not isinstance(leaf, str) or leaf not in tree.nodes:
        leaf = tree.latest_leaf(_time)

    def convert_run(run: list[str]) -> list[Message]:
        messages = [_message(tree, node_id, notes) for node_id in run]
        return merge_turns([m for m in messages if m is not None])

    # The other versions of each turn are kept as alternatives (importers.branches).
    walked = walk(tree.branch_tree(_time, convert_run, merge_turns), tree.shown(leaf))
    models = [m.model for m in every_message(walked.messages) if m.model]
    conv_model = models[0] if models and all(m == models[0] for m in models) else None
    messages = [without_model(m, conv_model) for m in walked.messages]
    if not messages:
        return Skipped(where, "no visible messages")
    source_id = meta.get("conversation_id") or meta.get("id")
    if not isinstance(source_id, str) or not source_id.strip():
        return Skipped(where, "no 'conversation_id' to recognise it by on a later import")
    return Imported(
        format=FORMAT,
        source_id=source_id.strip(),
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        created=time_from_any(_mongo(meta.get("create_time"))),
        model=conv_model,
        branches_dropped=walked.dropped,
        notes=tuple(notes.items),
    )


def _message(tree: MessageTree, node_id: str, notes: Notes) -> Message | None:
    raw = tree.nodes[node_id]
    assert isinstance(raw, dict)
    role = ROLES.get(str(raw.get("sender")).lower())
    if role is None:
        notes.add(f"a message from {single_line(raw.get('sender'), 40) or 'no one'!r} "
                  "was skipped")
        return None
    model = None
    if role == "assistant":  # the model is named on the request, the prompt before
        parent = tree.nodes.get(tree.parents.get(node_id) or "")
        model = _model(raw) or (_model(parent) if isinstance(parent, dict) else None)
    return message(role, _parts(raw, role, notes), _time(raw), model)


def _id(raw: dict[str, object]) -> str | None:
    value = raw.get("response_id") or raw.get("_id")
    if isinstance(value, dict):  # {"$oid": "..."}
        value = value.get("$oid")
    return value if isinstance(value, str) and value else None


def _parent(raw: dict[str, object]) -> str | None:
    parent = raw.get("parent_response_id")
    return parent if isinstance(parent, str) and parent else None


def _mongo(value: object) -> object:
    """``{$date: {$numberLong: "ms"}}`` or ``{$date: "iso"}`` as the plain value."""
    if isinstance(value, dict):
        value = value.get("$date")
        if isinstance(value, dict):
            value = value.get("$numberLong")
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return value


def _time(raw: object) -> str | None:
    return time_from_any(_mongo(raw.get("create_time"))) if isinstance(raw, dict) else None


def _model(raw: dict[str, object]) -> str | None:
    metadata = raw.get("metadata")
    details = metadata.get("requestModelDetails") if isinstance(metadata, dict) else None
    if isinstance(details, dict) and model_name(details.get("modelId")):
        return model_name(details.get("modelId"))
    return model_name(raw.get("model"))


def _parts(raw: dict[str, object], role: str, notes: Notes) -> list[Part]:
    parts: list[Part] = []
    for key in ("image_attachments", "file_attachments", "attachments"):
        items = raw.get(key)
        for item in items if isinstance(items, list) else []:
            name = label(item.get("fileName") or item.get("name"), 200) \
                if isinstance(item, dict) else None
            kind = "image" if key == "image_attachments" else "attachment"
            parts.append(Part(kind, name=name or ("image" if kind == "image" else "attachment")))
    thinking = clean_text(raw.get("thinking_trace")).strip()
    if thinking and role == "assistant":
        parts.append(Part("reasoning", text=thinking, title="Thinking"))
    steps = raw.get("steps")
    if isinstance(steps, list) and steps and role == "assistant":
        said = [clean_text(step.get("text")).strip() for step in steps if isinstance(step, dict)]
        if any(said):
            parts.append(Part("reasoning", text="\n\n".join(t for t in said if t),
                              title="Steps"))
        else:
            notes.add("the steps of an agent answer (searches, tools) could not be read")
    text = clean_text(raw.get("message")).strip()
    if text:
        parts.append(Part("text", text=text))
    generated = raw.get("generated_image_urls")
    for url in generated if isinstance(generated, list) else []:
        if isinstance(url, str) and url:
            parts.append(Part("image", name=label(url.rsplit("/", 1)[-1], 200)))
    links = markup.sources(raw.get("web_search_results"))
    if links:
        parts.append(Part("text", text=links))
    return parts

