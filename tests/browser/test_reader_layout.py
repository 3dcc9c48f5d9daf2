"""Every page type a reader or sharer sees, at phone to desktop widths, light and dark,
with and without JavaScript: no sideways scrolling, no WCAG 2.2 A/AA violation, no
request to another host; and on a phone the first question shows on the first screen.

Page types: share pages (the theme fixture's and the example site's), the index with
shares and without, the 404, and the preview server's draft and management pages.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator

import pytest

from tests.helpers import REPO
from tests.helpers.browser import LISTED, UNLISTED, Site, Visit, axe_violations
from tests.helpers.cli import ok, run_amber
from tests.helpers.serve import AmberServer, share_now, start_server
from tests.helpers.static_host import StaticHost

WIDTHS = [320, 375, 768, 1280]
MATRIX = list(itertools.product(WIDTHS, ["light", "dark"], [True, False]))
PHONE = (375, 812)


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> list[str]:
    """The example site of ``content/``, built and served: the URLs of its share pages."""
    root = tmp_path_factory.mktemp("example")
    shutil.copytree(REPO / "content", root / "content")
    base = f"{server.origin}/example/"
    ok(run_amber("build", "--base-url", base, cwd=root))
    server.mount("/example/", root / "output")
    return [f"{base}share/{d.name}/" for d in sorted((root / "output" / "share").iterdir())]


def page_urls(theme_site: Site, empty_site: Site, example: list[str]) -> list[str]:
    return [*(theme_site.share_url(slug) for slug in LISTED + UNLISTED), *example,
            theme_site.base_url, empty_site.base_url,
            f"{theme_site.base_url}share/no-such-page/"]


def overflow(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The page's width past the viewport, and the elements sticking out of it."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return [];
        return [...document.querySelectorAll('body *')]
          .filter(el => el.getBoundingClientRect().right > width + 1)
          .slice(0, 5).map(el => el.tagName + '.' + el.className);
    }""")


@pytest.mark.parametrize(("width", "scheme", "javascript"), MATRIX)
def test_built_pages_fit_pass_axe_and_stay_home(theme_site: Site, empty_site: Site,
                                                example: list[str], visit, width: int,
                                                scheme: str, javascript: bool) -> None:
    for url in page_urls(theme_site, empty_site, example):
        seen = visit(url, scheme=scheme, javascript=javascript, width=width, height=800)
        assert overflow(seen.page) == [], url
        assert axe_violations(seen) == [], url
        seen.assert_clean(allow_console=lambda e: "404" in e and "no-such-page" in e)


@pytest.mark.parametrize("javascript", [True, False])
def test_the_first_question_is_on_a_phones_first_screen(theme_site: Site, example: list[str],
                                                        visit, javascript: bool) -> None:
    urls = [*(theme_site.share_url(slug) for slug in LISTED + UNLISTED), *example]
    assert len(example) >= 7
    for url in urls:
        seen = visit(url, javascript=javascript, width=PHONE[0], height=PHONE[1])
        top = seen.page.locator(".message-user").first.evaluate(
            "el => el.getBoundingClientRect().top + window.scrollY")
        assert top < PHONE[1] - 100, (url, top)  # its first lines show, not just its edge


def test_print_is_light_in_dark_mode_without_javascript(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"), scheme="dark", javascript=False)
    seen.page.emulate_media(media="print", color_scheme="dark")
    colour = seen.page.evaluate("getComputedStyle(document.body).color")
    assert colour == "rgb(0, 0, 0)"


def test_long_conversations_get_an_outline(theme_site: Site, example: list[str],
                                           visit) -> None:
    """On a wide screen the outline sits beside the text; on a phone it is a menu."""
    for url in example:
        wide = visit(url, width=1280)
        if wide.page.locator("nav.outline").count() == 0:
            continue
        nav = wide.page.locator("nav.outline")
        assert nav.is_visible()
        text_box = wide.page.locator(".conversation").bounding_box()
        nav_box = nav.bounding_box()
        assert text_box and nav_box and nav_box["x"] >= text_box["x"] + text_box["width"]
        first = nav.locator("a").first
        target = first.get_attribute("href") or ""
        first.click()
        wide.page.wait_for_function("h => location.hash === h", arg=target)
        phone = visit(url, width=375, height=812)
        assert not phone.page.locator("nav.outline").is_visible()
        phone.page.locator(".outline-menu summary").click()
        assert phone.page.locator(".outline-menu a").first.is_visible()
        return
    pytest.fail("no example share is long enough for an outline")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AmberServer]:
    root = tmp_path_factory.mktemp("preview") / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "theme", root)
    share_now(root, "markdown-tour", listed=True)
    server = start_server(root)
    try:
        yield server
    finally:
        assert server.stop() == 0, server.stderr()


@pytest.mark.parametrize(("width", "scheme", "javascript"), MATRIX)
def test_draft_and_manage_pages_fit_and_pass_axe(browser, preview: AmberServer, width: int,
                                                 scheme: str, javascript: bool) -> None:
    context = browser.new_context(color_scheme=scheme, java_script_enabled=javascript,
                                  viewport={"width": width, "height": 800})
    try:
        foreign: list[str] = []
        page = context.new_page()
        page.on("request", lambda r: foreign.append(r.url)
                if not r.url.startswith(preview.origin + "/") else None)
        for path in ("/_preview/every-part/", "/_preview/markdown-tour/", "/_manage/"):
            response = page.goto(preview.origin + path, wait_until="load")
            assert response is not None and response.status == 200, path
            assert overflow(page) == [], path
            assert axe_violations(Visit(page, path, 200, [], [], [], javascript)) == [], path
        assert foreign == []
    finally:
        context.close()
