"""What a partial or redacted share would publish, numbered as its source is.

The secrets scan runs on what is published, so it must see the selected messages
after redaction; but a refusal must point at the source file's message numbers
(message 12 stays message 12 when only 3-8,12 are shared). Messages left out are
stood in for by empty ones, which publish nothing and keep the numbering.
"""

from __future__ import annotations

from dataclasses import dataclass

from amber.content.model import Conversation, Message, Selection
from amber.content.redaction import RedactionRules, redact


@dataclass(frozen=True)
class PublishedView:
    """A share's published fields before it is frozen, for the secrets scan."""

    title: str
    model: str | None
    messages: tuple[Message, ...]
    """As many as the source has; a message outside the selection is empty."""
    redactions: int
    """Markers the rules would leave."""


def published_view(conv: Conversation, title: str, selection: Selection | None,
                   rules: RedactionRules) -> PublishedView:
    chosen = set(selection.numbers) if selection is not None else None
    messages = tuple(
        m if chosen is None or n in chosen else Message(m.role, "")
        for n, m in enumerate(conv.messages, start=1)
    )
    if not rules:
        return PublishedView(title, conv.model, messages, 0)
    done = redact(title, conv.model, messages, rules, source_title=conv.title)
    return PublishedView(done.title, done.model, done.messages, done.count)
