"""A static host on 127.0.0.1 that serves built sites under base paths as GitHub Pages
does: ``index.html`` for a folder, a redirect for a folder without its slash, and the
site's ``404.html`` with status 404 for anything missing.

Tests of links, forks by URL and the browser tests all need the site where its
``base_url`` says it is, so they share this one host rather than each keeping a copy.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar


class _Handler(BaseHTTPRequestHandler):
    server: _HostServer

    TYPES: ClassVar[dict[str, str]] = {
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".md": "text/markdown; charset=utf-8",
        ".xml": "application/xml",
        ".txt": "text/plain; charset=utf-8",
        ".png": "image/png",
        ".svg": "image/svg+xml",
    }

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        # Longest prefix first: a site mounted at /a/b/ wins over one at /a/.
        for prefix, root in sorted(self.server.mounts.items(), key=lambda m: -len(m[0])):
            if prefix != "/" and path == prefix.rstrip("/"):
                return self._redirect(prefix)
            if not path.startswith(prefix):
                continue
            resolved = root.resolve()
            target = (resolved / path[len(prefix):]).resolve()
            if target.is_relative_to(resolved) and target.is_dir():
                if not path.endswith("/"):
                    return self._redirect(path + "/")
                target = target / "index.html"
            if target.is_relative_to(resolved) and target.is_file():
                return self._send(HTTPStatus.OK, target, body)
            return self._send(HTTPStatus.NOT_FOUND, resolved / "404.html", body)
        self.send_error(HTTPStatus.NOT_FOUND)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, file: Path, body: bool) -> None:
        if not file.is_file():  # a site without a 404 page
            self.send_error(status)
            return
        data = file.read_bytes()
        self.send_response(status)
        self.send_header("Content-Type", self.TYPES.get(file.suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: failures show up in the assertions


class _HostServer(ThreadingHTTPServer):
    daemon_threads = True
    mounts: dict[str, Path]


class StaticHost:
    """The running host: ``mount`` a folder under a path prefix, get its URL."""

    def __init__(self, httpd: _HostServer) -> None:
        self._httpd = httpd
        self.origin = f"http://127.0.0.1:{httpd.server_address[1]}"
        """``http://127.0.0.1:PORT``."""

    @property
    def mounts(self) -> dict[str, Path]:
        """URL path prefix (``/chats/``) -> the folder served there."""
        return self._httpd.mounts

    def mount(self, prefix: str, folder: Path) -> str:
        """Serve ``folder`` under ``prefix`` (``/`` or ``/name/``); the base URL there."""
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError(f"a mount prefix starts and ends with '/': {prefix!r}")
        self._httpd.mounts[prefix] = folder
        return self.origin + prefix


@contextmanager
def static_host() -> Iterator[StaticHost]:
    """A host on a free port of 127.0.0.1, stopped when the block ends."""
    httpd = _HostServer(("127.0.0.1", 0), _Handler)
    httpd.mounts = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield StaticHost(httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
