"""The default theme through a real build: search data, head, themes that override it.

Shares are frozen with the library (``freeze`` + ``serialise_snapshot``) so these run
without a subprocess; ``tests/browser`` does the same through the CLI.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from amber.atomic import write_atomic
from amber.build.pipeline import build
from amber.content.load import SitePaths, load_content
from amber.content.snapshot import freeze, serialise_snapshot
from amber.render.search import TEXT_LIMIT
from amber.render.site import share_output, share_page
from amber.render.templates import CSP

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "theme"

IDS = {
    "markdown-tour": "11111111-1111-4111-8111-111111111111",
    "every-part": "22222222-2222-4222-8222-222222222222",
    "hostile-input": "33333333-3333-4333-8333-333333333333",
    "short-note": "44444444-4444-4444-8444-444444444444",
}
LISTED = {"markdown-tour", "every-part", "hostile-input"}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    content = load_content(SitePaths(root))
    for day, (slug, share_id) in enumerate(IDS.items(), start=1):
        snap = freeze(content.conversations[slug], share_id, title=None,
                      author="Ada Fixture" if slug in LISTED else None,
                      listed=slug in LISTED, frozen=f"2026-01-0{day}T12:00:00Z")
        write_atomic(SitePaths(root).share_file(share_id), serialise_snapshot(snap))
    return root


def read(root: Path, rel: str) -> str:
    return (root / "output" / rel).read_text(encoding="utf-8")


def test_search_json_lists_listed_shares_newest_first(site: Path) -> None:
    build(site, use_cache=False)
    entries = json.loads(read(site, "search.json"))
    assert [e["href"] for e in entries] == [
        f"/chats/share/{IDS[slug]}/" for slug in ("hostile-input", "every-part", "markdown-tour")]
    assert set(entries[0]) == {"title", "href", "frozen", "frozen_display", "excerpt", "text"}
    assert all(len(e["text"]) <= TEXT_LIMIT for e in entries)
    raw = read(site, "search.json")
    assert IDS["short-note"] not in raw and "SHORT-UNLISTED-3141" not in raw
    assert "<" not in raw  # escaped, even for the hostile title
    tour = next(e for e in entries if e["href"].endswith(f"{IDS['markdown-tour']}/"))
    assert "goroutines" in tour["text"]  # answer text, not only the question
    assert "mc^2" not in tour["text"]  # TeX annotations are not repeated
    parts = next(e for e in entries if e["href"].endswith(f"{IDS['every-part']}/"))
    assert parts["excerpt"].startswith("What is in this picture")  # image notes left out
    index = read(site, "index.html")
    assert 'data-filter="/chats/search.json"' in index


def test_search_json_is_deterministic(site: Path, tmp_path: Path) -> None:
    build(site, use_cache=False)
    first = read(site, "search.json")
    build(site, use_cache=False)
    assert read(site, "search.json") == first


def test_an_unlisted_share_has_no_search_or_feed_entry(site: Path) -> None:
    paths = SitePaths(site)
    content = load_content(paths)
    config = content.require_valid()
    for slug, share_id in IDS.items():
        snap = content.snapshots[share_id]
        page, _assets = share_page(snap, config, paths)
        record = share_output(snap, page, config, {}, {})
        if slug in LISTED:
            assert share_id in record.search_entry and share_id in record.feed_entry
        else:
            assert (record.search_entry, record.feed_entry) == ("", "")
            assert "search.json" not in record.ids and "feed.xml" not in record.ids


def test_every_page_starts_its_head_with_the_csp(site: Path) -> None:
    build(site, use_cache=False)
    pages = sorted((site / "output").rglob("*.html"))
    assert len(pages) == 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        head = text.split("<head>", 1)[1]
        first_tag = re.search(r"<[a-z][^>]*>", head)
        assert first_tag is not None
        csp = html.unescape(first_tag.group(0))
        assert csp == f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        assert 'name="referrer" content="no-referrer"' in text
        assert re.search(r"<script>|<script [^>]*>[^<]", text) is None  # no inline script
        assert re.search(r"<[a-zA-Z][^<>]*\sstyle=", text) is None  # hostile text is text
        # what a browser loads comes from the site itself: no CDN, font or analytics
        for url in re.findall(r'\ssrc="([^"]*)"', text):
            assert url.startswith("/chats/"), url
        for link in re.findall(r"<link [^>]*>", text):
            href = re.search(r'href="([^"]*)"', link)
            assert href and href.group(1).startswith(("/chats/", "https://example.test/chats/"))


def test_share_head_has_absolute_social_meta(site: Path) -> None:
    build(site, use_cache=False)
    text = read(site, f"share/{IDS['markdown-tour']}/index.html")
    url = f"https://example.test/chats/share/{IDS['markdown-tour']}/"
    assert f'<link rel="canonical" href="{url}">' in text
    assert f'<meta property="og:url" content="{url}">' in text
    assert '<meta property="og:type" content="article">' in text
    assert '<meta name="twitter:card" content="summary_large_image">' in text
    assert f'<meta property="og:image" content="{url}preview.png">' in text
    assert f'<meta name="twitter:image" content="{url}preview.png">' in text
    description = re.search(r'<meta name="description" content="([^"]*)">', text)
    assert description and "TOUR-QUESTION-5150" in description.group(1)
    assert f'<meta property="og:description" content="{description.group(1)}">' in text
    assert '<meta name="author" content="Ada Fixture">' in text
    anonymous = read(site, f"share/{IDS['short-note']}/index.html")
    assert 'name="author"' not in anonymous and "Shared by" not in anonymous
    assert '<meta name="robots" content="noindex">' in anonymous


def test_a_named_theme_overrides_file_by_file(site: Path) -> None:
    """themes/<name>/ replaces one template and one asset; the rest come from the default."""
    mine = site / "themes" / "mine"
    (mine / "templates").mkdir(parents=True)
    (mine / "static").mkdir()
    (mine / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Gone fishing</h1>{% endblock %}\n',
        encoding="utf-8")
    (mine / "static" / "amber.css").write_text("body { color: #222; }\n", encoding="utf-8")
    (mine / "static" / "extra.txt").write_text("extra\n", encoding="utf-8")
    yaml = site / "content" / "site.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("theme: default", "theme: mine"),
                    encoding="utf-8")
    build(site, use_cache=False)
    assert "<h1>Gone fishing</h1>" in read(site, "404.html")
    assert 'class="share-list"' in read(site, "index.html")  # default index.html
    assets = {p.name: p for p in (site / "output" / "assets").iterdir()}
    css = next(p for name, p in assets.items() if re.fullmatch(r"amber\.[0-9a-f]{10}\.css", name))
    assert css.read_text(encoding="utf-8") == "body { color: #222; }\n"
    assert any(re.fullmatch(r"amber\.[0-9a-f]{10}\.js", name) for name in assets)  # default JS
    assert any(re.fullmatch(r"extra\.[0-9a-f]{10}\.txt", name) for name in assets)
    assert f"/chats/assets/{css.name}" in read(site, "404.html")
