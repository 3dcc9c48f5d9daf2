"""``amber serve`` and ``amber preview`` as real processes on an ephemeral port of 127.0.0.1."""

from __future__ import annotations

import re
import signal
import socket
import time
from pathlib import Path

import pytest

from tests.helpers.cli import run_amber
from tests.helpers.serve import AmberServer, share_now, start_server, touch_later

pytestmark = pytest.mark.slow

EPOCH_ATTR = re.compile(rb'data-amber-epoch="([^"]+)"')


def wait_until(check, timeout: float = 20.0, what: str = "condition"):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def open_events(server: AmberServer, epoch: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(b"GET /_amber/events?epoch=" + epoch + b" HTTP/1.1\r\n"
                 b"Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    return sock


def read_until(sock: socket.socket, needle: bytes, timeout: float = 20.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while needle not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_serves_the_site_under_its_prefix_with_github_pages_rules(running: AmberServer) -> None:
    assert running.url == f"{running.origin}/chats/"
    status, headers, body = running.get("/chats/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert b"Alpha about sorting" in body and b'src="/_amber/reload.js"' in body
    assert "default-src 'none'" in headers["content-security-policy"]
    share_id = re.search(rb'href="/chats/share/([0-9a-f-]{36})/"', body).group(1).decode()
    status, headers, _ = running.get(f"/chats/share/{share_id}")
    assert status == 301 and headers["location"] == f"/chats/share/{share_id}/"
    status, headers, body = running.get("/chats/share/nothing-here/")
    assert status == 404 and b"Page not found" in body
    status, headers, body = running.get(f"/chats/share/{share_id}/conversation.json")
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    status, headers, body = running.get("/chats/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000
    for raw in ("/chats/../content/site.yaml", "/chats/%2e%2e/content/site.yaml",
                "/chats/..%2fcontent%2fsite.yaml", "//etc/passwd", "/chats/..\\site.yaml",
                "/_amber/draft/assets/%2e%2e/%2e%2e/site.yaml"):
        status, _, body = running.get(raw)
        assert status == 404, raw
        assert b"base_url" not in body
    status, _, _ = running.get("/chats/", headers={"Host": "evil.example"})
    assert status == 403


def test_live_reload_editing_sharing_breaking_and_fixing(running: AmberServer,
                                                         serve_site: Path) -> None:
    # Edit a conversation: its draft changes and every open page is told to reload.
    _, _, draft = running.get("/_preview/bravo/")
    epoch = EPOCH_ATTR.search(draft).group(1)  # type: ignore[union-attr]
    events = open_events(running, epoch)
    try:
        assert b"retry:" in read_until(events, b"retry:")
        path = serve_site / "content" / "conversations" / "bravo.yaml"
        original = path.read_text("utf-8")
        touch_later(path, original.replace("MARK-BRAVO-2", "MARK-BRAVO-LIVE"))
        assert b"event: reload" in read_until(events, b"event: reload")
    finally:
        events.close()
    assert b"MARK-BRAVO-LIVE" in running.get("/_preview/bravo/")[2]

    # Share it from the command line: the new page is served.
    result = run_amber("share", "picture", "--yes", cwd=serve_site)
    assert result.returncode == 0, result.stderr
    new_id = result.stdout.strip().rstrip("/").rsplit("/", 1)[1]
    wait_until(lambda: running.get(f"/chats/share/{new_id}/")[0] == 200, what="the new page")

    # Break a file: the overlay names it, on every page, and so does the terminal.
    touch_later(path, "title: Bravo\nmessages:\n  - role: robot\n    content: x\n")
    body = wait_until(lambda: (b := running.get("/chats/")[2]) and b"amber-serve-overlay" in b
                      and b, what="the overlay")
    assert b"content/conversations/bravo.yaml:3:" in body
    assert b"Alpha about sorting" in body  # the last good build is still served
    running.wait_for_stderr("error: content/conversations/bravo.yaml:3:")
    assert running.get(f"/chats/share/{new_id}/")[0] == 200

    # Fix it: the overlay goes, with no restart.
    touch_later(path, original)
    wait_until(lambda: b"amber-serve-overlay" not in running.get("/chats/")[2],
               what="the overlay to go")
    running.wait_for_stderr("fixed: no problems left")
    assert not (serve_site / "output").exists()


def test_manage_page_and_drafts_never_reach_output(running: AmberServer,
                                                   serve_site: Path) -> None:
    status, headers, body = running.get("/_manage/")
    assert status == 200 and headers["x-robots-tag"] == "noindex, nofollow"
    assert body.count(b"<tr>") >= 2 + 4  # two shares, four conversations
    assert b"unlisted" in body and b"current" in body
    status, _, draft = running.get("/_preview/alpha/?title=Draft+title")
    assert status == 200 and b"Draft title" in draft
    result = run_amber("build", cwd=serve_site)
    assert result.returncode == 0, result.stderr
    built = b"".join(p.read_bytes() for p in (serve_site / "output").rglob("*") if p.is_file())
    assert b"draft-not-shared-yet" not in built and b"_preview" not in built
    assert b"_amber" not in built and b"_manage" not in built


def test_a_port_in_use_is_a_clear_error(running: AmberServer, serve_site: Path) -> None:
    result = run_amber("serve", "--port", str(running.port), cwd=serve_site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"port {running.port} on 127.0.0.1 is already in use" in result.stderr
    assert result.stdout == ""


def test_preview_reuses_the_running_server(running: AmberServer, serve_site: Path) -> None:
    result = run_amber("preview", "content/conversations/alpha.yaml", "--title", "Try this",
                     "--name", "--port", str(running.port), cwd=serve_site)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert url == f"{running.origin}/_preview/alpha/?title=Try+this&name="
    status, _, body = running.get(url[len(running.origin):])
    assert status == 200 and b"Shared by Serve Author" in body and b"Try this" in body
    missing = run_amber("preview", "nope", "--port", str(running.port), cwd=serve_site)
    assert missing.returncode == 1 and "no conversation 'nope'" in missing.stderr


def test_preview_refuses_another_sites_server(running: AmberServer, serve_site: Path,
                                              tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "content" / "conversations").mkdir(parents=True)
    (other / "content" / "conversations" / "alpha.yaml").write_text(
        (serve_site / "content" / "conversations" / "alpha.yaml").read_text("utf-8"))
    result = run_amber("preview", "alpha", "--port", str(running.port), cwd=other)
    assert result.returncode == 1 and "serves another site" in result.stderr


def test_preview_starts_a_server_when_none_runs(serve_site: Path) -> None:
    server = start_server(serve_site, "preview", "hostile", "--port", "0", "--anonymous")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/_preview/hostile/", server.url)
        status, _, body = server.get("/_preview/hostile/")
        assert status == 200 and b"MARK-HOSTILE-3" in body
        assert b"<script>alert" not in body
    finally:
        assert server.stop(signal.SIGTERM) == 0
    assert "amber serve: stopped" in server.stderr()


def test_ctrl_c_stops_cleanly(serve_site: Path) -> None:
    share_now(serve_site, "alpha")
    server = start_server(serve_site)
    assert server.get("/chats/")[0] == 200
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.stderr()
    assert "amber serve: stopped" in server.stderr()


def test_a_site_that_is_broken_from_the_start_recovers(serve_site: Path) -> None:
    site_yaml = serve_site / "content" / "site.yaml"
    good = site_yaml.read_text("utf-8")
    touch_later(site_yaml, good + "colour: blue\n")
    server = start_server(serve_site)
    try:
        status, _, body = server.get("/chats/")
        assert status == 503 and b"content/site.yaml:6:" in body
        assert "error: content/site.yaml:6:" in server.stderr()
        touch_later(site_yaml, good)
        wait_until(lambda: server.get("/chats/")[0] == 200, what="recovery")
    finally:
        assert server.stop() == 0


def test_not_a_site_is_refused_before_listening(tmp_path: Path) -> None:
    result = run_amber("serve", "--port", "0", cwd=tmp_path)
    assert result.returncode == 1 and "no content/ directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_open_opens_the_page_in_the_browser(serve_site: Path, tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    # webbrowser runs $BROWSER with %s replaced by the URL: a stand-in that notes it.
    browser = f"sh -c 'echo \"$0\" > {opened}' %s"
    server = start_server(serve_site, "preview", "alpha", "--port", "0", "--open",
                          env={"BROWSER": browser})
    try:
        wait_until(opened.exists, what="the browser to be asked")
        wait_until(lambda: opened.read_text().strip(), what="the URL to be written")
        assert opened.read_text().strip() == server.url
        assert server.url.endswith("/_preview/alpha/")
    finally:
        assert server.stop() == 0
