"""A share's description: its first question as sentences, for link previews and the index.

Chat apps show it under the title of a pasted link, so it must read as text,
not as flattened HTML. It is made from the rendered message: paragraphs and
headings end as sentences, list items are joined with semicolons after their
lead-in, code blocks, images, attachments, reasoning and tool parts are left
out (a lead-in that announced a code block ends with a full stop instead of
its colon), inline code and emphasis stay part of their sentence. A text
longer than the limit ends after its last whole sentence that fits, or else
after its last whole word, with an ellipsis: never inside a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

DESCRIPTION_LIMIT = 200
"""Characters; link previews show about this much."""

_SKIPPED_CLASSES = ("code-block", "part-image", "part-attachment", "part-reasoning",
                    "part-tool-call", "part-tool-result", "part-image-missing")
_SKIPPED_TAGS = frozenset({"pre", "figure", "details", "script", "style", "template", "svg",
                           "button", "img"})
_BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                         "table", "tr", "ul", "ol", "dl", "dt", "dd", "section", "hr",
                         "summary", "figcaption"})
_CELL_TAGS = frozenset({"td", "th"})
_VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col",
                        "area", "embed", "track"})
_ENDS = ".!?…。！？"
"""Characters that end a sentence."""
_CLOSERS = "\"'”’)]»」』"
"""Closing quotes and brackets that may follow the end of a sentence."""


@dataclass
class _Block:
    kind: str
    """``text``, ``item`` (a list item) or ``code`` (something left out that ended a thought)."""
    text: str = ""


class _Reader(HTMLParser):
    """The text blocks of a fragment, with the parts a description leaves out marked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.skipping: list[str] = []
        """The tags of the skipped elements we are inside (their nesting, to find the end)."""
        self.current: list[str] = []
        self.kind = "text"

    def flush(self, next_kind: str = "text") -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(_Block(self.kind, text))
        self.current = []
        self.kind = next_kind

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag not in _VOID_TAGS:
                self.skipping.append(tag)
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in _SKIPPED_TAGS or any(c in _SKIPPED_CLASSES for c in classes):
            if tag not in _VOID_TAGS:
                self.flush()
                self.blocks.append(_Block("code"))
                self.skipping.append(tag)
            return
        if tag == "li":
            self.flush("item")
        elif tag in _BLOCK_TAGS or tag == "br":
            self.flush(self.kind if tag == "br" else "text")
        elif tag in _CELL_TAGS:
            self.current.append(" ")
        elif tag == "math":
            alt = dict(attrs).get("alttext")
            if alt:
                self.current.append(alt)
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag == "li" or tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)


def description_text(html: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The description of a rendered message (``limit`` characters at most)."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.flush()
    return _shorten(_sentences(reader.blocks), limit)


def _tidy(text: str) -> str:
    """No space before punctuation (inline code or markup before a full stop left one)."""
    return re.sub(r"\s+([,.;:!?)\]…]+)(?=\s|$)", r"\1", text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in _ENDS


def _sentences(blocks: list[_Block]) -> str:
    out: list[str] = []
    items: list[str] = []

    def close_items() -> None:
        if items:
            joined = "; ".join(i.rstrip(".;,") for i in items)
            out.append(joined if _ends_sentence(joined) else joined + ".")
            items.clear()

    for block in blocks:
        if block.kind == "item":
            items.append(_tidy(block.text))
            continue
        close_items()
        if block.kind == "code":
            if out and out[-1].endswith(":"):
                out[-1] = out[-1][:-1].rstrip() + "."  # what it announced is not here
            continue
        text = _tidy(block.text)
        out.append(text if _ends_sentence(text) or text.endswith(":") else text + ".")
    close_items()
    if out and out[-1].endswith(":"):
        out[-1] = out[-1][:-1].rstrip() + "."
    return " ".join(out)


def _shorten(text: str, limit: int) -> str:
    """``text`` within ``limit``: whole sentences when they fill two fifths of it or more,
    else whole words and an ellipsis."""
    if len(text) <= limit:
        return text
    window = text[:limit]
    ends = [m.end() for m in re.finditer(rf"[{re.escape(_ENDS)}][{re.escape(_CLOSERS)}]*(?=\s|$)",
                                         window)]
    if ends and ends[-1] >= limit * 2 // 5:
        return window[:ends[-1]]
    room = window[:limit - 1]
    space = room.rfind(" ")
    if space > 0 and not _breaks_anywhere(text[limit - 2:limit]):
        room = room[:space]
    return room.rstrip(" ,;:-–—") + "…"


def _breaks_anywhere(pair: str) -> bool:
    """Chinese and Japanese text may be cut between any two of its characters."""
    return all(0x2E80 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF for c in pair)
