"""What the default theme relies on from message rendering: math as MathML, a valid
outline, accessible task lists, tables and code, and no ``style=`` anywhere."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from amber.render.markdown import code_block, render_markdown
from amber.render.mathml import MAX_SOURCE, tex_to_mathml


class Tree(HTMLParser):
    """Start tags in order with their attributes, and every text run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def tree(html: str) -> Tree:
    parsed = Tree()
    parsed.feed(html)
    parsed.close()
    return parsed


def tags(html: str) -> list[str]:
    return [tag for tag, _ in tree(html).tags]


# --- math -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "display"),
    [
        ("Energy $E = mc^2$ here.", False),
        ("Energy \\(E = mc^2\\) here.", False),
        ("$$\nE = mc^2\n$$\n", True),
        ("\\[\nE = mc^2\n\\]\n", True),
        ("\\[E = mc^2\\]\n", True),
        ("Inline display $$E = mc^2$$ in a sentence.", True),
        ("- a list item with \\[\n  E = mc^2\n  \\]\n", True),
    ],
)
def test_all_four_delimiters_become_mathml(source: str, display: bool) -> None:
    html = render_markdown(source)
    parsed = tree(html)
    maths = [attrs for tag, attrs in parsed.tags if tag == "math"]
    assert len(maths) == 1
    assert (maths[0].get("display") == "block") is display
    assert {"mi", "mo", "msup", "mn"} <= set(tags(html))
    assert "$" not in "".join(parsed.text).replace("E = mc^2", "")
    # the TeX rides along as an annotation for assistive technology and copying
    assert '<annotation encoding="application/x-tex">E = mc^2</annotation>' in html


def test_display_math_sits_in_a_scrollable_wrapper() -> None:
    html = render_markdown("$$\nx^2\n$$\n")
    assert html.startswith('<div class="math-display"><math display="block">')


@pytest.mark.parametrize(
    "text",
    [
        "It costs $5 and $10.",
        "Between $5 and $ 6 dollars.",
        "Escaped \\$x\\$ stays text.",
        "A lone $ sign.",
        "$ spaced $ is not math.",
    ],
)
def test_dollar_amounts_stay_text(text: str) -> None:
    assert "<math" not in render_markdown(text)


def test_math_inside_code_is_left_alone() -> None:
    html = render_markdown("`$x$` and\n\n```\n$$y$$ \\(z\\)\n```\n")
    assert "<math" not in html
    assert "$x$" in html and "$$y$$ \\(z\\)" in html


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("Broken $\\frac{1$ math.", "$\\frac{1$"),
        ("Broken \\(\\frac{\\) math.", "\\(\\frac{\\)"),
        ("$\\newcommand{\\a}{x}\\a$", "$\\newcommand{\\a}{x}\\a$"),
        ("$\\def\\b{\\b\\b}\\b$", "$\\def\\b{\\b\\b}\\b$"),
        ("$" + "{" * 3000 + "x" + "}" * 3000 + "$", None),
    ],
)
def test_formulas_that_cannot_be_typeset_show_their_source(source: str, shown: str | None
                                                            ) -> None:
    html = render_markdown(source)
    assert "<math" not in html
    assert '<code class="math-source">' in html
    if shown is not None:
        assert "".join(tree(html).text).count(shown) == 1


def test_display_formula_that_fails_shows_source_as_a_block() -> None:
    html = render_markdown("$$\n\\frac{1\n$$\n")
    assert html.startswith('<pre class="math-source">$$\n\\frac{1\n$$</pre>')


