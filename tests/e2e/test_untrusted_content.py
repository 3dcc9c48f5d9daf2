"""Conversation text is hostile input: it must never become markup, script or a
dangerous link in the built site."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.helpers.fixture_site import BASE_PATH, BuiltSite
from tests.helpers.trees import text_files

URL_ATTRS = {"href", "src", "action", "formaction", "srcset", "poster", "xlink:href", "data",
             "background", "cite", "longdesc", "ping"}
_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")


class PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        self.script_bodies: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.urls: list[tuple[str, str, str]] = []
        self.metas: list[dict[str, str | None]] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script":
            self.scripts.append(named)
            self._in_script = True
        if tag == "meta":
            self.metas.append(named)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in URL_ATTRS and value is not None:
                self.urls.append((tag, name, value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_bodies.append(data)
        else:
            self.text.append(data)


def scan(html: str) -> PageScan:
    parser = PageScan()
    parser.feed(html)
    parser.close()
    return parser


def dangerous_scheme(url: str) -> bool:
    cleaned = _CONTROL.sub("", url).lower()
    return cleaned.startswith(("javascript:", "data:", "vbscript:"))


def assert_page_is_safe(rel: str, html: str) -> PageScan:
    page = scan(html)
    for attrs in page.scripts:
        src = attrs.get("src")
        assert src and src.startswith(f"{BASE_PATH}assets/"), (
            f"{rel}: a <script> that is not the theme's own: {attrs}")
    assert "".join(page.script_bodies).strip() == "", f"{rel}: inline script"
    assert page.handlers == [], f"{rel}: event handler attributes {page.handlers}"
    bad = [(t, n, u) for t, n, u in page.urls if dangerous_scheme(u)]
    assert bad == [], f"{rel}: dangerous URLs {bad}"
    return page


def hostile_page(built_site: BuiltSite) -> tuple[str, str]:
    rel = f"share/{built_site.ids['hostile']}/index.html"
    html = (built_site.output / rel).read_text("utf-8")
    assert "PHRASE-HOSTILE-5150" in html, "precondition: the hostile share was built"
    return rel, html


def test_hostile_share_page_has_no_script_handlers_or_bad_links(built_site: BuiltSite) -> None:
    rel, html = hostile_page(built_site)
    page = assert_page_is_safe(rel, html)
    assert len(page.scripts) >= 1, "the theme's own script is expected on the page"


def test_raw_html_in_messages_is_shown_as_text(built_site: BuiltSite) -> None:
    _rel, html = hostile_page(built_site)
    text = "".join(scan(html).text)
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert "<svg onload=alert(6)>" in text
    assert "<script>alert('title')</script>" in text  # the title, escaped


def test_safe_links_survive(built_site: BuiltSite) -> None:
    _rel, html = hostile_page(built_site)
    links = [u for t, n, u in scan(html).urls if t == "a" and n == "href"]
    assert "https://docs.example.org/page" in links


def test_every_page_of_the_site_is_safe(built_site: BuiltSite) -> None:
    """The index shows an excerpt of the hostile share; the feed its title."""
    pages = {rel: t for rel, t in text_files(built_site.output).items() if rel.endswith(".html")}
    assert len(pages) >= 6
    for rel, html in pages.items():
        assert_page_is_safe(rel, html)


def test_every_page_sets_a_strict_content_security_policy(built_site: BuiltSite) -> None:
    pages = {rel: t for rel, t in text_files(built_site.output).items() if rel.endswith(".html")}
    for rel, html in pages.items():
        csp = [m.get("content") or "" for m in scan(html).metas
               if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        assert len(csp) == 1, f"{rel}: no CSP meta"
        policy = csp[0]
        assert "default-src 'none'" in policy or "default-src 'self'" in policy, policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
        assert re.search(r"script-src 'self'(;|$)", policy), policy


def test_feed_escapes_hostile_titles(built_site: BuiltSite) -> None:
    import xml.etree.ElementTree as ET

    feed = Path(built_site.output / "feed.xml").read_bytes()
    root = ET.fromstring(feed)  # well-formed despite the hostile title
    titles = [el.text for el in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Hostile <script>alert('title')</script> input" in titles
