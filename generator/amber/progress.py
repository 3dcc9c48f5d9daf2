"""Progress bars for long work: shown on a terminal, silent in CI and in pipes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

MIN_ITEMS = 200
"""Below this a bar is noise: small sites build in a blink."""


def wants_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def progress(items: list[T], label: str) -> Iterator[T] | Iterable[T]:
    if len(items) < MIN_ITEMS or not wants_progress():
        return items
    from tqdm import tqdm

    return tqdm(items, desc=label, unit="share", leave=False, file=sys.stderr)


def progress_count(items: Iterator[T], total: int, label: str) -> Iterator[T]:
    """``progress`` for results that arrive one by one (from worker processes)."""
    if total < MIN_ITEMS or not wants_progress():
        yield from items
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=label, unit="share", leave=False, file=sys.stderr) as bar:
        for item in items:
            bar.update(1)
            yield item
