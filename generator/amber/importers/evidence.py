"""What in a ``messages`` request says OpenAI chat completions or Anthropic Messages.

The two APIs share the ``{"messages": [{role, content}]}`` shape, and a
plain-text request reads the same in either. Telling them apart from one
record can go wrong (a log whose first line is a plain question), so each
record gives points to each side and ``detect`` adds them up over many
records. Two kinds of evidence:

- *content* only one API has (Anthropic's ``tool_use``/``thinking`` blocks
  or an ``image`` with a ``source``; OpenAI's ``tool``/``system`` roles,
  ``tool_calls``, ``image_url`` parts): the other format's reader would drop
  it, so a forced ``--format`` that contradicts it is refused;
- *hints* (a top-level ``system``, ``max_tokens`` without OpenAI's newer
  ``max_completion_tokens``, a ``claude-`` or ``gpt-`` model name, options
  only one API takes): they only weigh in the count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CONTENT_WEIGHT = 5
HINT_WEIGHT = 2
WEAK_WEIGHT = 1

ANTHROPIC_BLOCKS = frozenset({"tool_use", "tool_result", "thinking", "redacted_thinking",
                              "server_tool_use", "web_search_tool_result", "mcp_tool_use",
                              "mcp_tool_result"})
OPENAI_ROLES = frozenset({"system", "developer", "tool", "function"})
OPENAI_PARTS = frozenset({"image_url", "input_audio", "file", "refusal"})
OPENAI_MESSAGE_KEYS = ("tool_calls", "function_call", "tool_call_id")
ANTHROPIC_OPTIONS = ("top_k", "stop_sequences", "thinking", "anthropic_version",
                     "output_config")
OPENAI_OPTIONS = ("max_completion_tokens", "response_format", "logprobs", "n", "seed",
                  "frequency_penalty", "presence_penalty", "reasoning_effort", "logit_bias",
                  "parallel_tool_calls")
OPENAI_MODEL_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt-", "ft:gpt", "davinci", "babbage")
MESSAGES_LOOKED_AT = 50
"""Messages of one request read for evidence: the opening says enough."""


@dataclass
class Evidence:
    """Points for each API, and the content that only one of them can carry."""

    openai: int = 0
    anthropic: int = 0
    openai_content: list[str] = field(default_factory=list)
    """What an Anthropic reading would lose, e.g. ``'tool' messages``."""
    anthropic_content: list[str] = field(default_factory=list)
    """What an OpenAI reading would lose, e.g. ``tool_use blocks``."""

    def add(self, other: Evidence) -> None:
        self.openai += other.openai
        self.anthropic += other.anthropic
        for mine, theirs in ((self.openai_content, other.openai_content),
                             (self.anthropic_content, other.anthropic_content)):
            mine.extend(item for item in theirs if item not in mine)

    def saw(self, side: str, what: str) -> None:
        found = self.openai_content if side == "openai" else self.anthropic_content
        if what not in found:
            found.append(what)
            self.hint(side, CONTENT_WEIGHT)

    def hint(self, side: str, weight: int) -> None:
        if side == "openai":
            self.openai += weight
        else:
            self.anthropic += weight


def weigh(record: object) -> Evidence:
    """The evidence one record (a request, a wrapped request or a response) gives."""
    found = Evidence()
    if not isinstance(record, dict):
        return found
    request: object = record
    if isinstance(record.get("params"), dict):  # an Anthropic Message Batches line
        found.hint("anthropic", HINT_WEIGHT)
        request = record["params"]
    elif isinstance(record.get("body"), dict):  # an OpenAI Batch API line
        found.hint("openai", HINT_WEIGHT)
        request = record["body"]
    if not isinstance(request, dict):
        return found
    if request.get("type") == "message" and request.get("role") == "assistant":
        found.saw("anthropic", "a Messages API response")
    if "system" in request:
        found.hint("anthropic", HINT_WEIGHT)
    if "max_tokens" in request and "max_completion_tokens" not in request:
        found.hint("anthropic", WEAK_WEIGHT)
    for key in ANTHROPIC_OPTIONS:
        if key in request:
            found.hint("anthropic", WEAK_WEIGHT)
    for key in OPENAI_OPTIONS:
        if key in request:
            found.hint("openai", WEAK_WEIGHT)
    model = request.get("model")
    if isinstance(model, str):
        lowered = model.lower().rsplit("/", 1)[-1]
        if lowered.startswith("claude"):
            found.hint("anthropic", HINT_WEIGHT)
        elif lowered.startswith(OPENAI_MODEL_PREFIXES):
            found.hint("openai", HINT_WEIGHT)
    messages = request.get("messages")
    content = request.get("content")
    if isinstance(messages, list):
        for msg in messages[:MESSAGES_LOOKED_AT]:
            if isinstance(msg, dict):
                _weigh_message(msg, found)
    elif isinstance(content, list):
        _weigh_blocks(content, found)
    return found


def _weigh_message(msg: dict[str, object], found: Evidence) -> None:
    role = msg.get("role")
    if isinstance(role, str) and role in OPENAI_ROLES:
        found.saw("openai", f"{role!r} messages")
    for key in OPENAI_MESSAGE_KEYS:
        if msg.get(key):
            found.saw("openai", key)
    content = msg.get("content")
    if isinstance(content, list):
        _weigh_blocks(content, found)


def _weigh_blocks(blocks: list[object], found: Evidence) -> None:
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            continue  # a list as the type cannot be looked up in a set
        kind = block["type"]
        if kind in ANTHROPIC_BLOCKS:
            found.saw("anthropic", f"{kind} blocks")
        elif kind in ("image", "document") and isinstance(block.get("source"), dict):
            found.saw("anthropic", f"{kind} blocks with a source")
        elif kind in OPENAI_PARTS:
            found.saw("openai", f"{kind} parts")
