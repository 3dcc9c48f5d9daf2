"""Render page contexts through the theme's Jinja2 templates.

Autoescape is on for every template and undefined names are errors, so a
theme typo fails the build instead of publishing a blank field.

Templates are code that arrives with the site, and `amber review` renders the
templates of the change it reviews: a theme must never reach Python. Every
environment is Jinja2's ``SandboxedEnvironment``, which refuses attributes that
start with an underscore (``__init__``, ``__globals__``, ``__class__``...),
function internals and ``str.format`` tricks, so a template sees only the values
it is handed. A template that tries is a build error that names it.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import re
import traceback
from datetime import datetime, timedelta
from pathlib import Path

import jinja2
import jinja2.sandbox

from amber.errors import AmberError, display_path
from amber.render.theme import Theme

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)
"""No inline script or style, nothing from another host."""


@functools.cache
def _public_fields(cls: type) -> frozenset[str]:
    """The fields of a dataclass whose names the sandbox allows (none start with ``_``)."""
    if not dataclasses.is_dataclass(cls):
        return frozenset()
    return frozenset(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))


class Sandbox(jinja2.sandbox.SandboxedEnvironment):
    """Jinja2's sandbox, with a shortcut for the page contexts' fields.

    ``page.shares`` of 10,000 cards makes the index read some 80,000 attributes, and
    the sandbox's checks on each took a tenth of a one-share rebuild. For a dataclass
    instance and one of its fields not starting with ``_``, whose value is not callable,
    those checks always pass (they refuse underscores, the internals of functions,
    types, code and frames, and ``str.format`` methods): the value is returned at once.
    Anything else, and any callable, goes through the sandbox's own ``getattr``.
    """

    def getattr(self, obj: object, attribute: str) -> object:
        if attribute in _public_fields(type(obj)):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass
            else:
                if not callable(value):
                    return value
        return super().getattr(obj, attribute)


def sandboxed_environment(template_dirs: list[str], *, watch: bool = True) -> jinja2.Environment:
    """The one way amber makes a Jinja2 environment: sandboxed, autoescaped, strict."""
    return Sandbox(
        auto_reload=watch,
        loader=jinja2.FileSystemLoader(template_dirs),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def make_environment(theme: Theme, *, watch: bool = True) -> jinja2.Environment:
    """The theme's templates; ``watch=False`` for a one-shot build, which need not ask the
    file system whether a template changed every time it renders a page."""
    return sandboxed_environment(theme.template_dirs, watch=watch)


def render_template(env: jinja2.Environment, name: str, **context: object) -> bytes:
    try:
        return env.get_template(name).render(**context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or name}:{exc.lineno}"
        raise AmberError(f"{where}: template error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise AmberError(f"theme has no template {exc.name!r}") from None
    except jinja2.sandbox.SecurityError as exc:
        raise AmberError(f"{_template_line(env, exc, name)}: template refused: {exc} "
                         "(templates cannot reach Python objects)") from None
    except jinja2.UndefinedError as exc:
        raise AmberError(f"template {name}: {exc.message}") from None


def _template_line(env: jinja2.Environment, exc: BaseException, name: str) -> str:
    """``path/to/template.html:LINE`` of the innermost template frame of ``exc``.

    Jinja2 rewrites a render error's traceback so that its frames carry the
    template's file name and line; the innermost such frame is where the template
    did what it did (an included or extended template included).
    """
    roots = [Path(d).resolve() for d in getattr(env.loader, "searchpath", ())]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.suffix and any(path.resolve().is_relative_to(root) for root in roots):
            return f"{display_path(path)}:{frame.lineno}"
    return f"template {name}"


def display_date(iso: str) -> str:
    """``2026-11-28T15:00:00Z`` -> ``28 November 2026`` (dates come from content only)."""
    value = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return f"{value.day} {value:%B %Y}"


def expiry_display(iso: str | None) -> str | None:
    """When a link expires, for people. An expiry at midnight UTC is what a date given
    alone makes (the share is live through that whole day), so it is told as the end
    of the day before: ``--expires 2026-12-31`` reads "at the end of 31 December 2026"."""
    if iso is None:
        return None
    value = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        last = value - timedelta(days=1)
        return f"at the end of {last.day} {last:%B %Y} (UTC)"
    return f"on {value.day} {value:%B %Y} at {value:%H:%M} UTC"


_TAGS = re.compile(r"<[^>]+>")
_CODE_OPEN = '<div class="code-block">'
_CODE_CLOSE = "</pre></div>"
_FILE_PARTS = re.compile(
    r'<figure class="part part-image">.*?</figure>'
    r'|<div class="part part-image-missing">.*?</div>'
    r'|<div class="part part-attachment">.*?</div>'
    r'|<details class="part part-attachment">.*?</details>'
    r'|<details class="part part-(?:reasoning|tool)[^"]*">.*?</details>', re.DOTALL)
"""An excerpt is what was said: images, attached files (names, notes), reasoning and tool
use are left out."""


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
