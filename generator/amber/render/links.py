"""Check that every internal link of a rendered site resolves.

Run on the in-memory site (before anything is written) by ``amber check``,
with the ``base_url`` path prefix, as GitHub Pages would resolve them.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

_LINK_ATTRS = {"href", "src"}


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _LINK_ATTRS:
                self.links.append(value)
            elif name == "id":
                self.ids.add(value)


def broken_links(files: dict[str, bytes], base_url: str) -> list[tuple[str, str]]:
    """(page, link) pairs of internal links that point at no file or no anchor."""
    prefix = urlsplit(base_url).path
    origin = base_url[: len(base_url) - len(prefix)]
    parsed: dict[str, _LinkCollector] = {}
    for rel, data in files.items():
        if rel.endswith(".html"):
            collector = _LinkCollector()
            collector.feed(data.decode("utf-8", errors="replace"))
            parsed[rel] = collector
    broken = []
    for rel, collector in sorted(parsed.items()):
        for link in collector.links:
            target = _internal_target(link, rel, prefix, origin)
            if target is None:
                continue
            path, fragment = target
            resolved = _resolve(files, path)
            missing_anchor = (
                fragment and resolved in parsed and fragment not in parsed[resolved].ids
            )
            if resolved is None or missing_anchor:
                broken.append((rel, link))
    return broken


def _internal_target(link: str, page: str, prefix: str, origin: str) -> tuple[str, str] | None:
    if link.startswith(origin + "/"):
        link = link[len(origin):]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return (page, unquote(parts.fragment)) if parts.fragment else None
    if parts.path.startswith("/"):
        if not parts.path.startswith(prefix):
            return ("\0outside", "")
        path = parts.path[len(prefix):]
    else:
        base = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
        path = _normalise(base + parts.path)
    return unquote(path), unquote(parts.fragment)


def _normalise(path: str) -> str:
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if not out:
                return "\0outside"  # above the site root, so outside the base path
            out.pop()
        elif segment != ".":
            out.append(segment)
    return "/".join(out)


def _resolve(files: dict[str, bytes], path: str) -> str | None:
    if path.startswith("\0"):
        return None
    if path == "" or path.endswith("/"):
        candidate = path + "index.html"
        return candidate if candidate in files else None
    if path in files:
        return path
    if f"{path}/index.html" in files:
        return f"{path}/index.html"
    return None


