"""A share of every branch in Chromium: "‹ 2 / 3 ›" switches versions in place with
JavaScript; without it the shared path shows and each version is one link away (CSS
``:target``); axe finds nothing in either scheme and the Nu checker no error."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.test_html_valid import vnu_errors
from tests.helpers import REPO
from tests.helpers.browser import FIXTURE, Site, axe_violations, require_vnu
from tests.helpers.cli import ok, run_amber
from tests.helpers.static_host import StaticHost

PREFIX = "/branches/"
CONVERSATION = REPO / "tests" / "fixtures" / "branches" / "cat-names.yaml"


@pytest.fixture(scope="module")
def branch_site(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Site:
    root = tmp_path_factory.mktemp("branches") / "site"
    shutil.copytree(FIXTURE, root)
    shutil.copy(CONVERSATION, root / "content" / "conversations")
    site = Site(root, root / "output", f"{server.origin}{PREFIX}")
    printed = ok(run_amber("share", "cat-names", "--branches", "all", "--yes", cwd=root)).stdout
    site.ids["cat-names"] = printed.strip().rstrip("/").rsplit("/", 1)[-1]
    ok(run_amber("build", "--base-url", site.base_url, cwd=root))
    server.mount(PREFIX, site.output)
    return site


def shown_texts(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The bodies of the messages a reader sees, in order."""
    return [t.strip() for t in page.locator("article.message:visible .message-body")
            .all_inner_texts()]


def test_the_shared_path_shows_first(branch_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    for javascript in (True, False):
        seen = visit(branch_site.share_url("cat-names"), javascript=javascript)
        assert shown_texts(seen.page) == [
            "Suggest a name for a grey cat.", "How about Ash?", "Ash it is. Thanks!",
            "Enjoy your time with Ash."]
        counts = seen.page.locator(".version-switch:visible .version-count")
        assert [" ".join(c.split()) for c in counts.all_inner_texts()] == [
            "Version 2 / of 2", "Version 1 / of 3"]
        heard = seen.page.locator("#v-2-1 > .version-switch").aria_snapshot()
        assert 'navigation "Versions of message 2"' in heard
        assert 'link "Next version"' in heard
        seen.assert_clean()


def test_javascript_switches_in_place(branch_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    seen = visit(branch_site.share_url("cat-names"))
    page = seen.page
    assert page.locator("[data-fork][data-switch]").count() == 3  # the script took over
    page.locator("#v-2-1 > .version-switch a[data-version-step=next]").click()
    assert shown_texts(page) == ["Suggest a name for a grey cat.",
                                 "Maybe Smoke, for the colour.", "Something shorter?",
                                 "Sky, short and grey-blue."]
    assert page.evaluate("location.hash") == "#v-2-2"
    # Focus follows to the same control of the version now shown.
    assert page.evaluate("document.activeElement.closest('.version').id") == "v-2-2"
    page.locator("#v-2-2-v-4-2 > .version-switch a[data-version-step=prev]").click()
    assert shown_texts(page)[-1] == "Fog: three letters."
    page.locator("#v-2-2 > .version-switch a[data-version-step=next]").click()
    assert shown_texts(page)[1:] == ["Pebble, small and round."]
    page.locator("#v-1-2 > .version-switch a[data-version-step=prev]").click()
    assert shown_texts(page) == ["Suggest a name for a cat.", "How about Whiskers?"]
    assert page.locator(".version-switch:visible").count() == 1
    seen.assert_clean()


def test_without_javascript_each_version_is_a_link_away(branch_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    seen = visit(branch_site.share_url("cat-names"), javascript=False)
    page = seen.page
    page.locator("#v-2-1 > .version-switch a[data-version-step=next]").click()
    assert shown_texts(page) == ["Suggest a name for a grey cat.",
                                 "Maybe Smoke, for the colour.", "Something shorter?",
                                 "Sky, short and grey-blue."]
    page.locator("#v-2-2-v-4-2 > .version-switch a[data-version-step=prev]").click()
    assert shown_texts(page)[-1] == "Fog: three letters."
    page.locator("#v-2-2 > .version-switch a[data-version-step=next]").click()
    assert shown_texts(page)[1:] == ["Pebble, small and round."]
    # A link straight to a message inside a version shows that version.
    page.goto(branch_site.share_url("cat-names") + "#v-1-1-m-2")
    assert shown_texts(page) == ["Suggest a name for a cat.", "How about Whiskers?"]
    seen.assert_clean()


def test_a_link_to_a_version_opens_it_with_javascript(branch_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    seen = visit(branch_site.share_url("cat-names") + "#v-2-2-v-4-1-m-4")
    assert shown_texts(seen.page)[-1] == "Fog: three letters."
    seen.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("switching", ["script", "css"])
def test_axe_finds_nothing(branch_site: Site, visit, scheme: str, switching: str) -> None:  # type: ignore[no-untyped-def]
    url = branch_site.share_url("cat-names") + "#v-2-2"
    seen = visit(url, scheme=scheme)  # axe needs JavaScript to run at all
    if switching == "css":  # the page as it is without branches.js: CSS :target shows v-2-2
        seen.page.evaluate("document.querySelectorAll('[data-switch]')"
                           ".forEach((f) => f.removeAttribute('data-switch'))")
    assert shown_texts(seen.page)[1] == "Maybe Smoke, for the colour."
    assert axe_violations(seen) == []


def test_the_page_is_valid_html(branch_site: Site) -> None:
    require_vnu()
    page = branch_site.output / "share" / branch_site.ids["cat-names"] / "index.html"
    assert vnu_errors([page]) == []


def test_an_encrypted_share_of_every_branch_switches_and_keeps_its_key(
        branch_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    printed = ok(run_amber("share", "cat-names", "--branches", "all", "--encrypt", "--yes",
                           cwd=branch_site.root)).stdout.strip()
    ok(run_amber("build", "--base-url", branch_site.base_url, cwd=branch_site.root))
    url = printed.replace("https://example.test/chats/", branch_site.base_url)
    assert "#" in url
    seen = visit(url)
    page = seen.page
    page.wait_for_selector(".conversation")
    assert page.locator("[data-fork][data-switch]").count() == 3  # branches.js took over
    page.locator("#v-2-1 > .version-switch a[data-version-step=next]").click()
    assert shown_texts(page)[1] == "Maybe Smoke, for the colour."
    assert page.url == url  # the key stays in the address bar
    seen.assert_clean()
