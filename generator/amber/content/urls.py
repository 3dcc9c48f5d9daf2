"""The site's ``base_url``: a plain http(s) URL, or nothing at all.

``base_url`` goes into every page, the feed, the sitemap, the URLs ``amber share``
prints and the tables of the `amber review` summary, which GitHub renders as
Markdown. It comes from ``site.yaml`` (a file a pull request can change) or from
``--base-url``. So it is held to what a real web address needs and nothing more:
the scheme http or https; a host that is a DNS name (letters, digits, hyphens,
dot-separated labels), an IPv4 address or a bracketed IPv6 address; an optional
port; a path of unreserved characters (``A-Z a-z 0-9 - . _ ~``) and percent
escapes, in non-empty segments other than ``.`` and ``..``. No user name, query or
fragment. Markdown and HTML punctuation (``! [ ] ( ) | < > " ' ` *``), spaces and
backslashes can then never appear in it, and no path like ``//evil.example/`` can
turn the site's links into links to another host.
"""

from __future__ import annotations

import ipaddress
import re

_URL = re.compile(
    r"(?P<scheme>[A-Za-z]+)://"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<path>/[A-Za-z0-9._~%/-]*)?"
)
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+")


def _valid_host(host: str) -> bool:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    labels = host.split(".")
    if labels[-1].isdigit():  # all digits at the end: an IPv4 address or nothing
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return False
        return True
    return len(host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _valid_path(path: str) -> bool:
    segments = path.strip("/").split("/") if path.strip("/") else []
    if "//" in path:
        return False
    return all(_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments)


def normalise_base_url(url: str) -> str | None:
    """``https://host/path`` with a trailing '/' added; None unless it is a plain http(s)
    URL as the module describes. Surrounding whitespace is dropped; case is kept, so the
    links in the output are the URL as written."""
    url = url.strip()
    match = _URL.fullmatch(url)
    if match is None or match["scheme"].lower() not in ("http", "https"):
        return None
    if not _valid_host(match["host"]):
        return None
    if match["port"] is not None and not 0 < int(match["port"]) < 65536:
        return None
    path = match["path"] or "/"
    if not _valid_path(path):
        return None
    if not path.endswith("/"):
        path += "/"
    port = f":{match['port']}" if match["port"] is not None else ""
    return f"{match['scheme'].lower()}://{match['host']}{port}{path}"
