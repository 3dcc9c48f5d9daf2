"""No script from message text ever runs, and nothing active survives into the page.

``alert`` and friends are trapped before the page loads (see ``TRAP_SCRIPT``), CSP
violations are recorded, and every request is watched: the hostile fixture must
leave all three records empty, even after its links are hovered and its
collapsed parts opened.
"""

from __future__ import annotations

import pytest

from tests.helpers.browser import Site

RAW_TITLE = "<script>alert('title')</script> Hostile \"input\" & {{ 7*7 }} </title><b>"

ACTIVE = ("script, iframe, frame, object, embed, style, link, meta, base, form, textarea, "
          "input:not([type=checkbox]), button:not(.copy-code), select, svg, video, audio, source")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_script_from_message_text_runs(theme_site: Site, visit, scheme: str) -> None:
    seen = visit(theme_site.share_url("hostile-input"), scheme=scheme)
    page = seen.page
    for summary in page.locator(".conversation summary").all():
        summary.click()  # an ontoggle= would fire now
    for element in page.locator(".conversation a, .conversation code, .conversation td").all():
        element.hover()  # and an onmouseover= now
    page.keyboard.press("Tab")
    page.wait_for_timeout(200)
    seen.assert_clean()


def test_nothing_active_survives_into_the_page(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("hostile-input"))
    page = seen.page
    conversation = page.locator(".conversation")
    assert conversation.locator(ACTIVE).count() == 0
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on') || a.name === 'style'"
        " || a.name === 'srcdoc' || a.name === 'formaction').map(a => e.tagName + ' ' + a.name))")
    assert handlers == []
    links = conversation.locator("a[href]").evaluate_all("els => els.map(a => a.href)")
    assert links, "the fixture has links to check"
    for href in links:
        assert href.startswith(("http://", "https://", "mailto:")), href
    assert conversation.locator("img").count() == 0  # remote images became links
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert len(scripts) == 1 and scripts[0].startswith(f"{theme_site.base_url}assets/amber.")
    # hostile text is shown as text, exactly
    assert page.locator("h1").inner_text() == RAW_TITLE
    assert page.title().startswith(RAW_TITLE)
    assert "<script>alert(1)</script>" in page.locator("#m-2 .message-body").inner_text()
    model = "evil\" onmouseover=\"alert('model2')"
    assert page.locator("#m-2 .message-model").inner_text() == model
    # math cannot smuggle a link or markup either
    assert page.locator("math a, math [href], math script").count() == 0
    seen.assert_clean()


def test_hostile_page_reads_with_javascript_off(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("hostile-input"), javascript=False)
    assert seen.page.locator("article.message").count() == 4
    assert seen.page.locator("h1").inner_text() == RAW_TITLE
    assert seen.foreign_requests == []
