"""The preview server and expiring links: an expired share is served as revoked, and the
management page says ``expired``, as `amber list` does at the same moment."""

from __future__ import annotations

import json
from pathlib import Path

from amber.content.clock import parse_moment
from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares
from amber.serve.app import App, Request
from amber.serve.rebuild import Rebuilder
from amber.serve.state import LiveSite
from tests.helpers import EPOCH, iso
from tests.helpers.cli import ok, run_amber, source_date

EXPIRES = EPOCH + 3600


def test_an_expired_share_is_gone_from_the_served_site_and_marked_on_manage(
    serve_site: Path,
) -> None:
    content = load_content(SitePaths(serve_site))
    content.require_valid()
    with source_date(EPOCH):
        [snap] = create_shares(content, [content.conversations["alpha"]], title=None,
                               author=None, listed=True, expires=iso(EXPIRES))
    live = LiveSite()
    rebuilder = Rebuilder(SitePaths(serve_site), live, log=lambda line: None)
    app = App(SitePaths(serve_site), live)
    page = f"/chats/share/{snap.id}/"

    def manage_row() -> str:
        body = app.handle(Request("GET", "/_manage/", "127.0.0.1:8000", "127.0.0.1")).body
        return next(r for r in body.decode().split("<tr>") if snap.id in r)

    def listed_state(epoch: int) -> str:
        rows = json.loads(ok(run_amber("list", "--json", cwd=serve_site,
                                       env={"SOURCE_DATE_EPOCH": str(epoch)})).stdout)
        return next(r["state"] for r in rows if r["id"] == snap.id)

    with source_date(EXPIRES - 1):
        rebuilder.rebuild()
        served = app.handle(Request("GET", page, "127.0.0.1:8000", "127.0.0.1"))
        assert served.status == 200
        assert b"This link expires" in served.body
        row = manage_row()
        assert ">current<" in row and f'href="{page}"' in row
    assert listed_state(EXPIRES - 1) == "current"

    with source_date(EXPIRES):
        # Before the next pass the page is still served, and the manage page says so
        # (asked of a new app, so that no page made earlier is simply sent again).
        app = App(SitePaths(serve_site), live)
        assert app.handle(Request("GET", page, "127.0.0.1:8000", "127.0.0.1")).status == 200
        assert ">current<" in manage_row()
        rebuilder.rebuild()  # no file changed: only the moment
        assert app.handle(Request("GET", page, "127.0.0.1:8000", "127.0.0.1")).status == 404
        build = live.state.build
        assert build is not None
        for rel, data in build.files.items():
            assert snap.id.encode() not in data, rel
            assert snap.title.encode() not in data, rel
        row = manage_row()
        assert ">expired<" in row and "amber revoke --expired" in row
        assert f'href="{page}"' not in row
    assert listed_state(EXPIRES) == "expired"


def test_serve_now_fixes_the_moment_of_every_pass(serve_site: Path) -> None:
    content = load_content(SitePaths(serve_site))
    content.require_valid()
    with source_date(EPOCH):
        [snap] = create_shares(content, [content.conversations["alpha"]], title=None,
                               author=None, listed=False, expires=iso(EXPIRES))
    live = LiveSite()
    rebuilder = Rebuilder(SitePaths(serve_site), live, log=lambda line: None,
                          now=parse_moment(iso(EXPIRES)))
    with source_date(EXPIRES - 100):  # the clock says live; --now says expired
        rebuilder.rebuild()
    build = live.state.build
    assert build is not None
    assert f"share/{snap.id}/index.html" not in build.files
    bad = run_amber("serve", "--port", "0", "--now", "soon", cwd=serve_site)
    assert bad.returncode == 2 and "--now" in bad.stderr
