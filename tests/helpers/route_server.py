"""An HTTP server on 127.0.0.1 whose answers a test writes, path by path."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Route = Callable[[http.server.BaseHTTPRequestHandler], None]
"""Answers one request, writing to the handler as it likes (slowly, wrongly, ...)."""


@contextmanager
def route_server() -> Iterator[tuple[int, dict[str, Route]]]:
    """(port, routes): a path without its query string -> its ``Route``; 404 for any other.
    Stopped when the block ends."""
    routes: dict[str, Route] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            route(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], routes
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
