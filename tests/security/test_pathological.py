"""Pathological Markdown: every shape renders in time that grows in step with its size.

Message text is hostile. Markdown parsers have a history of inputs that take quadratic
time (``[[[[…``, runs of backticks, nested emphasis, thousands of reference definitions)
or quadratic output (one long reference used a million times). amber renders each shape
below through ``render_parts``, the function the build calls for every message.

No test here asserts a wall-clock time: the machine is shared and noisy. Each shape is
rendered at sizes N and 4N in the same run, best of three by CPU time, and the ratio
must stay below ``MAX_RATIO``: linear growth gives 4, quadratic 16. N is chosen so that
the larger size takes well under a second. The shapes markdown-it-py and amber's own
plugins were found quadratic on are here (task lists, ``\\[`` blocks, ``\\(`` runs,
reference expansion), with the fix each needed.

Beyond the growth tests, each input the issue names renders at its full size (50,000
``[``, 10,000 levels of nesting of each kind, 10,000 reference definitions, a 20 MB
message) without an exception, and the 20 MB message goes through ``amber share`` and
``amber build``.
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from amber.content.model import Part
from amber.render import markdown
from amber.render.markdown import LINK_EXPANSION_BASE, MARKDOWN_LIMIT, render_parts
from tests.helpers.fixture_site import FIXTURE_SITE, build, share
from tests.helpers.timing import least_cpu_seconds

MAX_RATIO = 10.0
"""Time at 4N over time at N. Linear is 4, quadratic 16; the margin absorbs noise."""
ATTEMPTS = 3
"""A ratio over the limit is measured again, up to this many times in all, before failing:
another process can steal the CPU caches during one measurement, never during all."""


def no_assets(src: str) -> str | None:
    return None


def render(text: str) -> str:
    return str(render_parts((Part("text", text=text),), "m-1", no_assets))


def cpu_seconds(text: str, repeats: int = 3) -> float:
    """The least CPU time of ``repeats`` renders."""
    return least_cpu_seconds(lambda: render(text), repeats)


def growth(make: Callable[[int], str], n: int,
           attempts: int = ATTEMPTS) -> tuple[float, float, float]:
    """(time at N, time at 4N, ratio), the ratio being the lowest of up to ``attempts``."""
    small, large = make(n), make(4 * n)
    render(small)  # warm caches (lexers, compiled patterns) before timing
    best = (math.inf, math.inf, math.inf)
    for _ in range(attempts):
        t_small, t_large = cpu_seconds(small), cpu_seconds(large)
        ratio = t_large / max(t_small, 1e-4)  # below 0.1 ms, timer noise is the ratio
        if ratio < best[2]:
            best = (t_small, t_large, ratio)
        if ratio < MAX_RATIO:
            break
    return best


def _refs(n: int) -> str:
    defs = "".join(f"[r{i}]: https://example.org/{i} 'title {i}'\n" for i in range(n))
    return defs + "\n" + " ".join(f"[r{i}]" for i in range(n))


def _nested_list_lines(n: int) -> str:
    return "".join("  " * (i % 40) + "- item\n" for i in range(n))


SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    # name: (text of size n, N)
    "open brackets [[[": (lambda n: "[" * n, 400),
    "open images ![![": (lambda n: "![" * n, 100),
    "nested links [[a](b)](b)": (lambda n: "[" * n + "a" + "](b)" * n, 150),
    "empty links [](": (lambda n: "[](" * n, 300),
    "links [](( ": (lambda n: "[]((" * n, 300),
    "label soup ]([ lines": (lambda n: "]([\n" * n, 200),
    "brackets with a reference": (lambda n: "[x]: /u\n\n" + "[" * n + "]" * n, 250),
    "blockquotes >>>": (lambda n: ">" * n + " x", 2500),
    "blockquote continuation": (lambda n: "> " * 30 + "x\n" + "> x\n" * n, 40),
    "lazy blockquote lines": (lambda n: "> a\nb\n" * n, 250),
    "nested list markers - - -": (lambda n: "- " * n + "x", 2000),
    "nested ordered markers": (lambda n: "1. " * n + "x", 2500),
    "nested lists by indentation": (_nested_list_lines, 900),
    "list items": (lambda n: "- item\n" * n, 200),
    "task list items": (lambda n: "- [ ] task\n" * n, 120),
    "ordered task items": (lambda n: "1. [x] done\n" * n, 100),
    "emphasis runs ***": (lambda n: "*" * n + "a" + "*" * n, 1000),
    "emphasis words *a ": (lambda n: "*a " * n, 800),
    "mixed emphasis **_* ": (lambda n: "**_* " * n, 400),
    "10,000 reference definitions": (_refs, 200),
    "reference definitions, no blank line": (lambda n: "[a]: u\n" * n, 800),
    "one long reference used n times": (lambda n: f"[x]: /{'x' * n}\n" + "\n[x]" * n, 300),
    "long line without spaces": (lambda n: "a" * n, 40000),
    "backtick runs": (lambda n: "".join("`" * (i % 60) + "a" for i in range(n)), 800),
    "escaped backticks \\``": (lambda n: "\\``" * n, 1000),
    "backtick pairs `a": (lambda n: "`a" * n, 1000),
    "table rows": (lambda n: "|a|b|\n|-|-|\n" + "|x|y|\n" * n, 150),
    "table columns": (lambda n: "|" + "a|" * n + "\n|" + "-|" * n + "\n|" + "x|" * n + "\n", 200),
    "nested HTML-ish tags": (lambda n: "<div><span onclick=x>" * n + "</span></div>" * n, 200),
    "HTML comments <!--": (lambda n: "<!--" * n, 600),
    "entities &#": (lambda n: "&#" * n, 600),
    "math with deep braces": (lambda n: "$" + "{" * n + "x" + "}" * n + "$", 300),
    "many formulas": (lambda n: "$x^2$ and " * n, 100),
    "\\[ lines without a closer": (lambda n: "\\[x\n" * n, 400),
    "\\( runs without a closer": (lambda n: "\\(" * n, 800),
    "footnote openers [^": (lambda n: "[^" * n, 150),
    "one footnote used n times": (lambda n: "[^a]: note\n\n" + "[^a] " * n, 400),
    "bare URLs": (lambda n: "www.example.com " * n, 150),
    "CRLF lines": (lambda n: "line\r\n" * n, 500),
    "CR lines": (lambda n: "line\r" * n, 500),
    "zalgo (combining marks)": (lambda n: "a" + "\u0301" * n, 20000),
    "text past the Markdown limit": (lambda n: "<b>word</b> " * n, MARKDOWN_LIMIT // 10),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_time_grows_near_linearly(name: str) -> None:
    make, n = SHAPES[name]
    t_small, t_large, ratio = growth(make, n)
    print(f"{name}: N={n} {t_small * 1000:.1f} ms, 4N {t_large * 1000:.1f} ms, "
          f"ratio {ratio:.1f}")
    assert ratio < MAX_RATIO, (
        f"{name}: {t_small:.3f}s at N={n}, {t_large:.3f}s at 4N: ratio {ratio:.1f} "
        f"(linear is 4, quadratic 16)")


def test_code_highlighting_grows_near_linearly() -> None:
    """A fence picks its lexer, so hostile text picks the slowest one. ``"\\n " * n`` in a C
    block: each line start tries ``^\\s*#`` across every blank line after it."""
    for shape in (lambda n: "```c\n" + "\n " * n + "```\n",
                  lambda n: "```diff\n" + "x" * (n * 20) + "\n```\n",
                  lambda n: "```python\n" + "\n" * n + "pass\n```\n"):
        t_small, t_large, ratio = growth(shape, 300, 1)
        assert ratio < MAX_RATIO, f"{t_small:.3f}s at N, {t_large:.3f}s at 4N: ratio {ratio:.1f}"


