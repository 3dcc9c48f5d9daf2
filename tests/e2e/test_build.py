"""`amber build`: the files of the built site, their contents, and their links."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.helpers.cli import run_amber
from tests.helpers.fixture_site import (
    BASE_PATH,
    BASE_URL,
    CONVERSATIONS,
    DELTA_IMAGE,
    DELTA_IMAGE_NAME,
    UUID4,
    BuiltSite,
    build,
)
from tests.helpers.html import parse_tags
from tests.helpers.trees import text_files, tree_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def html_files(output: Path) -> dict[str, str]:
    return {rel: text for rel, text in text_files(output).items() if rel.endswith(".html")}


def links_of(html: str) -> list[tuple[str, str, dict[str, str | None]]]:
    """(tag, url, attrs) for every href and src in a page."""
    out = []
    for tag, attrs in parse_tags(html):
        for name in ("href", "src"):
            value = attrs.get(name)
            if value is not None:
                out.append((tag, value, attrs))
    return out


def ids_of(html: str) -> set[str]:
    return {attrs["id"] for _, attrs in parse_tags(html) if attrs.get("id")}


def resolve(output: Path, path: str) -> Path | None:
    """A URL path below the site root, as a static host would serve it."""
    target = output / unquote(path)
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    return target if target.is_file() else None


def assert_links_are_internal_and_resolve(output: Path, base_url: str) -> int:
    """Every href/src is under the base path, a fragment, or absolute https; internal ones
    resolve to a file (and anchor). Resources that load (scripts, styles, images) are local.
    Returns how many links were checked."""
    base_path = urlsplit(base_url).path
    pages = html_files(output)
    checked = 0
    for rel, html in pages.items():
        for tag, url, attrs in links_of(html):
            checked += 1
            where = f"{rel}: <{tag}> {url!r}"
            if url.startswith("#"):
                assert unquote(url[1:]) in ids_of(html), f"{where}: no such anchor"
                continue
            if url.startswith(base_url):
                url = url[len(base_url) - len(base_path):]
            elif url.startswith("https://"):
                loads = tag in ("script", "img") or (tag == "link" and "stylesheet" in str(
                    attrs.get("rel")))
                assert not loads, f"{where}: a page must load nothing from another host"
                continue
            assert url.startswith(base_path) and not url.startswith("//"), (
                f"{where}: internal link outside the base path {base_path}")
            parts = urlsplit(url)
            target = resolve(output, parts.path[len(base_path):])
            assert target is not None, f"{where}: points at no file"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in ids_of(target.read_text("utf-8")), (
                    f"{where}: no such anchor")
    return checked


# --- the standard build -------------------------------------------------------------


def test_build_writes_the_site_files(built_site: BuiltSite) -> None:
    out = built_site.output
    for rel in ("index.html", "404.html", "sitemap.xml", "feed.xml", "robots.txt", ".nojekyll"):
        assert (out / rel).is_file(), f"missing output/{rel}"
    for slug, share_id in built_site.ids.items():
        for name in ("index.html", "conversation.json", "conversation.md", "preview.png"):
            assert (out / "share" / share_id / name).is_file(), f"{slug}: missing {name}"
    shares = sorted(p.name for p in (out / "share").iterdir())
    assert shares == sorted(built_site.ids.values())
    robots = (out / "robots.txt").read_text("utf-8")
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots


def test_share_page_shows_the_conversation(built_site: BuiltSite) -> None:
    page = (built_site.output / "share" / built_site.ids["alpha"] / "index.html").read_text()
    assert CONVERSATIONS["alpha"][1] in page
    assert CONVERSATIONS["alpha"][0] in page
    tags = parse_tags(page)
    # The fenced python block is highlighted (class names only), the table is a table.
    assert any(tag == "pre" for tag, _ in tags)
    assert any(tag == "span" and attrs.get("class") for tag, attrs in tags)
    assert any(tag == "table" for tag, _ in tags)
    assert "Fixture Author" in page  # shared with --name
    charlie = (built_site.output / "share" / built_site.ids["charlie"] / "index.html").read_text()
    assert any(tag == "details" for tag, _ in parse_tags(charlie)), "reasoning part missing"
    assert "chart.png" in charlie  # the image without src is named, not dropped


def test_conversation_json_is_chat_completions_messages(built_site: BuiltSite) -> None:
    expected_roles = {
        "alpha": ["user", "assistant"],
        "bravo": ["system", "user", "assistant"],
        "charlie": ["user", "assistant"],
    }
    for slug, roles in expected_roles.items():
        path = built_site.output / "share" / built_site.ids[slug] / "conversation.json"
        data = json.loads(path.read_text("utf-8"))
        assert isinstance(data, dict)
        messages = data["messages"]
        assert isinstance(messages, list)
        for message in messages:
            assert isinstance(message.get("role"), str), message
            assert isinstance(message.get("content"), str), message
        assert [m["role"] for m in messages] == roles
        assert CONVERSATIONS[slug][1] in messages[roles.index("user")]["content"]


def test_conversation_markdown(built_site: BuiltSite) -> None:
    for slug, (title, phrase) in CONVERSATIONS.items():
        md = (built_site.output / "share" / built_site.ids[slug] / "conversation.md").read_text()
        assert f"# {title}" in md
        assert phrase in md
    alpha = (built_site.output / "share" / built_site.ids["alpha"] / "conversation.md").read_text()
    assert "```python\n" in alpha


def test_assets_have_content_hashes_in_their_names(built_site: BuiltSite) -> None:
    assets = sorted(p.name for p in (built_site.output / "assets").iterdir())
    css = [a for a in assets if re.fullmatch(r"amber\.[0-9a-f]{6,}\.css", a)]
    js = [a for a in assets if re.fullmatch(r"amber\.[0-9a-f]{6,}\.js", a)]
    assert len(css) == 1, assets
    assert len(js) == 1, assets
    assert "amber.css" not in assets and "amber.js" not in assets
    index = (built_site.output / "index.html").read_text("utf-8")
    refs = {url for _, url, _ in links_of(index)}
    assert f"{BASE_PATH}assets/{css[0]}" in refs
    assert f"{BASE_PATH}assets/{js[0]}" in refs


def test_asset_name_changes_with_its_content(built_copy: BuiltSite) -> None:
    default_css = next((built_copy.output / "assets").glob("amber.*.css")).name
    static = built_copy.root / "themes" / "default" / "static"
    static.mkdir(parents=True)
    (static / "amber.css").write_text("body { color: #123456; }\n")
    out = build(built_copy.root)
    [css] = [p for p in (out / "assets").glob("amber.*.css")]
    assert css.name != default_css
    assert css.read_text() == "body { color: #123456; }\n"
    assert f"{BASE_PATH}assets/{css.name}" in (out / "index.html").read_text()


def test_image_assets_are_published_with_their_share(built_site: BuiltSite) -> None:
    data = (built_site.output / "assets" / DELTA_IMAGE_NAME).read_bytes()
    assert data == DELTA_IMAGE
    page = (built_site.output / "share" / built_site.ids["delta"] / "index.html").read_text()
    srcs = [attrs.get("src") for tag, attrs in parse_tags(page) if tag == "img"]
    assert f"{BASE_PATH}assets/{DELTA_IMAGE_NAME}" in srcs


def test_index_lists_listed_shares_newest_first(built_site: BuiltSite) -> None:
    index = (built_site.output / "index.html").read_text("utf-8")
    share_link = re.compile(rf"^{re.escape(BASE_PATH)}share/({UUID4})/$")
    order: list[str] = []
    for tag, url, _ in links_of(index):
        match = share_link.match(url)
        if tag == "a" and match and match.group(1) not in order:
            order.append(match.group(1))
    assert order == [built_site.ids[s] for s in built_site.listed_newest_first]
    for slug in built_site.unlisted:
        assert built_site.ids[slug] not in index


def test_feed_is_atom_with_listed_shares_newest_first(built_site: BuiltSite) -> None:
    root = ET.fromstring((built_site.output / "feed.xml").read_bytes())
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    hrefs = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        link = entry.find(f"{ATOM}link")
        assert link is not None
        hrefs.append(link.get("href"))
    assert hrefs == [f"{BASE_URL}share/{built_site.ids[s]}/"
                     for s in built_site.listed_newest_first]


def test_sitemap_has_listed_shares_only(built_site: BuiltSite) -> None:
    root = ET.fromstring((built_site.output / "sitemap.xml").read_bytes())
    assert root.tag == f"{SITEMAP}urlset"
    locs = {loc.text for loc in root.iter(f"{SITEMAP}loc")}
    for slug in built_site.listed_newest_first:
        assert f"{BASE_URL}share/{built_site.ids[slug]}/" in locs
    for slug in built_site.unlisted:
        assert not any(built_site.ids[slug] in (loc or "") for loc in locs)


def test_listed_pages_are_indexable(built_site: BuiltSite) -> None:
    for slug in built_site.listed_newest_first:
        page = (built_site.output / "share" / built_site.ids[slug] / "index.html").read_text()
        robots = [a for t, a in parse_tags(page) if t == "meta" and a.get("name") == "robots"]
        assert not any("noindex" in str(a.get("content")) for a in robots), slug


def test_every_link_is_under_the_base_path_and_resolves(built_site: BuiltSite) -> None:
    checked = assert_links_are_internal_and_resolve(built_site.output, BASE_URL)
    assert checked > 50


def test_404_page_links_work_from_any_depth(built_site: BuiltSite) -> None:
    """GitHub Pages serves 404.html at any missing URL: its links must be absolute paths."""
    page = (built_site.output / "404.html").read_text("utf-8")
    for _, url, _ in links_of(page):
        assert url.startswith((BASE_PATH, "#", "https://")), url


# --- options ------------------------------------------------------------------------


def test_base_url_option_changes_every_prefix(built_copy: BuiltSite) -> None:
    site, ids = built_copy.root, built_copy.ids
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "cname: chats.example.test\n")
    out = build(site, "--base-url", "https://other.test/")
    assert (out / "CNAME").read_text() == "chats.example.test\n"
    for rel, html in html_files(out).items():
        for _, url, _ in links_of(html):
            assert not url.startswith(BASE_PATH), f"{rel}: {url} keeps the old prefix"
            assert "example.test" not in url, f"{rel}: {url} keeps the old host"
    assert_links_are_internal_and_resolve(out, "https://other.test/")
    page = (out / "share" / ids["alpha"] / "index.html").read_text("utf-8")
    assert f"https://other.test/share/{ids['alpha']}/" in page
    for name in ("sitemap.xml", "feed.xml", "robots.txt"):
        text = (out / name).read_text("utf-8")
        assert "example.test" not in text, name
    assert f"https://other.test/share/{ids['bravo']}/" in (out / "sitemap.xml").read_text()
    # site.yaml is not touched.
    assert "https://example.test/chats/" in site_yaml.read_text()


def test_output_option_writes_there(built_copy: BuiltSite, tmp_path: Path) -> None:
    site = built_copy.root
    before = tree_bytes(built_copy.output)
    elsewhere = tmp_path / "elsewhere" / "public"
    build(site, "--output", str(elsewhere))
    assert tree_bytes(elsewhere) == before
    build(site, "--output", "public")  # relative to the working directory
    assert tree_bytes(site / "public") == before
    assert tree_bytes(built_copy.output) == before, "output/ must not be touched"


def test_build_with_no_shares_is_quiet_in_ci(site: Path) -> None:
    result = run_amber("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) <= 1, "CI output: one summary line at most"
    assert "\r" not in result.stderr, "no progress bar in CI"
    out = site / "output"
    assert (out / "index.html").is_file()
    assert not (out / "share").exists() or list((out / "share").iterdir()) == []
    assert ET.fromstring((out / "feed.xml").read_bytes()).tag == f"{ATOM}feed"
    assert_links_are_internal_and_resolve(out, BASE_URL)
