"""Turn untrusted message content into safe HTML.

Conversation text is hostile input. markdown-it-py runs with raw HTML off, so
tags show as text; links pass an allowlist of schemes (http, https, mailto and
relative); Markdown images become plain links so no page loads anything from
another host. Code is highlighted by Pygments with class names only (no
``style=`` attributes, which the Content-Security-Policy forbids), and the
language is taken from the fence, never guessed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence

from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup, escape
from mdit_py_plugins.footnote import footnote_plugin
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from amber.content.model import Part
from amber.render.cjk_emphasis import cjk_emphasis_plugin
from amber.render.code_styles import code_css
from amber.render.lexer_limits import DEFAULT_LIMIT, lexing_limit, split_for_lexing
from amber.render.mathml import math_plugin
from amber.render.windowed_lexing import is_plain_regex_lexer, windowed_tokens, with_window

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([^/?#]*?):")
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_LANG_LABEL = re.compile(r"^[A-Za-z0-9_+#.\-]{1,40}\Z")

AssetResolver = Callable[[str], str | None]
"""Maps an image part's ``src`` (``assets/<file>``) to its href, or None if missing."""


def is_safe_url(url: str) -> bool:
    """Allow http(s), mailto and scheme-less (relative) URLs; refuse everything else.

    Browsers ignore tabs, newlines and leading controls inside a scheme
    (``java\\tscript:``), so they are removed before the scheme is read; and
    anything before the first ':' that is not an allowed scheme counts as one.
    """
    cleaned = _CONTROL.sub("", url).lower()
    match = _SCHEME.match(cleaned)
    if match is None:
        return True
    return match.group(1) in SAFE_SCHEMES


class _SafeMarkdownIt(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return is_safe_url(url)


class QuickLinkify(LinkifyIt):
    """linkify-it with the same answers, found without its slowest regex on most text.

    markdown-it asks ``pretest`` about every paragraph, and linkify-it answers with
    one regex whose first branch tries a large Unicode class at every position: a
    sixth of a build went there. That regex is three alternatives (a scheme, a
    host-like piece, ``@``), and a search for ``A|B|C`` finds something exactly
    when one of A, B or C does, so each is asked on its own, behind a check that
    it needs: a scheme name (``http:``, ``//``...) before the scheme regex, a
    ``.`` or ``localhost`` for the host one, whose branches are rewritten to start
    at the ``.`` (``www.`` becomes a look-behind). If linkify-it ever builds these
    patterns differently, the rewrite is not used and its own regex answers.
    """

    def _compile(self) -> None:
        super()._compile()
        self._quick: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str],
                           re.Pattern[str], bool] | None = None
        names = [name for name, value in self._compiled.items() if name and value]
        schemes = "|".join(re.escape(name) for name in names)
        tlds, zpcc = self.re["src_tlds"], self.re["src_ZPCc"]
        host = f"localhost|www\\.|\\.\\d{{1,3}}\\.|(?:\\.(?:{tlds})(?:{zpcc}|>|$))"
        if (not names or self.re["host_fuzzy_test"] != host
                or self.re["pretest"] != f"({self.re['schema_test']})|({host})|@"):
            return
        self._quick = (
            re.compile(schemes, re.IGNORECASE),
            re.compile(self.re["schema_test"], re.IGNORECASE),
            re.compile(f"\\.(?:(?<=www\\.)|\\d{{1,3}}\\.|(?:{tlds})(?:{zpcc}|>|$))",
                       re.IGNORECASE),
            re.compile("localhost", re.IGNORECASE),
            all(":" in name or "/" in name for name in names),
        )

    def pretest(self, text: str) -> bool:
        """linkify-it's ``pretest``, the same answer for every text."""
        if self._quick is None:
            return bool(super().pretest(text))
        scheme_hint, scheme, host_dot, localhost, colon_or_slash = self._quick
        if "@" in text:
            return True
        if (not colon_or_slash or ":" in text or "/" in text) and (
                scheme_hint.search(text) and scheme.search(text)):
            return True
        return bool(host_dot.search(text) or localhost.search(text))

    def test(self, text: str) -> bool:
        """linkify-it's ``test``; a text it finds a link in always passes ``pretest`` too."""
        return self.pretest(text) and bool(super().test(text))


