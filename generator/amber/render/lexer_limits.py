"""How much code one Pygments lexer may see at once, so highlighting stays linear.

A fence names its lexer, so hostile text picks the slowest of the ~600 Pygments
ships. Many of them hold a regex that may scan to the end of the text from every
token: Java on lines of bare words, Cheetah on ``${${${``, AutoIt on lines of
spaces. Their time grows with the square of the block (one 98 KB Cheetah block
took 45 s), whatever line and size guards the text passed.

So a long block is lexed in pieces of at most ``chunk_size(lexer)`` characters,
cut at line ends, each piece on its own: time is then at most (length / piece) x
(time of one piece), linear in the block. Pieces start where a line begins at
column 0 when one is near, so constructs that span lines (comments, strings) are
rarely cut; when one is, the colours of the rest of that piece may be off, the
text never is. Lexers too slow even on a short piece get 0: plain text.

The sizes depend only on the lexer and the code, never on a clock, so a build
stays byte-identical. ``tests/security/test_lexer_sweep.py`` times every lexer on
adversarial shapes at N and 4N and fails on one that grows faster than linearly
or costs more than its budget per piece; a new Pygments release that adds a slow
lexer shows up there, and its measured size goes in ``SLOW_LEXERS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pygments.lexer import Lexer


@dataclass(frozen=True)
class LexingLimit:
    """How one lexer may be run on a block."""

    window: int
    """Characters a regex lexer's rules look ahead (a line end past this, at most twice it),
    or the size of the pieces any other lexer is given; 0: the block stays plain text."""
    max_line: int
    """Longest line highlighted: a block with a longer one stays plain text."""


DEFAULT_LIMIT = LexingLimit(window=4_000, max_line=2_000)
"""For lexers the sweep found linear (or cheap at this size) on every shape."""

SLOW_LIMIT = LexingLimit(window=400, max_line=400)
"""For lexers the sweep found quadratic on some shape: a rule reads ahead over the rest of
the text at every token. With a 400-character window (and lines no longer) each token
costs at most a few hundred characters of regex work."""

PLAIN_TEXT = LexingLimit(window=0, max_line=0)
"""For lexers too slow even on short pieces."""

SLOW_LEXERS: dict[str, LexingLimit] = {
    # Lexer class name -> its limit. Measured by the sweep (tests/security/test_lexer_sweep.py;
    # ``python -m security.lexer_shapes`` from tests/ prints the figures).
    "AutoItLexer": PLAIN_TEXT,
    "AutohotkeyLexer": SLOW_LIMIT,
    "AspectJLexer": SLOW_LIMIT,
    "JavaLexer": SLOW_LIMIT,
    "CheetahLexer": SLOW_LIMIT,
    "CheetahHtmlLexer": SLOW_LIMIT,
    "CheetahXmlLexer": SLOW_LIMIT,
    "CheetahJavascriptLexer": SLOW_LIMIT,
    "DelphiLexer": SLOW_LIMIT,
    "GasLexer": SLOW_LIMIT,
}


def lexing_limit(lexer: Lexer) -> LexingLimit:
    """How this lexer may be run: its measured limit, or the default."""
    return SLOW_LEXERS.get(type(lexer).__name__, DEFAULT_LIMIT)


def split_for_lexing(code: str, size: int) -> list[str]:
    """``code`` in pieces of at most ``size`` characters whose concatenation is ``code``.

    Each piece ends at a line end when there is one in its second half, preferably
    before a line that starts at column 0 with a non-space (a new top-level statement
    in most languages, rarely the inside of a comment or string). A line longer than
    the piece is cut where the piece ends. The search looks only at the piece's
    second half, so splitting is linear in the code.
    """
    if size <= 0 or len(code) <= size:
        return [code]
    pieces: list[str] = []
    start = 0
    while len(code) - start > size:
        limit = start + size
        cut = _top_level_line_start(code, start + size // 2, limit)
        if cut is None:
            newline = code.rfind("\n", start + size // 2, limit)
            cut = newline + 1 if newline != -1 else limit
        pieces.append(code[start:cut])
        start = cut
    pieces.append(code[start:])
    return pieces


def _top_level_line_start(code: str, low: int, high: int) -> int | None:
    """The last offset in ``(low, high]`` that follows a newline and holds a non-space."""
    newline = code.rfind("\n", low, high)
    while newline != -1:
        following = code[newline + 1: newline + 2]
        if following and not following.isspace():
            return newline + 1
        newline = code.rfind("\n", low, newline)
    return None
