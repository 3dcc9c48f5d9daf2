"""amber.render.mathml: line breaks, ``aligned``, ``cases`` and friends in display math."""

from __future__ import annotations

import html
import re

import pytest
from latex2mathml.converter import convert_to_element

from amber.render import mathml as mathml_module
from amber.render.markdown import render_markdown
from amber.render.mathml import tex_to_mathml, top_level_rows


def rows(mathml: str) -> list[str]:
    """The text of each row of the formula's outermost table."""
    return [html.unescape(re.sub(r"<[^>]+>", "", row))
            for row in re.findall(r"<mtr>(.*?)</mtr>", mathml)]


def test_a_top_level_break_starts_a_new_line() -> None:
    mathml = tex_to_mathml(r"C_u = 20 \\ C_d = 0", display=True) or ""
    assert rows(mathml) == ["Cu=20", "Cd=0"]
    assert '<mtable displaystyle="true">' in mathml
    assert "20</mn><msub>" not in mathml  # "= 20C_d" was the bug


def test_the_break_in_a_markdown_display_block() -> None:
    html = render_markdown("$$\nS_u = 120 \\\\ S_d = 80\n$$\n")
    assert rows(html) == ["Su=120", "Sd=80"]
    html = render_markdown("\\[\nS_u = 120 \\\\ S_d = 80\n\\]\n")
    assert rows(html) == ["Su=120", "Sd=80"]


@pytest.mark.parametrize("tex", [
    r"\begin{aligned} a &= b + c \\ &= d \end{aligned}",
    r"\begin{alignedat}{2} a &= b + c \\ &= d \end{alignedat}",
    r"a &= b + c \\[6pt] &= d",
    r"\begin{align*} a &= b + c \\ &= d \end{align*}",
])
def test_aligned_lines_line_up_at_the_ampersand(tex: str) -> None:
    mathml = tex_to_mathml(tex, display=True) or ""
    assert rows(mathml) == ["a=b+c", "=d"]
    assert "&amp;" not in mathml.split("<annotation")[0]
    assert mathml.count('columnalign="right"') == 2
    assert mathml.count('columnalign="left"') == 2


def test_aligned_inside_a_larger_formula() -> None:
    mathml = tex_to_mathml(r"x = \left\{ \begin{aligned} a &= 1 \\ b &= 2 \end{aligned}"
                           r" \right.", display=True) or ""
    assert rows(mathml) == ["a=1", "b=2"]
    assert mathml.index("<mi>x</mi>") < mathml.index("<mtable")


@pytest.mark.parametrize("name", ["cases", "dcases"])
def test_cases(name: str) -> None:
    tex = rf"f(x) = \begin{{{name}}} 1 & x > 0 \\ 0 & \text{{otherwise}} \end{{{name}}}"
    mathml = tex_to_mathml(tex, display=True) or ""
    assert rows(mathml) == ["1x>0", "0otherwise"]
    assert 'stretchy="true">{</mo>' in mathml


@pytest.mark.parametrize("tex", [
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
    r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
    r"\begin{array}{cc} 1 & 2 \\ 3 & 4 \end{array}",
])
def test_matrices_keep_their_rows(tex: str) -> None:
    assert rows(tex_to_mathml(tex, display=True) or "") == ["12", "34"]


@pytest.mark.parametrize("name", ["gather*", "gather", "gathered", "equation*", "multline"])
def test_environments_of_centred_lines(name: str) -> None:
    mathml = tex_to_mathml(rf"\begin{{{name}}} a = 1 \\ b = 2 \end{{{name}}}", True) or ""
    assert rows(mathml) == ["a=1", "b=2"]


def test_a_break_at_the_end_breaks_nothing() -> None:
    assert tex_to_mathml(r"\frac{a}{b} \\", True) == tex_to_mathml(r"\frac{a}{b}", True)\
        .replace(r"\frac{a}{b}</annotation>", r"\frac{a}{b} \\</annotation>")  # type: ignore


def test_rows_split_only_at_the_top_level() -> None:
    assert top_level_rows(r"a \\ b") == (["a ", " b"], False)
    assert top_level_rows(r"a &= 1 \\ b") == (["a &= 1 ", " b"], True)
    assert top_level_rows(r"\begin{pmatrix}1&2\\3&4\end{pmatrix}") == (
        [r"\begin{pmatrix}1&2\\3&4\end{pmatrix}"], False)
    assert top_level_rows(r"\text{a \\ b} \& c") == ([r"\text{a \\ b} \& c"], False)
    assert top_level_rows(r"\left( a \\ b \right) \leq c") == (
        [r"\left( a \\ b \right) \leq c"], False)
    assert top_level_rows(r"a \\ \\ b \\") == (["a ", " b "], False)


def test_inline_math_is_not_split_into_lines() -> None:
    assert "<mtable" not in (tex_to_mathml(r"a \\ b", display=False) or "")


@pytest.mark.parametrize("tex", [
    r"E = mc^2", r"\frac{1}{2} + \sqrt{x}", r"\sum_{i=1}^n i^2", r"\int_0^1 f(x)\,dx",
    r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"f = \begin{cases}1 & a\\0 & b\end{cases}",
    r"\begin{align} a &= 1 \\ b &= 2 \end{align}", r"\text{a \\ b}",
])
def test_formulas_without_lines_are_typeset_as_before(
        tex: str, monkeypatch: pytest.MonkeyPatch) -> None:
    now = tex_to_mathml(tex, display=True)
    monkeypatch.setattr(mathml_module, "_typeset",
                        lambda source, display: convert_to_element(source, display="block"))
    assert now == tex_to_mathml(tex, display=True)


@pytest.mark.parametrize("tex", [
    r"a \\ \href{javascript:alert(1)}{x} \\ \style{color:red}{y}",
    r"\begin{aligned} \text{<script>} &= 1 \\ b &= \mathcolor{red}{2} \end{aligned}",
])
def test_lines_are_sanitised_like_any_formula(tex: str) -> None:
    mathml = (tex_to_mathml(tex, display=True) or "").split("<annotation")[0]
    assert "<mtr>" in mathml
    for word in ("href", " style=", "<script", "mathcolor", "javascript"):
        assert word not in mathml
