"""The Korean example share in Chromium: bold next to Hangul, the page's lang, math lines.

The example site (``content/``) is built and served as it ships; its Korean
conversation has ``**이항모형(binomial model)**을`` (bold that CommonMark alone
leaves as asterisks), display math with a ``\\\\`` line break, ``cases`` and
``aligned``, and ``language: ko``.
"""

from __future__ import annotations

import shutil
from itertools import pairwise
from pathlib import Path

import pytest

from tests.helpers import EPOCH, REPO
from tests.helpers.browser import Site
from tests.helpers.cli import ok, run_amber
from tests.helpers.static_host import StaticHost

KOREAN = "binomial-option-pricing"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Site:
    root = tmp_path_factory.mktemp("example") / "site"
    shutil.copytree(REPO / "content", root / "content")
    site = Site(root, root / "output", f"{server.origin}/example/")
    ok(run_amber("build", "--base-url", site.base_url, cwd=root,
                 env={"SOURCE_DATE_EPOCH": str(EPOCH)}))
    for path in (root / "content" / "shares").glob("*.yaml"):
        if f"\nsource: {KOREAN}\n" in path.read_text("utf-8"):
            site.ids[KOREAN] = path.stem
    server.mount("/example/", site.output)
    return site


ROWS = """() => [...document.querySelectorAll('.conversation .math-display')].map(d => {
  const table = d.querySelector('math > semantics > mtable, math > semantics > mrow > mtable');
  return {text: d.querySelector('semantics').firstElementChild.textContent,
          rows: table ? [...table.children].map(r => r.getBoundingClientRect().top) : []};
})"""


@pytest.mark.parametrize("width", [375, 1280])
def test_korean_example_is_bold_korean_and_keeps_its_math_lines(
    example_site: Site, visit, width: int
) -> None:
    seen = visit(example_site.share_url(KOREAN), width=width)
    page = seen.page
    assert page.evaluate("document.documentElement.lang") == "ko"
    strong = page.locator(".conversation strong", has_text="이항모형(binomial model)").first
    assert strong.count() == 1
    assert page.evaluate("el => el.nextSibling.textContent.startsWith('을')",
                         strong.element_handle())
    body = page.locator(".conversation").inner_text()
    assert "**" not in body
    formulas = page.evaluate(ROWS)
    lines = [f for f in formulas if len(f["rows"]) >= 2]
    # cases, the two payoffs (a top-level \\), the aligned price, the replicating system.
    assert len(lines) >= 3
    for formula in lines:
        tops = formula["rows"]
        assert all(a < b for a, b in pairwise(tops)), formula
    payoffs = next(f for f in formulas if "Cu" in f["text"].replace(" ", ""))
    assert len(payoffs["rows"]) == 2, "C_u and C_d are on two lines"
    # The replicating portfolio's lines (120Δ + 1.05B = 20, 80Δ + 1.05B = 0) line up at
    # their = signs: the left sides end where the = starts, the shorter one included.
    ends = page.evaluate("""() => [...document.querySelectorAll('#m-4 .math-display mtr')]
      .map(r => [r.children[0].lastElementChild.getBoundingClientRect().right,
                 r.children[1].querySelector('mo').getBoundingClientRect().left])""")
    assert len(ends) == 2 and abs(ends[0][0] - ends[1][0]) < 1, ends
    assert abs(ends[0][1] - ends[1][1]) < 1, ends
    seen.assert_clean()


def test_other_example_pages_keep_the_site_language(example_site: Site, visit) -> None:
    seen = visit(example_site.base_url)
    assert seen.page.evaluate("document.documentElement.lang") == "en"


def test_example_share_file_names_its_language() -> None:
    shares = [p.read_text("utf-8") for p in Path(REPO / "content" / "shares").glob("*.yaml")]
    korean = [text for text in shares if f"\nsource: {KOREAN}\n" in text]
    assert len(korean) == 1 and "\nlanguage: ko\n" in korean[0]
