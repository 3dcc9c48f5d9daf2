"""Requests answered without sockets: the site with GitHub Pages' rules, drafts, the
management page, the overlay, live reload, and who may ask for what."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from amber.content.load import SitePaths
from amber.serve.app import App, Request, Response, host_name, is_loopback
from amber.serve.drafts import DRAFT_ID
from amber.serve.rebuild import Rebuilder
from amber.serve.state import LiveSite
from tests.helpers import EPOCH
from tests.helpers.serve import revoke_now, share_now, touch_later

PICTURE = "5644c9c617c8292e625d9e5a07a5b64d09386b8c511db19689aeef3449544492.png"
INJECTED = re.compile(
    rb'<link rel="stylesheet" href="/_amber/serve.css"><script src="/_amber/reload.js" '
    rb'data-amber-epoch="[0-9a-f]+-\d+" defer></script>(<script src="/_amber/draft.js" '
    rb'defer></script>)?')


@dataclass
class Served:
    root: Path
    app: App
    rebuilder: Rebuilder
    listed: str
    unlisted: str

    def get(self, target: str, *, host: str | None = "127.0.0.1:8000",
            client: str = "127.0.0.1", method: str = "GET") -> Response:
        return self.app.handle(Request(method, target, host, client))

    def rebuild(self) -> None:
        self.rebuilder.rebuild()

    @property
    def files(self) -> dict[str, bytes]:
        build = self.rebuilder.live.state.build
        assert build is not None
        return build.files


@pytest.fixture
def served(serve_site: Path) -> Served:
    listed = share_now(serve_site, "alpha", listed=True, author="Serve Author",
                       epoch=EPOCH + 10)
    unlisted = share_now(serve_site, "hostile", epoch=EPOCH + 20)
    live = LiveSite()
    rebuilder = Rebuilder(SitePaths(serve_site), live, log=lambda line: None)
    rebuilder.rebuild()
    return Served(serve_site, App(SitePaths(serve_site), live), rebuilder, listed, unlisted)


def without_injection(body: bytes) -> bytes:
    return INJECTED.sub(b"", body)


# --- the site -------------------------------------------------------------------------


def test_pages_are_the_built_files_plus_the_reload_tags(served: Served) -> None:
    for target, rel in [("/chats/", "index.html"),
                        (f"/chats/share/{served.listed}/", f"share/{served.listed}/index.html"),
                        (f"/chats/share/{served.unlisted}/index.html",
                         f"share/{served.unlisted}/index.html")]:
        response = served.get(target)
        assert response.status == 200
        assert response.content_type == "text/html; charset=utf-8"
        assert len(INJECTED.findall(response.body)) == 1
        assert without_injection(response.body) == served.files[rel]


def test_other_files_are_sent_as_built(served: Served) -> None:
    css = next(rel for rel in served.files if rel.startswith("assets/amber.")
               and rel.endswith(".css"))
    for rel, kind in [(f"share/{served.listed}/conversation.json", "application/json"),
                      (f"share/{served.listed}/conversation.md", "text/markdown"),
                      ("feed.xml", "application/atom+xml"), (css, "text/css"),
                      ("robots.txt", "text/plain")]:
        response = served.get(f"/chats/{rel}")
        assert response.status == 200, rel
        assert response.content_type.startswith(kind)
        assert response.body == served.files[rel]


def test_missing_pages_get_404_html_with_status_404(served: Served) -> None:
    response = served.get("/chats/share/00000000-0000-4000-8000-000000000000/")
    assert response.status == 404
    assert without_injection(response.body) == served.files["404.html"]
    assert served.get("/elsewhere/").status == 404


def test_folders_without_a_slash_redirect(served: Served) -> None:
    response = served.get(f"/chats/share/{served.listed}?from=feed")
    assert response.status == 301
    assert dict(response.headers)["Location"] == f"/chats/share/{served.listed}/?from=feed"
    assert dict(served.get("/chats").headers)["Location"] == "/chats/"


@pytest.mark.parametrize("target", [
    "/chats/../content/site.yaml", "/chats/%2e%2e/content/site.yaml",
    "/chats/share%2f..%2f..%2fcontent%2fsite.yaml", "//etc/passwd", "/chats/..%5csite.yaml",
    "/_preview/../content/site.yaml", "/_amber/draft/assets/..%2f..%2fsite.yaml",
    "/_amber/draft/assets/../site.yaml", "/_preview/%2e%2e/", "http://evil.example/chats/",
])
def test_traversal_is_404(served: Served, target: str) -> None:
    response = served.get(target)
    assert response.status == 404
    assert b"base_url:" not in response.body  # site.yaml was not sent


def test_only_get_and_head(served: Served) -> None:
    response = served.get("/chats/", method="POST")
    assert response.status == 405 and ("Allow", "GET, HEAD") in response.headers


def test_other_host_names_are_refused(served: Served) -> None:
    """DNS rebinding: a page of evil.example pointing its name at 127.0.0.1."""
    assert served.get("/chats/", host="evil.example:8000").status == 403
    assert served.get("/_manage/", host="evil.example").status == 403
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", None):
        assert served.get("/chats/", host=host).status == 200


def test_local_pages_answer_this_machine_only(served: Served) -> None:
    app = App(SitePaths(served.root), served.rebuilder.live, bind_host="0.0.0.0")
    lan = {"host": "192.168.1.20:8000", "client": "192.168.1.31"}
    assert app.handle(Request("GET", "/chats/", **lan)).status == 200  # the site is public
    for target in ("/_manage/", "/_preview/alpha/", "/_amber/ping",
                   f"/_amber/draft/assets/{PICTURE}"):
        response = app.handle(Request("GET", target, **lan))
        assert response.status == 404, target
        assert served.unlisted.encode() not in response.body
        local = app.handle(Request("GET", target, "localhost:8000", "127.0.0.1"))
        assert local.status == 200, target


def test_the_servers_own_files(served: Served) -> None:
    script = served.get("/_amber/reload.js")
    assert script.status == 200 and script.content_type.startswith("text/javascript")
    assert b"EventSource" in script.body
    assert served.get("/_amber/serve.css").content_type.startswith("text/css")
    ping = json.loads(served.get("/_amber/ping").body)
    assert ping["site"] == str(served.root)


# --- management ------------------------------------------------------------------------


def test_manage_lists_every_active_share_with_state_and_tombstones(served: Served) -> None:
    gone = share_now(served.root, "bravo", epoch=EPOCH + 30)
    revoke_now(served.root, gone)
    alpha = served.root / "content" / "conversations" / "alpha.yaml"
    touch_later(alpha, alpha.read_text("utf-8").replace("MARK-ALPHA-1", "MARK-ALPHA-NEW"))
    (served.root / "content" / "conversations" / "hostile.yaml").unlink()
    served.rebuild()
    response = served.get("/_manage/")
    assert response.status == 200
    assert ("X-Robots-Tag", "noindex, nofollow") in response.headers
    page = response.body.decode()
    for share_id in (served.listed, served.unlisted):
        assert f'href="/chats/share/{share_id}/"' in page
    rows = page.split("<tr>")
    listed_row = next(r for r in rows if served.listed in r)
    assert ">listed<" in listed_row and ">stale<" in listed_row
    assert f"amber update {served.listed}" in listed_row
    assert 'href="/_preview/alpha/"' in listed_row
    unlisted_row = next(r for r in rows if served.unlisted in r)
    assert ">unlisted<" in unlisted_row and ">source gone<" in unlisted_row
    assert "/_preview/hostile/" not in unlisted_row
    assert gone in page and "1 revoked" in page
    assert "<script>alert" not in page  # the hostile title is text
    assert "Hostile &lt;/head&gt;&lt;body&gt;&lt;script&gt;" in page


# --- drafts ------------------------------------------------------------------------------


def test_a_draft_is_the_share_page_it_would_be(served: Served) -> None:
    response = served.get("/_preview/bravo/")
    assert response.status == 200
    page = response.body.decode()
    assert '<meta name="robots" content="noindex">' in page
    assert ("X-Robots-Tag", "noindex, nofollow") in response.headers
    assert f"/chats/share/{DRAFT_ID}/" in page
    assert "MARK-BRAVO-2" in page and "Bravo about bread" in page
    assert "Draft preview, not shared." in page
    assert 'href="/_preview/bravo/conversation.json"' in page
    assert '<script src="/_amber/draft.js" defer>' in page
    assert "amber share bravo" in page
    assert "Shared by" not in page.split("</aside>", 1)[1]  # anonymous by default
    exported = json.loads(served.get("/_preview/bravo/conversation.json").body)
    assert DRAFT_ID in json.dumps(exported)
    assert b"MARK-BRAVO-2" in served.get("/_preview/bravo/conversation.md").body
    assert DRAFT_ID.encode() not in b"".join(served.files.values())


def test_draft_options_try_title_and_name(served: Served) -> None:
    page = served.get("/_preview/bravo/?title=New+%3Cb%3Etitle&name=").body.decode()
    assert "<h1" in page and "New &lt;b&gt;title" in page and "<b>title" not in page
    assert "Shared by Serve Author" in page
    assert "amber share bravo --title &#39;New &lt;b&gt;title&#39; --name" in page
    named = served.get("/_preview/bravo/?name=Jo+Doe").body.decode()
    assert "Shared by Jo Doe" in named and "--name &#39;Jo Doe&#39;" in named
    both = served.get("/_preview/bravo/?name=Jo&anonymous").body.decode()
    assert "Shared by" not in both.split("</aside>", 1)[1]
    assert "both name and anonymous" in both


def test_a_hostile_conversation_stays_text_in_its_draft(served: Served) -> None:
    page = served.get("/_preview/hostile/").body.decode()
    assert "MARK-HOSTILE-3" in page
    assert "<script>alert" not in page and "<img src=x" not in page
    assert 'href="javascript:' not in page
    # Only the server's own two script tags, plus the theme's.
    scripts = re.findall(r"<script[^>]*>", page)
    assert all('src="/' in tag for tag in scripts)
    assert page.count('src="/_amber/reload.js"') == 1


def test_draft_images_come_from_content_assets(served: Served) -> None:
    page = served.get("/_preview/picture/").body.decode()
    assert f'src="/_amber/draft/assets/{PICTURE}"' in page
    image = served.get(f"/_amber/draft/assets/{PICTURE}")
    assert image.status == 200 and image.content_type == "image/png"
    assert served.get("/_amber/draft/assets/missing.png").status == 404
    assert served.get("/_amber/draft/site.yaml").status == 404


def test_draft_addresses(served: Served) -> None:
    redirect = served.get("/_preview/bravo?title=x")
    assert redirect.status == 301
    assert dict(redirect.headers)["Location"] == "/_preview/bravo/?title=x"
    missing = served.get("/_preview/nope/")
    assert missing.status == 404 and b"No such conversation" in missing.body
    assert served.get("/_preview/bravo/other").status == 404
    assert served.get("/_preview/Not_A_Slug!/").status == 404


# --- errors and live reload ---------------------------------------------------------------


def test_problems_show_over_every_page_and_go_away_when_fixed(served: Served) -> None:
    path = served.root / "content" / "conversations" / "bravo.yaml"
    text = path.read_text("utf-8")
    touch_later(path, "title: Bravo\nmessages:\n  - role: nobody\n    content: x\n")
    served.rebuild()
    for target in ("/chats/", f"/chats/share/{served.listed}/", "/chats/missing/",
                   "/_preview/alpha/", "/_manage/"):
        body = served.get(target).body.decode()
        assert 'class="amber-serve-overlay" role="alert"' in body, target
        assert "bravo.yaml:3:" in body, target
        assert "you are seeing the last good build" in body
    touch_later(path, text)
    served.rebuild()
    assert b"amber-serve-overlay" not in served.get("/chats/").body


def read_events(app: App, epoch: str) -> tuple[threading.Thread, list[bytes]]:
    chunks: list[bytes] = []
    response = app.handle(Request("GET", f"/_amber/events?epoch={epoch}", "127.0.0.1:8000"))
    assert response.content_type.startswith("text/event-stream") and response.stream
    thread = threading.Thread(target=response.stream, args=(chunks.append,), daemon=True)
    thread.start()
    return thread, chunks


def test_event_stream_says_reload_after_the_next_change(served: Served) -> None:
    epoch = served.rebuilder.live.state.epoch
    thread, chunks = read_events(served.app, epoch)
    thread.join(timeout=0.3)
    assert thread.is_alive() and chunks == [b"retry: 1000\n\n"]  # waiting: nothing new yet
    path = served.root / "content" / "conversations" / "bravo.yaml"
    touch_later(path, path.read_text("utf-8").replace("MARK-BRAVO-2", "MARK-BRAVO-3"))
    served.rebuild()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert chunks[-1] == f"event: reload\ndata: {served.rebuilder.live.state.epoch}\n\n".encode()


def test_a_page_from_an_older_build_reloads_at_once(served: Served) -> None:
    thread, chunks = read_events(served.app, "another-server-7")
    thread.join(timeout=5)
    assert not thread.is_alive() and chunks[-1].startswith(b"event: reload")


def test_a_closing_server_ends_event_streams(served: Served) -> None:
    thread, _ = read_events(served.app, served.rebuilder.live.state.epoch)
    served.rebuilder.live.close()
    thread.join(timeout=5)
    assert not thread.is_alive()


@pytest.mark.parametrize(("name", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("localhost", True), ("app.localhost", True), ("192.168.1.2", False), ("::", False),
    ("evil.example", False), ("localhost.evil.example", False), (None, False),
])
def test_loopback_names(name: str | None, loopback: bool) -> None:
    assert is_loopback(name) is loopback


@pytest.mark.parametrize(("header", "name"), [
    ("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "::1"), ("LocalHost", "localhost"),
    ("evil.example:80", "evil.example"), (None, None),
])
def test_host_names(header: str | None, name: str | None) -> None:
    assert host_name(header) == name


def test_a_page_loading_during_a_theme_change_keeps_its_styles(served: Served) -> None:
    old_css = next(rel for rel in served.files if rel.startswith("assets/amber.")
                   and rel.endswith(".css"))
    static = served.root / "themes" / "default" / "static"
    static.mkdir(parents=True)
    (static / "amber.css").write_text("body { color: black; }\n", "utf-8")
    served.rebuild()
    assert old_css not in served.files
    response = served.get(f"/chats/{old_css}")
    assert response.status == 200 and response.content_type.startswith("text/css")
    served.rebuild()  # nothing changed: the previous build's assets are still kept
    assert served.get(f"/chats/{old_css}").status == 200
    assert served.get("/chats/assets/amber.0000000000.css").status == 404
