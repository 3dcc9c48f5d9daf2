"""Every page type a reader or sharer sees, at phone to desktop widths, light and dark,
with and without JavaScript: no sideways scrolling, no WCAG 2.2 A/AA violation, no
request to another host; and on a phone the first question shows on the first screen.

Page types: share pages (the theme fixture's and the example site's), the index with
shares and without, the 404, and the preview server's draft and management pages.
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def opened(browser, origin: str, *, width: int, scheme: str,  # type: ignore[no-untyped-def]
           javascript: bool) -> Iterator[tuple[object, list[str]]]:
    """A page in its own context, and the list of requests it makes to other hosts.

    Without JavaScript the page's scripts are refused rather than JavaScript turned off:
    the page is the same, and axe, which needs timers to run, can still check it."""
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800},
                                  reduced_motion="reduce")
    context.set_default_timeout(20_000)
    foreign: list[str] = []
    if not javascript:
        context.route("**/*", lambda route: route.abort() if route.request.resource_type
                      == "script" else route.continue_())
    page = context.new_page()
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith(origin + "/") else None)
    try:
        yield page, foreign
    finally:
        context.close()


def check_pages(browser, origin: str, urls: list[str], width: int, scheme: str,  # type: ignore[no-untyped-def]
                javascript: bool) -> None:
    with opened(browser, origin, width=width, scheme=scheme, javascript=javascript) as (
            page, foreign):
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for url in urls:
            page.goto(url, wait_until="load")
            assert overflow(page) == [], url
            assert axe_violations(Visit(page, url, 200, [], [], [], True)) == [], url
        assert foreign == [] and errors == []


@pytest.mark.parametrize(("width", "scheme", "javascript"), MATRIX)
def test_built_pages_fit_pass_axe_and_stay_home(browser, server: StaticHost, theme_site: Site,  # type: ignore[no-untyped-def]
                                                empty_site: Site, example: list[str],
                                                width: int, scheme: str,
                                                javascript: bool) -> None:
    check_pages(browser, server.origin, page_urls(theme_site, empty_site, example), width,
                scheme, javascript)


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


LONG_TALK = "title: A long talk\ncreated: '2026-02-01T08:00:00Z'\nmessages:\n" + "".join(
    f"  - role: user\n    content: Question {n}, asked at some length so it wraps? LONG-Q{n}\n"
    f"  - role: assistant\n    content: |\n      {'An answer that runs on. ' * 40}\n"
    for n in range(1, 7))


@pytest.fixture(scope="module")
def long_talk(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> str:
    """A site with one conversation of six questions, built and served: its page's URL."""
    root = tmp_path_factory.mktemp("long") / "site"
    shutil.copytree(REPO / "tests" / "fixtures" / "theme", root)
    (root / "content" / "conversations" / "long-talk.yaml").write_text(LONG_TALK, "utf-8")
    base = f"{server.origin}/long/"
    printed = ok(run_amber("share", "long-talk", "--yes", cwd=root)).stdout.strip()
    ok(run_amber("build", "--base-url", base, cwd=root))
    server.mount("/long/", root / "output")
    return f"{base}share/{printed.rstrip('/').rsplit('/', 1)[-1]}/"


def test_long_conversations_get_an_outline(long_talk: str, visit) -> None:
    """On a wide screen the outline sits beside the text; on a phone it is a menu."""
    wide = visit(long_talk, width=1280)
    nav = wide.page.locator("nav.outline")
    assert nav.is_visible()
    assert nav.locator("a").count() == 6
    text_box = wide.page.locator(".conversation").bounding_box()
    nav_box = nav.bounding_box()
    assert text_box and nav_box and nav_box["x"] >= text_box["x"] + text_box["width"]
    last = nav.locator("a").last
    assert "LONG-Q6" in last.inner_text()
    last.click()
    wide.page.wait_for_function("() => location.hash === '#m-11'")
    assert nav.locator("a").last.is_visible()  # sticky: still beside the text down there
    assert overflow(wide.page) == []
    for width in (320, 375, 768):
        phone = visit(long_talk, width=width, height=812)
        assert not phone.page.locator("nav.outline").is_visible()
        phone.page.locator(".outline-menu summary").click()
        assert phone.page.locator(".outline-menu a").first.is_visible()
        assert overflow(phone.page) == []
        assert axe_violations(phone) == []
    assert axe_violations(wide) == []


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
def test_draft_and_manage_pages_fit_and_pass_axe(browser, preview: AmberServer, width: int,  # type: ignore[no-untyped-def]
                                                 scheme: str, javascript: bool) -> None:
    urls = [preview.origin + path
            for path in ("/_preview/every-part/", "/_preview/markdown-tour/", "/_manage/")]
    check_pages(browser, preview.origin, urls, width, scheme, javascript)
