"""Request paths: refused when unsafe, resolved as GitHub Pages would, with the right type;
and the server's tags injected into pages without touching their content."""

from __future__ import annotations

import pytest

from amber.serve.inject import head_tags, inject
from amber.serve.routes import Resolved, content_type, parse_target, resolve_site_path

FILES = {
    "index.html", "404.html", "share/abc/index.html", "share/abc/conversation.json",
    "share/abc/conversation.md", "assets/amber.1234567890.css", "feed.xml", "sitemap.xml",
    "robots.txt", "about.html", ".nojekyll",
}


@pytest.mark.parametrize("raw", [
    "/chats/../etc/passwd",
    "/chats/share/../../etc/passwd",
    "/../etc/passwd",
    "/chats/%2e%2e/%2e%2e/etc/passwd",
    "/chats/%2E%2E/etc/passwd",
    "/chats/.%2e/etc/passwd",
    "/chats/./index.html",
    "/chats/share%2fabc/index.html",
    "/chats/share%2Fabc/",
    "/chats/..%5c..%5cetc%5cpasswd",
    "/chats/..\\..\\etc\\passwd",
    "//etc/passwd",
    "/chats//etc/passwd",
    "/chats/%00index.html",
    "/chats/%0aindex.html",
    "/chats/%ff%fe",
    "http://evil.example/chats/",
    "etc/passwd",
    "*",
])
def test_unsafe_targets_are_refused(raw: str) -> None:
    assert parse_target(raw) is None


@pytest.mark.parametrize(("raw", "path", "query"), [
    ("/chats/", "/chats/", ""),
    ("/chats/share/abc/?x=1&y", "/chats/share/abc/", "x=1&y"),
    ("/chats/caf%C3%A9/", "/chats/café/", ""),
    ("/chats/%252e%252e/", "/chats/%2e%2e/", ""),  # decoded once: a literal, harmless name
    ("/chats/index.html#top", "/chats/index.html", ""),
])
def test_safe_targets_are_decoded_once(raw: str, path: str, query: str) -> None:
    target = parse_target(raw)
    assert target is not None
    assert (target.path, target.query) == (path, query)


@pytest.mark.parametrize(("path", "expected"), [
    ("/chats/", Resolved(200, rel="index.html")),
    ("/chats/index.html", Resolved(200, rel="index.html")),
    ("/chats/share/abc/", Resolved(200, rel="share/abc/index.html")),
    ("/chats/share/abc", Resolved(301, location="/chats/share/abc/")),
    ("/chats/share/abc/conversation.json", Resolved(200, rel="share/abc/conversation.json")),
    ("/chats/about", Resolved(200, rel="about.html")),
    ("/chats", Resolved(301, location="/chats/")),
    ("/", Resolved(301, location="/chats/")),
    ("/chats/share/", Resolved(404)),
    ("/chats/share/nope/", Resolved(404)),
    ("/chats/missing.html", Resolved(404)),
    ("/chats/share/abc/conversation.json/", Resolved(404)),
    ("/other/index.html", Resolved(404)),
    ("/chatsindex.html", Resolved(404)),
])
def test_github_pages_resolution_under_the_prefix(path: str, expected: Resolved) -> None:
    assert resolve_site_path(path, "/chats/", FILES) == expected


def test_a_site_at_the_root_of_its_host() -> None:
    assert resolve_site_path("/", "/", FILES) == Resolved(200, rel="index.html")
    assert resolve_site_path("/share/abc", "/", FILES) == Resolved(301, location="/share/abc/")
    assert resolve_site_path("/nope", "/", FILES) == Resolved(404)


@pytest.mark.parametrize(("rel", "kind"), [
    ("index.html", "text/html; charset=utf-8"),
    ("assets/amber.1234567890.css", "text/css; charset=utf-8"),
    ("assets/amber.1234567890.js", "text/javascript; charset=utf-8"),
    ("share/abc/conversation.json", "application/json; charset=utf-8"),
    ("share/abc/conversation.md", "text/markdown; charset=utf-8"),
    ("feed.xml", "application/atom+xml; charset=utf-8"),
    ("sitemap.xml", "application/xml; charset=utf-8"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("assets/0123.png", "image/png"),
    ("assets/0123.JPG", "image/jpeg"),
    ("assets/favicon.svg", "image/svg+xml"),
    ("CNAME", "text/plain; charset=utf-8"),
    ("assets/blob", "application/octet-stream"),
])
def test_content_types(rel: str, kind: str) -> None:
    assert content_type(rel) == kind


PAGE = (b"<!doctype html>\n<html><head><title>&lt;/head&gt;&lt;body&gt;</title></head>\n"
        b'<body class="page">\n<p>&lt;/head&gt; &lt;body&gt; text</p>\n</body></html>\n')


def test_injection_goes_before_the_real_head_end_and_after_the_real_body_tag() -> None:
    out = inject(PAGE, b"<HEAD-TAGS>", b"<BODY-START>")
    assert out.index(b"<HEAD-TAGS>") == PAGE.index(b"</head>")
    assert b'<body class="page"><BODY-START>\n<p>&lt;/head&gt;' in out
    assert out.replace(b"<HEAD-TAGS>", b"").replace(b"<BODY-START>", b"") == PAGE


def test_head_tags_are_external_same_origin_files() -> None:
    tags = head_tags('e"1<', draft=True).decode()
    assert '<script src="/_amber/reload.js" data-amber-epoch="e&#34;1&lt;" defer>' in tags
    assert '<script src="/_amber/draft.js" defer>' in tags
    assert '<link rel="stylesheet" href="/_amber/serve.css">' in tags
    assert "<script>" not in tags and "style=" not in tags  # nothing inline: the CSP forbids it
