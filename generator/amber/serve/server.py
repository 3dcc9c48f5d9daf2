"""The preview server's moving parts: the socket, the watcher and the rebuild thread.

``PreviewServer`` binds first (so a port in use is reported before any work),
then serves at once while the first build runs in the rebuild thread: requests
wait for it rather than see a partial site, and ``amber preview`` can find the
server meanwhile. Every request runs in its own thread and answers from the
state it found when it started (see ``state.py``).
"""

from __future__ import annotations

import contextlib
import errno
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from amber.content.load import SitePaths, load_site_yaml
from amber.errors import AmberError, Problem
from amber.serve.app import COMMON_HEADERS, App, Request, Response
from amber.serve.rebuild import Rebuilder
from amber.serve.state import LiveSite
from amber.serve.watcher import Watcher

IDLE_TIMEOUT = 120.0
"""Seconds an idle keep-alive connection may hold its thread."""


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "amber-serve"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True
    """Headers and body go out in two writes: with Nagle's algorithm on, the client's
    delayed acknowledgement would hold every keep-alive response back ~40 ms."""

    def do_GET(self) -> None:
        self._respond()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def _respond(self) -> None:
        request = Request(self.command, self.path, self.headers.get("Host"),
                          self.client_address[0])
        try:
            response = self.server.app.handle(request)
        except Exception:  # a bug answers 500 and is printed; the server goes on
            traceback.print_exc(file=sys.stderr)
            response = Response(500, b"amber serve: internal error (see the terminal)\n")
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        names = {name.lower() for name, _ in response.headers}
        for name, value in COMMON_HEADERS:
            self.send_header(name, value)
        if "cache-control" not in names:
            self.send_header("Cache-Control", "no-cache")
        for name, value in response.headers:
            self.send_header(name, value)
        if response.stream is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self._stream(response)
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _stream(self, response: Response) -> None:
        def write(data: bytes) -> None:
            self.wfile.write(data)
            self.wfile.flush()

        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            response.stream(write)  # type: ignore[misc]  # ends when the page goes away

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a preview server's terminal is for build messages, not access logs."""


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], app: App, family: int) -> None:
        self.address_family = family
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return  # a client that hung up is not news
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _bind(host: str, port: int, app: App) -> _HTTPServer:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return _HTTPServer((host, port), app, family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise AmberError(f"port {port} on {host} is already in use (another `amber "
                             "serve`?); pass --port N, or --port 0 for any free port") from None
        if exc.errno == errno.EACCES:
            raise AmberError(f"not allowed to listen on port {port}; pass --port with a "
                             "number above 1023") from None
        if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
            raise AmberError(f"--host {host}: not an address of this machine") from None
        raise AmberError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


class PreviewServer:
    """One running preview server: listen, build, watch, rebuild, until ``stop``."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, *,
                 watch: bool = True, log: Callable[[str], None] | None = None,
                 now: datetime | None = None) -> None:
        self.paths = SitePaths(root)
        if not self.paths.content.is_dir():
            raise AmberError(f"no content/ directory in {root}; run `amber init` or pass "
                             "--site DIR")
        self.live = LiveSite()
        self.app = App(self.paths, self.live, bind_host=host)
        self.rebuilder = Rebuilder(self.paths, self.live, log, now=now)
        self.httpd = _bind(host, port, self.app)
        self.host = host
        self.port = self.httpd.server_address[1]
        self.watcher = Watcher(self.paths, self.rebuilder.notify) if watch else None
        if self.watcher is not None:
            self.rebuilder.on_config = self.watcher.follow
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if self.host == "0.0.0.0" else "[::1]"
        return f"http://{host}:{self.port}"

    def base_path(self) -> str:
        """The site's path prefix: from the last build, else read from site.yaml now."""
        build = self.live.state.build
        if build is not None:
            return build.config.base_path
        problems: list[Problem] = []
        config = load_site_yaml(self.paths.site_yaml, problems)
        return config.base_path if config else "/"

    def start(self) -> None:
        """Serve at once; the first build runs in the rebuild thread."""
        serving = threading.Thread(target=self.httpd.serve_forever, name="amber-http",
                                   kwargs={"poll_interval": 0.2}, daemon=True)
        serving.start()
        self._threads.append(serving)
        if self.watcher is not None:
            self.watcher.start(None)
        rebuilding = threading.Thread(target=self._rebuild_loop, name="amber-rebuild",
                                      daemon=True)
        rebuilding.start()
        self._threads.append(rebuilding)

    def _rebuild_loop(self) -> None:
        try:
            self.rebuilder.rebuild()
        except Exception:
            traceback.print_exc(file=sys.stderr)
        if self.watcher is not None:
            self.rebuilder.run(self._stop)

    def wait_ready(self, timeout: float | None = None) -> bool:
        return self.live.wait_ready(timeout if timeout is not None else 1e9).ready

    def stop(self) -> None:
        """Stop serving and watching; waiting pages and event streams are released."""
        self._stop.set()
        self.live.close()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.watcher is not None:
            self.watcher.stop()
        for thread in self._threads:
            thread.join(timeout=5)
