"""`amber fork URL` against servers that stall it or send it elsewhere: one deadline for
the whole download, and no redirect from a public host to this machine or a private
network. Every server here listens on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator

import pytest

from amber.errors import AmberError, RefusedError
from amber.fork import fetch, is_internal_host
from tests.helpers.route_server import Route, route_server

SHARE = json.dumps({"title": "T", "messages": [{"role": "user", "content": "hi"}]}).encode()


@pytest.fixture
def server() -> Iterator[tuple[int, dict[str, Route], threading.Event]]:
    """A server on 127.0.0.1 whose routes a test fills in; ``stop`` ends slow answers."""
    stop = threading.Event()
    with route_server() as (port, routes):
        try:
            yield port, routes, stop
        finally:
            stop.set()  # before the server stops, so a slow answer does not hold it


def trickle(stop: threading.Event, *, in_headers: bool) -> Route:
    """An answer one byte every 0.3 s: 20 bytes of headers or of body, then the rest."""
    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        head = (b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n" % len(SHARE))
        slow, rest = (head, b"\r\n" + SHARE) if in_headers else (head + b"\r\n" + SHARE, b"")
        split = len(slow) - 20
        try:
            handler.wfile.write(slow[:split])
            for byte in slow[split:]:
                if stop.wait(0.3):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            handler.wfile.write(rest)
        except OSError:
            pass  # the client gave up, as it should
    return respond


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_server_sending_a_byte_at_a_time_is_given_up_on_at_the_deadline(
        server: tuple[int, dict[str, Route], threading.Event], in_headers: bool) -> None:
    """`--timeout 3` against a byte every 1.5 s ran 45 s: the timeout was per read."""
    port, routes, stop = server
    routes["/slow/conversation.json"] = trickle(stop, in_headers=in_headers)
    started = time.monotonic()
    with pytest.raises(AmberError, match=r"no answer within 1 s"):
        fetch(f"http://127.0.0.1:{port}/slow/conversation.json", timeout=1.0)
    assert time.monotonic() - started < 2.5


def test_a_quick_answer_is_not_cut(server: tuple[int, dict[str, Route], threading.Event]) -> None:
    port, routes, _ = server
    routes["/ok/conversation.json"] = redirect_or_share(None)
    assert fetch(f"http://127.0.0.1:{port}/ok/conversation.json", timeout=5) == SHARE


def redirect_or_share(location: str | None) -> Route:
    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        if location is not None:
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(SHARE)))
        handler.end_headers()
        handler.wfile.write(SHARE)
    return respond


def public_except_loopback_names(host: str) -> bool:
    """Plays the share host 127.0.0.1 as if it were public: other hosts are judged as
    amber judges them."""
    return host != "127.0.0.1" and is_internal_host(host)


@pytest.mark.parametrize("target", ["http://localhost:{port}/ok/conversation.json",
                                    "http://[::1]:{port}/ok/conversation.json",
                                    "http://10.0.0.7/conversation.json",
                                    "http://169.254.169.254/latest/meta-data/"])
def test_a_public_share_host_cannot_redirect_to_this_machine_or_a_private_network(
        server: tuple[int, dict[str, Route], threading.Event], target: str) -> None:
    port, routes, _ = server
    routes["/r/conversation.json"] = redirect_or_share(target.format(port=port))
    routes["/ok/conversation.json"] = redirect_or_share(None)
    with pytest.raises(RefusedError, match="loopback, private or link-local"):
        fetch(f"http://127.0.0.1:{port}/r/conversation.json", timeout=5,
              is_internal=public_except_loopback_names)


def test_a_url_naming_this_machine_may_redirect_within_it(
        server: tuple[int, dict[str, Route], threading.Event]) -> None:
    """The user asked for a local server: its redirects to 127.0.0.1 are followed."""
    port, routes, _ = server
    routes["/r/conversation.json"] = redirect_or_share(
        f"http://127.0.0.1:{port}/ok/conversation.json")
    routes["/ok/conversation.json"] = redirect_or_share(None)
    assert fetch(f"http://localhost:{port}/r/conversation.json", timeout=5) == SHARE


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "app.localhost", "127.0.0.1",
                                  "127.9.9.9", "::1", "::ffff:127.0.0.1", "10.1.2.3",
                                  "172.16.0.1", "192.168.1.1", "169.254.169.254", "fe80::1",
                                  "fd00::1", "0.0.0.0"])
def test_internal_hosts(host: str) -> None:
    assert is_internal_host(host)


@pytest.mark.parametrize("host", ["93.184.216.34", "2606:4700:4700::1111", "1.1.1.1"])
def test_public_addresses(host: str) -> None:
    assert not is_internal_host(host)


def test_a_public_name_that_resolves_to_this_machine_when_connecting_is_refused(
        server: tuple[int, dict[str, Route], threading.Event],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The check is on the address connected to: a name that answers a public address
    to the check and 127.0.0.1 to the connection (DNS rebinding) gains nothing."""
    for name in ("http_proxy", "https_proxy", "all_proxy"):  # through one, names only
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    port, routes, _ = server
    routes["/ok/conversation.json"] = redirect_or_share(None)

    def looks_public_until_connected(host: str) -> bool:
        return host != "localhost" and is_internal_host(host)

    with pytest.raises(RefusedError, match=r"led to 127\.0\.0\.1"):
        fetch(f"http://localhost:{port}/ok/conversation.json", timeout=5,
              is_internal=looks_public_until_connected)
