"""A share page that states its expiry is still valid HTML (Nu Html Checker)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.browser.test_html_valid import vnu_errors
from tests.helpers import FIXTURES
from tests.helpers.browser import require_vnu
from tests.helpers.fixture_site import build, share


def test_a_page_with_an_expiry_is_valid_html(tmp_path: Path) -> None:
    require_vnu()
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "site", site)
    [day] = share(site, "alpha", "--listed", "--expires", "2026-12-31", "--yes")
    [moment] = share(site, "bravo", "--expires", "2026-06-30T18:30:00Z", "--yes")
    output = build(site)
    pages = [output / "share" / i / "index.html" for i in (day, moment)]
    texts = [p.read_text("utf-8") for p in pages]
    assert "This link expires <time datetime=\"2027-01-01T00:00:00Z\">at the end of " \
           "31 December 2026 (UTC)</time>." in texts[0]
    assert "on 30 June 2026 at 18:30 UTC" in texts[1]
    assert vnu_errors(pages) == []
