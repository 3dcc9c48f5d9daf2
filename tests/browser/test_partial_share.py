"""A share of some messages with redactions, in Chromium: the notice shows, each marker
is announced to screen readers as "redacted", and axe finds nothing in either scheme."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.browser import FIXTURE, Site, axe_violations
from tests.helpers.cli import ok, run_amber
from tests.helpers.partial_site import AGENT
from tests.helpers.static_host import StaticHost

PREFIX = "/partial/"


@pytest.fixture(scope="module")
def partial_site(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Site:
    root = tmp_path_factory.mktemp("partial") / "site"
    shutil.copytree(FIXTURE, root)
    shutil.copy(AGENT, root / "content" / "conversations")
    site = Site(root, root / "output", f"{server.origin}{PREFIX}")
    printed = ok(run_amber("share", "agent", "--messages", "3-8", "--redact", "Zelda Quartermain",
                           "--redact-pattern", r"TCK-\d+", "--yes", cwd=root)).stdout
    site.ids["agent"] = printed.strip().rstrip("/").rsplit("/", 1)[-1]
    ok(run_amber("build", "--base-url", site.base_url, cwd=root))
    server.mount(PREFIX, site.output)
    return site


def test_the_notice_shows_and_numbers_stay(partial_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    seen = visit(partial_site.share_url("agent"))
    assert seen.status == 200
    notice = seen.page.locator(".share-meta")
    assert notice.is_visible()
    assert "Messages 3\u20138 of 8" in notice.inner_text()
    assert "redactions" in notice.inner_text()
    assert seen.page.locator("#m-5").is_visible()
    assert seen.page.locator("#m-2").count() == 0
    seen.assert_clean()


def test_each_marker_is_announced_as_redacted(partial_site: Site, visit) -> None:  # type: ignore[no-untyped-def]
    seen = visit(partial_site.share_url("agent"))
    markers = seen.page.locator("mark.redacted:visible")  # not those in closed <details>
    announced = seen.page.get_by_role("img", name="redacted", exact=True)
    assert markers.count() > 5
    assert announced.count() == markers.count()
    assert announced.first.is_visible()
    tree = seen.page.locator("#m-3").aria_snapshot()
    assert 'img "redacted"' in tree


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing(partial_site: Site, visit, scheme: str) -> None:  # type: ignore[no-untyped-def]
    seen = visit(partial_site.share_url("agent"), scheme=scheme)
    assert axe_violations(seen) == []


def test_the_page_never_holds_the_redacted_text(partial_site: Site) -> None:
    folder = Path(partial_site.output) / "share" / partial_site.ids["agent"]
    for path in folder.iterdir():
        assert b"Zelda Quartermain" not in path.read_bytes()


def test_the_page_is_valid_html(partial_site: Site) -> None:
    from tests.browser.test_html_valid import vnu_errors
    from tests.helpers.browser import require_vnu

    require_vnu()
    page = Path(partial_site.output) / "share" / partial_site.ids["agent"] / "index.html"
    assert vnu_errors([page]) == []
