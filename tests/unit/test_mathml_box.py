"""The MathML a formula becomes keeps no attribute that moves content off its box."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amber.render.mathml import tex_to_mathml

ESCAPES = {
    "smash and raise": r"\smash{\raise{14.9em}{\mathrlap{\text{Shared by Trust and Safety}}}}",
    "lower": r"\lower{9em}{x}",
    "raise far": r"\raise{1000em}{x}",
    "llap": r"\llap{x}",
    "rlap": r"\rlap{x}",
    "mathllap": r"\mathllap{abc}",
    "mathclap": r"x\mathclap{abc}",
    "moveleft": r"\moveleft{3em}{x}",
    "negative hspace": r"\hspace{-10em}x",
    "negative kern": r"\kern-5em x",
    "negative mskip": r"\mskip-20mu x",
    "negative thin spaces": r"\!\!\!x",
    "not": r"\not =",
    "vphantom": r"\vphantom{x}\hphantom{y}",
}

_MPADDED = re.compile(r"<mpadded([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def _attributes(mathml: str) -> list[tuple[str, str, str]]:
    """(element, attribute, value) for every attribute of the formula (not the TeX
    annotation, whose ``encoding`` is fixed)."""
    found = []
    for tag, attrs in re.findall(r"<(\w+)((?:\s+\w+=\"[^\"]*\")*)\s*/?>", mathml):
        if tag != "annotation":
            found += [(tag, name, value) for name, value in _ATTRIBUTE.findall(attrs)]
    return found


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_nothing_can_shrink_a_box_or_move_content_off_it(name: str) -> None:
    mathml = tex_to_mathml(ESCAPES[name], False)
    assert mathml is not None
    for tag, attribute, value in _attributes(mathml):
        assert attribute != "voffset"
        assert "-" not in value and not value.startswith("negative"), (tag, attribute, value)
        if tag == "mpadded":
            assert value.startswith("+"), (attribute, value)  # only ever grows the box
        if attribute in ("width", "height", "depth"):
            number = float(re.sub(r"[^0-9.]", "", value) or 0)
            assert number <= 10, (tag, attribute, value)


def test_the_text_of_a_smashed_formula_is_still_shown() -> None:
    mathml = tex_to_mathml(ESCAPES["smash and raise"], False) or ""
    assert "<mtext>Shared\u00a0by\u00a0Trust\u00a0and\u00a0Safety</mtext>" in mathml
    assert _MPADDED.findall(mathml) == ["", "", ""]


@pytest.mark.parametrize(("tex", "kept"), [
    (r"a\,b\;c\quad d", 'width="0.167em"'),
    (r"\xrightarrow{abc}", 'width="+0.833em"'),
    (r"\big( x \big)", 'maxsize="1.2em"'),
    (r"\begin{array}{c|c} a & b \end{array}", 'columnlines="solid"'),
    (r"\boldsymbol{x}", 'mathvariant="bold-italic"'),  # a "-" in a keyword is fine
])
def test_ordinary_spacing_and_sizes_are_kept(tex: str, kept: str) -> None:
    assert kept in (tex_to_mathml(tex, False) or "")


_LENGTH = st.builds(lambda sign, number, unit: f"{sign}{number}{unit}",
                    st.sampled_from(["", "-", "+"]), st.sampled_from(["0", "1", "3.5", "40"]),
                    st.sampled_from(["em", "ex", "mu", "pt", "px"]))
_TEX = st.sampled_from([
    r"\hspace{{{0}}}x", r"\kern{0} x", r"\mskip{0} x", r"\raise{{{0}}}{{x}}",
    r"\lower{{{0}}}{{x}}", r"\moveleft{{{0}}}{{x}}", r"\smash{{\raise{{{0}}}{{x}}}}",
    r"\rule{{{0}}}{{{0}}}",
])


@settings(max_examples=200, deadline=None)
@given(_TEX, _LENGTH)
def test_no_length_from_the_source_can_pull_content_back(template: str, length: str) -> None:
    mathml = tex_to_mathml(template.format(length), False)
    for tag, attribute, value in _attributes(mathml or ""):
        assert attribute != "voffset"
        assert "-" not in value, (template, length, tag, attribute, value)
        if tag == "mpadded":
            assert value.startswith("+"), (template, length, attribute, value)
