"""How each Pygments lexer may be run, so highlighting stays linear in the block.

A fence names its lexer, so hostile text picks the slowest of the ~600 Pygments
ships. Many hold a rule that reads ahead over the rest of the text from every
token: Java on lines of bare words, Cheetah on ``${${${``, Groovy from each blank
line over all the following ones. Their time grows with the square of the block
(one 98 KB Cheetah block took 45 s) whatever the size and line guards let through.

So every lexer runs with a bounded look-ahead: a plain regex lexer's rules see the
text only a window ahead (``amber.render.windowed_lexing``), keeping its state over
the whole block, and any other lexer is given the block in pieces of the window's
size, each lexed on its own. Past the window, the cost of a character stays what it
is in a block of the window's size. Lexers the sweep found slow get a smaller
window, shorter lines and shorter blank runs (a block beyond them stays plain
text); one too slow even so is never highlighted.

Everything depends on the lexer and the code alone, never on a clock, so a build
stays byte-identical. ``tests/security/test_lexer_sweep.py`` times every lexer on
adversarial shapes at N and 4N and fails on one that grows faster than linearly or
costs far more than ordinary lexing; a Pygments release that adds a slow lexer
shows up there, and the limit that makes it pass goes in ``SLOW_LEXERS``.
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
    max_blank_run: int = 40
    """Most blank (or whitespace-only) lines in a row highlighted: some lexers try a
    whitespace rule from each of them over all the others."""

    def fits(self, code: str) -> bool:
        """Whether a block is within this limit's line length and blank-line runs."""
        if self.window == 0:
            return False
        if self == DEFAULT_LIMIT:
            return True  # the highlight guard checked these already
        blank_run = 0
        for line in code.split("\n"):
            if len(line) > self.max_line:
                return False
            blank_run = blank_run + 1 if not line.strip() else 0
            if blank_run > self.max_blank_run:
                return False
        return True


DEFAULT_LIMIT = LexingLimit(window=2_000, max_line=2_000)
"""For lexers the sweep found linear and cheap on every shape up to 2,000 characters; past
that, the window keeps the cost of a character what it is in a 2,000-character block."""

SLOW_LIMIT = LexingLimit(window=400, max_line=400)
"""For lexers the sweep found quadratic, or far slower than ordinary lexing, on some shape:
a rule reads ahead over the rest of the text (or line) at every token. With a
400-character window, and lines no longer, each token costs at most some hundreds of
characters of regex work."""

SLOWER_LIMIT = LexingLimit(window=100, max_line=400, max_blank_run=8)
"""For lexers still too slow with SLOW_LIMIT: a rule that reads over every following word,
or over every following blank line, from each one."""

PLAIN_TEXT = LexingLimit(window=0, max_line=0, max_blank_run=0)
"""For lexers too slow even on short pieces."""

