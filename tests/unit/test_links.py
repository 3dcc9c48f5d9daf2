"""amber.render.links: internal link checking under the base_url path prefix."""

from __future__ import annotations

import pytest

from amber.render.links import broken_links, broken_on_page, page_links, settle_locally

BASE = "https://jane.github.io/chats/"
SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


def page(*links: str, ids: tuple[str, ...] = ()) -> bytes:
    body = "".join(f'<a href="{link}">x</a>' for link in links)
    body += "".join(f'<h2 id="{i}">h</h2>' for i in ids)
    return f"<!doctype html><html><body>{body}</body></html>".encode()


def site(pages: dict[str, bytes] | None = None) -> dict[str, bytes]:
    files = {
        "index.html": page(),
        f"share/{SID}/index.html": page(ids=("m-1", "m-2")),
        f"share/{SID}/conversation.json": b"{}",
        "assets/amber.0123456789.css": b"body{}",
        "404.html": page(),
    }
    files.update(pages or {})
    return files


def test_valid_site_has_no_broken_links() -> None:
    files = site()
    files["index.html"] = (
        b'<link rel="stylesheet" href="/chats/assets/amber.0123456789.css">'
        + page(f"/chats/share/{SID}/", f"share/{SID}/index.html", "/chats/", "#top",
               ids=("top",))
    )
    files[f"share/{SID}/index.html"] = page(
        "../../", "../../index.html", "conversation.json", "./conversation.json",
        "#m-2", f"/chats/share/{SID}/#m-1", "https://example.com/elsewhere",
        "mailto:jane@example.com", ids=("m-1", "m-2"))
    assert broken_links(files, BASE) == []


def test_missing_page_is_found() -> None:
    files = site({"index.html": page("/chats/share/nope/", "missing.html")})
    assert broken_links(files, BASE) == [
        ("index.html", "/chats/share/nope/"),
        ("index.html", "missing.html"),
    ]


def test_missing_anchor_is_found() -> None:
    files = site({"index.html": page(f"/chats/share/{SID}/#m-9", f"/chats/share/{SID}/#m-1",
                                     "#nowhere", "#here", ids=("here",))})
    assert broken_links(files, BASE) == [
        ("index.html", f"/chats/share/{SID}/#m-9"),
        ("index.html", "#nowhere"),
    ]


def test_percent_encoded_anchor_resolves() -> None:
    files = site({"index.html": page("#caf%C3%A9", ids=("café",))})
    assert broken_links(files, BASE) == []


@pytest.mark.parametrize("link", ["/index.html", "/other/", "/chatsx/index.html"])
def test_link_outside_the_base_path_is_found(link: str) -> None:
    files = site({"index.html": page(link)})
    assert broken_links(files, BASE) == [("index.html", link)]


def test_absolute_url_on_same_origin_is_checked() -> None:
    good = f"https://jane.github.io/chats/share/{SID}/"
    bad = "https://jane.github.io/chats/share/missing/"
    outside = "https://jane.github.io/elsewhere/"
    files = site({"index.html": page(good, bad, outside)})
    assert broken_links(files, BASE) == [("index.html", bad), ("index.html", outside)]


def test_other_origins_are_not_checked() -> None:
    files = site({"index.html": page("https://jane.github.io.evil.example/chats/missing/",
                                     "http://other.example/x", "mailto:a@b.c")})
    assert broken_links(files, BASE) == []


def test_directory_links_resolve_to_index_html() -> None:
    files = site({"index.html": page(f"share/{SID}", f"share/{SID}/", f"/chats/share/{SID}")})
    assert broken_links(files, BASE) == []
    del files[f"share/{SID}/index.html"]
    assert len(broken_links(files, BASE)) == 3


def test_relative_links_resolve_against_the_page() -> None:
    files = site({f"share/{SID}/index.html": page("conversation.json", "../../404.html",
                                                      "conversation.md")})
    assert broken_links(files, BASE) == [(f"share/{SID}/index.html", "conversation.md")]


def test_src_attributes_are_checked() -> None:
    html = b'<img src="/chats/assets/missing.png"><script src="x.js"></script>'
    files = site({"index.html": html})
    assert broken_links(files, BASE) == [
        ("index.html", "/chats/assets/missing.png"),
        ("index.html", "x.js"),
    ]


def test_root_base_url() -> None:
    files = site({"index.html": page(f"/share/{SID}/", "/nope/")})
    assert broken_links(files, "https://chats.example.com/") == [("index.html", "/nope/")]


def test_relative_link_climbing_above_the_base_path_is_found() -> None:
    files = site({"index.html": page("../index.html")})
    assert broken_links(files, BASE) == [("index.html", "../index.html")]


OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def _split_check(files: dict[str, bytes]) -> list[tuple[str, str]]:
    """broken_links the way a cached check computes it: each share's folder settled
    on its own, the rest of its links against the whole site."""
    shares: dict[str, dict[str, bytes]] = {}
    rest = {}
    for rel, data in files.items():
        if rel.startswith("share/"):
            shares.setdefault(rel.split("/")[1], {})[rel] = data
        else:
            rest[rel] = data
    pages = {rel: page_links(rel, data, BASE) for rel, data in rest.items()
             if rel.endswith(".html")}
    share_pages = {sid: {rel: page_links(rel, data, BASE) for rel, data in own.items()
                         if rel.endswith(".html")} for sid, own in shares.items()}

    def ids_of(rel: str) -> frozenset[str] | None:
        found = share_pages.get(rel.split("/")[1], {}).get(rel)
        return found.ids if found is not None else None

    broken = [(rel, pos, link) for rel, summary in pages.items()
              for pos, link in broken_on_page(summary.links, pages, files, ids_of)]
    for sid, own_pages in share_pages.items():
        settled, needs = settle_locally(own_pages, shares[sid])
        broken += settled
        broken += [(rel, pos, link) for rel, pos, link, path, fragment in needs
                   for _, link in broken_on_page([(pos, link, path, fragment)], pages, files,
                                                 ids_of)]
    return [(rel, link) for rel, _, link in sorted(broken, key=lambda b: (b[0], b[1]))]


@pytest.mark.parametrize("links", [
    ("../../", "#m-2", "#m-9", "conversation.json", "missing.json", "../../nowhere.html",
     f"../{OTHER}/#m-1", f"../{OTHER}/#m-7", f"/chats/share/{OTHER}/", "/elsewhere/",
     "../../../../up", "../../#top", "../../#gone", "conversation.json#m-1", "#m-2"),
    ("./", ".", "index.html#m-1", f"/chats/share/{SID}/index.html#m-9"),
])
def test_a_share_settled_on_its_own_gives_the_same_broken_links(links: tuple[str, ...]) -> None:
    files = site({
        "index.html": page(f"share/{SID}/#m-3", "share/", ids=("top",)),
        f"share/{SID}/index.html": page(*links, ids=("m-1", "m-2")),
        f"share/{OTHER}/index.html": page("../../", f"../{SID}/#m-1", ids=("m-1",)),
        f"share/{OTHER}/conversation.json": b"{}",
    })
    expected = broken_links(files, BASE)
    assert expected, "the case must have broken links to compare"
    assert _split_check(files) == expected