@functools.lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    """The lexer for a fence's language, ending the code with a newline if it lacks one.

    Many lexers match lines as ``.*\\n``: on a last line without its newline that
    pattern fails after reading to the end, from every position, which took minutes for
    a 100 KB line in ``diff`` or ``console``. The output ends with a newline anyway.
    """
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=True)
    except ClassNotFound:
        return None


def has_lexer(language: str) -> bool:
    """Whether a fence or tool name is a language amber highlights (``python``)."""
    return _lexer(language.lower()) is not None


_FORMATTER = HtmlFormatter(nowrap=True)
_SPAN_CLASSES: dict[object, str] = {}
_TEXT_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


def _tokens(code: str, lexer: Lexer, window: int | None) -> Iterator[tuple[int, object, str]]:
    """``lexer.get_tokens(code)`` with indexes, without its extra generator when it can.

    ``get_tokens`` prepares the text and then wraps ``get_tokens_unprocessed`` in a
    generator that drops each token's index, and in the lexer's filters. With no
    filters and no override of ``get_tokens``, the inner generator gives the same
    tokens with one generator step less per token; with a ``window``, a plain regex
    lexer's rules look that far ahead at most (``amber.render.windowed_lexing``).
    """
    if lexer.filters or type(lexer).get_tokens is not Lexer.get_tokens:
        return ((0, token_type, value) for token_type, value in lexer.get_tokens(code))
    text = lexer._preprocess_lexer_input(code)
    if window is not None and is_plain_regex_lexer(lexer):
        return windowed_tokens(lexer, text, window)  # type: ignore[arg-type]
    return lexer.get_tokens_unprocessed(text)


def highlight(code: str, lexer: Lexer, window: int | None = None) -> str:
    """Pygments' ``HtmlFormatter(nowrap=True)`` output, byte for byte, in less time.

    Highlighting is the largest cost of a build, and a third of it is the
    formatter's generic machinery (line wrappers, options we never use). This
    merges runs of tokens with the same class and writes one ``<span>`` per run
    and line, as the formatter does; a test compares the two on every lexer we
    ship examples for and on generated code. Most runs are one token on one line
    without ``&<>``, so those skip the joining, escaping and splitting.
    """
    out: list[str] = []
    append = out.append
    classes = _SPAN_CLASSES

    def emit(css: str, text: str) -> None:
        if "&" in text or "<" in text or ">" in text:
            text = text.translate(_TEXT_ESCAPES)
        if not css:
            append(text)
        elif "\n" not in text:
            if text:
                append(f'<span class="{css}">{text}</span>')
        else:
            for index, piece in enumerate(text.split("\n")):
                if index:
                    append("\n")
                if piece:
                    append(f'<span class="{css}">{piece}</span>')

    current = ""
    run: list[str] = []
    for _, token_type, value in _tokens(code, lexer, window):
        css = classes.get(token_type)
        if css is None:
            css = classes[token_type] = _FORMATTER._get_css_classes(token_type)
        if css == current and run:
            run.append(value)
            continue
        if run:
            emit(current, run[0] if len(run) == 1 else "".join(run))
        current = css
        run = [value]
    if run:
        emit(current, run[0] if len(run) == 1 else "".join(run))
    html = "".join(out)
    # Like the formatter, end a last line that has text with a newline.
    return html if not html or html.endswith("\n") else html + "\n"


_BLOCK_MEMO: tuple[dict[str, str], dict[str, str]] | None = None
"""While a share renders: (blocks from its last render, blocks used now), by digest."""


@contextlib.contextmanager
def code_block_memo(known: dict[str, str]) -> Iterator[dict[str, str]]:
    """Reuse highlighted code blocks by their digest while rendering one share.

    Highlighting is most of a page's cost and depends only on the block itself,
    so a theme change re-renders pages without highlighting again. Yields the
    blocks this render used, for the cache to keep.
    """
    global _BLOCK_MEMO
    used: dict[str, str] = {}
    previous, _BLOCK_MEMO = _BLOCK_MEMO, (known, used)
    try:
        yield used
    finally:
        _BLOCK_MEMO = previous


