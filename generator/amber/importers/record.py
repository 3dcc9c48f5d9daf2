"""What an importer hands to the writer: one conversation, or why there is none.

Importers turn one record of an export (a ChatGPT conversation, a JSONL line)
into an ``Imported`` conversation made of the native ``Message``/``Part``
model, with notes on anything they had to leave out. A record that yields
nothing worth importing becomes a ``Skipped`` with the reason; neither stops
the import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from amber.content.model import Message, Part

FORMATS = ("chatgpt", "claude", "openai", "anthropic", "sharegpt")
"""Every export format, in the order ``--format`` lists them."""

FORMAT_NAMES = {
    "chatgpt": "ChatGPT",
    "claude": "Claude.ai",
    "openai": "OpenAI chat-completions",
    "anthropic": "Anthropic Messages",
    "sharegpt": "ShareGPT",
}


@dataclass(frozen=True)
class Imported:
    """One conversation read from an export, ready to be written as a native file."""

    format: str
    """One of FORMATS."""
    source_id: str
    """The export's own ID of the conversation (or one derived from its first messages)."""
    title: str
    messages: tuple[Message, ...]
    created: str | None = None
    model: str | None = None
    branches_dropped: int = 0
    """Edits and regenerations not on the visible thread (ChatGPT trees)."""
    notes: tuple[str, ...] = ()
    """What was left out of this conversation and why, for the import summary."""


@dataclass(frozen=True)
class Skipped:
    """A record that could not be imported at all."""

    where: str
    """Which record: ``conversation 12`` or ``line 40``, plus its title when known."""
    reason: str


ImageResolver = Callable[[str, "str | None"], "tuple[str | None, str | None]"]
"""``(reference, name) -> (src, note)``: the asset path of an image the export holds.

``reference`` is a ChatGPT file pointer or a ``data:`` URL; ``src`` is
``assets/<sha256>.<ext>`` when the image was found and is publishable, else
None; ``note`` says why an image could not be copied.
"""


@dataclass
class Notes:
    """Collects what one conversation's import left out, without repeating itself."""

    items: list[str] = field(default_factory=list)

    def add(self, note: str) -> None:
        if note not in self.items:
            self.items.append(note)

    def extend(self, notes: Iterable[str]) -> None:
        for note in notes:
            self.add(note)


def message(role: str, parts: list[Part], created: str | None = None,
            model: str | None = None) -> Message | None:
    """A native message from parts, or None when nothing visible is left.

    Text parts that are only whitespace are dropped (ChatGPT writes empty
    assistant placeholders); a lone text part becomes plain Markdown content,
    which reads best in the file.
    """
    kept = [p for p in parts if not (p.type == "text" and not (p.text or "").strip())]
    if not kept:
        return None
    if len(kept) == 1 and kept[0].type == "text":
        return Message(role, kept[0].text or "", created, model)
    return Message(role, tuple(kept), created, model)


def merge_turns(messages: list[Message]) -> list[Message]:
    """Join consecutive assistant messages into one, as chat apps show a single turn.

    A ChatGPT answer is often several nodes (reasoning, a search call, the
    text); shown apart they would read as separate replies.
    """
    out: list[Message] = []
    for msg in messages:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.role == msg.role == "assistant"
            and (prev.model == msg.model or msg.model is None or prev.model is None)
        ):
            parts = (*prev.parts, *msg.parts)
            merged = message("assistant", list(parts), prev.created or msg.created,
                             prev.model or msg.model)
            if merged is not None:
                out[-1] = merged
            continue
        out.append(msg)
    return out


def first_text(messages: Iterable[Message], role: str = "user") -> str:
    """The first text of a message with ``role``, to title an untitled conversation."""
    for msg in messages:
        if msg.role != role:
            continue
        for part in msg.parts:
            if part.type == "text" and (part.text or "").strip():
                return part.text or ""
    return ""
