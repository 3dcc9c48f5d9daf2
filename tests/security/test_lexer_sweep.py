"""Highlighting stays linear for every lexer Pygments ships, on adversarial shapes.

A fence names its lexer, so hostile text picks the slowest of the ~600. Each lexer
highlights every shape of ``lexer_shapes`` at N and 4N characters through
``code_block``, the function a page renders code with; the time may grow at most
about linearly (MAX_RATIO) and may cost at most MAX_COST times what the Python lexer
takes on as much ordinary code, measured in the same run (so the test holds on a slow
or busy machine). A lexer that fails goes in ``amber.render.lexer_limits.SLOW_LEXERS``
with the limit that makes it pass; the sweep prints its figures.

Timing is CPU time, with garbage collection held off; a failure is measured twice
more before it counts. The whole sweep takes about a minute of CPU.
"""

from __future__ import annotations

import time

import pytest

from amber.render import lexer_limits
from amber.render.markdown import _lexer, code_block, highlight, highlight_block
from tests.security.lexer_shapes import (
    MAX_COST,
    MAX_RATIO,
    N,
    block,
    cpu_seconds,
    lexer_aliases,
    reference_seconds,
    sweep,
)


def test_every_lexer_highlights_every_shape_in_linear_time() -> None:
    started = time.process_time()
    reference = reference_seconds()
    slow = [f"{alias}: {shape}: {t_small * 1000:.1f} ms at {N} characters, "
            f"{t_large * 1000:.1f} ms at {4 * N} (ratio {t_large / max(t_small, 1e-4):.1f}, "
            f"{t_large / reference:.0f}x the Python reference)"
            for alias, shape, t_small, t_large in sweep(reference=reference)]
    print(f"{len(lexer_aliases())} lexers swept in {time.process_time() - started:.1f} s CPU; "
          f"reference {reference * 1000:.2f} ms")
    assert slow == [], (f"too slow (limits: ratio {MAX_RATIO}, cost {MAX_COST}x):\n"
                        + "\n".join(slow))


ISSUE_BLOCKS = {
    # The issue's ~98 KB blocks: 45 s in cheetah, 35 s in delphi, 18 s in gas before.
    "cheetah": "${" * 999 + "\n",
    "delphi": "{{" * 999 + "\n",
    "gas": "/*(*{-<!--#|" * 7 + "\n",
    "java": "a b c d e f g\n",
}


@pytest.mark.parametrize("alias", sorted(ISSUE_BLOCKS))
def test_the_issues_98_kb_blocks_cost_what_ordinary_code_does(alias: str) -> None:
    """At 98 KB, within MAX_COST of the Python lexer on as much ordinary code."""
    code = block_of(ISSUE_BLOCKS[alias], 98_000)
    ordinary = block_of("def f(x):\n    return x + 1  # one\n\n", 98_000)
    code_block(ordinary, "python")
    reference = cpu_seconds(ordinary, "python", repeats=3)
    seconds = cpu_seconds(code, alias)
    print(f"{alias}: 98 KB in {seconds:.2f} s CPU; Python on as much code {reference:.2f} s")
    assert seconds < MAX_COST * reference


def block_of(line: str, size: int) -> str:
    return (line * (size // len(line) + 1))[:size]


def test_a_slow_lexer_still_colours_ordinary_code() -> None:
    """The bounded look-ahead changes nothing where no token is longer than the window."""
    code = block_of('class A {\n  /* note */\n  String s = "x";\n  int f() { return 1; }\n}\n',
                    10_000)
    lexer = _lexer("java")
    assert lexer is not None
    assert lexer_limits.lexing_limit(lexer) == lexer_limits.SLOWER_LIMIT
    assert highlight_block(code, lexer) == highlight(code, lexer)
    assert '<span class="kd">class</span>' in highlight_block(code, lexer)


def test_lexers_too_slow_for_any_window_show_plain_text() -> None:
    html = code_block("x = 1\n", "autoit")
    assert "<code>x = 1\n</code>" in html


def test_block_shapes_stay_under_the_guard() -> None:
    """The shapes test the lexers, not the guard: amber would highlight each of them."""
    from amber.render.markdown import safe_to_highlight
    from tests.security.lexer_shapes import SHAPES
    for shape in SHAPES:
        assert safe_to_highlight(block(shape, 4 * N)), shape
