"""Adversarial code shapes for every Pygments lexer, and their timing through amber.

Each shape is one line repeated to the wanted size. Lines stay short and blank runs
stay under the highlight guard (2,000-character lines, 40 blank lines), so every
block here is one amber does highlight: the guard is not what keeps them fast.
The shapes are the ones regex lexers trip on: openers that are never closed
(``${``, ``{{``, comment and string openers, brackets), runs of escapes, bare words
with no punctuation, comment-like lines, blank and whitespace-only lines.

Run as ``python -m security.lexer_shapes`` from ``tests/`` to print the lexers whose
time grows faster than linearly, with their figures: the source of
``amber.render.lexer_limits.SLOW_LEXERS``.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator

from amber.render.markdown import code_block
from pygments.lexers import get_all_lexers

SHAPES: dict[str, str] = {
    # name: the line repeated
    "${ openers": "${" * 40 + "\n",
    "{{ openers": "{{" * 40 + "\n",
    "comment openers": "/*(*{-<!--#|" * 7 + "\n",
    "quotes": "\"'`" * 26 + "\n",
    "one quote a line": '"a\n',
    "brackets": "([{<" * 20 + "\n",
    "backslashes": "\\" * 80 + "\n",
    "sigils": "$%@:;.<%" * 10 + "\n",
    "bare words": "a b c d e f g\n",
    "comment lines": "#a\n",
    "blank runs": "\n" * 40 + "x\n",
    "whitespace lines": (" " * 200 + "\n") * 40 + "x\n",
    # The same openers on lines as long as the guard allows: some rules read to the end
    # of the line, or across lines, from every opener.
    "${ long lines": "${" * 999 + "\n",
    "{{ long lines": "{{" * 999 + "\n",
    "comment openers, long lines": "/*(*{-<!--#|" * 166 + "\n",
    "quotes, long lines": "\"'`" * 666 + "\n",
    "sigils, long lines": "$%@:;.<%" * 249 + "\n",
    "bare words, long lines": "a " * 999 + "\n",
}

N = 1_000
"""Characters of the smaller block; the larger has 4N."""
NOISE_FLOOR = 0.005
"""CPU seconds at 4N under which a ratio is timer noise and not judged (1.25 µs a character)."""
MAX_RATIO = 8.0
"""Time at 4N over time at N: linear is 4, quadratic 16."""


def block(shape: str, size: int) -> str:
    line = SHAPES[shape]
    return (line * (size // len(line) + 1))[:size]


def lexer_aliases() -> list[str]:
    """One alias per lexer class Pygments ships, sorted."""
    return sorted(aliases[0] for _, aliases, _, _ in get_all_lexers() if aliases)


def cpu_seconds(code: str, alias: str, repeats: int = 1) -> float:
    """Least CPU time of ``repeats`` renders of the block, as a page renders it."""
    best = float("inf")
    for _ in range(repeats):
        gc.disable()
        try:
            start = time.process_time()
            code_block(code, alias)
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


def growth(alias: str, shape: str, repeats: int = 1) -> tuple[float, float]:
    """(CPU seconds at N, at 4N) for one lexer and shape."""
    small, large = block(shape, N), block(shape, 4 * N)
    return cpu_seconds(small, alias, repeats), cpu_seconds(large, alias, repeats)


def superlinear(t_small: float, t_large: float) -> bool:
    return t_large >= NOISE_FLOOR and t_large / max(t_small, 1e-4) >= MAX_RATIO


def sweep(aliases: list[str] | None = None,
          shapes: list[str] | None = None) -> Iterator[tuple[str, str, float, float]]:
    """(alias, shape, seconds at N, at 4N) of every superlinear pair, measured again
    (best of three) before it counts."""
    for alias in aliases or lexer_aliases():
        code_block("x\n", alias)  # first use builds the lexer's regexes: not timed
        for shape in shapes or SHAPES:
            t_small, t_large = growth(alias, shape)
            if superlinear(t_small, t_large):
                t_small, t_large = growth(alias, shape, repeats=3)
                if superlinear(t_small, t_large):
                    yield alias, shape, t_small, t_large


if __name__ == "__main__":
    import sys

    from amber.render.markdown import _lexer

    started = time.process_time()
    only = [s for s in SHAPES if "long" in s] if "--long" in sys.argv else None
    for alias, shape, t_small, t_large in sweep([a for a in sys.argv[1:] if a[:2] != "--"]
                                                or None, only):
        lexer = _lexer(alias)
        print(f"{alias} ({type(lexer).__name__}): {shape}: {t_small * 1000:.1f} ms at {N}, "
              f"{t_large * 1000:.1f} ms at {4 * N}, ratio {t_large / max(t_small, 1e-4):.1f}",
              flush=True)
    print(f"sweep: {time.process_time() - started:.1f} s CPU", flush=True)
