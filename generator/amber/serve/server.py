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
import io
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from amber.content.load import SitePaths, load_site_yaml
from amber.errors import AmberError, Problem
from amber.serve.app import COMMON_HEADERS, MAX_LIVE_RELOAD, App, Request, Response
from amber.serve.rebuild import Rebuilder
from amber.serve.state import LiveSite
from amber.serve.watcher import Watcher

MAX_CONNECTIONS = 64
"""Connections served at once, each holding a thread; past it a connection is answered
503 at once and closed. A browser opens at most six per host, live reload included."""
REQUEST_TIMEOUT = 10.0
"""Seconds a connection has to send a request's line and headers, counted from when the
server starts waiting for them (so an idle keep-alive connection is closed after it). A
deadline for them all, not for each read: a client sending a byte every few seconds
(slowloris) would otherwise hold its thread for as long as it likes."""
WRITE_TIMEOUT = 30.0
"""Seconds one send may wait for a client that does not read."""
_BUSY_TEXT = b"amber serve: too many connections at once; try again in a moment\n"
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Retry-After: 5\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
        % (len(_BUSY_TEXT), _BUSY_TEXT))
"""The whole answer to a connection past ``MAX_CONNECTIONS``, sent in one write."""


class _DeadlineReader(io.RawIOBase):
    """The socket's bytes, each read bounded by what is left of the handler's deadline."""

    def __init__(self, sock: socket.socket, handler: _Handler) -> None:
        self.sock = sock
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        deadline = self.handler.read_deadline
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request line and headers took too long")
            self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "amber-serve"
    sys_version = ""
    timeout = WRITE_TIMEOUT
    disable_nagle_algorithm = True
    """Headers and body go out in two writes: with Nagle's algorithm on, the client's
    delayed acknowledgement would hold every keep-alive response back ~40 ms."""
    read_deadline: float | None = None
    """When the request being read must be complete (``REQUEST_TIMEOUT``)."""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # left open, its reference would keep the socket open after close
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, self))

    def handle_one_request(self) -> None:
        self.read_deadline = time.monotonic() + self.server.request_timeout
        super().handle_one_request()

    def do_GET(self) -> None:
        self.read_deadline = None  # the request is in (GET and HEAD have no body to read)
        self.connection.settimeout(WRITE_TIMEOUT)
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
    request_queue_size = 128
    """Connections the kernel holds until they are accepted (``listen``'s backlog; 5 by
    default): a page opens several at once, and one past the cap is answered, not left
    to wait for a retransmitted handshake."""

    def __init__(self, address: tuple[str, int], app: App, family: int, *,
                 max_connections: int = MAX_CONNECTIONS,
                 request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.address_family = family
        self.app = app
        self.max_connections = max_connections
        self.request_timeout = request_timeout
        self.connections = 0
        """Connections being served now (each on its own thread)."""
        self._count_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: socket.socket, client_address: object  # type: ignore[override]
                        ) -> None:
        """Hand the connection to a new thread, or answer 503 here if too many are open."""
        with self._count_lock:
            busy = self.connections >= self.max_connections
            if not busy:
                self.connections += 1
        if busy:
            _answer_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)  # type: ignore[arg-type]
        except BaseException:
            self._release()
            raise

    def process_request_thread(self, request: socket.socket,  # type: ignore[override]
                               client_address: object) -> None:
        try:
            super().process_request_thread(request, client_address)  # type: ignore[arg-type]
        finally:
            self._release()

    def _release(self) -> None:
        with self._count_lock:
            self.connections -= 1

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return  # a client that hung up is not news
        super().handle_error(request, client_address)  # type: ignore[arg-type]


def _answer_busy(sock: socket.socket) -> None:
    """503 without a thread and without waiting: the accepting thread must go on at once.

    What the client sent already is read first: closing with it unread would reset the
    connection, and the client could lose the answer."""
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            sock.recv(65536)
        sock.send(BUSY)


def _bind(host: str, port: int, app: App, **limits: float) -> _HTTPServer:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return _HTTPServer((host, port), app, family, **limits)  # type: ignore[arg-type]
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
                 max_connections: int = MAX_CONNECTIONS,
                 request_timeout: float = REQUEST_TIMEOUT,
                 max_live_reload: int = MAX_LIVE_RELOAD,
                 now: datetime | None = None) -> None:
        self.paths = SitePaths(root)
        if not self.paths.content.is_dir():
            raise AmberError(f"no content/ directory in {root}; run `amber init` or pass "
                             "--site DIR")
        self.live = LiveSite()
        self.app = App(self.paths, self.live, bind_host=host, max_live_reload=max_live_reload)
        self.rebuilder = Rebuilder(self.paths, self.live, log, now=now)
        self.httpd = _bind(host, port, self.app, max_connections=max_connections,
                           request_timeout=request_timeout)
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