def test_oversized_formula_is_refused() -> None:
    assert tex_to_mathml("x+" * (MAX_SOURCE // 2 + 1), display=False) is None
    assert tex_to_mathml("x+" * 100 + "x", display=False) is not None


@pytest.mark.parametrize(
    "tex",
    [
        "\\href{javascript:alert(1)}{click}",
        "\\text{<script>alert(1)</script>}",
        "\\text{</math><img src=x onerror=alert(1)>}",
        "\\style{color:red}{x}",
        "\\color{red}{x}",
        "\\class{evil}{x} \\cssId{m-1}{y}",
        "\\unicode{x3C}script\\unicode{x3E}",
        "\\mathrm{\"onmouseover=alert(1)} & < >",
        "\\begin{array}{c} a & b \\\\ c & d \\end{array}",
    ],
)
def test_hostile_tex_yields_only_allowlisted_mathml(tex: str) -> None:
    for display in (False, True):
        html = tex_to_mathml(tex, display)
        if html is None:
            continue  # refused is safe too
        parsed = tree(html)
        allowed_tags = {"math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms",
                        "mtext", "mspace", "msup", "msub", "msubsup", "mfrac", "msqrt",
                        "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
                        "mstyle", "menclose", "mpadded", "mphantom", "mmultiscripts",
                        "mprescripts", "none"}
        assert {tag for tag, _ in parsed.tags} <= allowed_tags
        for _, attrs in parsed.tags:
            for name, value in attrs.items():
                assert name not in ("href", "style", "class", "id", "mathcolor",
                                    "mathbackground") and not name.startswith("on"), name
                assert value is not None and "<" not in value and '"' not in value
        assert "<script" not in html and "<img" not in html


def test_mathml_text_is_decoded_then_escaped_once() -> None:
    html = tex_to_mathml("a < b \\leq c", display=False)
    assert html is not None
    assert "<mo>&lt;</mo>" in html and "<mo>≤</mo>" in html
    assert "&amp;#x" not in html and "&#x" not in html


# --- outline ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# A\n\n## B\n\n### C\n", ["h3", "h4", "h5"]),
        ("### Only threes\n\n### Again\n", ["h3", "h3"]),
        ("## B\n\n#### D\n\n## B2\n", ["h3", "h4", "h3"]),
        ("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6\n", ["h3", "h4", "h5", "h6", "h6", "h6"]),
    ],
)
def test_message_headings_start_at_h3_without_gaps(source: str, expected: list[str]) -> None:
    assert [t for t in tags(render_markdown(source)) if re.fullmatch(r"h\d", t)] == expected


def test_headings_in_separate_messages_are_numbered_separately() -> None:
    assert tags(render_markdown("#### Deep"))[0] == "h3"
    assert tags(render_markdown("# Top"))[0] == "h3"


# --- forms, tables, code ---------------------------------------------------------------


def test_task_list_checkboxes_have_their_text_as_label() -> None:
    parsed = tree(render_markdown("- [ ] open task\n- [x] done task\n"))
    names = [tag for tag, _ in parsed.tags]
    assert names.count("label") == 2
    boxes = [attrs for tag, attrs in parsed.tags if tag == "input"]
    assert len(boxes) == 2 and all("disabled" in b for b in boxes)
    assert "checked" in boxes[1] and "checked" not in boxes[0]
    assert names.index("label") < names.index("input")  # the input sits inside its label


def test_table_alignment_uses_classes_not_style() -> None:
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n")
    assert "style=" not in html
    cells = [attrs.get("class") for tag, attrs in tree(html).tags if tag in ("th", "td")]
    assert cells == ["align-left", "align-center", "align-right"] * 2


def test_no_style_attribute_from_any_feature() -> None:
    kitchen = (
        "# H\n\n| a |\n|--:|\n| 1 |\n\n- [x] t\n\nx[^1]\n\n[^1]: note\n\n"
        "$x$ $$y$$ \\(z\\)\n\n```python\nprint(1)\n```\n\n~~s~~ https://example.org\n"
    )
    assert "style=" not in render_markdown(kitchen)


def test_code_block_is_a_named_focusable_group() -> None:
    parsed = tree(code_block("print(1)\n", "python"))
    pre = next(attrs for tag, attrs in parsed.tags if tag == "pre")
    assert pre == {"class": "highlight", "tabindex": "0", "role": "group",
                   "aria-label": "python code"}
    assert ("span", {"class": "code-lang"}) in parsed.tags
    anonymous = next(attrs for tag, attrs in tree(code_block("x")).tags if tag == "pre")
    assert anonymous["aria-label"] == "Code"
