"""Browser tests: the built theme fixture site, served and driven in headless Chromium.

The fixture site (``tests/fixtures/theme``) has every content kind, hostile Markdown
included. It is shared and built by the real CLI, then served on 127.0.0.1 under the
path of its ``base_url`` with GitHub Pages' rules (``404.html`` with status 404), and
opened in Debian's Chromium through Playwright: never a downloaded browser.

Fixtures:

- ``theme_site``: the fixture site with three listed shares and one unlisted, built;
- ``empty_site``: the same conversations with only an unlisted share (empty index);
- ``visit``: opens a URL in a fresh browser context and records what the page did:
  console errors, uncaught exceptions, requests to other hosts, calls to ``alert``
  and friends, and Content-Security-Policy violations.

When a test fails, every page it opened is photographed at 375 px and 1280 px
into ``tests/browser/artifacts/`` (git-ignored) for review.

The checkers come from npm (``tests/browser/package.json``, installed by
``npm ci --prefix tests/browser``, which ``.ci/run`` does). Without them, or without
Chromium, these tests are skipped on a developer machine and fail in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "theme"
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = HERE / "artifacts"

EPOCH = 1767225600
"""2026-01-01T00:00:00Z: SOURCE_DATE_EPOCH of the shares, so dates on the pages are fixed."""

DAY = 86_400

LISTED = ("markdown-tour", "every-part", "hostile-input")
"""Shared listed and with a name, in this order, a day apart (newest last)."""
UNLISTED = ("short-note",)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TRAP_SCRIPT = """
(() => {
  // Runs before any script of the page: a script smuggled in through message text
  // would call one of these, and the tests read the record afterwards.
  const calls = [];
  const violations = [];
  const trap = (name) => function () {
    calls.push(name + '(' + Array.prototype.map.call(arguments, String).join(', ') + ')');
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print', 'open']) {
    Object.defineProperty(window, name, {value: trap(name), writable: false});
  }
  document.write = trap('document.write');
  document.writeln = trap('document.writeln');
  document.addEventListener('securitypolicyviolation', (event) => {
    violations.push(event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline')
                    + ' at ' + event.sourceFile + ':' + event.lineNumber);
  }, true);
  Object.defineProperty(window, '__amberTrap', {value: {calls, violations}});
})();
"""


def require(condition: bool, what: str, how: str) -> None:
    """Skip on a developer machine without the tool; in CI a missing tool is a failure."""
    if condition:
        return
    message = f"{what} is missing: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def require_axe() -> None:
    require(AXE_JS.is_file(), "axe-core", "run `npm ci --prefix tests/browser`")


def require_vnu() -> None:
    require(VNU_JAR.is_file(), "vnu-jar", "run `npm ci --prefix tests/browser`")
    require(shutil.which("java") is not None, "java", "install a Java runtime")


# --- serving -------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    """Static files under mount prefixes, with GitHub Pages' redirects and 404 page."""

    server: _SiteServer

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
        for prefix, root in self.server.mounts.items():
            if path == prefix.rstrip("/"):
                return self._redirect(prefix)
            if not path.startswith(prefix):
                continue
            target = (root / path[len(prefix):]).resolve()
            if not target.is_relative_to(root.resolve()):
                break
            if target.is_dir():
                if not path.endswith("/"):
                    return self._redirect(path + "/")
                target = target / "index.html"
            if target.is_file():
                return self._send(HTTPStatus.OK, target, body)
            return self._send(HTTPStatus.NOT_FOUND, root / "404.html", body)
        self.send_error(HTTPStatus.NOT_FOUND)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, file: Path, body: bool) -> None:
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


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    mounts: dict[str, Path]


@dataclass
class Server:
    origin: str
    """``http://127.0.0.1:PORT``."""
    mounts: dict[str, Path]
    """URL path prefix (``/chats/``) -> the output directory served there."""


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    httpd = _SiteServer(("127.0.0.1", 0), _Handler)
    httpd.mounts = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", httpd.mounts)
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- building ------------------------------------------------------------------


