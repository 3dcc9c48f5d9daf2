"""Helpers of the preview server's tests.

- ``share_now`` / ``revoke_now``: the share lifecycle in-process (what ``amber share`` and
  ``amber revoke`` write), so unit tests need no subprocess;
- ``AmberServer`` / ``start_server``: ``python -m amber serve --port 0`` as a real process
  on 127.0.0.1, with its URL read from its first line of output.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares, revoke
from amber.serve.app import App, Request, Response
from amber.serve.rebuild import Rebuilder
from amber.serve.state import LiveSite
from tests.helpers import EPOCH, FIXTURES
from tests.helpers.cli import cli_env, source_date

SERVE_FIXTURE = FIXTURES / "serve" / "site"
"""Four conversations, one image, no shares."""


def share_now(root: Path, slug: str, *, listed: bool = False, author: str | None = None,
              title: str | None = None, epoch: int = EPOCH) -> str:
    """Share one conversation as ``amber share`` would; returns the new ID."""
    content = load_content(SitePaths(root))
    content.require_valid()
    with source_date(epoch):
        [snap] = create_shares(content, [content.conversations[slug]], title=title,
                               author=author, listed=listed)
    return snap.id


def revoke_now(root: Path, share_id: str, epoch: int = EPOCH + 1000) -> None:
    content = load_content(SitePaths(root))
    content.require_valid()
    with source_date(epoch):
        revoke(content, [share_id])


def touch_later(path: Path, text: str) -> None:
    """Rewrite a file so that its stat signature surely changes, even on coarse clocks."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, "utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@dataclass
class AmberServer:
    """A running ``amber serve`` (or ``amber preview``) process and what it printed."""

    process: subprocess.Popen[str]
    url: str
    """The first line it printed: the site's (or the draft's) URL."""
    stderr_lines: list[str] = field(default_factory=list)
    pump: threading.Thread | None = None
    """The thread that collects stderr lines."""

    @property
    def port(self) -> int:
        return int(self.url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def wait_for_stderr(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.stderr()
            if needle in text:
                return text
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} never appeared on stderr:\n{self.stderr()}")

    def get(self, path: str, headers: dict[str, str] | None = None,
            method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """One request with the path sent exactly as given (no client-side normalising)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host=headers is not None
                                  and "Host" in headers)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return (response.status, {k.lower(): v for k, v in response.getheaders()},
                    response.read())
        finally:
            connection.close()

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.pump is not None:
            self.pump.join(timeout=5)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        return self.process.returncode


def start_server(root: Path, *args: str, timeout: float = 60,
                 env: Mapping[str, str | None] | None = None) -> AmberServer:
    """Start ``python -m amber ARGS`` (default ``serve --port 0``) and wait for its
    URL and for the end of its first build; ``env`` adds to the environment."""
    command = list(args) or ["serve", "--port", "0"]
    process = subprocess.Popen(
        [sys.executable, "-m", "amber", *command], cwd=root, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env=cli_env(env), start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []

    def pump() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            lines.append(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    url = process.stdout.readline().strip()
    server = AmberServer(process, url, lines, reader)
    try:
        if not url:
            process.wait(timeout=timeout)
            raise AssertionError(f"the server printed no URL; exit {process.returncode}:\n"
                                 + "\n".join(lines))
        server.wait_for_stderr("Watching", timeout)
    except BaseException:
        server.stop(signal.SIGKILL)
        raise
    return server


class InProcessSite:
    """A site served without a socket: one rebuild, then requests straight to the app."""

    def __init__(self, root: Path) -> None:
        live = LiveSite()
        self.rebuilder = Rebuilder(SitePaths(root), live, log=lambda line: None)
        self.rebuilder.rebuild()
        self.app = App(SitePaths(root), live)

    def get(self, target: str) -> Response:
        return self.app.handle(Request("GET", target, "127.0.0.1:8000", "127.0.0.1"))

