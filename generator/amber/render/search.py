"""``search.json``: what the index page's filter searches, for listed shares only.

The index lists every listed share in plain HTML; the filter is an enhancement
that fetches this file the first time someone types, so it can match the text of
each conversation and not only what the card shows. Each entry carries a bounded
piece of that text to keep the file small on a large site. An unlisted share
must never appear here: the build's leak check would refuse the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from amber.render.pages import SharePage, ShareSummary
from amber.render.templates import plain_text

TEXT_LIMIT = 1_000
"""Characters of conversation text kept per share (questions and answers, in order)."""

_ANNOTATION = re.compile(r"<annotation\b[^>]*>.*?</annotation>", re.DOTALL)
"""The TeX source of a formula repeats its MathML text: searching one copy is enough."""


def search_text(page: SharePage) -> str:
    """The bounded plain text of a share that the filter searches."""
    return plain_text(_ANNOTATION.sub(" ", " ".join(m.html for m in page.messages)), TEXT_LIMIT)


def search_entry(summary: ShareSummary, text: str) -> str:
    """One share's object in ``search.json``; a build keeps it with the share's record."""
    record = {
        "title": summary.title,
        "href": summary.href,
        "frozen": summary.frozen,
        "frozen_display": summary.frozen_display,
        "excerpt": summary.excerpt,
        "text": text,
    }
    # ensure_ascii keeps the file 7-bit; "<" is escaped too, so no reader can mistake
    # it for markup (it is fetched as JSON, never placed in a page).
    encoded = json.dumps(record, ensure_ascii=True, indent=None, separators=(",", ":"))
    return encoded.replace("<", "\\u003c")


def search_file(entries: Sequence[str]) -> bytes:
    """The JSON array of ``search_entry`` objects, newest first as given."""
    return ("[" + ",".join(entries) + "]\n").encode("ascii")
