"""Tell which export format a record is in, or say what was expected.

Each format has a shape no other has: ChatGPT's ``mapping`` tree, Claude's
``chat_messages``, ShareGPT's ``conversations`` of ``from``/``value`` turns.
OpenAI and Anthropic requests share ``messages``; a top-level ``system``, a
response object, or content blocks only the Messages API has (``tool_use``,
``thinking``, an ``image`` with a ``source``) mean Anthropic, anything else
OpenAI (for plain text turns the two read the same anyway).
"""

from __future__ import annotations

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
    sharegpt,
)
from amber.importers.record import FORMAT_NAMES

CONVERTERS: dict[str, ModuleType] = {
    "chatgpt": chatgpt,
    "claude": claude,
    "openai": openai,
    "anthropic": anthropic,
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
    "sharegpt": "objects with 'conversations': [{from, value}]",
    "open-webui": "chats with a 'history' of 'messages' by ID",
    "librechat": "an object with 'conversationId' and 'messages'",
    "grok": "an object with 'conversations': [{conversation, responses}]",
    "gemini": "My Activity entries with 'header': 'Gemini Apps' (JSON), or its HTML page",
    "ai-studio": "a saved prompt with 'chunkedPrompt'",
    "deepseek": "conversations with a 'mapping' of messages made of 'fragments'",
}

DETECTION_ORDER = ("deepseek", "chatgpt", "claude", "sharegpt", "open-webui", "librechat",
                   "grok", "gemini", "ai-studio", "anthropic", "openai")
"""DeepSeek first: its ``mapping`` would pass for ChatGPT's."""


def detect(record: object) -> str | None:
    """The format of one record, or None when it is none of them."""
    for name in DETECTION_ORDER:
        if CONVERTERS[name].looks_like(record):
            return name
    return None


def accepts(format_name: str, record: object) -> bool:
    """Whether a record forced to ``format_name`` has that format's basic shape."""
    if format_name in ("openai", "anthropic"):
        # The two read each other's plain requests; only the shape must fit.
        return openai.looks_like(record) or anthropic.looks_like(record)
    if format_name == "chatgpt" and deepseek.looks_like(record):
        return False
    return bool(CONVERTERS[format_name].looks_like(record))


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
        return f"a {FORMAT_NAMES[format_name]} export holds {SHAPES[format_name]}"
    listed = "; ".join(f"{FORMAT_NAMES[n]}: {SHAPES[n]}" for n in CONVERTERS)
    return f"expected one of these formats ({listed})"
