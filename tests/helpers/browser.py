"""Helpers of the browser tests: the checkers, the built theme site, a visited page.

The checkers come from npm (``tests/browser/package.json``, installed by
``npm ci --prefix tests/browser``). Without them, or without Chromium, the browser tests
are skipped on a developer machine and fail in CI.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import EPOCH, FIXTURES, REPO
from tests.helpers.cli import ok, run_amber
from tests.helpers.static_host import StaticHost

HERE = REPO / "tests" / "browser"
FIXTURE = FIXTURES / "theme"
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = HERE / "artifacts"

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


def make_site(tmp: Path, server: StaticHost, prefix: str, listed: tuple[str, ...],
              unlisted: tuple[str, ...]) -> Site:
    root = tmp / prefix.strip("/")
    shutil.copytree(FIXTURE, root)
    site = Site(root, root / "output", f"{server.origin}{prefix}")
    # One day apart, in order: the last one shared is the newest on the index.
    shares = [(slug, ("--listed", "--name")) for slug in listed]
    shares += [(slug, ()) for slug in unlisted]
    for day, (slug, flags) in enumerate(shares):
        printed = ok(run_amber("share", slug, *flags, "--yes", cwd=root,
                               env={"SOURCE_DATE_EPOCH": str(EPOCH + day * DAY)})).stdout
        site.ids[slug] = printed.strip().rstrip("/").rsplit("/", 1)[-1]
    ok(run_amber("build", "--base-url", site.base_url, cwd=root))
    server.mount(prefix, site.output)
    return site


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


def screenshots(nodeid: str, visits: list[Visit]) -> None:
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
