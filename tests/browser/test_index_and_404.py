"""The index (listing, filter, empty state) and the 404 page in Chromium."""

from __future__ import annotations

from tests.helpers.browser import LISTED, Site

TITLES = {
    "markdown-tour": "A tour of everything Markdown can do in a message",
    "every-part": "Parts: images, reasoning, tool calls and results",
}


def card_titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(".share-card:visible h2").all_inner_texts()


def test_index_lists_listed_shares_newest_first(theme_site: Site, visit) -> None:
    seen = visit(theme_site.base_url)
    page = seen.page
    hrefs = page.locator(".share-card h2 a").evaluate_all("els => els.map(a => a.pathname)")
    # shared a day apart in LISTED order: the last one is the newest
    expected = [f"/chats/share/{theme_site.ids[slug]}/" for slug in reversed(LISTED)]
    assert hrefs == expected
    assert theme_site.ids["short-note"] not in page.content()
    tour = page.locator(".share-card", has_text=TITLES["markdown-tour"])
    assert "TOUR-QUESTION-5150" in tour.locator(".share-card-excerpt").inner_text()
    meta = tour.locator(".meta").inner_text()
    assert "4 messages" in meta and "1 January 2026" in meta and "Shared by Ada Fixture" in meta
    seen.assert_clean()


def test_filter_matches_titles_and_conversation_text(theme_site: Site, visit) -> None:
    seen = visit(theme_site.base_url)
    page = seen.page
    box = page.locator("#filter")
    assert box.is_visible()
    assert page.get_attribute("label[for=filter]", "class") is not None
    with page.expect_response(lambda r: r.url.endswith("/chats/search.json")) as fetched:
        box.fill("parts")
    assert fetched.value.ok
    assert card_titles(page) == [TITLES["every-part"]]
    assert page.locator(".filter-count").inner_text() == "1 of 3 conversations"
    # a word that is only in an answer, not on any card: search.json has the text
    box.fill("goroutines")
    assert card_titles(page) == [TITLES["markdown-tour"]]
    box.fill("diagonal amber")  # every word must match, in any order
    assert card_titles(page) == [TITLES["every-part"]]
    box.fill("no-such-word-anywhere")
    assert card_titles(page) == []
    assert page.locator("[data-filter-empty]").is_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-live]').textContent === '0 of 3 conversations'")
    box.fill("")
    assert len(card_titles(page)) == 3
    assert not page.locator("[data-filter-empty]").is_visible()
    seen.assert_clean()


def test_filter_can_be_linked_with_a_query(theme_site: Site, visit) -> None:
    seen = visit(f"{theme_site.base_url}?q=Markdown")
    seen.page.wait_for_function(
        "() => document.querySelectorAll('.share-card[hidden]').length > 0")
    assert card_titles(seen.page) == [TITLES["markdown-tour"]]
    assert seen.page.input_value("#filter") == "Markdown"
    seen.page.fill("#filter", "every part")  # the address follows what is typed
    assert seen.page.evaluate("location.search") == "?q=every+part"
    seen.page.fill("#filter", "")
    assert seen.page.evaluate("location.search") == ""


def test_the_index_names_the_site_once(theme_site: Site, visit) -> None:
    page = visit(theme_site.base_url).page
    title = page.locator(".brand").inner_text()
    assert page.locator("main").inner_text().count(title) == 0
    assert page.locator("h1").inner_text() == "Shared conversations"


def test_search_data_holds_listed_shares_only(theme_site: Site, visit) -> None:
    seen = visit(theme_site.base_url)
    response = seen.page.request.get(f"{theme_site.base_url}search.json")
    assert response.ok
    entries = response.json()
    hrefs = {e["href"] for e in entries}
    assert hrefs == {f"/chats/share/{theme_site.ids[slug]}/" for slug in LISTED}
    assert theme_site.ids["short-note"] not in response.text()
    assert "SHORT-UNLISTED-3141" not in response.text()


def test_index_reads_with_javascript_off(theme_site: Site, visit) -> None:
    seen = visit(theme_site.base_url, javascript=False)
    assert len(card_titles(seen.page)) == 3
    assert not seen.page.locator("#filter").is_visible()
    assert seen.page.locator(".share-card h2 a").first.is_visible()


def test_empty_index_speaks_to_the_public(empty_site: Site, visit) -> None:
    seen = visit(empty_site.base_url)
    page = seen.page
    assert page.locator(".share-card").count() == 0
    assert page.locator("#filter").count() == 0
    state = page.locator(".empty-state")
    assert state.is_visible()
    text = state.inner_text()
    assert "link" in text
    assert "amber" not in text  # no command line for a reader
    assert empty_site.ids["short-note"] not in page.content()
    seen.assert_clean()


def test_not_found_page_says_why_and_links_home(theme_site: Site, visit) -> None:
    for javascript in (True, False):
        seen = visit(f"{theme_site.base_url}share/revoked-or-mistyped/",
                     javascript=javascript)
        page = seen.page
        assert seen.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        assert "revoked" in page.locator("main").inner_text()
        assert page.get_attribute("meta[name=robots]", "content") == "noindex"
        # its links are root-relative: they work at any depth of a missing URL
        page.locator("main a", has_text="Go to").click()
        page.wait_for_url(theme_site.base_url)
        assert page.locator(".share-card").count() == 3
