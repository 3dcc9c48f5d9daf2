"""Read the entries of a Takeout "My Activity" HTML file, in the shape of its JSON twin.

Each entry is an ``outer-cell`` block: a header cell naming the product, a
content cell holding ``<verb>&nbsp;<prompt><br><date><br><reply HTML>``, a
right-hand cell with uploaded images, and a caption cell with the details
(where a link names the chat). The page is hostile input like any export:
it is parsed with the standard library's tolerant parser, nothing in it is
kept as HTML except the reply, which ``htmltext`` turns into Markdown, and
the date stays text (it is written in the account's language and time zone,
so it is not turned into a time).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"})
_DATE_LINE = re.compile(r"\d{4}.*\d{1,2}:\d{2}|\d{1,2}:\d{2}.*\d{4}")
_HREF = re.compile(r"https?://\S+")
FEED_SIZE = 64 * 1024
MAX_PROMPT_LINES = 400
"""Lines before the date, at most: a prompt longer than that is cut there."""


def activity_entries(text: str) -> list[dict[str, object]]:
    """Every entry of the page, in page order, as JSON-like dicts."""
    parser = _ActivityParser()
    text = text.replace("\x00", "")
    for start in range(0, len(text), FEED_SIZE):  # in pieces: the parser rescans less
        parser.feed(text[start:start + FEED_SIZE])
    parser.close()
    parser.finish_cell()
    return [entry for cell in parser.cells if (entry := _entry(cell)) is not None]


class _Cell:
    """What one ``outer-cell`` holds while it is read."""

    def __init__(self) -> None:
        self.header: list[str] = []
        self.segments: list[list[str]] = [[]]
        """The content cell's HTML, split at its top-level ``<br>``."""
        self.images: list[str] = []
        self.links: list[str] = []


class _ActivityParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[_Cell] = []
        self.cell: _Cell | None = None
        self.depth = 0
        """Open <div>s, to know where each cell ends."""
        self.cell_depth = -1
        self.mode: str | None = None
        """header, content or side: which inner cell is open."""
        self.mode_depth = -1
        self.inner_depth = 0
        """Open elements inside the content cell, to tell its own <br> from nested ones."""

    def finish_cell(self) -> None:
        if self.cell is not None:
            self.cells.append(self.cell)
        self.cell, self.mode = None, None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        classes = attributes.get("class", "").split()
        if tag == "a" and self.cell is not None and _HREF.match(attributes.get("href", "")):
            self.cell.links.append(attributes["href"])
        if tag == "img" and self.cell is not None and self.mode == "side":
            name = attributes.get("alt") or attributes.get("src", "").rsplit("/", 1)[-1]
            if name:
                self.cell.images.append(name[:200])
        if self.mode == "content" and self.cell is not None:
            if tag == "br" and self.inner_depth == 0:
                self.cell.segments.append([])
                return
            self.cell.segments[-1].append(self.get_starttag_text() or "")
            if tag not in _VOID:
                self.inner_depth += 1
        if tag != "div":
            return
        self.depth += 1
        if "outer-cell" in classes:
            self.finish_cell()
            self.cell, self.cell_depth = _Cell(), self.depth
        elif self.cell is not None and self.mode is None:
            if "header-cell" in classes:
                self.mode, self.mode_depth = "header", self.depth
            elif "content-cell" in classes and "mdl-typography--text-right" in classes:
                self.mode, self.mode_depth = "side", self.depth
            elif "content-cell" in classes and "mdl-typography--body-1" in classes:
                self.mode, self.mode_depth, self.inner_depth = "content", self.depth, 0

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            if self.mode is not None and self.depth == self.mode_depth:
                self.mode = None
            elif self.cell is not None and self.depth == self.cell_depth:
                self.finish_cell()
            self.depth = max(0, self.depth - 1)
            if self.mode != "content":
                return
        if self.mode == "content" and self.cell is not None and tag not in _VOID:
            self.cell.segments[-1].append(f"</{tag}>")
            self.inner_depth = max(0, self.inner_depth - 1)

    def handle_data(self, data: str) -> None:
        if self.cell is None:
            return
        if self.mode == "header":
            self.cell.header.append(data)
        elif self.mode == "content":
            self.cell.segments[-1].append(html.escape(data, quote=False))


def _text(segment: list[str]) -> str:
    """A segment's plain text (prompt and date lines hold text only)."""
    return html.unescape(re.sub(r"<[^>]*>", "", "".join(segment)))


def _entry(cell: _Cell) -> dict[str, object] | None:
    header = " ".join("".join(cell.header).split())
    segments = cell.segments
    date_at = next((i for i in range(1, min(len(segments), MAX_PROMPT_LINES))
                    if len(_text(segments[i]).strip()) < 80
                    and _DATE_LINE.search(_text(segments[i]))), None)
    if date_at is None:
        return None
    title = "\n".join(_text(s) for s in segments[:date_at]).strip(" \n")
    reply = "<br>".join("".join(s) for s in segments[date_at + 1:]).strip()
    entry: dict[str, object] = {
        "header": header,
        "title": title,
        "time_text": _text(segments[date_at]).strip(),
        "html": True,
        "details": [{"url": link} for link in cell.links],
    }
    if reply:
        entry["safeHtmlItem"] = [{"html": reply}]
    if cell.images:
        entry["imageFile"] = cell.images
    return entry
