"""What a partial or redacted share would publish, numbered as its source is.

The secrets scan runs on what is published, so it must see the selected messages
after redaction; but a refusal must point at the source file's message numbers
(message 12 stays message 12 when only 3-8,12 are shared). Messages left out are
stood in for by empty ones, which publish nothing and keep the numbering.
"""

from __future__ import annotations

from amber.content.model import Conversation, Message, Selection, shared_path
from amber.content.redaction import Redacted, RedactionRules, redact


def published_view(conv: Conversation, title: str, selection: Selection | None,
                   rules: RedactionRules, branches: str = "current") -> Redacted:
    """A share's published fields before it is frozen, for the secrets scan: as many
    messages as the source has (one outside the selection is empty), redacted; their
    alternatives only when every branch is shared."""
    chosen = set(selection.numbers) if selection is not None else None
    source = conv.messages if branches == "all" else shared_path(conv.messages)
    messages = tuple(
        m if chosen is None or n in chosen else Message(m.role, "")
        for n, m in enumerate(source, start=1)
    )
    if not rules:
        return Redacted(title, conv.model, messages, 0)
    return redact(title, conv.model, messages, rules, source_title=conv.title)
