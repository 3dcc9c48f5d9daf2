"""Message ranges: ``--messages 3-8,12`` parsed, written back and described.

Numbers are 1-based, as a share page numbers its messages, so what a person
reads on a page is what they type. A selection is kept sorted and without
repeats: ``12,3-8,5`` and ``3-8,12`` freeze the same messages and are written
the same way, so a snapshot diff shows only real changes.
"""

from __future__ import annotations

import re

from amber.content.model import Message, Selection

_ITEM = re.compile(r"\s*([0-9]+)\s*(?:-\s*([0-9]+)\s*)?\Z")
MAX_NUMBER_DIGITS = 9
"""Longer numbers are past the end of any conversation; refused before ``int()``."""


class RangeError(ValueError):
    """A range that names no messages of this conversation; the text says why."""


def parse_selection(text: str, total: int, *, most: int | None = None) -> Selection:
    """The messages ``text`` names (``3-8,12``) in a conversation of ``total`` messages.

    Raises ``RangeError`` for an empty item, a number that is not a positive whole
    number, 0, a number past the end, or a reversed range (``8-3``); and, with
    ``most``, for ranges that add up to more messages than that (a share file says
    how many it holds, so ``1-999999999`` is refused before it is counted out).
    """
    numbers: set[int] = set()
    named = 0
    for item in text.split(","):
        match = _ITEM.match(item)
        if match is None or any(g and len(g) > MAX_NUMBER_DIGITS for g in match.groups()):
            raise RangeError(f"{item.strip()!r} is not a message number or a range like 3-8")
        first = int(match.group(1))
        last = int(match.group(2)) if match.group(2) is not None else first
        for number in (first, last):
            if number == 0:
                raise RangeError("messages are numbered from 1, as on the page; 0 is no message")
            if number > total:
                raise RangeError(f"message {number} is past the end: the conversation has "
                                 f"{total} message{'' if total == 1 else 's'}")
        if last < first:
            raise RangeError(f"{item.strip()!r} is reversed; write {last}-{first}")
        named += last - first + 1
        if most is not None and named > most:
            raise RangeError(f"names more than the {most} messages there are")
        numbers.update(range(first, last + 1))
    return Selection(tuple(sorted(numbers)), total)


def runs(numbers: tuple[int, ...]) -> list[tuple[int, int]]:
    """Consecutive numbers grouped: (3, 4, 5, 12) -> [(3, 5), (12, 12)]."""
    out: list[tuple[int, int]] = []
    for number in numbers:
        if out and out[-1][1] == number - 1:
            out[-1] = (out[-1][0], number)
        else:
            out.append((number, number))
    return out


def format_ranges(numbers: tuple[int, ...]) -> str:
    """The canonical ``--messages`` text of a selection: ``3-8,12``."""
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs(numbers))


def describe(selection: Selection) -> str:
    """What a page says about a selection: ``Messages 3–8 and 12 of 20``."""
    pieces = [str(a) if a == b else f"{a}\u2013{b}" for a, b in runs(selection.numbers)]
    listed = pieces[0] if len(pieces) == 1 else ", ".join(pieces[:-1]) + " and " + pieces[-1]
    noun = "Message" if len(selection.numbers) == 1 else "Messages"
    return f"{noun} {listed} of {selection.total}"


def select(messages: tuple[Message, ...], selection: Selection | None) -> tuple[Message, ...]:
    """The selected messages, in order; all of them when there is no selection."""
    if selection is None:
        return messages
    return tuple(messages[n - 1] for n in selection.numbers if n <= len(messages))


def covers(messages: tuple[Message, ...], selection: Selection | None) -> bool:
    """Whether every selected number is still a message of ``messages``."""
    return selection is None or (not selection.numbers or selection.numbers[-1] <= len(messages))