_SUMMARY_ONLY = False

SKIPPED_CODE_BLOCK = '<div class="code-block"><pre></pre></div>\n'
"""What a code block renders as in ``summary_only``: excerpts leave code blocks out anyway."""


@contextlib.contextmanager
def summary_only() -> Iterator[None]:
    """Render for excerpts and search text only, without highlighting any code.

    A shard needs the summaries of shares it does not publish; ``render.plain_text``
    drops whole code blocks, so the summaries are the same without their contents.
    """
    global _SUMMARY_ONLY
    previous, _SUMMARY_ONLY = _SUMMARY_ONLY, True
    try:
        yield
    finally:
        _SUMMARY_ONLY = previous


def code_block(code: str, language: str | None = None, title: str | None = None) -> str:
    """A highlighted code block: label, optional title, keyboard-scrollable ``<pre>``."""
    if _SUMMARY_ONLY:
        return SKIPPED_CODE_BLOCK
    if _BLOCK_MEMO is None:
        return _code_block(code, language, title)
    known, used = _BLOCK_MEMO
    key = hashlib.sha256(f"{language}\0{title}\0{code}".encode("utf-8", "surrogatepass")
                         ).hexdigest()[:40]
    html = known.get(key)
    if html is None:
        html = _code_block(code, language, title)
    used[key] = html
    return html


HIGHLIGHT_MAX_CHARS = 100_000
HIGHLIGHT_MAX_LINE = 2_000
HIGHLIGHT_MAX_BLANK_RUN = 40


def safe_to_highlight(code: str) -> bool:
    """Whether Pygments can lex this in about linear time.

    A fence picks its lexer, so hostile text can pick the slowest: many lexers
    backtrack over long lines or long runs of blank lines (C on 8 KB of blank lines
    took seconds, growing quadratically). Such blocks are shown as plain text;
    the rule depends only on the code, so builds stay byte-identical.
    """
    if len(code) > HIGHLIGHT_MAX_CHARS:
        return False
    blank_run = 0
    for line in code.split("\n"):
        if len(line) > HIGHLIGHT_MAX_LINE:
            return False
        blank_run = blank_run + 1 if not line.strip() else 0
        if blank_run > HIGHLIGHT_MAX_BLANK_RUN:
            return False
    return True


def highlight_block(code: str, lexer: Lexer) -> str:
    """A block's highlighted HTML in time linear in its length, whatever the lexer.

    Past the lexer's window, a regex lexer's rules look that far ahead at most, and any
    other lexer gets the block in pieces. A block beyond the lexer's line limits, or a
    lexer too slow even so, leaves the block as plain text (``amber.render.lexer_limits``).
    """
    limit = lexing_limit(lexer)
    if not limit.fits(code):
        return str(escape(code))
    if len(code) <= limit.window:
        return highlight(code, lexer)
    if is_plain_regex_lexer(lexer):
        return highlight(code, lexer, limit.window)
    # Bounding every rule costs a Python call per rule tried (C took 2.6 times as long), so
    # only the slow lexers pay it; the others get pieces, cut before top-level lines.
    bounded = _bounded_lexer(lexer, limit.window) if limit != DEFAULT_LIMIT else None
    if bounded is not None:
        return highlight(code, bounded)
    pieces = split_for_lexing(code, limit.window)
    html = [highlight(piece, lexer) for piece in pieces]
    for index, piece in enumerate(pieces[:-1]):
        if not piece.endswith("\n") and html[index].endswith("\n"):
            html[index] = html[index][:-1]  # cut inside a line: the lexer's added newline goes
    return "".join(html)


@functools.lru_cache(maxsize=64)
def _bounded_lexer(lexer: Lexer, window: int) -> Lexer | None:
    return with_window(lexer, window)