# --- the issue's inputs at full size ----------------------------------------------


class Balance(HTMLParser):
    """Start and end tags must nest: a hostile shape must not leave markup open."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "col", "area",
                      "source", "track", "embed", "base", "param"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def assert_well_formed(html: str) -> None:
    parser = Balance()
    parser.feed(html)
    parser.close()
    assert parser.errors == [], parser.errors[:5]
    assert parser.stack == [], f"left open: {parser.stack[-5:]}"
    assert parser.handlers == []


ISSUE_INPUTS: dict[str, str] = {
    "50,000 [": "[" * 50_000,
    "10,000 ![": "![" * 10_000,
    "10,000 nested blockquotes": ">" * 10_000 + " deep",
    "10,000 nested blockquotes with spaces": "> " * 10_000 + "deep",
    "10,000 nested lists": "- " * 10_000 + "deep",
    "10,000 nested ordered lists": "1. " * 10_000 + "deep",
    "10,000 nested quotes and lists": "> - " * 10_000 + "deep",
    "10,000 nested emphasis": "*" * 10_000 + "deep" + "*" * 10_000,
    "10,000 nested links": "[" * 10_000 + "deep" + "](u)" * 10_000,
    "10,000 nested brackets": "[" * 10_000 + "]" * 10_000,
    "10,000 reference definitions": _refs(10_000),
    "10,000 nested HTML-ish tags": "<div>" * 10_000 + "deep" + "</div>" * 10_000,
    "10,000 nested math braces": "$" + "{" * 10_000 + "x" + "}" * 10_000 + "$",
    "2,000 nested math braces (typeset, too deep)": "$$" + "{" * 2_000 + "x" + "}" * 2_000 + "$$",
    "10,000 nested \\frac": "$" + "\\frac{" * 2_000 + "1}{2}" * 2_000 + "$",
    "a 100,000-backtick fence": "`" * 100_000 + "\ncode\n" + "`" * 100_000,
    "a 10,000-column table": "|" + "a|" * 10_000 + "\n|" + "-|" * 10_000 + "\n|" + "x|" * 10_000,
}


@pytest.mark.parametrize("name", list(ISSUE_INPUTS))
def test_issue_inputs_render_at_full_size(name: str) -> None:
    html = render(ISSUE_INPUTS[name])
    assert html.strip()
    assert_well_formed(html)


def test_deep_nesting_is_cut_not_crashed() -> None:
    """Past the nesting limit markdown-it drops the rest of the block; nothing raises and
    the markup it did produce is closed."""
    html = render(">" * 10_000 + " deep\n\nafter")
    assert "after" in html
    assert html.count("<blockquote>") == html.count("</blockquote>") <= 40


def test_tool_arguments_nested_past_recursion_are_shown_raw() -> None:
    args = "[" * 50_000 + "]" * 50_000
    html = str(render_parts((Part("tool_call", name="f", arguments=args),), "m", no_assets))
    assert "[[[[" in html
    assert_well_formed(html)


# --- fixes, checked directly ---------------------------------------------------------


def test_text_past_the_limit_is_plain_text_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    at_limit = "*em* " * 200
    monkeypatch.setattr(markdown, "MARKDOWN_LIMIT", len(at_limit))
    assert "<em>em</em>" in render(at_limit)
    over = at_limit + "<script>"
    html = render(over)
    assert "<em>" not in html
    assert "too long to format" in html and f"{len(over):,} characters" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert_well_formed(html)


def test_one_reference_used_many_times_cannot_multiply_the_output() -> None:
    """``[x]: <100,000 characters>`` then ``[x]`` 10,000 times would write a gigabyte."""
    url = "https://example.org/" + "a" * 100_000
    text = f"[x]: {url} 'a title'\n" + "\n[x]" * 10_000
    html = render(text)
    budget = LINK_EXPANSION_BASE + 16 * len(text)
    assert len(html) < budget + 40 * 10_000  # each use keeps its text and tags
    assert html.count(url) == budget // (len(url) + len("a title"))  # the first ones link
    assert html.count("<a>x</a>") > 9_000  # the rest keep their text, without target
    assert_well_formed(html)


def test_task_lists_stay_accessible_after_the_linear_rewrite() -> None:
    html = render("- [ ] open\n- [x] done\n- [X]\ttab\n\n[y]: /u\n\n- [y] a link\n")
    assert html.count('<li class="task-list-item"><label><input') == 3
    assert html.count('checked="checked"') == 2
    assert '<a href="/u">y</a>' in html  # a defined [y] stays a link, not a checkbox
    assert html.count('class="contains-task-list"') == 1
    assert_well_formed(html)


# --- the 20 MB message through the CLI ------------------------------------------------


TWENTY_MB = 20 * 1024 * 1024


def test_a_twenty_megabyte_message_shares_and_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    line = "Log line with [a link](https://example.org/x), *emphasis* and <tags>  \n"
    body = line * (TWENTY_MB // len(line) + 1)
    message = "START-OF-HUGE-MESSAGE\n" + body + "END-OF-HUGE-MESSAGE"
    document = {"title": "A huge paste", "messages": [
        {"role": "user", "content": message},
        {"role": "assistant", "content": "That is a long log."},
    ]}
    (site / "content" / "conversations" / "huge.json").write_text(json.dumps(document), "utf-8")
    [share_id] = share(site, "huge")
    output = build(site)
    page = (output / "share" / share_id / "index.html").read_bytes().decode("utf-8")
    assert "START-OF-HUGE-MESSAGE" in page and "END-OF-HUGE-MESSAGE" in page
    assert "too long to format" in page
    assert "&lt;tags&gt;" in page and "<tags>" not in page
    exported = json.loads((output / "share" / share_id / "conversation.json").read_bytes())
    assert exported["messages"][0]["content"] == message
    for path in output.rglob("*"):
        if path.is_file() and path.suffix != ".png":  # preview cards are images
            path.read_bytes().decode("utf-8")  # every other file is valid UTF-8
