"""CPU time of a piece of work, for the tests that show time grows linearly.

Such tests compare the time at N with the time at 4N in one run, so only a ratio
matters; the least of a few runs, with the cyclic garbage collector held off while
timed, is the steadiest figure on a shared machine.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable


def least_cpu_seconds(work: Callable[[], object], repeats: int = 3, *, collect: bool = True,
                      before: Callable[[], object] | None = None) -> float:
    """The least CPU time of ``repeats`` runs of ``work``.

    ``before`` runs untimed before each run (to empty a cache the work fills);
    ``collect`` runs a full collection first, which a sweep of thousands of tiny
    timings leaves out because it would cost more than the work.
    """
    best = math.inf
    for _ in range(repeats):
        if before is not None:
            before()
        if collect:
            gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            work()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best
