"""Request paths: refuse the unsafe ones, and resolve the rest as GitHub Pages would.

No site request ever touches the disk (the site is served from memory), but
paths are checked as if it did, and before anything else: a path that tries to
climb (``..``, ``%2e%2e``), hides a separator (``%2f``, ``%5c``, a backslash),
has empty segments (``//etc/passwd``), control characters or bytes that are not
UTF-8, or is not a path at all (``http://...``, ``*``) is answered 404.

GitHub Pages' rules, under the ``base_url`` path prefix: ``dir/`` serves
``dir/index.html``; ``dir`` redirects to ``dir/`` when that is a folder;
``page`` serves ``page.html``; anything else is ``404.html`` with status 404.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from urllib.parse import unquote

_HIDDEN_SEPARATORS = ("%2f", "%5c", "%00")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
SPECIAL_TYPES = {
    "feed.xml": "application/atom+xml; charset=utf-8",
    "CNAME": "text/plain; charset=utf-8",
    ".nojekyll": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Target:
    """A request target that passed the safety checks."""

    path: str
    """Percent-decoded, starts with '/', no '.', '..' or empty inner segments."""
    query: str
    """The raw query string (without '?')."""


def parse_target(raw: str) -> Target | None:
    """The checked path and query of a request target, or None if it must be refused."""
    if not raw.startswith("/"):
        return None  # absolute-form (http://...) and asterisk-form are not paths here
    raw_path, _, query = raw.partition("?")
    raw_path = raw_path.split("#", 1)[0]
    lowered = raw_path.lower()
    if "\\" in raw_path or any(code in lowered for code in _HIDDEN_SEPARATORS):
        return None
    try:
        path = unquote(raw_path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return None
    segments = path.split("/")[1:]
    for number, segment in enumerate(segments, start=1):
        if segment in (".", ".."):
            return None
        if segment == "" and number != len(segments):
            return None  # '//' would make the rest look absolute to a file system
    return Target(path, query)


@dataclass(frozen=True)
class Resolved:
    """Where a site path leads: a file, a redirect, or not found."""

    status: int
    """200, 301 or 404."""
    rel: str | None = None
    """The file to send (relative to the site root) for 200."""
    location: str | None = None
    """Where to go for 301 (a root-relative path)."""


NOT_FOUND = Resolved(404)


def resolve_site_path(path: str, base_path: str, files: Container[str]) -> Resolved:
    """Resolve a checked path against the site's files as GitHub Pages serves them."""
    if base_path != "/" and path in ("/", base_path.rstrip("/")):
        return Resolved(301, location=base_path)  # the site's root, as a local convenience
    if not path.startswith(base_path):
        return NOT_FOUND
    rel = path[len(base_path):]
    if rel == "" or rel.endswith("/"):
        index = f"{rel}index.html"
        return Resolved(200, rel=index) if index in files else NOT_FOUND
    if rel in files:
        return Resolved(200, rel=rel)
    if f"{rel}/index.html" in files:
        return Resolved(301, location=f"{path}/")
    if f"{rel}.html" in files:
        return Resolved(200, rel=f"{rel}.html")
    return NOT_FOUND


def content_type(rel: str) -> str:
    """The Content-Type GitHub Pages would send for a file name."""
    name = rel.rsplit("/", 1)[-1]
    if rel in SPECIAL_TYPES:
        return SPECIAL_TYPES[rel]
    dot = name.rfind(".")
    if dot > 0:
        return CONTENT_TYPES.get(name[dot:].lower(), "application/octet-stream")
    return "application/octet-stream"
