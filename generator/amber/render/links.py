"""Check that every internal link of a rendered site resolves.

Run on the in-memory site (before anything is written) by ``amber check``,
with the ``base_url`` path prefix, as GitHub Pages would resolve them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PageLinks:
    """What the link check needs of one HTML page: its internal links and its anchors.

    ``links`` are (position, link, path, fragment) in document order, ``path`` as
    ``_resolve`` takes it. A page's summary depends only on its bytes, its own path and
    the base URL, so ``amber check`` keeps it with the share it came from and need not
    parse an unchanged page again.
    """

    links: tuple[tuple[int, str, str, str], ...]
    ids: frozenset[str]


def page_links(rel: str, data: bytes, base_url: str) -> PageLinks:
    """The internal links and the ids of the page ``rel``."""
    prefix = urlsplit(base_url).path
    origin = base_url[: len(base_url) - len(prefix)]
    collector = _LinkCollector()
    collector.feed(data.decode("utf-8", errors="replace"))
    links = []
    for position, link in enumerate(collector.links):
        target = _internal_target(link, rel, prefix, origin)
        if target is not None:
            links.append((position, link, target[0], target[1]))
    return PageLinks(tuple(links), frozenset(collector.ids))


def broken_links(files: dict[str, bytes], base_url: str) -> list[tuple[str, str]]:
    """(page, link) pairs of internal links that point at no file or no anchor."""
    pages = {rel: page_links(rel, data, base_url)
             for rel, data in files.items() if rel.endswith(".html")}
    return broken_in(pages, files)


def broken_in(pages: Mapping[str, PageLinks], files: Container[str],
              ids_of: Callable[[str], frozenset[str] | None] | None = None,
              ) -> list[tuple[str, str]]:
    """``broken_links`` from page summaries: ``pages`` holds every HTML page to check,
    ``files`` is every path of the site. ``ids_of`` gives the anchors of an HTML page
    that is not in ``pages`` (None: not known as a page)."""
    broken = []
    for rel in sorted(pages):
        broken.extend((rel, link) for _, link in broken_on_page(pages[rel].links, pages,
                                                                files, ids_of))
    return broken


def broken_on_page(links: Iterable[tuple[int, str, str, str]], pages: Mapping[str, PageLinks],
                   files: Container[str],
                   ids_of: Callable[[str], frozenset[str] | None] | None = None,
                   ) -> list[tuple[int, str]]:
    """(position, link) of each of ``links`` that resolves to no file or no anchor."""
    broken = []
    for position, link, path, fragment in links:
        resolved = _resolve(files, path)
        if resolved is None:
            broken.append((position, link))
            continue
        if not fragment:
            continue
        found = pages.get(resolved)
        ids = found.ids if found is not None else (
            ids_of(resolved) if ids_of is not None and resolved.endswith(".html") else None)
        if ids is not None and fragment not in ids:
            broken.append((position, link))
    return broken


def settle_locally(pages: Mapping[str, PageLinks], own: Container[str],
                   ) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str, str, str]]]:
    """Split the links of a group of pages whose files are always published together
    (one share's folder): those that stay broken whatever else the site holds, as
    (page, position, link), and those that depend on files outside ``own``, as
    (page, position, link, path, fragment). A link is settled here only when its first
    candidate file is in ``own``: then the whole site resolves it to that same file."""
    broken: list[tuple[str, int, str]] = []
    needs: list[tuple[str, int, str, str, str]] = []
    for rel in sorted(pages):
        for position, link, path, fragment in pages[rel].links:
            first = _first_candidate(path)
            if first is None or first not in own:
                needs.append((rel, position, link, path, fragment))
                continue
            target = pages.get(first)
            if fragment and target is not None and fragment not in target.ids:
                broken.append((rel, position, link))
    return broken, needs


def _first_candidate(path: str) -> str | None:
    """The file ``_resolve`` tries first for ``path`` (None: outside the site)."""
    if path.startswith("\0"):
        return None
    return path + "index.html" if path == "" or path.endswith("/") else path


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


def _resolve(files: Container[str], path: str) -> str | None:
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


