"""Every payload of the XSS corpus in every field, through the real CLI and the preview
server: every page that comes out is parsed, and nothing active may be in it.

The corpus site (``xss_site.make_corpus_site``) holds every payload in every field of
``FIELDS``: in bundles of a dozen payloads for the message fields, and one short
conversation per payload for the fields a page holds once (title, ``--title``,
``--name``, models), shared by ``amber share`` and built by ``amber build``. The preview
server then serves the same site: the management page, a draft per payload with the
payload in ``?title=`` and ``?name=``, the bundles' drafts, missing pages under hostile
paths, and the error overlay quoting a broken file.

Run with ``-s`` to see the figures (payloads × fields × pages, problems found).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from amber.render.markdown import render_markdown
from amber.render.templates import CSP
from tests.helpers.serve import AmberServer
from tests.security.xss_payloads import KINDS, PAYLOADS
from tests.security.xss_site import (
    CLI_NAME,
    CLI_SAMPLE,
    FIELDS,
    FIXTURE_SITE,
    REFUSED_PAYLOADS,
    SERVE_FIELDS,
    SITE_PAYLOADS,
    Allowed,
    CorpusSite,
    ServedCorpus,
    broken_file,
    bundle_slug,
    bundles,
    feed_problems,
    joined,
    page_problems,
    served_allowed,
    shared_corpus_server,
    shared_corpus_site,
    site_allowed,
    sitemap_problems,
    slug,
    text_of,
    texts_of,
    titled_conversation,
    unsafe_scheme,
)

FIGURES: dict[str, int] = {}
"""Counts gathered by the tests below, printed by the last one."""

@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusSite:
    return shared_corpus_site(tmp_path_factory)


# --- the checks themselves can fail -------------------------------------------------

GOOD_PAGE = """<!doctype html><html lang="en"><head>
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta charset="utf-8"><title>t</title>
<link rel="stylesheet" href="/s/assets/amber.1.css">
<script src="/s/assets/amber.1.js"></script>
</head><body><main><p>{body}</p></main></body></html>"""


def _page(body: str) -> str:
    return GOOD_PAGE.format(csp=CSP, body=body)


def _allowed() -> Allowed:
    return Allowed(frozenset({"/s/assets/amber.1.js"}), frozenset({"/s/assets/amber.1.css"}),
                   ("/s/assets/",))


def test_a_clean_page_passes() -> None:
    assert page_problems(_page('<a href="https://example.com/" rel="nofollow">x</a>'
                               ' <a href="/s/">y</a>'
                               ' <a href="mailto:a@example.com">z</a> <a href="#m-1">w</a>'),
                         _allowed()) == []


@pytest.mark.parametrize("body", [
    "<script>alert(1)</script>",
    '<script src="https://evil.example/x.js"></script>',
    '<img src="/s/assets/a.png" onerror="alert(1)">',
    '<a href="java&#9;script:alert(1)">x</a>',
    '<a href="&#x01; JavaScript:alert(1)">x</a>',
    '<a href="java\u200bscript:alert(1)">x</a>',
    '<a href="vbscript:x">x</a>',
    '<a href="data:text/html,x">x</a>',
    '<img src="https://evil.example/pixel.png" alt="">',
    '<iframe srcdoc="x"></iframe>',
    "<object></object>",
    '<embed src="/s/x">',
    '<base href="/evil/">',
    '<meta http-equiv="refresh" content="0;url=/x">',
    '<form action="/x"></form>',
    "<form></form>",
    '<span style="color:red">x</span>',
    '<svg><a xlink:href="/x">x</a></svg>',
    "<svg><foreignObject></foreignObject></svg>",
    '<math><maction actiontype="toggle"></maction></math>',
    "<style>p{}</style>",
    "<!-- a comment from content -->",
    '<input type="image" src="/s/assets/x.png">',
    '<button formaction="javascript:x">b</button>',
    "<textarea></textarea>",
    '<details open ontoggle="x"></details>',
    '<a href="//evil.example/">protocol-relative, no nofollow</a>',
    '<a href="https://evil.example/">off-site, no nofollow</a>',
])
def test_the_checker_finds_active_markup(body: str) -> None:
    assert page_problems(_page(body), _allowed()) != []


@pytest.mark.parametrize("text", ["[t](//evil.example/x)", "[t](///evil.example/x)",
                                  "see //evil.example/x", "[t](https://evil.example/x)",
                                  "<https://evil.example/x>", "www.example.org/x"])
def test_links_off_the_site_say_nofollow(text: str) -> None:
    assert page_problems(_page(render_markdown(text)), _allowed()) == []
    assert 'rel="nofollow noopener noreferrer"' in render_markdown(text)


def test_the_checker_wants_the_policy_first() -> None:
    page = _page("x").replace('<meta http-equiv', '<meta name="x" content="y"><meta http-equiv')
    assert page_problems(page, _allowed()) != []
    assert page_problems(_page("x").replace("Content-Security-Policy", "X-Other"),
                         _allowed()) != []


@pytest.mark.parametrize(("url", "scheme"), [
    ("javascript:x", "javascript"), (" \x01javascript:x", "javascript"),
    ("java\tscr\nipt:x", "javascript"), ("JAVA\u200bSCRIPT:x", "JAVASCRIPT"),
    ("\u202ejavascript:x", "javascript"), ("data:,x", "data"), ("vbscript:x", "vbscript"),
    ("https://example.com/", None), ("/a/b", None), ("#m-1", None), ("mailto:a@b.test", None),
    ("&#106;avascript:x", None), ("%6Aavascript:x", None), ("./javascript:x", None),
])
def test_unsafe_scheme_reads_urls_like_a_browser(url: str, scheme: str | None) -> None:
    assert unsafe_scheme(url) == scheme


# --- the corpus ----------------------------------------------------------------------


def test_the_corpus_is_big_and_varied() -> None:
    assert len(PAYLOADS) >= 150
    assert len({(p.kind, p.name) for p in PAYLOADS}) == len(PAYLOADS)
    assert len(KINDS) >= 12
    link_forms = {"inline-link", "reference-link", "autolink", "bare-link", "image"}
    assert link_forms <= set(KINDS)
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert any(scheme in p.text.lower() for p in PAYLOADS), scheme


def test_every_payload_reached_its_pages_as_text(corpus: CorpusSite) -> None:
    """The payloads really are on the pages, shown as the text they are: a payload that
    was dropped or mangled on the way would make every later check hollow."""
    share_dir = corpus.output / "share"

    def texts(share_id: str, *classes: str) -> dict[str, list[str]]:
        return texts_of((share_dir / share_id / "index.html").read_text("utf-8"), classes)

    for payload in SITE_PAYLOADS:
        for share_id, name in ((corpus.conversation_titled[payload.number], CLI_NAME.text),
                               (corpus.share_titled[payload.number], payload.text.strip())):
            found = texts(share_id, "share-title", "message-model", "meta")
            assert found["share-title"] == [payload.text], payload.name
            assert found["message-model"] == [payload.text], payload.name
            assert f"Shared by {name}" in found["meta"][0], payload.name
    for share_id, chunk in zip(corpus.bundles, bundles(), strict=True):
        found = texts(share_id, "share-title", "message-model", "attachment-name",
                      "code-title", "code-lang")
        expected = [p.text for p in chunk]
        assert found["share-title"] == [joined(chunk)]
        assert found["message-model"] == expected
        assert found["attachment-name"] == expected
        assert found["code-title"] == expected
        assert len(found["code-lang"]) >= len(chunk)  # the fences with a plain language
    assert len(corpus.cli_titled) == len(CLI_SAMPLE)
    index = (corpus.output / "index.html").read_text("utf-8")
    assert index.count('class="share-card"') == corpus.share_count


def test_no_built_page_has_anything_active(corpus: CorpusSite) -> None:
    allowed = site_allowed(corpus.output, corpus.base_path)
    pages = sorted(corpus.output.rglob("*.html"))
    assert len(pages) == corpus.share_count + 2  # every share page, index.html, 404.html
    found = {}
    for path in pages:
        problems = page_problems(path.read_text("utf-8"), allowed)
        if problems:
            found[path.relative_to(corpus.output).as_posix()] = problems[:5]
    FIGURES["built pages"] = len(pages)
    FIGURES["built problems"] = sum(len(p) for p in found.values())
    assert found == {}


def test_feeds_and_data_files_are_inert(corpus: CorpusSite) -> None:
    output = corpus.output
    assert feed_problems((output / "feed.xml").read_bytes(), corpus.base_url) == []
    assert sitemap_problems((output / "sitemap.xml").read_bytes(), corpus.base_url) == []
    search = json.loads((output / "search.json").read_text("utf-8"))
    assert len(search) == corpus.share_count
    for entry in search:
        assert entry["href"].startswith(f"{corpus.base_path}share/"), entry["href"]
    exports = sorted(output.glob("share/*/conversation.json"))
    assert len(exports) == corpus.share_count
    for path in exports:
        json.loads(path.read_text("utf-8"))
    for path in output.glob("share/*/conversation.md"):
        path.read_text("utf-8")
    FIGURES["data files"] = 3 + 2 * len(exports)


def test_the_feed_is_well_formed_xml(corpus: CorpusSite) -> None:
    ET.fromstring((corpus.output / "feed.xml").read_bytes())
    ET.fromstring((corpus.output / "sitemap.xml").read_bytes())


def test_payloads_no_page_may_hold_are_refused_naming_the_file(tmp_path: Path) -> None:
    """Control characters (``\\u0000``, ``\\x01``) would break the feed: a conversation
    holding one is refused as bad content, with its file, line and column."""
    assert REFUSED_PAYLOADS, "the corpus has payloads with control characters"
    root = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, root)
    for payload in REFUSED_PAYLOADS:
        (root / "content" / "conversations" / f"{slug(payload)}.json").write_text(
            json.dumps(titled_conversation(payload)), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "amber", "check"], cwd=root, capture_output=True,
        text=True, encoding="utf-8", stdin=subprocess.DEVNULL, timeout=120, check=False,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))},
             "CI": "true", "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for payload in REFUSED_PAYLOADS:
        assert re.search(rf"content/conversations/{slug(payload)}\.json:\d+:\d+: ",
                         result.stderr), (payload.name, result.stderr)
    FIGURES["refused payloads"] = len(REFUSED_PAYLOADS)


@pytest.mark.parametrize("option", ["--title", "--name"])
def test_a_title_or_name_no_page_may_hold_is_refused_before_writing(
        tmp_path: Path, option: str) -> None:
    payload = next(p for p in REFUSED_PAYLOADS if "\x00" not in p.text)  # argv holds no NUL
    root = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, root)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))},
           "CI": "true", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "amber", "share", "alpha", f"{option}={payload.text}",
         "--yes"], cwd=root, capture_output=True, text=True, encoding="utf-8",
        stdin=subprocess.DEVNULL, timeout=120, check=False, env=env)
    assert result.returncode in (1, 2), result.stdout
    assert "Traceback" not in result.stderr
    shares = root / "content" / "shares"
    assert not shares.exists() or not any(shares.iterdir())


# --- the preview server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(corpus: CorpusSite, tmp_path_factory: pytest.TempPathFactory,
           pytestconfig: pytest.Config) -> ServedCorpus:
    return shared_corpus_server(tmp_path_factory, pytestconfig)


def _check(server: AmberServer, path: str, allowed: Allowed, status: int = 200) -> list[str]:
    code, headers, body = server.get(path)
    assert code == status, (path, code)
    assert headers["content-type"].startswith("text/html"), path
    return page_problems(body.decode("utf-8"), allowed)


def test_preview_server_pages_have_nothing_active(served: ServedCorpus,
                                                  corpus: CorpusSite) -> None:
    server = served.server
    allowed = served_allowed(site_allowed(corpus.output, "/chats/"))
    found: dict[str, list[str]] = {}
    checked = 0

    def check(path: str, status: int = 200) -> None:
        nonlocal checked
        checked += 1
        problems = _check(server, path, allowed, status)
        if problems:
            found[path[:120]] = problems[:5]

    check("/_manage/")
    _, _, manage = server.get("/_manage/")
    for payload in SITE_PAYLOADS:  # every conversation title and share title on one page
        assert f"/_preview/{slug(payload)}/" in manage.decode()
    check("/chats/")
    for payload in SITE_PAYLOADS:
        query = urllib.parse.urlencode({"title": payload.text, "name": payload.text})
        check(f"/_preview/{slug(payload)}/?{query}")
        check(f"/chats/{urllib.parse.quote(payload.text, safe='')}", status=404)
    for index in range(len(bundles())):  # every payload in every message field
        check(f"/_preview/{bundle_slug(index)}/")
    FIGURES["served pages"] = checked
    FIGURES["served problems"] = sum(len(p) for p in found.values())
    assert found == {}


def test_the_error_overlay_quotes_broken_files_as_text(served: ServedCorpus,
                                                       corpus: CorpusSite) -> None:
    server = served.server
    allowed = served_allowed(site_allowed(corpus.output, "/chats/"))
    problems = {}
    with broken_file(served):
        _, _, body = server.get("/chats/")
        overlay = text_of(body.decode("utf-8"), "amber-serve-overlay") or ""
        quoted = [p for p in SITE_PAYLOADS if repr(p.text)[1:-1] in overlay]
        assert len(quoted) > len(SITE_PAYLOADS) // 2, "the overlay quotes the bad roles"
        for path in ("/chats/", "/_manage/", f"/_preview/{slug(SITE_PAYLOADS[0])}/"):
            found = _check(server, path, allowed)
            if found:
                problems[path] = found[:5]
    FIGURES["overlay pages"] = 3
    assert problems == {}


def test_figures(corpus: CorpusSite) -> None:
    """The closing note's figures (``pytest -s`` shows them)."""
    built = FIGURES.get("built pages", 0)
    served = FIGURES.get("served pages", 0) + FIGURES.get("overlay pages", 0)
    problems = FIGURES.get("built problems", 0) + FIGURES.get("served problems", 0)
    fields = len(FIELDS) + len(SERVE_FIELDS)
    print(f"\nXSS corpus: {len(PAYLOADS)} payloads in {len(KINDS)} kinds; "
          f"{FIGURES.get('refused payloads', 0)} refused at load (control characters), "
          f"{len(SITE_PAYLOADS)} × {len(FIELDS)} fields of content "
          f"(+{len(SERVE_FIELDS)} of the preview server) = {len(SITE_PAYLOADS) * fields} "
          f"placements; {built + served} HTML pages parsed ({built} built, {served} served), "
          f"{FIGURES.get('data files', 0)} data files; problems found: {problems}")
    assert problems == 0
