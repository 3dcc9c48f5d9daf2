"""Adversarial code shapes for every Pygments lexer, and their timing through amber.

Each shape is one line repeated to the wanted size. Lines and blank runs stay within
the highlight guard (2,000-character lines, 40 blank lines), so every block here is
one amber does highlight: the guard is not what keeps them fast. The shapes are the
ones regex lexers trip on: openers that are never closed (``${``, ``{{``, comment and
string openers, brackets), sigils, bare words with no punctuation, comment-like
lines, blank and whitespace-only lines.

Run ``python -m tests.security.lexer_shapes [ALIAS...]`` from the repository to print
the lexers that are too slow on some shape, with their figures: the source of
``amber.render.lexer_limits.SLOW_LEXERS``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from pygments.lexers import get_all_lexers

from amber.render.markdown import code_block
from tests.helpers.timing import least_cpu_seconds

SHAPES: dict[str, str] = {
    # name: the line repeated
    "${ openers": "${" * 999 + "\n",
    "{{ openers": "{{" * 999 + "\n",
    "comment openers": "/*(*{-<!--#|" * 7 + "\n",
    "quotes": "\"'`" * 666 + "\n",
    "brackets": "([{<" * 20 + "\n",
    "sigils": "$%@:;.<%" * 249 + "\n",
    "bare words": "a b c d e f g\n",
    "comment lines": "#a\n",
    "blank runs": "\n" * 40 + "x\n",
    "whitespace lines": (" " * 200 + "\n") * 40 + "x\n",
}
"""Long lines (up to the guard's 2,000 characters) for openers: some rules read to the
end of the line, or across lines, from every opener."""

N = 500
"""Characters of the smaller block; the larger has 4N, the default look-ahead window."""
NOISE_FLOOR = 0.005
"""CPU seconds at 4N under which a ratio is timer noise and not judged (2.5 µs a character)."""
MAX_RATIO = 8.0
"""Time at 4N over time at N: linear is 4, quadratic 16."""
MAX_COST = 15.0
"""Time at 4N over the time Pygments' Python lexer takes on as much ordinary Python: linear
but slow is slow too (one lexer took 50 µs a character on 2,000-character lines)."""

REFERENCE_CODE = (
    "def mean(values: list[float]) -> float:\n"
    "    \"\"\"The average, or 0.0 for no values.\"\"\"\n"
    "    if not values:\n"
    "        return 0.0  # nothing to average\n"
    "    return sum(values) / len(values)\n\n"
)


def block(shape: str, size: int) -> str:
    line = SHAPES[shape]
    return (line * (size // len(line) + 1))[:size]


def lexer_aliases() -> list[str]:
    """One alias per lexer class Pygments ships, sorted."""
    return sorted(aliases[0] for _, aliases, _, _ in get_all_lexers() if aliases)


def cpu_seconds(code: str, alias: str, repeats: int = 1) -> float:
    """Least CPU time of ``repeats`` renders of the block, as a page renders it (no full
    collection before each: the sweep times thousands of small blocks)."""
    return least_cpu_seconds(lambda: code_block(code, alias), repeats, collect=False)


def growth(alias: str, shape: str, repeats: int = 1) -> tuple[float, float]:
    """(CPU seconds at N, at 4N) for one lexer and shape."""
    small, large = block(shape, N), block(shape, 4 * N)
    return cpu_seconds(small, alias, repeats), cpu_seconds(large, alias, repeats)


def reference_seconds() -> float:
    """CPU seconds for Python on 4N characters of ordinary code, best of five."""
    code = (REFERENCE_CODE * (4 * N // len(REFERENCE_CODE) + 1))[:4 * N]
    code_block(code, "python")
    return cpu_seconds(code, "python", repeats=5)


def too_slow(t_small: float, t_large: float, reference: float, margin: float = 1.0) -> bool:
    """Faster than linear growth (past the noise), or a cost far above ordinary lexing;
    ``margin`` below 1 tightens both limits, to find the lexers close to them."""
    superlinear = (t_large >= NOISE_FLOOR * margin
                   and t_large / max(t_small, 1e-4) >= MAX_RATIO * margin)
    return superlinear or t_large > MAX_COST * margin * max(reference, 1e-4)


def sweep(aliases: list[str] | None = None, reference: float | None = None,
          margin: float = 1.0) -> Iterator[tuple[str, str, float, float]]:
    """(alias, shape, seconds at N, at 4N) of every lexer and shape found too slow, measured
    again (best of three) before it counts."""
    reference = reference_seconds() if reference is None else reference
    for alias in aliases or lexer_aliases():
        code_block("x\n", alias)  # first use builds the lexer's regexes: not timed
        for shape in SHAPES:
            t_small, t_large = growth(alias, shape)
            if too_slow(t_small, t_large, reference, margin):
                t_small, t_large = growth(alias, shape, repeats=3)
                if too_slow(t_small, t_large, reference, margin):
                    yield alias, shape, t_small, t_large


if __name__ == "__main__":
    import sys

    from amber.render.markdown import _lexer

    started = time.process_time()
    reference = reference_seconds()
    print(f"reference: Python on {4 * N} characters, {reference * 1000:.2f} ms", flush=True)
    # --margin 0.6: also list the lexers within 60% of the limits, which noise could tip over.
    args = sys.argv[1:]
    margin = float(args.pop(args.index("--margin") + 1)) if "--margin" in args else 1.0
    args = [a for a in args if a != "--margin"]
    for alias, shape, t_small, t_large in sweep(args or None, reference, margin):
        lexer = _lexer(alias)
        print(f"{alias} ({type(lexer).__name__}): {shape}: {t_small * 1000:.1f} ms at {N}, "
              f"{t_large * 1000:.1f} ms at {4 * N}, ratio {t_large / max(t_small, 1e-4):.1f}",
              flush=True)
    print(f"sweep: {time.process_time() - started:.1f} s CPU", flush=True)
