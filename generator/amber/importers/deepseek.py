"""DeepSeek data export: ``conversations.json`` (a list), from the export zip.

A conversation is ``{id, title, inserted_at, updated_at, mapping}``;
``mapping`` is a tree of ``{id, parent, children, message}`` nodes under a
``root`` node with no message (edits and regenerations are siblings, kept in
``tree.MessageTree``). The shown thread ends at ``current_message`` when the
export names it, else at the newest leaf; the versions off it are kept as
alternatives (``branches``). A message is ``{model, inserted_at,
files, fragments}``; each fragment has a ``type``:

- ``REQUEST``: the user's prompt; ``files`` are its uploads (attachment parts
  with the text DeepSeek extracted, when the export has it);
- ``THINK``: the reasoning (collapsed), ``RESPONSE``: the answer;
- ``SEARCH`` / ``TOOL_SEARCH``: web search results, as links.

The zip's ``user.json`` (the account's e-mail address and phone number) is
never read.
"""

from __future__ import annotations

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

FORMAT = "deepseek"
ANSWER_FRAGMENTS = frozenset({"THINK", "RESPONSE", "SEARCH", "TOOL_SEARCH", "READ_LINK",
                              "TOOL_OPEN", "TIP"})


def looks_like(record: object) -> bool:
    """A ``mapping`` whose messages are made of ``fragments``: DeepSeek's alone."""
    if not isinstance(record, dict):
        return False
    mapping = record.get("mapping")
    if not isinstance(mapping, dict):
        return False
    for node in list(mapping.values())[:8]:
        msg = node.get("message") if isinstance(node, dict) else None
        if isinstance(msg, dict):
            return isinstance(msg.get("fragments"), list)
    return "inserted_at" in record and isinstance(mapping.get("root"), dict)


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not isinstance(record, dict):
        return Skipped(where, f"not a conversation object (found {type(record).__name__})")
    title = single_line(record.get("title"))
    if title:
        where = f"{where} ({title!r})"
    mapping = record.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        return Skipped(where, "no 'mapping' of messages: not a DeepSeek conversation")
    tree = MessageTree.build(
        (str(key), _parent(node), node) for key, node in mapping.items()
    )
    notes = Notes()
    current = record.get("current_message")
    current = str(current) if isinstance(current, str | int) else None
    if current is None or current not in tree.nodes:
        current = tree.latest_leaf(_time)

    def convert_run(run: list[str]) -> list[Message]:
        messages: list[Message] = []
        for node_id in run:
            node = tree.nodes[node_id]
            raw = node.get("message") if isinstance(node, dict) else None
            if isinstance(raw, dict):  # the root holds none
                messages.extend(_messages(raw, notes))
        return merge_turns(messages)

    # The other versions of each turn are kept as alternatives (importers.branches).
    walked = walk(tree.branch_tree(_time, convert_run, merge_turns), tree.shown(current))
    if not walked.messages:
        return Skipped(where, "no visible messages")
    models = {m.model for m in every_message(walked.messages) if m.model}
    conv_model = models.pop() if len(models) == 1 else None
    messages = [without_model(m, conv_model) for m in walked.messages]
    source_id = record.get("id")
    if not isinstance(source_id, str) or not source_id.strip():
        return Skipped(where, "no 'id' to recognise the conversation by on a later import")
    return Imported(
        format=FORMAT,
        source_id=source_id.strip(),
        title=title or title_from_text(first_text(messages)) or "Untitled conversation",
        messages=tuple(messages),
        created=time_from_any(record.get("inserted_at")),
        model=conv_model,
        branches_dropped=walked.dropped,
        notes=tuple(notes.items),
    )


def _parent(node: object) -> str | None:
    parent = node.get("parent") if isinstance(node, dict) else None
    return str(parent) if isinstance(parent, str | int) else None


def _time(node: object) -> str | None:
    msg = node.get("message") if isinstance(node, dict) else None
    return time_from_any(msg.get("inserted_at")) if isinstance(msg, dict) else None


def _messages(raw: dict[str, object], notes: Notes) -> list[Message]:
    """The user's part and the answer's part of one node (a node may hold both)."""
    created = time_from_any(raw.get("inserted_at"))
    asked: list[Part] = _files(raw.get("files"))
    answered: list[Part] = []
    fragments = raw.get("fragments")
    for fragment in fragments if isinstance(fragments, list) else []:
        if not isinstance(fragment, dict):
            continue
        kind = str(fragment.get("type") or "").upper()
        text = clean_text(fragment.get("content")).strip()
        if kind == "REQUEST":
            if text:
                asked.append(Part("text", text=text))
        elif kind == "THINK":
            if text:
                answered.append(Part("reasoning", text=text, title="Thinking"))
        elif kind == "RESPONSE":
            if text:
                answered.append(Part("text", text=text))
        elif kind in ANSWER_FRAGMENTS:
            links = markup.sources(fragment.get("results"))
            if links:
                answered.append(Part("text", text=links))
        else:
            notes.add(f"a fragment of type {single_line(kind, 40) or 'unknown'!r} could not "
                      "be imported")
    out = []
    user = message("user", asked, created)
    if user is not None:
        out.append(user)
    answer = message("assistant", answered, created, model_name(raw.get("model")))
    if answer is not None:
        out.append(answer)
    return out


def _files(files: object) -> list[Part]:
    parts: list[Part] = []
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict):
            continue
        name = label(item.get("file_name") or item.get("name"), 200) or "attachment"
        text = clean_text(item.get("content") or item.get("extracted_content")).strip()
        parts.append(Part("attachment", name=name, text=text or None))
    return parts

