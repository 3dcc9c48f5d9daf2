"""Emphasis next to Chinese, Japanese and Korean text, as the chat apps render it.

CommonMark decides whether ``**`` opens or closes emphasis from the characters on
either side: a run preceded by punctuation closes only when whitespace or more
punctuation follows it. That rule assumes words are separated by spaces. Korean
attaches particles to the word (``**이항모형(binomial model)**을``), and Chinese and
Japanese use no spaces at all (``これは**「重要」**です``), so the closing ``**``
after ``)`` or ``」`` is left as two literal asterisks while the chat apps, whose
Markdown renderers relax the rule for these scripts, show bold text.

This module relaxes it the same way, and only where a CJK character touches the run:
a run followed by punctuation may still open when a CJK character precedes it, and
a run preceded by punctuation may still close when a CJK character follows it (or
the punctuation is itself CJK, such as ``」`` or ``。``). Whitespace rules and the
stricter rules for ``_`` inside words stay as CommonMark has them, and text with no
CJK character next to a delimiter run is parsed exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline import emphasis, strikethrough
from markdown_it.rules_inline.state_inline import StateInline

_CJK = re.compile(
    "["
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u2ff0-\u303f"  # ideographic description, CJK symbols and punctuation
    "\u3040-\u309f\u30a0-\u30ff"  # Hiragana, Katakana
    "\u3100-\u312f\u3130-\u318f\u3190-\u31ff"  # Bopomofo, Hangul compatibility Jamo, ...
    "\u3200-\u33ff"  # enclosed CJK letters, CJK compatibility
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs (and extension A)
    "\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"  # Hangul Jamo extensions, syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\ufe10-\ufe1f\ufe30-\ufe4f"  # vertical forms, CJK compatibility forms
    "\uff00-\uffef"  # half-width and full-width forms (（）！：, ｶﾀｶﾅ)
    "\U0001b000-\U0001b16f"  # kana supplement and extension
    "\U00020000-\U0003134f"  # ideographs of the supplementary planes
    "]"
)
"""Characters of Chinese, Japanese and Korean text, their punctuation included."""

_VARIATION_SELECTOR = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
"""Selectors that follow an ideograph (``葛󠄀``): the character before them is what counts."""

Rule = Callable[[StateInline, bool], bool]


def is_cjk(char: str) -> bool:
    """Whether ``char`` (one character) is Chinese, Japanese or Korean text or punctuation."""
    return _CJK.match(char) is not None


def _punctuation(char: str) -> bool:
    return isMdAsciiPunct(ord(char)) or isPunctChar(char)


def cjk_flanking(state: StateInline, start: int,
                 can_split_word: bool) -> tuple[bool, bool] | None:
    """``(can_open, can_close)`` of the run at ``start`` when a CJK character touches
    it; None when none does, so CommonMark's answer stands."""
    src, end = state.src, state.pos
    before = src[start - 1] if start > 0 else " "
    if start > 1 and _VARIATION_SELECTOR.match(before):
        before = src[start - 2]
    after = src[end] if end < state.posMax else " "
    before_cjk, after_cjk = is_cjk(before), is_cjk(after)
    if not (before_cjk or after_cjk):
        return None
    before_space, after_space = isWhiteSpace(ord(before)), isWhiteSpace(ord(after))
    before_punct, after_punct = _punctuation(before), _punctuation(after)
    left = not after_space and (
        not after_punct or before_space or before_punct or before_cjk or after_cjk)
    right = not before_space and (
        not before_punct or after_space or after_punct or after_cjk or before_cjk)
    can_open = left and (can_split_word or not right or before_punct)
    can_close = right and (can_split_word or not left or after_punct)
    return can_open, can_close


def _cjk_aware(tokenize: Rule, can_split_word: Callable[[str], bool]) -> Rule:
    """``tokenize`` with the flags of the delimiters it adds amended next to CJK text."""

    def rule(state: StateInline, silent: bool) -> bool:
        start, known = state.pos, len(state.delimiters)
        if not tokenize(state, silent):
            return False
        added = state.delimiters[known:]
        if added:
            flags = cjk_flanking(state, start, can_split_word(state.src[start]))
            if flags is not None:
                for delimiter in added:
                    delimiter.open, delimiter.close = flags
        return True

    return rule


def cjk_emphasis_plugin(md: MarkdownIt) -> None:
    """Let ``*``, ``_`` and ``~~`` runs open and close next to CJK text (see the module)."""
    md.inline.ruler.at("emphasis", _cjk_aware(emphasis.tokenize, lambda marker: marker == "*"))
    md.inline.ruler.at("strikethrough", _cjk_aware(strikethrough.tokenize, lambda _: True))
