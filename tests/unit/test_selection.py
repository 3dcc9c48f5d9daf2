"""Message ranges: parsing ``--messages``, writing them back, and the page's wording."""

from __future__ import annotations

import pytest

from amber.content.model import Message, Selection
from amber.content.selection import (
    RangeError,
    covers,
    describe,
    format_ranges,
    parse_selection,
    select,
)


@pytest.mark.parametrize(("text", "numbers"), [
    ("3", (3,)),
    ("3-8", (3, 4, 5, 6, 7, 8)),
    ("3-8,12", (3, 4, 5, 6, 7, 8, 12)),
    ("12, 3-5 ,4", (3, 4, 5, 12)),
    ("1-20", tuple(range(1, 21))),
    ("7-7", (7,)),
])
def test_valid_ranges(text: str, numbers: tuple[int, ...]) -> None:
    assert parse_selection(text, 20) == Selection(numbers, 20)


@pytest.mark.parametrize(("text", "reason"), [
    ("0", "numbered from 1"),
    ("0-3", "numbered from 1"),
    ("21", "past the end"),
    ("3-21", "past the end"),
    ("8-3", "reversed"),
    ("three", "not a message number"),
    ("3-", "not a message number"),
    ("-3", "not a message number"),
    ("3,,4", "not a message number"),
    ("", "not a message number"),
    ("1.5", "not a message number"),
    ("9" * 40, "not a message number"),
])
def test_bad_ranges_say_why(text: str, reason: str) -> None:
    with pytest.raises(RangeError, match=reason):
        parse_selection(text, 20)


def test_written_back_in_canonical_form() -> None:
    assert format_ranges(parse_selection("12,5,3-4,6-8", 20).numbers) == "3-8,12"


@pytest.mark.parametrize(("text", "said"), [
    ("3-8,12", "Messages 3\u20138 and 12 of 20"),
    ("5", "Message 5 of 20"),
    ("1-2,5,7-9", "Messages 1\u20132, 5 and 7\u20139 of 20"),
])
def test_page_wording(text: str, said: str) -> None:
    assert describe(parse_selection(text, 20)) == said


def test_select_keeps_order_and_covers_checks_the_end() -> None:
    messages = tuple(Message("user", f"m{n}") for n in range(1, 6))
    chosen = parse_selection("2,4-5", 5)
    assert [m.content for m in select(messages, chosen)] == ["m2", "m4", "m5"]
    assert covers(messages, chosen)
    assert not covers(messages[:4], chosen)
    assert select(messages, None) == messages
