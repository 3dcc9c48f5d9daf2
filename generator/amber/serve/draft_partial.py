"""The draft page's ``--messages`` and redaction choices, read from its query string.

``/_preview/<slug>/?messages=3-8&redact=Jane+Doe&redact-pattern=TCK-[0-9]%2B&redact-sensitive``
shows the share those options would make, markers highlighted, and the banner gives
the ``amber share`` command that makes it. As with the title and name, a choice that
cannot be applied becomes a note on the banner, never an error page: the draft shows
what it can, and says what it left out.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs

from amber.content.model import Conversation
from amber.content.redaction import RedactionRules, RuleError, check_literal, check_pattern
from amber.content.selection import RangeError, parse_selection
from amber.serve.drafts import MAX_OPTION_LENGTH, DraftChoice

MAX_RULES = 8
"""Redaction texts and patterns each, per draft: a preview, not a batch job."""


def read_partial(query: str, choice: DraftChoice, conv: Conversation,
                 language: str) -> DraftChoice:
    """``choice`` with the selection and redaction rules of ``query`` applied."""
    try:
        params = parse_qs(query, keep_blank_values=True, max_num_fields=16)
    except ValueError:
        return choice  # read_choice has said so already
    notes = list(choice.notes)
    selection = None
    messages = next((m.strip() for m in reversed(params.get("messages", [])) if m.strip()), None)
    if messages is not None:
        try:
            selection = parse_selection(messages[:MAX_OPTION_LENGTH], len(conv.messages))
        except RangeError as exc:
            notes.append(f"messages={messages[:60]}: {exc}; showing every message")
            messages = None
    literals: list[str] = []
    for text in params.get("redact", [])[:MAX_RULES]:
        try:
            literals.append(check_literal(text[:MAX_OPTION_LENGTH]))
        except RuleError as exc:
            notes.append(f"{exc}; ignored")
    patterns: list[str] = []
    for text in params.get("redact-pattern", [])[:MAX_RULES]:
        try:
            check_pattern(text)
            patterns.append(text)
        except RuleError as exc:
            notes.append(f"{exc}; ignored")
    rules = RedactionRules(tuple(dict.fromkeys(literals)), tuple(dict.fromkeys(patterns)),
                           "redact-sensitive" in params, language)
    return replace(choice, notes=tuple(notes), messages=messages, selection=selection,
                   rules=rules if rules else None)