def _code_block(code: str, language: str | None, title: str | None) -> str:
    lang = (language or "").strip()
    lexer = _lexer(lang.lower()) if lang and safe_to_highlight(code) else None
    body = highlight_block(code, lexer) if lexer is not None else str(escape(code))
    header = ""
    label = lang if _LANG_LABEL.match(lang) else ""
    if label or title:
        header = '<div class="code-header">'
        if label:
            header += f'<span class="code-lang">{escape(label)}</span>'
        if title:
            header += f'<span class="code-title">{escape(title)}</span>'
        header += "</div>"
    # Focusable so keyboard users can scroll long lines; a named group so a screen
    # reader says what the focused block is (aria-label is not allowed on a bare <pre>).
    aria = f' aria-label="{escape(label)} code"' if label else ' aria-label="Code"'
    return (
        f'<div class="code-block">{header}'
        f'<pre class="highlight" tabindex="0" role="group"{aria}>'
        f"<code>{body}</code></pre></div>\n"
    )


def _render_fence(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    token = tokens[idx]
    info = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    return code_block(token.content, info or None)


def _render_code_block(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return code_block(tokens[idx].content)


FIRST_MESSAGE_HEADING = 3
"""The page has its title as h1 and one h2 per message: message headings start at h3."""


def _demote_headings(state: StateCore) -> None:
    """Renumber a message's headings from h3 down, closing gaps, so the outline stays valid.

    The levels a message uses, in rank order, become h3, h4, ... (h6 at most): ``#`` and
    ``###`` become h3 and h4, and a message that starts at ``###`` still gets h3.
    """
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    used = sorted({int(t.tag[1]) for t in headings})
    level = {old: min(FIRST_MESSAGE_HEADING + rank, 6) for rank, old in enumerate(used)}
    for token in headings:
        token.tag = f"h{level[int(token.tag[1])]}"


def _render_table_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    # Focusable and labelled so keyboard users can scroll a wide table sideways.
    wrap = '<div class="table-wrap" tabindex="0" role="region" aria-label="Table">'
    return wrap + self.renderToken(tokens, idx, options, env)


def _render_table_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    return self.renderToken(tokens, idx, options, env) + "</div>"


_ALIGN = re.compile(r"^text-align:(left|center|right)\Z")


def _render_cell_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    """Column alignment as a class: the Content-Security-Policy forbids ``style=``."""
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    match = _ALIGN.match(str(style or ""))
    if match:
        token.attrSet("class", f"align-{match.group(1)}")
    return self.renderToken(tokens, idx, options, env)


def _render_link_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    # "//host/..." (and "///host") leaves the site as surely as "https://host/..." does.
    if _SCHEME.match(href.lower()) or href.startswith("//"):
        token.attrSet("rel", "nofollow noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


def _render_image(self, tokens: Sequence[Token], idx: int, options, env) -> str:  # type: ignore[no-untyped-def]
    """Images in message text become links: a page never loads another host's files."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or "image"
    if not src:
        return f'<span class="image-link">[image: {escape(alt)}]</span>'
    return (
        f'<a class="image-link" href="{escape(src)}" rel="nofollow noopener noreferrer">'
        f"[image: {escape(alt)}]</a>"
    )


_TASK = re.compile(r"\[([ xX])\][ \t\n\v\f\r]")
"""``[ ]`` or ``[x]`` and a space opening a list item's first paragraph (GFM task lists)."""


def _html_token(content: str) -> Token:
    token = Token("html_inline", "", 0)
    token.content = content
    return token


def _task_lists(state: StateCore) -> None:
    """GFM task lists, each item's text in a ``<label>`` with its disabled checkbox.

    A form control needs an accessible name, and the text is it. This replaces
    mdit-py-plugins' tasklists, which searches backwards from every item for its
    list: quadratic, so a message of 20,000 ``- [ ] x`` lines took minutes. A stack
    of the open lists finds it at once.
    """
    tokens = state.tokens
    lists: list[Token] = []
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif (
            token.type == "inline" and i >= 2 and lists
            and tokens[i - 1].type == "paragraph_open"
            and tokens[i - 2].type == "list_item_open"
            and token.children and token.children[0].type == "text"
        ):
            match = _TASK.match(token.content)
            if match is None or token.children[0].content[:3] != match.group(0)[:3]:
                continue  # no marker, or it is a link ([x] with a definition of x)
            checked = ' checked="checked"' if match.group(1) != " " else ""
            checkbox = (f'<input class="task-list-item-checkbox"{checked} disabled="disabled" '
                        'type="checkbox">')
            first = token.children[0]
            first.content = first.content[3:]
            token.children[:0] = [_html_token("<label>"), _html_token(checkbox)]
            token.children.append(_html_token("</label>"))
            tokens[i - 2].attrSet("class", "task-list-item")
            lists[-1].attrSet("class", "contains-task-list")


LINK_EXPANSION_BASE = 1_000_000
"""Characters of link targets and titles a message may put out beyond 16 per input character."""


def _limit_link_expansion(state: StateCore) -> None:
    """Keep a message's links from multiplying its size: ``[x]: <long URL>`` and then
    ``[x]`` used a million times would write the URL a million times (quadratic output).

    Targets and titles come from the text itself, at most a few times longer once
    percent-encoded, except through references. Past a generous budget, the rest of
    the links keep their text and lose their target (``<a>`` without ``href``).
    """
    budget = LINK_EXPANSION_BASE + 16 * len(state.src)
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        for token in block.children:
            if token.type not in ("link_open", "image") or not token.attrs:
                continue
            budget -= sum(len(str(token.attrs.get(key) or "")) for key in ("href", "src", "title"))
            if budget < 0:
                for key in ("href", "title"):
                    token.attrs.pop(key, None)
                if token.type == "image":
                    token.attrs["src"] = ""


MAX_NESTING = 32
"""Deepest nesting of blocks and inline markup parsed (markdown-it's default preset
allows 100, its CommonMark preset 20).

Text nested deeper than this is dropped, as markdown-it does past its limit. Every
unclosed ``[`` or ``![`` makes the parser look ahead this many levels, so the lower
limit makes ``"[" * 50_000`` about five times faster; fifteen levels of nested lists
(two levels each, and the paragraph) are more than any conversation uses."""


@functools.cache
def _markdown() -> MarkdownIt:
    md = _SafeMarkdownIt("js-default", {"html": False, "linkify": True, "typographer": False,
                                        "maxNesting": MAX_NESTING})
    md.linkify = QuickLinkify()
    md.enable(["linkify", "table", "strikethrough"])
    md.use(footnote_plugin).use(math_plugin).use(cjk_emphasis_plugin)
    md.core.ruler.after("inline", "task_lists", _task_lists)
    md.core.ruler.after("inline", "limit_link_expansion", _limit_link_expansion)
    md.core.ruler.push("demote_headings", _demote_headings)
    md.add_render_rule("fence", _render_fence)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("table_open", _render_table_open)
    md.add_render_rule("table_close", _render_table_close)
    md.add_render_rule("th_open", _render_cell_open)
    md.add_render_rule("td_open", _render_cell_open)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    return md


MARKDOWN_LIMIT = 200_000
"""Longest text formatted as Markdown, in characters (some 30,000 words); longer text
is shown as plain text.

Formatting time grows in step with the text, but by a large factor for hostile shapes
(20 seconds a megabyte for runs of ``![``). A message this long is a pasted log or
dump, which reads as well unformatted, and its page stays quick to build."""


def render_markdown(text: str, doc_id: str = "") -> str:
    """Markdown to HTML; ``doc_id`` keeps footnote ids unique when messages share a page."""
    if len(text) > MARKDOWN_LIMIT:
        note = f"Shown as plain text: {len(text):,} characters is too long to format"
        return code_block(text, None, note)
    env = {"docId": doc_id} if doc_id else {}
    return _markdown().render(text, env)


def render_parts(parts: Sequence[Part], doc_id: str, resolve_asset: AssetResolver) -> Markup:
    """Render a message's parts in order into one safe HTML fragment."""
    html = [render_part(p, f"{doc_id}-{i}" if i else doc_id, resolve_asset)
            for i, p in enumerate(parts)]
    return Markup("".join(html))


def render_part(part: Part, doc_id: str, resolve_asset: AssetResolver) -> str:
    if part.type == "text":
        return render_markdown(part.text or "", doc_id)
    if part.type == "code":
        return code_block(part.code or "", part.language, part.title)
    if part.type == "reasoning":
        summary = escape(part.title or "Reasoning")
        body = render_markdown(part.text or "", doc_id)
        return (f'<details class="part part-reasoning"><summary>{summary}</summary>'
                f"{body}</details>\n")
    if part.type == "tool_call":
        args, language = pretty_arguments(part.arguments)
        code = code_argument(part.arguments)
        if code is not None and _lexer((part.name or "").lower()) is not None:
            args, language = code, part.name  # e.g. python(code=...): show it as Python
        block = code_block(args, language) if args else ""
        return (f'<div class="part part-tool-call"><div class="part-label">Tool call: '
                f"<code>{escape(part.name or 'tool')}</code></div>{block}</div>\n")
    if part.type == "tool_result":
        label = "Tool result"
        if part.name:
            label += f": <code>{escape(part.name)}</code>"
        error = " part-error" if part.is_error else ""
        if part.is_error:
            label += " (error)"
        return (f'<div class="part part-tool-result{error}"><div class="part-label">{label}'
                f"</div>{code_block(part.text or '')}</div>\n")
    if part.type == "image":
        return render_image(part, resolve_asset)
    if part.type == "attachment":
        return _render_attachment(part)
    raise ValueError(f"unknown part type {part.type!r}")


def _render_attachment(part: Part) -> str:
    """An uploaded file: its name; its extracted text, if any, collapsed as plain text."""
    name = f'<span class="attachment-name">{escape(part.name or "file")}</span>'
    if not part.text:
        return f'<div class="part part-attachment">Attachment: {name}</div>\n'
    return (f'<details class="part part-attachment"><summary>Attachment: {name}</summary>'
            f"{code_block(part.text)}</details>\n")


def render_image(part: Part, resolve_asset: AssetResolver,
                 dims: tuple[int, int] | None = None) -> str:
    """An image part: the picture (``dims``, its width and height, reserve its box), or a
    note naming the file when it was not exported."""
    name = part.name or (part.src.rsplit("/", 1)[-1] if part.src else "image")
    href = resolve_asset(part.src) if part.src else None
    if href is None:
        return (f'<div class="part part-image-missing">Image not included: '
                f"<span>{escape(name)}</span></div>\n")
    alt = part.alt if part.alt is not None else name
    # The image links to itself, so a reader can open it full size; a file name says
    # nothing a reader needs, so it is the alternative text at most, never a caption.
    size = f' width="{dims[0]}" height="{dims[1]}"' if dims is not None else ""
    return (f'<figure class="part part-image"><a class="image-open" href="{escape(href)}">'
            f'<img src="{escape(href)}" alt="{escape(alt)}"{size} loading="lazy">'
            '<span class="visually-hidden"> (open full size)</span></a></figure>\n')


def code_argument(arguments: str | None) -> str | None:
    """The source when a tool's arguments are just ``{"code": "..."}`` (code interpreters)."""
    if not arguments:
        return None
    try:
        value = json.loads(arguments)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, dict) and list(value) == ["code"] and isinstance(value["code"], str):
        return value["code"]
    return None


def pretty_arguments(arguments: str | None) -> tuple[str, str | None]:
    """Pretty-print JSON tool arguments (unwrapping double encoding); else keep them as text."""
    if not arguments:
        return "", None
    try:
        value = json.loads(arguments)
        if isinstance(value, str):
            value = json.loads(value)
    except (ValueError, RecursionError):
        return arguments, None
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False), "json"


def pygments_css() -> str:
    """The stylesheet for highlighted code, light and dark (see ``amber.render.code_styles``).

    amber's own colours: Pygments' bundled styles fail WCAG AA contrast somewhere.
    """
    return code_css(".highlight")
