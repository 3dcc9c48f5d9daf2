"""Tell which export format an export is in, or say what was expected.

Most formats have a shape no other has: ChatGPT's ``mapping`` tree, Claude's
``chat_messages``, ShareGPT's ``conversations`` of ``from``/``value`` turns,
the Responses API's ``input``/``output`` items. One record settles those.

OpenAI chat completions and Anthropic Messages share ``messages``, and a
plain-text request reads the same in both; so their records are weighed
(``evidence``): every record of the first ``DETECTION_WINDOW`` gives points
to each side, and the side with more wins (OpenAI on a tie: its reading of
plain turns is the same). A forced ``--format`` is refused when the records
do not have its shape, or hold content only the other API has, which its
reader would drop.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from amber.importers import (
    aistudio,
    anthropic,
    chatgpt,
    claude,
    deepseek,
    gemini,
    grok,
    librechat,
    openai,
    openwebui,
    responses,
    sharegpt,
)
from amber.importers.evidence import Evidence, weigh
from amber.importers.record import FORMAT_NAMES

CONVERTERS: dict[str, ModuleType] = {
    "chatgpt": chatgpt,
    "claude": claude,
    "openai": openai,
    "anthropic": anthropic,
    "responses": responses,
    "sharegpt": sharegpt,
    "open-webui": openwebui,
    "librechat": librechat,
    "grok": grok,
    "gemini": gemini,
    "ai-studio": aistudio,
    "deepseek": deepseek,
}

SHAPES = {
    "chatgpt": "conversation objects with a 'mapping' of messages",
    "claude": "conversation objects with 'chat_messages'",
    "openai": "objects with a 'messages' list of {role, content}",
    "anthropic": "Messages API requests ({system?, messages}) or responses",
    "responses": "Responses API requests ({input}) or responses ({object: 'response', output})",
    "sharegpt": "objects with 'conversations': [{from, value}]",
    "open-webui": "chats with a 'history' of 'messages' by ID",
    "librechat": "an object with 'conversationId' and 'messages'",
    "grok": "an object with 'conversations': [{conversation, responses}]",
    "gemini": "My Activity entries with 'header': 'Gemini Apps' (JSON), or its HTML page",
    "ai-studio": "a saved prompt with 'chunkedPrompt'",
    "deepseek": "conversations with a 'mapping' of messages made of 'fragments'",
}

DETECTION_ORDER = ("deepseek", "chatgpt", "claude", "sharegpt", "responses", "open-webui",
                   "librechat", "grok", "gemini", "ai-studio", "anthropic", "openai")
"""DeepSeek first: its ``mapping`` would pass for ChatGPT's."""
API_FORMATS = ("openai", "anthropic")
"""Formats that share a shape and are told apart by weighing evidence."""
DECISIVE = 1 << 30
"""Points for a record whose shape only one format has."""


def scores(record: object) -> dict[str, int]:
    """Points for each format this record could be in (empty when none)."""
    for name in DETECTION_ORDER:
        if name not in API_FORMATS and CONVERTERS[name].looks_like(record):
            return {name: DECISIVE}
    if not any(CONVERTERS[name].looks_like(record) for name in API_FORMATS):
        return {}
    found = weigh(record)
    return {"openai": 1 + found.openai, "anthropic": found.anthropic}


class Tally:
    """Points added up over the records read so far."""

    def __init__(self) -> None:
        self.points: dict[str, int] = {}

    def add(self, record: object) -> bool:
        """Count one record; True when its shape settles the format on its own."""
        found = scores(record)
        for name, points in found.items():
            self.points[name] = self.points.get(name, 0) + points
        return any(points >= DECISIVE for points in found.values())

    def winner(self) -> str | None:
        if not self.points:
            return None
        return max(self.points, key=lambda n: (self.points[n], -DETECTION_ORDER.index(n)))


def detect_many(records: Iterable[object]) -> str | None:
    """The format of a run of records, weighing all of them."""
    tally = Tally()
    for record in records:
        if tally.add(record):
            break
    return tally.winner()


def detect(record: object) -> str | None:
    """The format of one record, or None when it is none of them."""
    return detect_many([record])


def accepts(format_name: str, record: object) -> bool:
    """Whether a record forced to ``format_name`` has that format's basic shape."""
    if format_name in API_FORMATS and any(
            CONVERTERS[name].looks_like(record) for name in DETECTION_ORDER
            if name not in API_FORMATS):
        return False  # an app's export (LibreChat's has 'messages' too) is not an API log
    if format_name == "openai":
        return bool(openai.looks_like(record))
    if format_name == "anthropic":  # reads plain chat-completions requests too
        return bool(openai.looks_like(record) or anthropic.looks_like(record))
    if format_name == "chatgpt" and deepseek.looks_like(record):
        return False
    return bool(CONVERTERS[format_name].looks_like(record))


def contradiction(format_name: str, record: object) -> str | None:
    """Why a record cannot be read as ``format_name`` without losing content, if it cannot."""
    if format_name not in API_FORMATS:
        return None
    found: Evidence = weigh(record)
    if format_name == "openai" and found.anthropic_content:
        other, what = "anthropic", found.anthropic_content
    elif format_name == "anthropic" and found.openai_content:
        other, what = "openai", found.openai_content
    else:
        return None
    return (f"it holds {', '.join(what[:3])}, which only the {FORMAT_NAMES[other]} format "
            f"has (use --format {other})")


def describe(record: object) -> str:
    """A short description of what a record is, for an error message."""
    if isinstance(record, dict):
        keys = ", ".join(repr(k)[:40] for k in list(record)[:6])
        more = ", ..." if len(record) > 6 else ""
        return f"an object with keys {keys}{more}" if record else "an empty object"
    if isinstance(record, list):
        return f"a list of {len(record)} items"
    return f"a {type(record).__name__}"


def expected(format_name: str | None = None) -> str:
    if format_name is not None:
        name = FORMAT_NAMES[format_name]
        article = "an" if name[0] in "AEIOU" else "a"
        return f"{article} {name} export holds {SHAPES[format_name]}"
    listed = "; ".join(f"{FORMAT_NAMES[n]}: {SHAPES[n]}" for n in CONVERTERS)
    return f"expected one of these formats ({listed})"
