"""TeX math in messages, typeset to MathML at build time.

Chat models write math as ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``. amber turns
each into MathML while building, so pages need no math JavaScript and screen readers
read the formulas natively; the TeX source rides along as an ``annotation``.

latex2mathml does the typesetting, but its output is not safe to publish as it is:
``\\text{<script>}`` comes out as a raw tag, ``\\href`` as a link, ``\\style`` as a
``style=`` attribute. So amber takes the element tree instead of the string and
writes it out itself, keeping only MathML elements and presentation attributes from
an allowlist and escaping every text. Formulas it cannot convert (bad syntax, macro
definitions, absurd sizes) are shown as their source in a ``<code>`` element.

Display math keeps its lines: a top-level ``\\\\`` starts a new line (aligned at ``&``
when the lines use it), and ``aligned``, ``alignedat``, ``gathered``, ``dcases`` and
whole-formula ``gather``, ``multline`` and ``equation`` are typeset through the
environments latex2mathml knows (``_typeset``).

Dollars follow Pandoc's rule so prices stay text: no space just inside the
delimiters and no digit right after the closing one (``$5 and $10``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from xml.etree.ElementTree import Element

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

MAX_SOURCE = 5_000
"""Longest formula typeset, in characters; longer ones are shown as source."""
MAX_OUTPUT = 200_000
"""Largest MathML kept for one formula, in characters."""

_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "menclose", "mpadded", "mphantom", "mmultiscripts", "mprescripts", "none",
})
"""MathML presentation elements a formula may use; others are replaced by their content."""

_ATTRIBUTES = frozenset({
    "display", "mathvariant", "stretchy", "fence", "separator", "form", "lspace", "rspace",
    "accent", "accentunder", "movablelimits", "largeop", "symmetric", "minsize", "maxsize",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines",
    "frame", "framespacing", "linethickness", "width", "height", "depth", "scriptlevel",
    "displaystyle", "notation", "columnspan", "rowspan",
})
"""Presentation attributes kept. Never kept: href, style, class, id, mathcolor,
mathbackground (colours would escape the theme's contrast checks), event handlers,
``voffset`` (it moves content off its box: ``\\raise{15em}`` lands on the page header)."""

_VALUE = re.compile(r"^[A-Za-z0-9 .+\-%#]{0,60}\Z")
"""Attribute values are keywords, numbers and lengths; anything else is dropped."""

_LENGTH_ATTRIBUTES = frozenset({
    "width", "height", "depth", "lspace", "rspace", "minsize", "maxsize", "linethickness",
    "columnspacing", "rowspacing", "framespacing",
})
"""Attributes that size or space a box: kept only as lengths that cannot shrink it."""

_LENGTH = re.compile(r"^\+?(\d{1,4}(?:\.\d*)?|\.\d{1,4})(em|ex|px|pt|mu|%)?\Z")
_LENGTH_LIMITS = {"em": 10, "ex": 20, "mu": 180, "px": 160, "pt": 120, "%": 100, "": 10}
"""The largest of each unit kept (about ten em): a formula may not blow up the page."""
_LENGTH_WORDS = frozenset({
    "auto", "thin", "medium", "thick", "infinity", "veryverythinmathspace",
    "verythinmathspace", "thinmathspace", "mediummathspace", "thickmathspace",
    "verythickmathspace", "veryverythickmathspace",
})
"""Keywords of lengths that are never negative (``negativethinmathspace`` is left out)."""

_MACRO_DEFINITIONS = re.compile(
    r"\\(?:newcommand|renewcommand|providecommand|def|gdef|edef|let|DeclareMathOperator"
    r"|newenvironment|renewenvironment)(?![A-Za-z])"
)
"""Macro definitions are refused: nested expansions grow exponentially."""

_ARITY = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2,
          "msubsup": 3, "munderover": 3}
"""Elements with a fixed number of children; latex2mathml leaves some short on bad input."""

_ANNOTATION = "application/x-tex"


class _Malformed(Exception):
    """The converted tree is not valid MathML (``\\frac{1`` gives a one-child mfrac)."""


def tex_to_mathml(tex: str, display: bool) -> str | None:
    """Safe MathML for one formula, or None when it cannot be typeset."""
    source = tex.strip()
    if not source or len(source) > MAX_SOURCE or _MACRO_DEFINITIONS.search(source):
        return None
    try:
        tree = _typeset(source, display)
        children = [_serialise(child) for child in tree]
    except Exception:  # latex2mathml raises many types on bad input, RecursionError too
        return None
    # <semantics> takes one presentation element, then the annotation.
    body = children[0] if len(children) == 1 else f"<mrow>{''.join(children)}</mrow>"
    if len(body) > MAX_OUTPUT:
        return None
    display_attr = ' display="block"' if display else ""
    return (
        f"<math{display_attr}><semantics>{body}"
        f'<annotation encoding="{_ANNOTATION}">{escape(source)}</annotation>'
        "</semantics></math>"
    )


# --- line breaks and environments latex2mathml lacks ------------------------------

_ROW_SPACING = re.compile(
    r"\\\\(?:\*|\s*\[\s*-?(?:\d+\.?\d*|\.\d+)\s*(?:pt|em|ex|mm|cm|in|mu|bp|px)\s*\])")
"""``\\\\*`` and ``\\\\[4pt]``: a line break with a star or more space; here, just a break."""

_ENVIRONMENT = re.compile(
    r"\\(begin|end)\{(aligned|alignedat|alignat\*?|gathered|dcases|rcases)\}"
    r"(\{\d{1,2}\})?"
)
"""Environments that chat answers use and latex2mathml does not know, each with the one
it does know that looks the same (``alignedat`` drops its column count)."""

_SAME_AS = {"aligned": "align*", "alignedat": "align*", "alignat": "align*",
            "alignat*": "align*", "dcases": "cases", "rcases": "cases"}

_WHOLE = re.compile(
    r"\s*\\begin\{(gather\*?|gathered|multline\*?|equation\*?)\}(.*)"
    r"\\end\{\1\}\s*\Z", re.DOTALL)
"""A formula that is one environment of centred lines: its lines are the formula's."""

_TOKEN = re.compile(r"\\(?:begin|end|left|right)(?![A-Za-z])|\\\\|\\.|[{}&]", re.DOTALL)


def _known_environments(source: str) -> str:
    """``aligned``, ``alignedat``, ``gathered`` and ``dcases`` as environments latex2mathml
    typesets the same way; ``\\\\[4pt]`` as a plain line break."""
    def rename(match: re.Match[str]) -> str:
        command, name = match.group(1), match.group(2)
        argument = "" if "align" in name else match.group(3) or ""
        if name == "gathered":  # one centred column
            return ("\\begin{array}{c}" if command == "begin" else "\\end{array}") + argument
        return f"\\{command}{{{_SAME_AS[name]}}}{argument}"

    return _ENVIRONMENT.sub(rename, _ROW_SPACING.sub(r"\\\\", source))


def top_level_rows(source: str) -> tuple[list[str], bool]:
    """The lines of a formula split at its top-level ``\\\\``, and whether a top-level
    ``&`` aligns them. Breaks inside braces, environments or ``\\left…\\right`` belong
    to what holds them and are not counted."""
    rows: list[str] = []
    depth, start, aligned = 0, 0, False
    for match in _TOKEN.finditer(source):
        token = match.group(0)
        if token in ("{", "\\begin", "\\left"):
            depth += 1
        elif token in ("}", "\\end", "\\right"):
            depth -= 1
        elif depth == 0 and token == "&":
            aligned = True
        elif depth == 0 and token == "\\\\":
            rows.append(source[start:match.start()])
            start = match.end()
    rows.append(source[start:])
    return [row for row in rows if row.strip()], aligned



def _convert(latex: str, display: str) -> Element:
    """latex2mathml's tree of a formula, imported on first use: most pages have no math,
    and importing it took a tenth of a one-share rebuild."""
    from latex2mathml.converter import convert_to_element

    return convert_to_element(latex, display=display)


def _typeset(source: str, display: bool) -> Element:
    """latex2mathml's tree for a formula, with display lines kept as lines.

    A top-level ``\\\\`` in display math breaks the line, as the chat apps show it;
    latex2mathml writes it as an ``mspace`` that browsers ignore, so ``= 20 \\\\ C_d``
    read "= 20C_d". Lines with ``&`` are aligned like ``aligned``; others are centred,
    each typeset on its own in display style.
    """
    source = _known_environments(source)
    if not display:
        return _convert(source, display="inline")
    whole = _WHOLE.match(source)
    body = whole.group(2) if whole else source
    rows, aligned = top_level_rows(body)
    if aligned:
        return _convert(f"\\begin{{align*}}{body}\\end{{align*}}",
                                  display="block")
    if len(rows) < 2:  # one line, perhaps with a break at its end that breaks nothing
        return _convert(rows[0] if rows else body, display="block")
    table = Element("mtable", {"displaystyle": "true"})
    for row in rows:
        cell = Element("mtd")
        cell.extend(_convert(row, display="block"))
        line = Element("mtr")
        line.append(cell)
        table.append(line)
    math = Element("math")
    math.append(table)
    return math


def _serialise(element: Element) -> str:
    """Write one element of latex2mathml's tree with only allowlisted names, all escaped."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _ARITY and len(element) != _ARITY[tag]:
        raise _Malformed(tag)
    inner = _text(element.text) + "".join(
        _serialise(child) + _text(child.tail) for child in element
    )
    if tag not in _ELEMENTS or tag == "math":
        return f"<mrow>{inner}</mrow>"  # keeps the child count of the parent
    attrs = "".join(
        f' {name}="{escape(value)}"'
        for name, value in sorted(element.attrib.items())
        if _keeps(tag, name, value)
    )
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _keeps(tag: str, name: str, value: str) -> bool:
    """Whether an attribute survives: allowlisted, a plain value, and unable to make the
    formula paint outside its own box.

    ``mpadded`` exists to lie about a box (``\\smash`` zeroes height and depth,
    ``\\rlap`` and ``\\llap`` zero the width or shift content left): it keeps only
    widths, heights and depths that grow the box (``+0.8em``, as ``\\xrightarrow``
    uses). Every other length must be one that cannot be negative, so no ``\\kern-9em``
    or ``\\!`` pulls text over its neighbours; the theme's CSS clips what is left.
    """
    if name not in _ATTRIBUTES or not _VALUE.match(value):
        return False
    if tag == "mpadded":
        return name in ("width", "height", "depth") and value.startswith("+") and \
            _is_safe_length(value)
    if name in _LENGTH_ATTRIBUTES:
        return all(_is_safe_length(token) for token in value.split())
    return True


def _is_safe_length(value: str) -> bool:
    """A non-negative length of at most about ten em, or a keyword of one."""
    if value in _LENGTH_WORDS:
        return True
    match = _LENGTH.match(value)
    return match is not None and float(match.group(1)) <= _LENGTH_LIMITS[match.group(2) or ""]


def _text(text: str | None) -> str:
    """latex2mathml puts character references (``&#x0003D;``) in its text: decode, re-escape."""
    return str(escape(html.unescape(text))) if text else ""


# --- markdown-it rules ------------------------------------------------------------

_CLOSERS = {"$": "$", "$$": "$$", "\\(": "\\)", "\\[": "\\]"}


def _render(token: Token, display: bool) -> str:
    mathml = tex_to_mathml(token.content, display)
    if mathml is None:
        closer = _CLOSERS.get(token.markup, token.markup)
        source = escape(f"{token.markup}{token.content}{closer}")
        tag = "pre" if token.block else "code"
        return (f'<{tag} class="math-source">{source}</{tag}>' +
                ("\n" if token.block else ""))
    if display:
        # A wrapper that can scroll sideways: wide formulas must not widen the page.
        wrapper = "div" if token.block else "span"
        return f'<{wrapper} class="math-display">{mathml}</{wrapper}>' + (
            "\n" if token.block else "")
    return mathml


def _render_inline(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return _render(tokens[idx], display=False)


def _render_inline_display(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return _render(tokens[idx], display=True)


def _render_block(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return _render(tokens[idx], display=True)


def _find_closer(state: StateInline, closer: str, start: int) -> int:
    """Where ``closer`` next occurs from ``start`` within the range being parsed, or -1.

    Remembered per parse state: a run of ``\\(`` without a closer would otherwise
    search to the end once for each of them (quadratic time).
    """
    memo: dict[tuple[str, int], tuple[int, int]] = state.__dict__.setdefault("_amber_closers", {})
    key = (closer, state.posMax)
    known = memo.get(key)
    if known is not None and known[0] <= start and (known[1] < 0 or start <= known[1]):
        return known[1]
    end = state.src.find(closer, start, state.posMax)
    memo[key] = (start, end)
    return end


def _bracket_inline(state: StateInline, silent: bool) -> bool:
    """``\\(…\\)`` inline and ``\\[…\\]`` within a paragraph; runs before backslash escapes."""
    src, pos = state.src, state.pos
    if not src.startswith(("\\(", "\\["), pos):
        return False
    opener = src[pos:pos + 2]
    closer = _CLOSERS[opener]
    end = _find_closer(state, closer, pos + 2)
    if end < 0 or not src[pos + 2:end].strip():
        return False
    if not silent:
        token = state.push("math_inline_double" if opener == "\\[" else "math_inline", "math", 0)
        token.content = src[pos + 2:end]
        token.markup = opener
    state.pos = end + 2
    return True


def _bracket_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """``\\[`` opening a line, up to the line that ends with ``\\]`` (no blank line between)."""
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False  # an indented code block
    # Tried at the start of every block: most lines are not math, so look for the
    # opener in place before copying the line out.
    if start_line >= end_line:
        return False
    first = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", first, state.eMarks[start_line]):
        return False
    lines: list[str] = []
    line = start_line
    while True:
        if line >= end_line:
            return False
        text = state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]
        if line == start_line:
            if not text.startswith("\\["):
                return False
            text = text[2:]
        elif not text.strip():
            return False  # a blank line ends the block before any closing \]
        elif text.startswith("\\["):
            return False  # so does another opener: each line is read once, not once per \[
        stripped = text.rstrip()
        if stripped.endswith("\\]"):
            lines.append(stripped[:-2])
            break
        lines.append(text)
        line += 1
    content = "\n".join(lines)
    if not content.strip():
        return False
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = content
    token.markup = "\\["
    token.map = [start_line, line + 1]
    state.line = line + 1
    return True


def math_plugin(md: MarkdownIt) -> None:
    """Parse the four delimiters and render them as MathML (or as source, if broken)."""
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_digits=False,
                      allow_blank_lines=False, double_inline=True)
    md.inline.ruler.before("escape", "math_bracket_inline", _bracket_inline)
    md.block.ruler.before("fence", "math_bracket_block", _bracket_block,
                          {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.add_render_rule("math_inline", _render_inline)
    md.add_render_rule("math_inline_double", _render_inline_display)
    md.add_render_rule("math_block", _render_block)