SLOW_LEXERS: dict[str, LexingLimit] = {
    # Lexer class name -> its limit: the first of SLOW, SLOWER, PLAIN_TEXT with which the
    # sweep passes (tests/security/test_lexer_sweep.py; ``python -m
    # tests.security.lexer_shapes`` prints the figures, Pygments 2.21).
    "AntlrRubyLexer": SLOW_LIMIT,
    "ApacheConfLexer": SLOW_LIMIT,
    "AspectJLexer": SLOWER_LIMIT,
    "AugeasLexer": SLOW_LIMIT,
    "AutoItLexer": PLAIN_TEXT,
    "AutohotkeyLexer": SLOWER_LIMIT,
    "BaseMakefileLexer": SLOW_LIMIT,
    "BerryLexer": SLOW_LIMIT,
    "BoogieLexer": SLOW_LIMIT,
    "CSharpAspxLexer": SLOW_LIMIT,
    "CSharpLexer": SLOWER_LIMIT,
    "CeylonLexer": SLOWER_LIMIT,
    "Cfengine3Lexer": SLOW_LIMIT,
    "CheetahHtmlLexer": SLOW_LIMIT,
    "CheetahJavascriptLexer": SLOW_LIMIT,
    "CheetahLexer": SLOW_LIMIT,
    "CheetahXmlLexer": SLOW_LIMIT,
    "ColdfusionHtmlLexer": SLOW_LIMIT,
    "CsoundDocumentLexer": SLOW_LIMIT,
    "CsoundScoreLexer": SLOW_LIMIT,
    "CssGenshiLexer": SLOW_LIMIT,
    "DelphiLexer": SLOW_LIMIT,
    "DevicetreeLexer": SLOW_LIMIT,
    "DuelLexer": SLOW_LIMIT,
    "DylanLidLexer": SLOW_LIMIT,
    "EvoqueHtmlLexer": SLOW_LIMIT,
    "EvoqueLexer": SLOW_LIMIT,
    "EvoqueXmlLexer": SLOW_LIMIT,
    "GasLexer": SLOW_LIMIT,
    "GenshiLexer": SLOW_LIMIT,
    "GenshiTextLexer": SLOW_LIMIT,
    "GherkinLexer": SLOWER_LIMIT,
    "GosuLexer": SLOWER_LIMIT,
    "GroovyLexer": SLOWER_LIMIT,
    "HandlebarsHtmlLexer": SLOW_LIMIT,
    "HandlebarsLexer": SLOW_LIMIT,
    "HtmlGenshiLexer": SLOW_LIMIT,
    "IdrisLexer": SLOWER_LIMIT,
    "IgorLexer": SLOW_LIMIT,
    "JavaLexer": SLOWER_LIMIT,
    "JavascriptGenshiLexer": SLOW_LIMIT,
    "KernelLogLexer": SLOW_LIMIT,
    "LiveScriptLexer": SLOW_LIMIT,
    "MakefileLexer": SLOW_LIMIT,
    "MakoCssLexer": SLOW_LIMIT,
    "MakoHtmlLexer": SLOW_LIMIT,
    "MakoJavascriptLexer": SLOW_LIMIT,
    "MakoLexer": SLOW_LIMIT,
    "MakoXmlLexer": SLOW_LIMIT,
    "MasonLexer": SLOW_LIMIT,
    "MoinWikiLexer": SLOW_LIMIT,
    "MyghtyHtmlLexer": SLOW_LIMIT,
    "MyghtyLexer": SLOW_LIMIT,
    "MyghtyXmlLexer": SLOW_LIMIT,
    "NemerleLexer": SLOWER_LIMIT,
    "ObjectiveJLexer": SLOW_LIMIT,
    "OrgLexer": SLOW_LIMIT,
    "PegLexer": SLOW_LIMIT,
    "PovrayLexer": SLOW_LIMIT,
    "RagelJavaLexer": SLOW_LIMIT,
    "RegeditLexer": SLOW_LIMIT,
    "ResourceLexer": SLOW_LIMIT,
    "RstLexer": SLOW_LIMIT,
    "SASLexer": SLOWER_LIMIT,
    "SarlLexer": SLOWER_LIMIT,
    "SilverLexer": SLOW_LIMIT,
    "SnowballLexer": SLOW_LIMIT,
    "SystemdLexer": SLOWER_LIMIT,
    "ThriftLexer": SLOWER_LIMIT,
    "TiddlyWiki5Lexer": SLOW_LIMIT,
    "TwigHtmlLexer": SLOW_LIMIT,
    "TypoScriptCssDataLexer": SLOW_LIMIT,
    "TypoScriptHtmlDataLexer": SLOW_LIMIT,
    "UcodeLexer": SLOWER_LIMIT,
    "UrlEncodedLexer": SLOWER_LIMIT,
    "VGLLexer": SLOW_LIMIT,
    "VbNetAspxLexer": SLOW_LIMIT,
    "VelocityHtmlLexer": SLOW_LIMIT,
    "WikitextLexer": SLOW_LIMIT,
    "XMLUL4Lexer": SLOW_LIMIT,
    "XmlErbLexer": SLOW_LIMIT,
    "XppLexer": PLAIN_TEXT,
    "XtendLexer": SLOWER_LIMIT,
    "YaraLexer": SLOW_LIMIT,
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
