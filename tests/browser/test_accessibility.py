"""axe-core finds no WCAG 2.2 A/AA violation on any page type, in light and in dark.

Every page is also checked for console errors, exceptions, foreign requests and
trapped calls while it is open, so a broken script or a leaking asset fails here too.
"""

from __future__ import annotations

import pytest

from tests.helpers.browser import LISTED, UNLISTED, Site, axe_violations

SCHEMES = ["light", "dark"]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("slug", LISTED + UNLISTED)
def test_share_page_has_no_violations(theme_site: Site, visit, slug: str, scheme: str) -> None:
    seen = visit(theme_site.share_url(slug), scheme=scheme)
    assert seen.status == 200
    assert axe_violations(seen) == []
    seen.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_index_has_no_violations(theme_site: Site, visit, scheme: str) -> None:
    seen = visit(theme_site.base_url, scheme=scheme)
    assert axe_violations(seen) == []
    seen.page.fill("#filter", "zzzz-no-such-share")
    assert axe_violations(seen) == []  # the "nothing matches" state too
    seen.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_empty_index_has_no_violations(empty_site: Site, visit, scheme: str) -> None:
    seen = visit(empty_site.base_url, scheme=scheme)
    assert axe_violations(seen) == []
    seen.assert_clean()


def is_the_404_itself(url: str) -> bool:
    """Chromium reports the 404 status of the document as a console error: expected here."""
    return "404" in url and "/no-such-page/" in url


@pytest.mark.parametrize("scheme", SCHEMES)
def test_not_found_page_has_no_violations(theme_site: Site, visit, scheme: str) -> None:
    seen = visit(f"{theme_site.base_url}share/no-such-page/", scheme=scheme)
    assert seen.status == 404
    assert axe_violations(seen) == []
    seen.assert_clean(allow_console=is_the_404_itself)


@pytest.mark.parametrize("slug", ["markdown-tour", "every-part"])
def test_toggled_dark_scheme_has_no_violations(theme_site: Site, visit, slug: str) -> None:
    """The toggle's dark scheme (over a light system preference) passes as well."""
    seen = visit(theme_site.share_url(slug), scheme="light")
    seen.page.click("[data-theme-toggle]")
    assert seen.page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert axe_violations(seen) == []
    seen.assert_clean()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_narrow_phone_share_page_has_no_violations(theme_site: Site, visit, scheme: str) -> None:
    seen = visit(theme_site.share_url("markdown-tour"), scheme=scheme, width=320, height=640)
    assert axe_violations(seen) == []
    seen.assert_clean()
