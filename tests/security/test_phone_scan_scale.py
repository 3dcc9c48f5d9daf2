"""The phone-number scan costs about what the rest of the scan does, on any text.

libphonenumber's matcher took about a millisecond per run of digits, so 90 KB of
numbers took seconds to scan and a 20 MB message minutes, in `share` and in `check`.
Candidates are now thrown out by their shape first, the rest judged by ``parse`` and
``is_valid_number``, at most ``max_checks(text)`` of them per text.

No wall-clock limits: each number-heavy text is timed at N and 4N in the same run,
and the number of texts handed to libphonenumber is counted.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import phonenumbers
import pytest

from amber.content import phones
from amber.content.sensitive import scan_text
from tests.helpers.timing import least_cpu_seconds


def formatted(n: int) -> str:
    """Distinct, valid-looking North American numbers, one a line: the costliest text."""
    return "\n".join(f"({200 + i % 700}) {200 + i * 7 % 700}-{i % 10_000:04d}"
                     for i in range(n // 15 + 1))[:n]


def integers(n: int) -> str:
    return "\n".join(f"x{i % 97} = {2_000_000_000 + i * 7919};" for i in range(n // 20 + 1))[:n]


def figures(n: int) -> str:
    return "\n".join(f"| run {i} | {i % 10}.{i % 7} 8.8 4.7 3.9 3.{i % 9} |"
                     for i in range(n // 30 + 1))[:n]


def labelled(n: int) -> str:
    return "\n".join(f"call {2_124_630_000 + i * 13}" for i in range(n // 16 + 1))[:n]


def timestamps(n: int) -> str:
    return "\n".join(f"2026-01-{1 + i % 28:02d} 12:{i % 60:02d}:00 took {i * 37} ns"
                     for i in range(n // 40 + 1))[:n]


SHAPES: dict[str, Callable[[int], str]] = {
    "formatted numbers": formatted,
    "integers in code": integers,
    "a table of figures": figures,
    "numbers said to be phones": labelled,
    "log timestamps": timestamps,
}
N = 20_000
MAX_RATIO = 8.0
"""Time at 4N over time at N: linear is 4."""


def cpu_seconds(text: str, repeats: int = 3) -> float:
    # every run pays for its own number checks
    return least_cpu_seconds(lambda: scan_text(text), repeats, before=phones._valid.cache_clear)


@pytest.mark.parametrize("name", list(SHAPES))
def test_scan_time_grows_linearly(name: str) -> None:
    make = SHAPES[name]
    scan_text(make(100))
    ratio = math.inf
    for _ in range(3):
        t_small, t_large = cpu_seconds(make(N)), cpu_seconds(make(4 * N))
        ratio = min(ratio, t_large / max(t_small, 1e-4))
        if ratio < MAX_RATIO:
            break
    print(f"{name}: {t_small * 1000:.0f} ms at {N:,}, {t_large * 1000:.0f} ms at {4 * N:,}")
    assert ratio < MAX_RATIO


def test_libphonenumber_judges_at_most_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    parse, matcher = phonenumbers.parse, phonenumbers.PhoneNumberMatcher

    def counted(function):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(phonenumbers, "parse", counted(parse))
    monkeypatch.setattr(phonenumbers, "PhoneNumberMatcher", counted(matcher))
    phones._valid.cache_clear()
    text = formatted(400_000)
    found = scan_text(text)
    assert calls <= phones.max_checks(text) < text.count("\n")
    assert len(found) >= phones.BASE_CHECKS  # the budget runs out after real work, not before
