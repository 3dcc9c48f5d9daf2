"""Render page contexts through the theme's Jinja2 templates.

Autoescape is on for every template and undefined names are errors, so a
theme typo fails the build instead of publishing a blank field.
"""

from __future__ import annotations

import html
import re
from datetime import datetime

import jinja2

from amber.errors import AmberError
from amber.render.theme import Theme

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)
"""No inline script or style, nothing from another host."""


def make_environment(theme: Theme, *, watch: bool = True) -> jinja2.Environment:
    """The theme's templates; ``watch=False`` for a one-shot build, which need not ask the
    file system whether a template changed every time it renders a page."""
    return jinja2.Environment(
        auto_reload=watch,
        loader=jinja2.FileSystemLoader(theme.template_dirs),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(env: jinja2.Environment, name: str, **context: object) -> bytes:
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or name}:{exc.lineno}"
        raise AmberError(f"{where}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise AmberError(f"theme has no template {exc.name!r}") from None
    except jinja2.UndefinedError as exc:
        raise AmberError(f"template {name}: {exc.message}") from None


def display_date(iso: str) -> str:
    """``2026-11-28T15:00:00Z`` -> ``28 November 2026`` (dates come from content only)."""
    value = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return f"{value.day} {value:%B %Y}"


_TAGS = re.compile(r"<[^>]+>")
_CODE_OPEN = '<div class="code-block">'
_CODE_CLOSE = "</pre></div>"
_FILE_PARTS = re.compile(
    r'<figure class="part part-image">.*?</figure>'
    r'|<div class="part part-image-missing">.*?</div>'
    r'|<div class="part part-attachment">.*?</div>'
    r'|<details class="part part-attachment">.*?</details>', re.DOTALL)
"""An excerpt is what was said: images and attached files (names, notes) are left out."""


def without_code_blocks(fragment: str) -> str:
    """Each code block replaced by a space: what ``re.sub`` of the lazy pattern
    ``<div class="code-block">.*?</pre></div>`` (dot matching newlines) gives.

    Code is most of a page's HTML, and that regex tests for the closing text at
    every character of it; ``str.find`` jumps there. The leftmost match starts at
    the first opening that has a closing after it, and if the first opening has
    none, no later one has: so each step takes the next opening and the first
    closing after it, and stops when either is missing.
    """
    pieces: list[str] = []
    start = 0
    while (opening := fragment.find(_CODE_OPEN, start)) >= 0:
        closing = fragment.find(_CODE_CLOSE, opening + len(_CODE_OPEN))
        if closing < 0:
            break
        pieces += (fragment[start:opening], " ")
        start = closing + len(_CODE_CLOSE)
    if not pieces:
        return fragment
    pieces.append(fragment[start:])
    return "".join(pieces)


def plain_text(fragment: str, limit: int = 200) -> str:
    """Rendered HTML to a short plain-text excerpt for descriptions and the index."""
    fragment = _FILE_PARTS.sub(" ", without_code_blocks(fragment))
    text = html.unescape(_TAGS.sub(" ", fragment))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text
