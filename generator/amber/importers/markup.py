"""Write bits of Markdown from export data without letting that data break out.

Citation titles and URLs come from web pages, so a ``]`` in a title or a
``)`` in a URL must not end the link early or start another. The renderer
still checks every link's scheme; this only keeps the syntax intact.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from amber.importers.normalise import single_line

_LINK_TEXT_SPECIAL = re.compile(r"([\\\[\]`*_<>])")
_URL_UNSAFE = re.compile(r"[\s()<>\[\]\"'`\\]")


def escape_text(text: str) -> str:
    """Inline text that Markdown shows as written (no emphasis, links or HTML)."""
    return _LINK_TEXT_SPECIAL.sub(r"\\\1", text)


def safe_url(url: object) -> str | None:
    """An absolute http(s) URL with the characters that could end a Markdown link encoded."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if len(url) > 2048:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", url)


def link(title: object, url: object) -> str:
    """``[title](url)``; just the title (or nothing) when the URL is not http(s)."""
    href = safe_url(url)
    text = single_line(title, 120) if title else ""
    if href is None:
        return escape_text(text)
    if not text:
        text = urlsplit(href).netloc
    return f"[{escape_text(text)}]({href})"


def blockquote(text: str) -> str:
    """Quote text line by line."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def sources(results: object, url_key: str = "url", title_key: str = "title") -> str:
    """A "Sources:" list of links from search results (``[{url, title}]``); "" if none.

    Chat apps show the pages a web search found as links under the answer.
    """
    entries: list[str] = []
    for item in results if isinstance(results, list) else []:
        if not isinstance(item, dict):
            continue
        url = item.get(url_key)
        if safe_url(url):
            entry = "- " + link(item.get(title_key) or url, url)
            if entry not in entries:
                entries.append(entry)
    return "Sources:\n\n" + "\n".join(entries) if entries else ""
