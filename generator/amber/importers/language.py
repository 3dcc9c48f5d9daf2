"""The language of an imported conversation: what the export says, else a guess from its script.

Chat exports rarely name a conversation's language, but a page needs one for
``<html lang>``: screen readers pick their voice by it, browsers their fonts
and hyphenation. A script shows some languages for certain enough: Hangul is
Korean, kana is Japanese, Han characters without kana are Chinese, and Thai,
Greek, Hebrew, Georgian and Armenian have a language of their own. Latin,
Cyrillic, Arabic and Devanagari letters are shared by many languages, so text
in them gets no guess and the site's language stands. The guess is written
into the conversation file, where it can be edited or removed like any key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amber.content.model import Message
from amber.content.schema import is_language_tag

SAMPLE_CHARS = 20_000
"""Characters of text read for a guess: enough to tell, cheap for a large export."""

_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`|https?://\S+", re.DOTALL)
"""Code and links: English-looking text in any conversation, left out of the count."""

_SCRIPTS = {
    "hangul": re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]"),
    "kana": re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d\U0001b000-\U0001b16f]"),
    "han": re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"),
    "latin": re.compile("[A-Za-z\u00c0-\u024f]"),
    "th": re.compile("[\u0e00-\u0e7f]"),
    "el": re.compile("[\u0370-\u03ff\u1f00-\u1fff]"),
    "he": re.compile("[\u0590-\u05ff]"),
    "ka": re.compile("[\u10a0-\u10ff]"),
    "hy": re.compile("[\u0530-\u058f]"),
}

CJK_WEIGHT = 3
"""Latin letters one Hangul syllable or Han character is worth: each carries a syllable
or a word, so a Korean answer with English terms in it still counts as Korean."""


def guess_language(messages: Iterable[Message]) -> str | None:
    """A BCP 47 tag from the script of the conversation's text, or None when the script
    does not tell (see the module). The user's words decide; all text when they have none."""
    messages = tuple(messages)
    text = _sample(m for m in messages if m.role == "user") or _sample(messages)
    counts = {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS.items()}
    cjk = counts["hangul"] + counts["kana"] + counts["han"]
    alphabets = {name: counts[name] for name in ("th", "el", "he", "ka", "hy")}
    best_alphabet = max(alphabets, key=lambda name: alphabets[name])
    if cjk * CJK_WEIGHT >= max(counts["latin"], alphabets[best_alphabet], 1):
        if counts["hangul"] >= counts["kana"] + counts["han"]:
            return "ko"
        return "ja" if counts["kana"] * 10 >= counts["kana"] + counts["han"] else "zh"
    if alphabets[best_alphabet] >= max(counts["latin"], 1):
        return best_alphabet
    return None


def _sample(messages: Iterable[Message]) -> str:
    pieces: list[str] = []
    size = 0
    for message in messages:
        for part in message.parts:
            if part.type == "text" and part.text:
                pieces.append(part.text[:SAMPLE_CHARS - size])
                size += len(pieces[-1])
            if size >= SAMPLE_CHARS:
                return _CODE.sub(" ", "\n".join(pieces))
    return _CODE.sub(" ", "\n".join(pieces))


def declared_language(value: object) -> str | None:
    """A language an export names (``"ko"``, ``"pt-BR"``), if it is a usable tag."""
    if not isinstance(value, str):
        return None
    tag = value.strip()
    if tag.lower() in ("", "unknown", "und", "mul", "zxx") or not is_language_tag(tag):
        return None
    return tag
