"""Turn untrusted values from an export into text and times amber can store.

Exports are hostile input: strings may hold NUL bytes, lone surrogates from
``\\ud800`` escapes, stray control characters or Windows line ends, none of
which a content file may carry (the loader refuses NUL and surrogates, YAML
refuses most controls). Times come as float Unix seconds, ISO strings with
microseconds, or garbage. Everything here is total: it returns a cleaned
value or None, and never raises on bad input.
"""

from __future__ import annotations

import math
import re
import time

from amber.content.schema import parse_time

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
"""Controls no conversation shows (tab and newline stay; CR is handled apart)."""
_SURROGATES = re.compile("[\ud800-\udfff]")
_LINE_SEPARATORS = re.compile("\r\n?|[\u2028\u2029]")
_SPACES = re.compile(r"\s+")
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff\u2028\u2029]")
"""Any character that clean_text would change."""

TITLE_MAX = 120
"""Longer titles are cut at a word boundary: they head a page and a feed entry."""


def clean_text(value: object) -> str:
    """A string fit for a content file: one kind of newline, no controls, no surrogates."""
    if not isinstance(value, str):
        return ""
    if not _SUSPECT.search(value):  # the common case: one scan, nothing to change
        return value
    text = _SURROGATES.sub("\ufffd", value)
    text = _LINE_SEPARATORS.sub("\n", text)
    return _CONTROLS.sub("", text)


def single_line(value: object, limit: int = TITLE_MAX) -> str:
    """Clean text folded onto one line and cut to ``limit`` characters at a word boundary."""
    text = _SPACES.sub(" ", clean_text(value)).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


_MARKDOWN_NOISE = re.compile(r"^\s*(?:#{1,6}|>|[-*+]|\d+[.)])\s+|`+|\*\*|__")
"""Heading, quote and list markers at the start of a line; code ticks and bold anywhere."""


def title_from_text(text: str) -> str:
    """A title for a conversation the export left untitled: its first line of text."""
    for line in text.splitlines():
        if line.strip().startswith("```"):
            continue
        candidate = single_line(_MARKDOWN_NOISE.sub("", line))
        if candidate:
            return candidate
    return ""


def time_from_epoch(value: object) -> str | None:
    """Float or int Unix seconds (ChatGPT) as ISO 8601 UTC; None when absent or absurd."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = float(value)
    if not math.isfinite(seconds):
        return None
    if seconds > 1e11:  # milliseconds, as some tools write
        seconds /= 1000
    if not 0 <= seconds < 253402300800:  # up to the end of year 9999
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def time_from_string(value: object) -> str | None:
    """An ISO 8601 string (any offset, any fraction) as ISO 8601 UTC; None if not one."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    return parse_time(value)


def time_from_any(value: object) -> str | None:
    """Whichever of the two forms a field happens to use."""
    return time_from_string(value) if isinstance(value, str) else time_from_epoch(value)


_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,99}\Z")


def model_name(value: object) -> str | None:
    """A model name such as ``gpt-4o`` or ``claude-3-5-sonnet-20241022``; None if not one."""
    if isinstance(value, str) and _MODEL.match(value.strip()):
        return value.strip()
    return None


def label(value: object, limit: int = 100) -> str | None:
    """A short one-line name (a tool, a file): cleaned, or None when empty."""
    text = single_line(value, limit)
    return text or None
