"""``base_url`` is a plain web address, and nothing in the review summary is markup.

The attack: ``base_url: "https://x.y_/![](https://evil.example/beacon.png)/"`` was
accepted, and the summary's URL column wrote it raw, so GitHub showed an image
(a request to another host from the reviewer's browser) and a '|' in it split the
table. Now such a URL is refused where it is read (``site.yaml`` with its line and
column, and ``--base-url``), and every cell of the summary that holds a
value is escaped or a code span that cannot be closed or split.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from amber.content.schema import normalise_base_url
from amber.review.git import Revision
from amber.review.summary import Review, ShareRow, StaleRow, cell, render_markdown
from tests.helpers.cli import problem_lines, run_amber
from tests.helpers.fixture_site import FIXTURE_SITE

ATTACK = "https://x.y_/![](https://evil.example/beacon.png)/"
SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


@pytest.mark.parametrize("url", [
    ATTACK,
    "https://x.example/![](https://evil.example/b.png)/",
    "https://x.example/a|b/",
    "https://x.example/[a]/",
    "https://x.example/(a)/",
    "https://x.example/a b/",
    "https://x.example/a`b/",
    "https://x.example/a'b/",
    'https://x.example/a"b/',
    "https://x.example/<a>/",
    "https://x.example/a*b*/",
    "https://x.example/a\\b/",
    "https://x.y_/",
    "https://-x.example/",
    "https://x-.example/",
    "https://x..example/",
    "https://" + "a" * 64 + ".example/",
    "https://user@x.example/",
    "https://x.example:99999/",
    "https://x.example:/",
    "https://999.1.1.1/",
    "https://[not-v6]/",
    "https://x.example//evil.example/",
    "https://x.example/a/../b/",
    "https://x.example/%zz/",
    "HTTPS://x.example/%",
])
def test_urls_with_markup_or_that_are_not_web_addresses_are_refused(url: str) -> None:
    assert normalise_base_url(url) is None


@pytest.mark.parametrize(("url", "expected"), [
    ("https://jane.github.io/chats", "https://jane.github.io/chats/"),
    ("https://Jane.GitHub.io/My_Chats.v2~x", "https://Jane.GitHub.io/My_Chats.v2~x/"),
    ("HTTP://localhost:8000", "http://localhost:8000/"),
    ("http://127.0.0.1:65535/a%20b/", "http://127.0.0.1:65535/a%20b/"),
    ("https://[2001:db8::1]/", "https://[2001:db8::1]/"),
    ("https://xn--bcher-kva.example/", "https://xn--bcher-kva.example/"),
])
def test_real_web_addresses_are_accepted(url: str, expected: str) -> None:
    assert normalise_base_url(url) == expected


def test_site_yaml_and_the_option_refuse_the_attack(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace(
        "base_url: https://example.test/chats/", f"base_url: '{ATTACK}'"))
    result = run_amber("check", cwd=site)
    assert result.returncode == 1
    [line] = problem_lines(result.stderr)
    assert "content/site.yaml:2:11: base_url: expected an absolute http(s) URL" in line
    site_yaml.write_text(site_yaml.read_text().replace(ATTACK, "https://example.test/"))
    result = run_amber("build", "--base-url", ATTACK, cwd=site)
    assert result.returncode != 0 and "--base-url" in result.stderr
    assert not (site / "output").exists()


def _rendered(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text)


def test_every_cell_of_the_summary_is_inert() -> None:
    """Values no longer pass the loaders (URLs are validated, IDs are UUIDs); the summary
    escapes them anyway, so a future field or a looser loader cannot add markup."""
    hostile = "![](https://evil.example/b.png) | [x](javascript:alert(1)) `code` <img src=x>"
    row = ShareRow(id=f"{SID}|`x`", title=hostile, listed=False, author=hostile, messages=2,
                   size=10, url=f"https://x.y_/{hostile}/", changes=("title changed",))
    review = Review(Revision("main", "a" * 40), Revision("HEAD", "b" * 40),
                    added=[row], updated=[row], revoked=[row], changed=[row],
                    stale=[StaleRow(hostile, row, "stale")])
    text = render_markdown(review)
    html = _rendered(text)
    assert "<img" not in html
    assert not re.search(r"<a\s", html)
    # Each table keeps its column count: the hostile '|' never splits a cell.
    tables = html.split("<table>")[1:]
    assert len(tables) == 5
    for table in tables:
        body = table.split("</table>")[0]
        heads = body.count("<th>")
        rows = body.split("<tr>")[2:]
        assert rows and all(tr.count("<td>") == heads for tr in rows)


def test_cell_code_spans_escape_pipes_and_cannot_be_closed() -> None:
    assert cell("a|b") == "`a\\|b`"
    assert cell("a`|`b") == "``a`\\|`b``"
