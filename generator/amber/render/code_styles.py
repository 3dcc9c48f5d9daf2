"""Syntax colours for code blocks that meet WCAG AA contrast in both schemes.

None of the styles shipped with Pygments keeps every token at 4.5:1 or more against
its background (comments are the usual casualty), so amber has its own small
palette, in the spirit of GitHub's light and dark ones with the faint colours
darkened or lightened until they pass. ``tests/unit/test_theme_assets.py`` checks
every colour against the theme's code background (``--code-bg``); change them
together.

The CSS is written once with custom properties (``.highlight .k { color:
var(--code-keyword) }``) and each scheme only sets the eight colours, so the file
stays small and a theme can recolour code from its own CSS. Dark colours apply on
screen only: paper always gets the light ones.
"""

from __future__ import annotations

from pygments.token import (
    STANDARD_TYPES,
    Comment,
    Error,
    Generic,
    Keyword,
    Literal,
    Name,
    Operator,
    String,
    _TokenType,
)

PALETTE: dict[str, tuple[str, str]] = {
    "comment": ("#57606a", "#9ba3ad"),
    "keyword": ("#c4201f", "#ff7b72"),
    "constant": ("#0550ae", "#79c0ff"),
    "entity": ("#7a3fd1", "#d2a8ff"),
    "variable": ("#8e2b08", "#ffa657"),
    "string": ("#0a3069", "#a5d6ff"),
    "tag": ("#116329", "#7ee787"),
    "deleted": ("#82071e", "#ffa198"),
}
"""Role -> (light colour, dark colour). Light ones sit on #f6f8fa, dark on #1b1d22."""

TOKEN_STYLES: dict[_TokenType, tuple[str | None, str]] = {
    Comment: ("comment", "font-style: italic"),
    Comment.Preproc: ("variable", ""),
    Comment.PreprocFile: ("string", ""),
    Comment.Special: ("comment", "font-style: italic; font-weight: bold"),
    Keyword: ("keyword", ""),
    Keyword.Constant: ("constant", ""),
    Keyword.Type: ("variable", ""),
    Operator: ("constant", ""),
    Operator.Word: ("keyword", ""),
    Name.Attribute: ("constant", ""),
    Name.Builtin: ("variable", ""),
    Name.Builtin.Pseudo: ("constant", ""),
    Name.Class: ("variable", ""),
    Name.Constant: ("constant", ""),
    Name.Decorator: ("entity", ""),
    Name.Entity: ("entity", ""),
    Name.Exception: ("variable", ""),
    Name.Function: ("entity", ""),
    Name.Label: ("constant", ""),
    Name.Namespace: ("variable", ""),
    Name.Tag: ("tag", ""),
    Name.Variable: ("variable", ""),
    Literal: ("constant", ""),
    String: ("string", ""),
    String.Doc: ("string", "font-style: italic"),
    String.Escape: ("string", "font-weight: bold"),
    String.Interpol: (None, ""),
    String.Regex: ("tag", ""),
    String.Symbol: ("constant", ""),
    Generic.Deleted: ("deleted", ""),
    Generic.Inserted: ("tag", ""),
    Generic.Heading: ("constant", "font-weight: bold"),
    Generic.Subheading: ("entity", "font-weight: bold"),
    Generic.Emph: (None, "font-style: italic"),
    Generic.Strong: (None, "font-weight: bold"),
    Generic.Prompt: ("comment", "font-weight: bold"),
    Generic.Output: ("comment", ""),
    Generic.Traceback: ("deleted", ""),
    Generic.Error: ("deleted", ""),
    Error: ("deleted", ""),
}
"""Token type -> (palette role or None for the text colour, extra declarations).
A token without an entry takes its nearest ancestor's; plain text, names and
punctuation have none and keep the page's text colour."""


def _style_of(token: _TokenType) -> tuple[str | None, str] | None:
    while token not in TOKEN_STYLES:
        if token.parent is None:
            return None
        token = token.parent
    return TOKEN_STYLES[token]


def _variables(scheme: int) -> str:
    return " ".join(f"--code-{role}: {colours[scheme]};" for role, colours in PALETTE.items())


def code_css(scope: str = ".highlight") -> str:
    """The stylesheet: the palette per scheme, then one rule per token class."""
    rules = []
    for token, short in sorted(STANDARD_TYPES.items(), key=lambda item: item[1]):
        style = _style_of(token) if short else None
        if style is None:
            continue
        role, extra = style
        declarations = [f"color: var(--code-{role})"] if role else []
        declarations += [d.strip() for d in extra.split(";") if d.strip()]
        if declarations:
            rules.append(f"{scope} .{short} {{ {'; '.join(declarations)} }}")
    return (
        "/* Code colours: light by default, dark by preference or by the theme toggle,\n"
        "   light on paper. */\n"
        f":root {{ {_variables(0)} }}\n"
        "@media screen and (prefers-color-scheme: dark) {\n"
        f"  :root:not([data-theme=light]) {{ {_variables(1)} }}\n"
        "}\n"
        "@media screen {\n"
        f"  :root[data-theme=dark] {{ {_variables(1)} }}\n"
        "}\n"
        + "\n".join(rules) + "\n"
    )
