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
