"""Turn the HTML of scraped ShareGPT answers back into Markdown.

ShareGPT data was scraped from the ChatGPT page, so assistant turns are often
the rendered HTML (``<div class="markdown prose"><p>...</p><pre>...``). amber
shows raw HTML as text, which would bury the answer in tags; this rebuilds
the Markdown the HTML came from: paragraphs, headings, lists, emphasis, links,
quotes, tables and fenced code with its language. Anything else (the "Copy
code" button, SVG icons, scripts) contributes its text or nothing. Text is
escaped, so the result says what the page said and nothing more; it renders
through the same safe renderer as any message.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from amber.importers import markup
from amber.render.exports import fence

_STARTS_AS_HTML = re.compile(r"\s*<(div|p|pre|ol|ul|h[1-6]|table|blockquote)\b[^>]*>",
                             re.IGNORECASE)
_LANGUAGE_CLASS = re.compile(r"(?:^|\s)(?:language|lang)-([A-Za-z0-9_+#.-]{1,40})")
_SKIPPED = frozenset({"script", "style", "svg", "button", "noscript", "template", "head"})
_BLOCKS = frozenset({"p", "div", "section", "article", "header", "footer", "table",
                     "h1", "h2", "h3", "h4", "h5", "h6", "figure"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col"})
_QUOTE_START, _QUOTE_END = "\x00quote+\x00", "\x00quote-\x00"
"""Markers for the lines to prefix with '> '; NUL never occurs in cleaned text."""


def looks_like_html(text: str) -> bool:
    """Scraped answers start with a block tag and close it; questions are plain text."""
    return bool(_STARTS_AS_HTML.match(text)) and "</" in text


def html_to_markdown(html: str) -> str:
    parser = _MarkdownBuilder()
    parser.feed(html.replace("\x00", ""))
    parser.close()
    return parser.result()


class _MarkdownBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip: list[str] = []
        """Open elements whose content is dropped (script, button...)."""
        self.pre: list[str] | None = None
        """All text of the open <pre>; None outside one."""
        self.pre_code: list[str] | None = None
        """Text inside <code> within the open <pre>, which is the code when present."""
        self.code_depth = 0
        self.code_language: str | None = None
        self.lists: list[list[int | str]] = []
        """Open lists: [kind, next number, width of the current item's bullet]."""
        self.item_start = False
        """Just after a list bullet: a <p> there must not start a new paragraph."""
        self.links: list[str | None] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.table_rows = 0

    # --- output helpers -----------------------------------------------------------

    def emit(self, text: str) -> None:
        if self.cell is not None:
            self.cell.append(text)
        else:
            self.out.append(text)

    def paragraph(self, closing: bool = False) -> None:
        """A paragraph break; inside a list item it continues the item, indented."""
        if self.cell is not None:
            return
        if self.lists:
            if not closing and not self.item_start:
                self.out.append("\n\n" + self.indent())
            return
        self.out.append("\n\n")

    def indent(self, levels: int | None = None) -> str:
        """Spaces up to the content of the innermost (or the first ``levels``) list items."""
        lists = self.lists if levels is None else self.lists[:levels]
        return " " * sum(int(entry[2]) for entry in lists)

    # --- parser callbacks ---------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag == self.skip[-1] and tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _SKIPPED:
            self.skip.append(tag)
            return
        attributes = dict(attrs)
        language = _LANGUAGE_CLASS.search(attributes.get("class") or "")
        if self.pre is not None:
            if tag == "code":
                self.code_depth += 1
                if self.pre_code is None:
                    self.pre_code = []
                if language and not self.code_language:
                    self.code_language = language.group(1)
            elif tag == "br":
                self._pre_text("\n")
            return
        if tag == "pre":
            self.paragraph()
            self.pre, self.pre_code, self.code_depth = [], None, 0
            self.code_language = language.group(1) if language else None
        elif tag in ("ul", "ol"):
            if not self.lists:  # a nested list starts on the next line: its bullets do that
                self.paragraph()
            self.item_start = False
            self.lists.append([tag, 1, 0])
        elif tag == "li":
            if not self.lists:
                self.lists.append(["ul", 1, 0])
            current = self.lists[-1]
            bullet = "- "
            if current[0] == "ol":
                bullet = f"{current[1]}. "
                current[1] = int(current[1]) + 1
            current[2] = len(bullet)
            self.out.append(f"\n{self.indent(len(self.lists) - 1)}{bullet}")
            self.item_start = True
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self.paragraph()
            self.emit("#" * int(tag[1]) + " ")
        elif tag == "blockquote":
            self.paragraph()
            self.out.append(_QUOTE_START)
        elif tag in ("strong", "b"):
            self.emit("**")
        elif tag in ("em", "i"):
            self.emit("*")
        elif tag == "code":
            self.emit("`")
        elif tag == "a":
            href = markup.safe_url(attributes.get("href"))
            self.links.append(href)
            if href:
                self.emit("[")
        elif tag == "br":
            self.emit("\\\n")
        elif tag == "hr":
            self.paragraph()
            self.emit("---")
            self.paragraph()
        elif tag == "img":
            self.emit(f"[image: {markup.escape_text(attributes.get('alt') or 'image')}]")
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag in _BLOCKS:
            self.paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if self.pre is not None:
            if tag == "code":
                self.code_depth = max(self.code_depth - 1, 0)
            elif tag == "pre":
                self._close_pre()
            return
        if tag in ("strong", "b"):
            self.emit("**")
        elif tag in ("em", "i"):
            self.emit("*")
        elif tag == "code":
            self.emit("`")
        elif tag == "a":
            href = self.links.pop() if self.links else None
            if href:
                self.emit(f"]({href})")
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.item_start = False
            self.paragraph(closing=True)
        elif tag == "blockquote":
            self.out.append(_QUOTE_END)
            self.paragraph(closing=True)
        elif tag in ("td", "th"):
            if self.cell is not None and self.row is not None:
                self.row.append(" ".join("".join(self.cell).split()).replace("|", "\\|"))
            self.cell = None
        elif tag == "tr":
            if self.row:
                self.out.append("| " + " | ".join(self.row) + " |\n")
                if self.table_rows == 0:
                    self.out.append("|" + "---|" * len(self.row) + "\n")
                self.table_rows += 1
            self.row = None
        elif tag == "table":
            self.table_rows = 0
            self.paragraph(closing=True)
        elif tag in _BLOCKS:
            self.paragraph(closing=True)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre is not None:
            self._pre_text(data)
            return
        text = re.sub(r"\s+", " ", data)
        if not text.strip() and (not self.out or self.out[-1].endswith(("\n", " "))):
            return
        self.item_start = False
        self.emit(markup.escape_text(text))

    def _pre_text(self, text: str) -> None:
        assert self.pre is not None
        self.pre.append(text)
        if self.code_depth and self.pre_code is not None:
            self.pre_code.append(text)

    def _close_pre(self) -> None:
        code = "".join(self.pre_code if self.pre_code is not None else self.pre or [])
        block = fence(code, self.code_language)
        if self.lists:  # every line of the fence belongs to the list item
            block = block.replace("\n", "\n" + self.indent())
        self.out.append(block)
        self.pre = self.pre_code = None
        self.item_start = False
        self.paragraph(closing=not self.lists)

    # --- result -------------------------------------------------------------------

    def result(self) -> str:
        if self.pre is not None:  # an unclosed <pre> at the end: keep its code
            self._close_pre()
        text = re.sub(r"\n[ \t]*(?:\n[ \t]*)+\n", "\n\n", "".join(self.out))
        text = _quote_sections(text)
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        return re.sub(r"\n{3,}", "\n\n", text).strip()


def _quote_sections(text: str) -> str:
    """Prefix the lines between quote markers with '> ' (nested quotes nest)."""
    out: list[str] = []
    depth = 0
    for piece in re.split(f"({re.escape(_QUOTE_START)}|{re.escape(_QUOTE_END)})", text):
        if piece == _QUOTE_START:
            depth += 1
        elif piece == _QUOTE_END:
            depth = max(depth - 1, 0)
        elif depth:
            if piece.strip():
                lines = piece.strip("\n").split("\n")
                quoted = "\n".join(("> " * depth + line).rstrip() for line in lines)
                out.append(f"\n\n{quoted}\n\n")
        else:
            out.append(piece)
    return "".join(out)
