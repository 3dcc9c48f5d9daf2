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

from collections.abc import Iterator

import pytest

from tests.helpers.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LISTED,
    TRAP_SCRIPT,
    UNLISTED,
    Site,
    Visit,
    make_site,
    require,
    screenshots,
)
from tests.helpers.static_host import StaticHost, static_host


@pytest.fixture(scope="session")
def server() -> Iterator[StaticHost]:
    """One static host for the whole session: each site is mounted under its own path."""
    with static_host() as host:
        yield host


@pytest.fixture(scope="session")
def theme_site(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Site:
    return make_site(tmp_path_factory.mktemp("theme"), server, "/chats/", LISTED, UNLISTED)


@pytest.fixture(scope="session")
def empty_site(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Site:
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


REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture
def visit(browser, server: StaticHost, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
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
        # blob: URLs of the page's own origin are made in the page (an encrypted share's
        # images and downloads); anything else must come from the test server.
        page.on("request", lambda r: result.foreign_requests.append(r.url)
                if not r.url.startswith((server.origin + "/", f"blob:{server.origin}/"))
                else None)
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
            screenshots(request.node.nodeid, visits)
    finally:
        for context in contexts:
            context.close()  # type: ignore[attr-defined]


