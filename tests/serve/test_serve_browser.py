"""Live reload in a real browser: headless Chromium, driven by Playwright, against
``amber serve`` on an ephemeral port. The page must really reload (a new document, not a
patched one), under the pages' own Content-Security-Policy, with no violation."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.serve import AmberServer, touch_later

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def browser_page() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed (CI must run the browser tests)")
        pytest.skip("Chromium is not installed")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_saving_a_file_reloads_the_open_page(running: AmberServer, serve_site: Path,
                                             browser_page: object) -> None:
    page = browser_page
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    with page.expect_request(lambda r: "/_amber/events" in r.url):
        page.goto(f"{running.origin}/_preview/bravo/")
    assert "MARK-BRAVO-2" in page.inner_text("main")
    page.evaluate("window.amberTestMarker = 'old document'")

    path = serve_site / "content" / "conversations" / "bravo.yaml"
    original = path.read_text("utf-8")
    touch_later(path, original.replace("MARK-BRAVO-2", "MARK-BRAVO-RELOADED"))
    # Locators, not wait_for_function: the page's CSP rightly forbids eval.
    page.get_by_text("MARK-BRAVO-RELOADED").wait_for(timeout=20_000)
    assert page.evaluate("window.amberTestMarker") is None  # a new document: a real reload

    # A broken file: the page reloads into the overlay, and out of it once fixed.
    touch_later(path, "title: Bravo\nmessages:\n  - role: robot\n    content: x\n")
    page.wait_for_selector(".amber-serve-overlay", timeout=20_000)
    assert "content/conversations/bravo.yaml:3:" in page.inner_text(".amber-serve-overlay")
    assert "MARK-BRAVO-RELOADED" in page.inner_text("main")  # the last good draft
    touch_later(path, original)
    page.wait_for_selector(".amber-serve-overlay", state="detached", timeout=20_000)
    assert "MARK-BRAVO-2" in page.inner_text("main")

    # The site's pages reload too: a share page, after its snapshot changes.
    share = next((serve_site / "content" / "shares").glob("*.yaml"))
    page.goto(f"{running.origin}/chats/share/{share.stem}/")
    page.evaluate("window.amberTestMarker = 'old document'")
    text = share.read_text("utf-8")
    touch_later(share, text.replace("\ntitle: ", "\ntitle: Retitled ", 1))
    page.locator("h1", has_text="Retitled").wait_for(timeout=20_000)
    assert page.evaluate("window.amberTestMarker") is None
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems


def test_the_draft_form_tries_a_title_and_name(running: AmberServer,
                                               browser_page: object) -> None:
    page = browser_page
    page.goto(f"{running.origin}/_preview/alpha/")
    page.fill("form[data-amber-draft] input[name=title]", "A <b>tried</b> title")
    page.check("form[data-amber-draft] input[value=name]")
    page.click("form[data-amber-draft] button[type=submit]")
    page.wait_for_url("**/_preview/alpha/?title=*")
    assert page.inner_text("h1") == "A <b>tried</b> title"
    assert "Shared by Serve Author" in page.inner_text("main")
