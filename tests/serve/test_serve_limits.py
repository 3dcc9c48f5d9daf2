"""The preview server under clients that hold on: connection and live-reload caps, and a
deadline for a request's headers (slowloris). A real server on 127.0.0.1, in-process."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from amber.serve.app import MAX_LIVE_RELOAD
from amber.serve.server import MAX_CONNECTIONS, REQUEST_TIMEOUT, PreviewServer


@pytest.fixture
def running(serve_site: Path) -> Iterator[PreviewServer]:
    server = PreviewServer(serve_site, "127.0.0.1", 0, watch=False, log=lambda _line: None)
    server.start()
    assert server.wait_ready(60)
    try:
        yield server
    finally:
        server.stop()


def connect(server: PreviewServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def ask(sock: socket.socket, path: str = "/chats/") -> None:
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())


def status_and_head(sock: socket.socket) -> tuple[int, bytes]:
    """The status of the answer and what came with it, up to the blank line at least."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1]), data


def read_to_end(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def wait_for_threads(count: int) -> None:
    """Until the server has taken up the connections just made (a thread each)."""
    deadline = time.monotonic() + 10
    while threading.active_count() < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert threading.active_count() >= count


@contextlib.contextmanager
def held(server: PreviewServer, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that send nothing, each holding one of the server's threads."""
    before = threading.active_count()
    socks = [connect(server) for _ in range(count)]
    try:
        wait_for_threads(before + count)
        yield socks
    finally:
        for sock in socks:
            sock.close()


def test_connections_past_the_cap_get_a_clear_503_without_a_thread(
        running: PreviewServer) -> None:
    """300 held connections made 309 threads; now the server stops at its cap."""
    threads_before = threading.active_count()
    with held(running, MAX_CONNECTIONS):
        for _ in range(20):
            with connect(running) as extra:
                ask(extra)
                answer = read_to_end(extra)
            assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]
            assert b"too many connections" in answer and b"Retry-After: 5" in answer
        assert threading.active_count() <= threads_before + MAX_CONNECTIONS
    deadline = time.monotonic() + 10
    while threading.active_count() > threads_before and time.monotonic() < deadline:
        time.sleep(0.05)
    with connect(running) as again:
        ask(again)
        assert status_and_head(again)[0] == 200, "slots come back when connections close"


def test_a_request_trickling_in_is_cut_off_at_the_header_deadline(
        running: PreviewServer) -> None:
    """A byte every second kept a thread forever: each read waited 120 s at most."""
    with connect(running) as slow:
        slow.sendall(b"GET /chats/ HTTP/1.1\r\n")
        start = time.monotonic()
        closed = False
        while time.monotonic() - start < REQUEST_TIMEOUT + 5:
            try:
                slow.sendall(b"X")
                time.sleep(1.0)
            except OSError:
                closed = True
                break
            slow.settimeout(0.01)
            with contextlib.suppress(TimeoutError):
                if slow.recv(1) == b"":
                    closed = True
                    break
            slow.settimeout(10)
        took = time.monotonic() - start
    assert closed, "the server must close a connection whose headers never end"
    assert REQUEST_TIMEOUT - 1 <= took <= REQUEST_TIMEOUT + 3, took


def test_an_idle_keep_alive_connection_is_closed_after_the_deadline(
        running: PreviewServer) -> None:
    with connect(running) as idle:
        idle.settimeout(REQUEST_TIMEOUT + 10)
        ask(idle)
        status, head = status_and_head(idle)
        assert status == 200
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        body = head.split(b"\r\n\r\n", 1)[1]
        while len(body) < length:
            body += idle.recv(65536)
        start = time.monotonic()
        assert idle.recv(1) == b"", "then nothing more, and the server closes"
        assert time.monotonic() - start <= REQUEST_TIMEOUT + 3


def open_stream(server: PreviewServer) -> socket.socket:
    """A page listening for live reload, up to date: it waits."""
    sock = connect(server)
    ask(sock, f"/_amber/events?epoch={server.live.state.epoch}")
    status, head = status_and_head(sock)
    assert status == 200, head
    while b"retry:" not in head:
        head += sock.recv(4096)
    return sock


def test_live_reload_clients_past_the_cap_get_a_503_and_pages_still_load(
        running: PreviewServer) -> None:
    threads_before = threading.active_count()
    streams = [open_stream(running) for _ in range(MAX_LIVE_RELOAD)]
    try:
        wait_for_threads(threads_before + MAX_LIVE_RELOAD)
        with connect(running) as extra:
            ask(extra, f"/_amber/events?epoch={running.live.state.epoch}")
            answer = read_to_end(extra)  # and the connection is closed, freeing its thread
        assert answer.startswith(b"HTTP/1.1 503 "), answer[:300]
        assert b"listening for live reload" in answer
        with connect(running) as page:
            ask(page)
            assert status_and_head(page)[0] == 200, "a page loads with every stream taken"
        running.live.publish(running.live.state)  # a rebuild: every stream says reload, ends
        for sock in streams:
            assert b"event: reload" in read_to_end(sock)
        deadline = time.monotonic() + 10
        while threading.active_count() > threads_before and time.monotonic() < deadline:
            time.sleep(0.02)
        open_stream(running).close()
    finally:
        for sock in streams:
            sock.close()
