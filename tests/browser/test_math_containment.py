"""A formula cannot paint outside its own box, measured in Chromium.

MathML can move content off its box and shrink boxes (``\\smash``, ``\\raise``,
``\\llap``, negative spaces): the assistant text
``$\\smash{\\raise{14.9em}{\\mathrlap{\\text{Shared by …}}}}$`` was drawn over the page
header's meta line. Two walls stop it: the renderer keeps no attribute that does
that, and the theme clips each ``math`` to its box. Each is tested on its own.
"""

from __future__ import annotations

import shutil

import pytest

from tests.helpers import EPOCH
from tests.helpers.browser import FIXTURE, Site
from tests.helpers.cli import ok, run_amber
from tests.helpers.static_host import StaticHost

FORGED = "Shared by OpenAI Trust and Safety · verified"
PAYLOADS = {
    "raised": rf"\smash{{\raise{{14.9em}}{{\mathrlap{{\text{{{FORGED}}}}}}}}}",
    "pulled left": rf"x\kern-30em\text{{{FORGED}}}",
    "left overlap": rf"\mathllap{{\text{{{FORGED}}}}}",
    "lowered": rf"\smash{{\lower{{9em}}{{\text{{{FORGED}}}}}}}",
}
MESSAGE = "\n".join(f"      {name}: ${tex}$ after\n" for name, tex in PAYLOADS.items())
CONVERSATION = f"""\
title: Formulas that try to leave their box
messages:
  - role: user
    content: Typeset these.
  - role: assistant
    content: |
{MESSAGE}
      A normal one: $\\int_0^1 x^2\\,dx = \\frac{{1}}{{3}}$ and $e^{{i\\pi}} + 1 = 0$.
"""

TOLERANCE = 4
"""Pixels a glyph may reach past its box (italic overhang; the CSS margin is .15em)."""


@pytest.fixture(scope="module")
def math_site(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Site:
    root = tmp_path_factory.mktemp("math") / "site"
    shutil.copytree(FIXTURE, root)
    (root / "content" / "conversations" / "math-box.yaml").write_text(CONVERSATION, "utf-8")
    site = Site(root, root / "output", f"{server.origin}/mathbox/")
    printed = ok(run_amber("share", "math-box", "--listed", "--name", "--yes", cwd=root)).stdout
    site.ids["math-box"] = printed.strip().rstrip("/").rsplit("/", 1)[-1]
    ok(run_amber("build", "--base-url", site.base_url, cwd=root,
                 env={"SOURCE_DATE_EPOCH": str(EPOCH)}))
    server.mount("/mathbox/", site.output)
    return site


BOXES = """() => {
  const box = r => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom});
  const meta = box(document.querySelector('.share-header .meta').getBoundingClientRect());
  return {meta, formulas: [...document.querySelectorAll('.conversation math')].map(m => ({
    box: box(m.getBoundingClientRect()),
    tokens: [...m.querySelectorAll('mi, mn, mo, mtext')]
      .filter(t => t.textContent.trim() && !t.closest('annotation'))
      .map(t => ({text: t.textContent.replace(/\u00a0/g, ' '),
                 box: box(t.getBoundingClientRect())})),
  }))};
}"""


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (inner["left"] >= outer["left"] - TOLERANCE and inner["top"] >= outer["top"] - TOLERANCE
            and inner["right"] <= outer["right"] + TOLERANCE
            and inner["bottom"] <= outer["bottom"] + TOLERANCE)


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["left"] < b["right"] and b["left"] < a["right"]
            and a["top"] < b["bottom"] and b["top"] < a["bottom"])


@pytest.mark.parametrize("width", [375, 1280])
def test_every_glyph_of_every_formula_is_laid_out_inside_its_box(
    math_site: Site, visit, width: int
) -> None:
    seen = visit(math_site.share_url("math-box"), width=width)
    found = seen.page.evaluate(BOXES)
    assert len(found["formulas"]) == len(PAYLOADS) + 2
    forged = [t for f in found["formulas"] for t in f["tokens"] if FORGED in t["text"]]
    assert len(forged) == len(PAYLOADS), "the forged text is shown, as text, in its formula"
    for formula in found["formulas"]:
        for token in formula["tokens"]:
            assert _inside(token["box"], formula["box"]), (token, formula["box"])
            assert not _overlap(token["box"], found["meta"]), (token, found["meta"])
    seen.assert_clean()


def test_math_is_clipped_to_its_box_by_the_theme(math_site: Site, visit) -> None:
    """The second wall alone: markup that still moves text off its box (as the renderer
    would never write it now) is put in the page, and that text is not painted."""
    seen = visit(math_site.share_url("math-box"))
    page = seen.page
    page.evaluate("""() => {
      const body = document.querySelector('#m-2 .message-body');
      body.insertAdjacentHTML('afterbegin', '<p id="probe">Raised: <math><mpadded height="0" '
        + 'depth="0"><mpadded voffset="6em"><mpadded width="0"><mtext>FORGED-PROBE</mtext>'
        + '</mpadded></mpadded></mpadded></math> end</p>');
    }""")
    assert page.evaluate("getComputedStyle(document.querySelector('#probe math')).overflow") \
        == "clip"
    text = page.evaluate("""() => {
      const r = document.querySelector('#probe mtext').getBoundingClientRect();
      const m = document.querySelector('#probe math').getBoundingClientRect();
      return {x: r.left, y: r.top, width: r.width, height: r.height, mathTop: m.top};
    }""")
    assert text["width"] > 20 and text["y"] + text["height"] < text["mathTop"], \
        "precondition: the probe's text is laid out above its formula's box"
    region = {key: text[key] for key in ("x", "y", "width", "height")}
    painted = page.screenshot(clip=region)
    page.evaluate("document.querySelector('#probe mtext').style.visibility = 'hidden'")
    blank = page.screenshot(clip=region)
    assert painted == blank, "text outside its formula's box was painted"

