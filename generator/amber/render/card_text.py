"""Right-to-left text for the preview card, drawn without a shaping engine.

The card is drawn with Pillow's basic layout on every machine, because its
complex layout depends on a system library (FriBiDi) being present, and the
card's bytes must not. Basic layout draws characters left to right, one glyph
each. So Hebrew and Arabic are put into visual order here, and Arabic letters
are joined by choosing their contextual forms from Unicode's Arabic
Presentation Forms-B, which the shipped Arabic font maps. Letters outside that
block (Persian and Urdu additions) are drawn in their isolated form.
"""

from __future__ import annotations

_DUAL = "D"
_RIGHT = "R"
_JOINER = "C"
_FORMS: dict[str, tuple[str, int]] = {}
"""Arabic letter -> (joining type, first code point of its forms: isolated, final,
then initial and medial for dual-joining letters)."""

for _letter, _kind, _first in (
    ("\u0622", _RIGHT, 0xFE81), ("\u0623", _RIGHT, 0xFE83), ("\u0624", _RIGHT, 0xFE85),
    ("\u0625", _RIGHT, 0xFE87), ("\u0626", _DUAL, 0xFE89), ("\u0627", _RIGHT, 0xFE8D),
    ("\u0628", _DUAL, 0xFE8F), ("\u0629", _RIGHT, 0xFE93), ("\u062A", _DUAL, 0xFE95),
    ("\u062B", _DUAL, 0xFE99), ("\u062C", _DUAL, 0xFE9D), ("\u062D", _DUAL, 0xFEA1),
    ("\u062E", _DUAL, 0xFEA5), ("\u062F", _RIGHT, 0xFEA9), ("\u0630", _RIGHT, 0xFEAB),
    ("\u0631", _RIGHT, 0xFEAD), ("\u0632", _RIGHT, 0xFEAF), ("\u0633", _DUAL, 0xFEB1),
    ("\u0634", _DUAL, 0xFEB5), ("\u0635", _DUAL, 0xFEB9), ("\u0636", _DUAL, 0xFEBD),
    ("\u0637", _DUAL, 0xFEC1), ("\u0638", _DUAL, 0xFEC5), ("\u0639", _DUAL, 0xFEC9),
    ("\u063A", _DUAL, 0xFECD), ("\u0641", _DUAL, 0xFED1), ("\u0642", _DUAL, 0xFED5),
    ("\u0643", _DUAL, 0xFED9), ("\u0644", _DUAL, 0xFEDD), ("\u0645", _DUAL, 0xFEE1),
    ("\u0646", _DUAL, 0xFEE5), ("\u0647", _DUAL, 0xFEE9), ("\u0648", _RIGHT, 0xFEED),
    ("\u0649", _RIGHT, 0xFEEF), ("\u064A", _DUAL, 0xFEF1),
):
    _FORMS[_letter] = (_kind, _first)

_LAM = "\u0644"
_LAM_ALEF = {"\u0622": 0xFEF5, "\u0623": 0xFEF7, "\u0625": 0xFEF9, "\u0627": 0xFEFB}
"""Lam followed by an alef is one ligature (isolated, then final form)."""


def _joining(char: str) -> str | None:
    """D, R or C for a joining character, T for a transparent mark, None for the rest."""
    if char in _FORMS:
        return _FORMS[char][0]
    if char == "\u0640":  # tatweel joins on both sides
        return _JOINER
    if "\u064B" <= char <= "\u065F" or char == "\u0670":
        return "T"
    if "\u0600" <= char <= "\u06FF":
        return _DUAL if "\u0620" <= char <= "\u06D3" else None
    return None


def join_arabic(text: str) -> str:
    """``text`` with each Arabic letter in its contextual presentation form (logical order)."""
    if not any("\u0620" <= c <= "\u06FF" for c in text):
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        kind = _joining(char)
        if char not in _FORMS:
            out.append(char)
            i += 1
            continue
        before = _neighbour(text, i, -1)
        joins_before = (before in (_DUAL, _JOINER)) and kind is not None
        after_index = _next_letter(text, i)
        if char == _LAM and after_index is not None and text[after_index] in _LAM_ALEF:
            ligature = _LAM_ALEF[text[after_index]]
            out.append(chr(ligature + (1 if joins_before else 0)))
            out.extend(text[i + 1:after_index])  # marks between them stay
            i = after_index + 1
            continue
        after = _neighbour(text, i, +1)
        joins_after = kind == _DUAL and after in (_DUAL, _RIGHT, _JOINER)
        first = _FORMS[char][1]
        if joins_before and joins_after:
            out.append(chr(first + 3))
        elif joins_before:
            out.append(chr(first + 1))
        elif joins_after:
            out.append(chr(first + 2))
        else:
            out.append(char)  # the isolated form is the letter itself
        i += 1
    return "".join(out)


def _next_letter(text: str, i: int) -> int | None:
    j = i + 1
    while j < len(text) and _joining(text[j]) == "T":
        j += 1
    return j if j < len(text) else None


def _neighbour(text: str, i: int, step: int) -> str | None:
    """The joining type of the nearest non-transparent character before or after ``i``."""
    j = i + step
    while 0 <= j < len(text):
        kind = _joining(text[j])
        if kind != "T":
            return kind
        j += step
    return None


def is_rtl(char: str) -> bool:
    """A strong right-to-left character: Hebrew or Arabic, presentation forms included."""
    code = ord(char)
    return (0x0590 <= code <= 0x08FF or 0xFB1D <= code <= 0xFDFF
            or 0xFE70 <= code <= 0xFEFF)


def _is_strong_ltr(char: str) -> bool:
    return char.isalpha() and not is_rtl(char)


def visual_order(line: str) -> str:
    """One line's characters in the order they are drawn left to right.

    A simplified bidirectional algorithm, enough for titles: the line's direction
    is that of its first strong character; runs of right-to-left letters (with the
    spaces and punctuation between them) are reversed, and in a right-to-left line
    the runs themselves are laid out from the right.
    """
    if not any(is_rtl(c) for c in line):
        return line
    runs: list[tuple[bool, str]] = []
    for char in line:
        rtl = is_rtl(char) or (not _is_strong_ltr(char) and not char.isdigit()
                               and bool(runs) and runs[-1][0])
        if runs and runs[-1][0] == rtl:
            runs[-1] = (rtl, runs[-1][1] + char)
        else:
            runs.append((rtl, char))
    # Neutral characters that ended a right-to-left run before a left-to-right one
    # belong between the two: move them out of the reversed run.
    settled: list[tuple[bool, str]] = []
    for rtl, text in runs:
        if rtl:
            core = text.rstrip(" .,:;!?-–—()[]\"'")
            settled.append((True, core[::-1]))
            if core != text:
                settled.append((False, text[len(core):]))
        else:
            settled.append((False, text))
    first_strong = next((c for c in line if is_rtl(c) or _is_strong_ltr(c)), "")
    if is_rtl(first_strong):
        settled.reverse()
    return "".join(text for _, text in settled)
