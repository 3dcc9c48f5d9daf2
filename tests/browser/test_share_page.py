"""The share page in Chromium: actions, structure, Markdown, layout, schemes, print."""

from __future__ import annotations

import itertools
import json
from urllib.parse import unquote

import pytest

from amber.render.templates import CSP
from tests.helpers.browser import Site

PY_CODE = '''def greet(name: str) -> str:
    """Say hello."""
    # a comment
    return f"Hello, {name}! {42 + 3.5}"  # TOUR-CODE-PY'''


def test_share_button_copies_the_link_without_a_share_sheet(theme_site: Site, visit) -> None:
    """On a computer (a fine pointer) Share copies the link; phones get the share sheet."""
    url = theme_site.share_url("markdown-tour")
    seen = visit(url, clipboard=True)
    button = seen.page.locator("button[data-share]")
    assert button.is_visible() and button.inner_text() == "Share"
    button.click()
    assert seen.page.evaluate("navigator.clipboard.readText()") == url
    assert button.text_content() == "Copied"
    seen.page.wait_for_function(
        "() => document.querySelector('[data-live]').textContent === 'Link copied'")
    seen.assert_clean()


def test_copy_code_copies_exactly_the_code(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"), clipboard=True)
    block = seen.page.locator(".code-block", has_text="TOUR-CODE-PY")
    button = block.locator("button.copy-code")
    assert button.get_attribute("aria-label") == "Copy python code"
    button.click()
    assert seen.page.evaluate("navigator.clipboard.readText()") == PY_CODE
    assert button.text_content() == "Copied"
    # every code block, labelled or not, got its own button
    blocks = seen.page.locator(".code-block").count()
    assert blocks >= 10
    assert seen.page.locator(".code-block .copy-code:not(.wrap-code)").count() == blocks
    seen.assert_clean()


def test_code_blocks_are_labelled_focusable_and_scroll_by_keyboard(theme_site: Site,
                                                                    visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"), width=375)
    page = seen.page
    assert page.locator(".code-block .code-lang").all_text_contents()[:2] == ["python", "rust"]
    rust = page.locator(".code-block", has_text="overflows")
    rust.locator(".wrap-code").focus()  # Copy, then Wrap, then the code
    page.keyboard.press("Tab")
    pre = rust.locator("pre")
    assert pre.evaluate("el => el === document.activeElement")
    ring = pre.evaluate("el => { const s = getComputedStyle(el); "
                        "return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] == "solid" and ring[1] >= 2, ring
    assert pre.evaluate("el => el.scrollWidth > el.clientWidth")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=pre.element_handle())
    wrap = rust.locator(".wrap-code")
    assert wrap.get_attribute("aria-pressed") == "false"
    wrap.click()
    assert wrap.get_attribute("aria-pressed") == "true"
    assert pre.evaluate("el => el.scrollWidth <= el.clientWidth")  # wrapped: nothing hidden
    seen.assert_clean()


def test_messages_are_articles_with_headings_and_permalinks(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("every-part"))
    page = seen.page
    articles = page.locator("article.message")
    assert articles.count() == 3  # the system prompt is collapsed, the tool result is in m-3
    for number in (2, 3, 5):
        article = page.locator(f"article#m-{number}")
        heading = article.locator("h2")
        assert heading.count() == 1
        assert article.get_attribute("aria-labelledby") == heading.get_attribute("id")
        assert article.locator(".permalink").get_attribute("href") == f"#m-{number}"
    assert page.locator("details#m-1 > summary").inner_text().startswith("System prompt")
    assert page.locator("#m-2 h2").inner_text().startswith("User")
    assert "fixture-model-tools" in page.locator("#m-3 h2").inner_text()
    assert page.locator("#m-3 details#m-4").count() == 1  # a link to the result still lands
    page.locator("#m-3 .permalink").click()
    page.wait_for_function("() => location.hash === '#m-3'")
    top = page.locator("#m-3").evaluate("el => el.getBoundingClientRect().top")
    at_end = page.evaluate("scrollY + innerHeight >= document.documentElement.scrollHeight - 1")
    assert 0 <= top < 60 or (at_end and page.evaluate("scrollY") > 0)
    page.evaluate("location.hash = '#m-4'")
    page.wait_for_function("() => document.getElementById('m-4').open")
    seen.assert_clean()


@pytest.mark.parametrize("slug", ["markdown-tour", "every-part", "hostile-input"])
def test_outline_is_valid_and_ids_are_unique(theme_site: Site, visit, slug: str) -> None:
    """One h1; no heading level skipped, however the messages used theirs; no duplicate id."""
    seen = visit(theme_site.share_url(slug))
    levels = seen.page.evaluate(
        "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, levels
    ids = seen.page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids))


def test_markdown_features_render(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"))
    page = seen.page
    body = page.locator("#m-2 .message-body")
    assert body.locator("table").count() == 1
    assert body.locator("td.align-right").first.evaluate(
        "el => getComputedStyle(el).textAlign") == "right"
    assert body.locator("s").inner_text() == "struck out"
    boxes = body.locator("input[type=checkbox]")
    assert boxes.count() == 2
    assert boxes.nth(1).is_checked() and not boxes.nth(0).is_checked()
    assert body.locator("label", has_text="an open task").count() == 1
    assert body.locator(".footnotes li").count() == 1
    link = body.locator("a", has_text="https://example.org/docs")
    assert link.get_attribute("href") == "https://example.org/docs?q=1&lang=en"
    assert "noopener" in (link.get_attribute("rel") or "")
    # math: MathML laid out by the browser, no delimiters left, prices left alone
    maths = body.locator("math")
    assert maths.count() >= 6
    for box in maths.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)"):
        assert box > 0
    text = body.inner_text()
    assert "$E = mc^2$" not in text and "\\(" not in text
    assert "prices like $5 and $10 stay text" in text
    assert body.locator("code.math-source").inner_text() == "$\\frac{1$"
    seen.assert_clean()


@pytest.mark.parametrize("width", [320, 375])
def test_small_screens_never_scroll_sideways(theme_site: Site, visit, width: int) -> None:
    """Wide tables, code and formulas scroll inside their boxes, never the page."""
    for slug in ("markdown-tour", "every-part", "hostile-input"):
        seen = visit(theme_site.share_url(slug), width=width, height=700)
        page = seen.page
        assert page.evaluate("document.documentElement.scrollWidth") <= width, slug
        seen.assert_clean()
    tour = visit(theme_site.share_url("markdown-tour"), width=width, height=700).page
    wrap = tour.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    assert wrap.get_attribute("tabindex") == "0"
    wide = tour.locator(".math-display", has_text="a12")
    assert wide.evaluate("el => el.scrollWidth > el.clientWidth")
    assert wide.get_attribute("tabindex") == "0"  # made reachable by amber.js


def test_wide_screen_keeps_a_reading_width(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"), width=1600)
    width = seen.page.locator("#m-2 .message-body p").first.evaluate(
        "el => el.getBoundingClientRect().width")
    assert 500 < width <= 760


def test_user_and_assistant_messages_look_different(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"))
    style = ("el => { const s = getComputedStyle(el); "
             "return [s.backgroundColor, el.getBoundingClientRect().right]; }")
    user = seen.page.locator("#m-1 .message-body").evaluate(style)
    assistant = seen.page.locator("#m-2 .message-body").evaluate(style)
    assert user[0] != assistant[0]


def test_theme_toggle_is_remembered(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("markdown-tour"), scheme="light")
    page = seen.page
    background = "getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    toggle = page.locator("[data-theme-toggle]")
    assert toggle.get_attribute("aria-pressed") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    dark = page.evaluate(background)
    assert dark != light
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate(background) == dark
    assert page.locator("[data-theme-toggle]").get_attribute("aria-pressed") == "true"
    page.goto(theme_site.base_url)  # the choice holds across the site
    assert page.evaluate(background) == dark
    seen.assert_clean()


def test_dark_preference_is_followed_without_javascript(theme_site: Site, visit) -> None:
    light = visit(theme_site.share_url("short-note"), scheme="light", javascript=False)
    dark = visit(theme_site.share_url("short-note"), scheme="dark", javascript=False)
    background = "getComputedStyle(document.body).backgroundColor"
    assert light.page.evaluate(background) != dark.page.evaluate(background)


def test_print_shows_the_whole_conversation(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("every-part"), scheme="dark")
    page = seen.page
    collapsed = [page.locator(".part-reasoning p", has_text="PARTS-REASONING-1414"),
                 page.locator(".part-attachment pre", has_text="PARTS-ATTACHMENT-1618")]
    for part in collapsed:
        assert not part.is_visible()  # collapsed on screen
    page.emulate_media(media="print")
    for part in collapsed:
        assert part.is_visible()
    for hidden in (".share-actions", "button[data-share]", ".copy-code", "[data-theme-toggle]"):
        assert not page.locator(hidden).first.is_visible(), hidden
    # paper is light whatever the screen scheme
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in (
        "rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    keyword = page.locator(".highlight .k, .highlight .kd").first
    assert keyword.evaluate("el => getComputedStyle(el).color") == "rgb(196, 32, 31)"
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_head_has_csp_first_social_meta_and_no_inline_code(theme_site: Site, visit) -> None:
    url = theme_site.share_url("markdown-tour")
    seen = visit(url)
    page = seen.page
    first = page.evaluate("[document.head.firstElementChild.httpEquiv,"
                          " document.head.firstElementChild.content]")
    assert first == ["Content-Security-Policy", CSP]

    def meta(selector: str) -> str | None:
        return page.get_attribute(selector, "content")

    assert page.get_attribute("link[rel=canonical]", "href") == url
    assert meta("meta[property='og:url']") == url
    assert meta("meta[property='og:type']") == "article"
    assert meta("meta[property='og:title']") == page.locator("h1").inner_text()
    description = meta("meta[name=description]") or ""
    assert "TOUR-QUESTION-5150" in description
    assert meta("meta[property='og:description']") == description
    assert meta("meta[name='twitter:card']") == "summary_large_image"
    assert meta("meta[property='og:image']") == f"{url}preview.png"
    assert meta("meta[name='twitter:image']") == f"{url}preview.png"
    assert meta("meta[name='twitter:description']") == description
    assert meta("meta[name=referrer]") == "no-referrer"
    assert page.locator("meta[name=robots]").count() == 0  # listed
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert scripts and all(s.startswith(f"{theme_site.base_url}assets/") for s in scripts)
    assert page.locator("[style]").count() == 0
    assert page.locator("style").count() == 0
    unlisted = visit(theme_site.share_url("short-note")).page
    assert unlisted.get_attribute("meta[name=robots]", "content") == "noindex"
    seen.assert_clean()


def test_continue_opens_in_place_with_chat_apps_and_downloads(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("every-part"), clipboard=True)
    page = seen.page
    section = page.locator("#continue")
    assert not section.is_visible()
    page.locator(".share-actions summary", has_text="Continue").click()
    assert section.is_visible()
    assert page.evaluate("scrollY") == 0  # it opens where the reader is
    chatgpt = section.get_by_role("link", name="Open in ChatGPT").get_attribute("href") or ""
    claude = section.get_by_role("link", name="Open in Claude").get_attribute("href") or ""
    assert chatgpt.startswith("https://chatgpt.com/?q=") and claude.startswith(
        "https://claude.ai/new?q=")
    assert "PARTS-QUESTION-2718" in unquote(chatgpt)
    copy = section.get_by_role("button", name="Copy as Markdown")
    page.wait_for_function("() => performance.getEntriesByType('resource')"
                           ".some(e => e.name.endsWith('conversation.md'))")
    page.wait_for_timeout(200)
    copy.click()
    assert "PARTS-QUESTION-2718" in page.evaluate("navigator.clipboard.readText()")
    assert not section.locator("a[download]").first.is_visible()  # under "For developers"
    section.locator("summary", has_text="For developers").click()
    assert "amber fork" in section.inner_text()
    links = section.locator("a[download]")
    assert links.count() == 2
    json_href, md_href = (links.nth(i).get_attribute("href") for i in range(2))
    assert json_href and json_href.endswith("/conversation.json")
    assert md_href and md_href.endswith("/conversation.md")
    origin = theme_site.base_url.split("/chats/")[0]
    data = page.request.get(origin + json_href)
    assert data.ok and "messages" in json.loads(data.body())
    text = page.request.get(origin + md_href)
    assert text.ok and "PARTS-QUESTION-2718" in text.text()
    seen.assert_clean()


def test_page_reads_with_javascript_off(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("every-part"), javascript=False)
    page = seen.page
    assert page.locator("article.message").count() == 3  # and the system prompt, collapsed
    assert page.locator("details.message-system").count() == 1
    assert page.locator("h1").is_visible()
    for marker in ("PARTS-QUESTION-2718", "6 × 7 = 42"):
        assert page.get_by_text(marker, exact=False).first.is_visible(), marker
    # each tool use is one line: the call, an arrow and its result, or a cross and the error
    lines = page.locator(".part-tool > summary")
    assert lines.count() == 2
    assert "calculator(6 * 7, 2)" in lines.nth(0).inner_text() and "42" in lines.nth(0).inner_text()
    assert "NameError" in lines.nth(1).inner_text()
    traceback = page.get_by_text("Traceback", exact=False).first
    assert not traceback.is_visible()
    lines.nth(1).click()  # opens without JavaScript
    assert traceback.is_visible()
    assert page.locator("img[alt^='An amber rectangle']").is_visible()
    assert page.locator("a[download]").count() == 2
    page.locator(".share-actions summary", has_text="Continue").click()  # works without JS
    assert page.get_by_role("link", name="Open in Claude").is_visible()
    assert not page.get_by_role("button", name="Copy as Markdown").is_visible()
    # the enhancements stay out of the way
    assert not page.locator("button[data-share]").is_visible()
    assert not page.locator("[data-theme-toggle]").is_visible()
    assert page.locator(".copy-code").count() == 0
    tour = visit(theme_site.share_url("markdown-tour"), javascript=False).page
    assert tour.locator("math").first.is_visible()
    assert tour.locator("pre", has_text="TOUR-CODE-PY").is_visible()
