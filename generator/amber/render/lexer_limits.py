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

from pygments.lexer import Lexer

DEFAULT_CHUNK = 4_000
"""Characters lexed at once by a lexer that the sweep found linear (or cheap at this size)."""

SLOW_CHUNK = 1_000
"""Characters lexed at once by a lexer the sweep found quadratic on some shape."""

SLOW_LEXERS: dict[str, int] = {
    # Lexer class name -> characters lexed at once (0: never highlighted). Measured by the
    # sweep (tests/security/test_lexer_sweep.py, ``python -m security.lexer_shapes``).
    "AutoItLexer": 0,
    "AutohotkeyLexer": SLOW_CHUNK,
    "AspectJLexer": SLOW_CHUNK,
    "JavaLexer": SLOW_CHUNK,
    "CheetahLexer": SLOW_CHUNK,
    "CheetahHtmlLexer": SLOW_CHUNK,
    "CheetahXmlLexer": SLOW_CHUNK,
    "CheetahJavascriptLexer": SLOW_CHUNK,
    "DelphiLexer": SLOW_CHUNK,
    "GasLexer": SLOW_CHUNK,
}


def chunk_size(lexer: Lexer) -> int:
    """Characters this lexer may be given at once; 0 means show the code as plain text."""
    return SLOW_LEXERS.get(type(lexer).__name__, DEFAULT_CHUNK)


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
