"""A crash inside the preview server's rebuild: the last good site stays up, the error is
shown over it, and the server recovers by itself once the cause is gone.

``tests/serve`` covers broken content (a ContentError). These are bugs: an unexpected
exception while rendering, while loading content, and in the very first pass.
"""

from __future__ import annotations

import http.client
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares
from amber.serve.app import App, Request
from amber.serve.rebuild import Rebuilder
from amber.serve.server import PreviewServer
from amber.serve.state import LiveSite
from tests.helpers import EPOCH, REPO
from tests.helpers.cli import source_date

FIXTURE = REPO / "tests" / "fixtures" / "serve" / "site"
BASE = "/chats/"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    content = load_content(SitePaths(root))
    with source_date(EPOCH):
        create_shares(content, [content.conversations["alpha"]], title=None, author=None,
                      listed=True)
    return root


def share_file(root: Path) -> Path:
    return next((root / "content" / "shares").glob("*.yaml"))


def retitle(root: Path, title: str) -> None:
    """Change the share's title, as a hand edit would (its digest covers messages only)."""
    path = share_file(root)
    text = path.read_text("utf-8")
    head, _, rest = text.partition("\ntitle: ")
    path.write_text(f"{head}\ntitle: {title}\n{rest.split(chr(10), 1)[1]}", "utf-8")


def get(live: LiveSite, root: Path, path: str) -> tuple[int, bytes]:
    response = App(SitePaths(root), live).handle(Request("GET", path, "127.0.0.1:8000"))
    return response.status, response.body


def boom(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("an amber bug, simulated")


@pytest.fixture
def rebuilder(site: Path) -> Rebuilder:
    lines: list[str] = []
    rebuilder = Rebuilder(SitePaths(site), LiveSite(), log=lines.append)
    rebuilder.lines = lines  # type: ignore[attr-defined]
    assert rebuilder.rebuild().rendered
    return rebuilder


@pytest.mark.parametrize("where", ["builder", "loader"])
def test_a_crash_in_a_rebuild_keeps_the_last_good_site_and_shows_it(
    rebuilder: Rebuilder, site: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    good = rebuilder.live.state.build
    assert good is not None
    status, page = get(rebuilder.live, site, BASE)
    assert status == 200 and b"an amber bug" not in page

    part = rebuilder.builder if where == "builder" else rebuilder.loader
    monkeypatch.setattr(part, "build" if where == "builder" else "load", boom)
    retitle(site, "A title the crashed build never showed")
    report = rebuilder.rebuild()
    state = rebuilder.live.state
    assert state.build is good, "the last good build must stay up"
    assert report.problems and "an amber bug, simulated" in report.problems[0]
    assert state.problems == report.problems
    status, page = get(rebuilder.live, site, BASE)
    assert status == 200
    assert b"an amber bug, simulated" in page  # the overlay says what went wrong
    assert b"A title the crashed build never showed" not in page
    assert any("an amber bug" in line for line in rebuilder.lines)  # type: ignore[attr-defined]

    monkeypatch.undo()
    fixed = rebuilder.rebuild()
    assert fixed.published and not fixed.problems
    assert rebuilder.live.state.build is not good
    status, page = get(rebuilder.live, site, BASE)
    assert status == 200 and b"an amber bug" not in page
    assert b"A title the crashed build never showed" in page


def test_a_crash_in_the_first_pass_ends_the_wait_with_the_error(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages wait for the first build; a crash there must answer them, not leave them
    waiting on "Still building" forever."""
    live = LiveSite()
    rebuilder = Rebuilder(SitePaths(site), live, log=lambda _line: None)
    monkeypatch.setattr(rebuilder.loader, "load", boom)
    rebuilder.rebuild()
    assert live.state.ready and live.state.build is None
    status, page = get(live, site, BASE)
    assert status == 503
    assert b"an amber bug, simulated" in page and b"Still building" not in page
    monkeypatch.undo()
    assert rebuilder.rebuild().rendered
    assert get(live, site, BASE)[0] == 200


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the server")
        time.sleep(0.02)


@pytest.fixture
def server(site: Path) -> Iterator[PreviewServer]:
    running = PreviewServer(site, "127.0.0.1", 0, log=lambda _line: None)
    running.start()
    assert running.wait_ready(60)
    try:
        yield running
    finally:
        running.stop()


def fetch(server: PreviewServer, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_running_server_survives_a_crashing_rebuild(
    server: PreviewServer, site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the watcher and the rebuild thread, as `amber serve` runs."""
    good = server.live.state.build
    share_page = f"{BASE}share/{share_file(site).stem}/"
    assert fetch(server, share_page)[0] == 200
    monkeypatch.setattr(server.rebuilder.builder, "build", boom)
    retitle(site, "Never shown")
    wait_for(lambda: bool(server.live.state.problems))
    status, page = fetch(server, share_page)
    assert status == 200 and b"an amber bug, simulated" in page and b"Never shown" not in page
    assert server.live.state.build is good
    rebuilding = [t for t in threading.enumerate() if t.name == "amber-rebuild"]
    assert rebuilding and rebuilding[0].is_alive()

    monkeypatch.undo()
    retitle(site, "Shown after the fix")
    wait_for(lambda: not server.live.state.problems and server.live.state.build is not good)
    status, page = fetch(server, share_page)
    assert status == 200 and b"Shown after the fix" in page and b"an amber bug" not in page