def amber(*args: str, cwd: Path, epoch: int = EPOCH) -> str:
    """Run the CLI as a script would (no terminal, CI=true); its stdout, or fail loudly."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))}
    env.update({"CI": "true", "SOURCE_DATE_EPOCH": str(epoch), "PYTHONIOENCODING": "utf-8"})
    result = subprocess.run(
        [sys.executable, "-m", "amber", *args], cwd=cwd, env=env, capture_output=True,
        text=True, encoding="utf-8", stdin=subprocess.DEVNULL, timeout=120, check=False,
    )
    assert result.returncode == 0, f"amber {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


@dataclass
class Site:
    root: Path
    """The site folder (holds content/)."""
    output: Path
    base_url: str
    """Absolute, served by the test server, ending in '/'."""
    ids: dict[str, str] = field(default_factory=dict)
    """Conversation slug -> share ID."""

    def share_url(self, slug: str) -> str:
        return f"{self.base_url}share/{self.ids[slug]}/"


def make_site(tmp: Path, server: Server, prefix: str, listed: tuple[str, ...],
              unlisted: tuple[str, ...]) -> Site:
    root = tmp / prefix.strip("/")
    shutil.copytree(FIXTURE, root)
    site = Site(root, root / "output", f"{server.origin}{prefix}")
    # One day apart, in order: the last one shared is the newest on the index.
    shares = [(slug, ("--listed", "--name")) for slug in listed]
    shares += [(slug, ()) for slug in unlisted]
    for day, (slug, flags) in enumerate(shares):
        printed = amber("share", slug, *flags, "--yes", cwd=root, epoch=EPOCH + day * DAY)
        site.ids[slug] = printed.strip().rstrip("/").rsplit("/", 1)[-1]
    amber("build", "--base-url", site.base_url, cwd=root)
    server.mounts[prefix] = site.output
    return site


@pytest.fixture(scope="session")
def theme_site(tmp_path_factory: pytest.TempPathFactory, server: Server) -> Site:
    return make_site(tmp_path_factory.mktemp("theme"), server, "/chats/", LISTED, UNLISTED)


@pytest.fixture(scope="session")
def empty_site(tmp_path_factory: pytest.TempPathFactory, server: Server) -> Site:
    return make_site(tmp_path_factory.mktemp("empty"), server, "/empty/", (), UNLISTED)


# --- the browser ---------------------------------------------------------------


@pytest.fixture(scope="package")
def browser():  # type: ignore[no-untyped-def]
    """One Chromium for this folder's tests. Package scope, not session: Playwright's sync
    API allows one running instance, and other test folders start their own."""
    require(CHROMIUM.is_file(), "Chromium", "install Debian's `chromium` package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """One page opened in its own browser context, and what it did."""

    page: object
    """The Playwright ``Page``."""
    url: str
    status: int
    console_errors: list[str]
    page_errors: list[str]
    foreign_requests: list[str]
    """Requests to any origin but the test server's: there must be none."""
    javascript: bool

    def trapped(self) -> dict[str, list[str]]:
        """Calls to alert and friends and CSP violations recorded since the page loaded."""
        if not self.javascript:
            return {"calls": [], "violations": []}
        return self.page.evaluate(  # type: ignore[attr-defined]
            "() => ({calls: [...window.__amberTrap.calls],"
            " violations: [...window.__amberTrap.violations]})")

    def assert_clean(self, allow_console: Callable[[str], bool] = lambda _: False) -> None:
        """No console error, exception, foreign request, trapped call or CSP violation."""
        errors = [e for e in self.console_errors if not allow_console(e)]
        assert errors == [], f"console errors on {self.url}"
        assert self.page_errors == [], f"uncaught exceptions on {self.url}"
        assert self.foreign_requests == [], f"requests to other hosts from {self.url}"
        assert self.trapped() == {"calls": [], "violations": []}, self.url


REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture
def visit(browser, server: Server, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """``visit(url, scheme=, javascript=, width=, height=)`` -> ``Visit``."""
    contexts: list[object] = []
    visits: list[Visit] = []

    def open_page(url: str, *, scheme: str = "light", javascript: bool = True,
                  width: int = 1280, height: int = 900, clipboard: bool = False) -> Visit:
        context = browser.new_context(
            color_scheme=scheme, java_script_enabled=javascript,
            viewport={"width": width, "height": height}, reduced_motion="reduce",
            permissions=["clipboard-read", "clipboard-write"] if clipboard else [],
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        context.add_init_script(TRAP_SCRIPT)
        page = context.new_page()
        result = Visit(page, url, 0, [], [], [], javascript)
        page.on("console", lambda m: result.console_errors.append(
            f"{m.text} @ {m.location.get('url')}") if m.type == "error" else None)
        page.on("pageerror", lambda e: result.page_errors.append(str(e)))
        page.on("request", lambda r: result.foreign_requests.append(r.url)
                if not r.url.startswith(server.origin + "/") else None)
        response = page.goto(url, wait_until="load")
        assert response is not None
        result.status = response.status
        visits.append(result)
        return result

    yield open_page

    reports = request.node.stash.get(REPORTS, {})
    failed = any(r.failed for r in reports.values())
    try:
        if failed:
            _screenshots(request.node.nodeid, visits)
    finally:
        for context in contexts:
            context.close()  # type: ignore[attr-defined]


def _screenshots(nodeid: str, visits: list[Visit]) -> None:
    """Full-page screenshots of every page a failed test opened, phone and desktop width."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])[:120]
    for number, seen in enumerate(visits, start=1):
        page = seen.page
        for width in (375, 1280):
            try:
                page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
                page.screenshot(  # type: ignore[attr-defined]
                    path=str(ARTIFACTS / f"{stem}-{number}-{width}.png"), full_page=True)
            except Exception as exc:  # a crashed page must not hide the real failure
                print(f"screenshot of {seen.url} at {width}px failed: {exc}")


# --- axe-core ------------------------------------------------------------------

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(visit: Visit) -> list[str]:
    """WCAG 2.2 A/AA violations axe-core finds in the page as it is now, one line each."""
    require_axe()
    page = visit.page
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    found = page.evaluate(  # type: ignore[attr-defined]
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return result.violations.flatMap((v) => v.nodes.map((n) =>
                `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary}`));
        }""",
        WCAG_TAGS,
    )
    return list(found)
