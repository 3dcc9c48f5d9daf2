"""Phone numbers in text about to be published, found in time linear in the text.

libphonenumber (its Python port) knows every country's numbering plan, so it
judges whether digits can be a real number. Its matcher, though, costs about a
millisecond per run of digits, and conversations about code and data are full
of digits. So amber finds candidate runs with one regex, throws out cheaply what
is written like a quantity rather than a phone number, and asks libphonenumber
only ``parse`` and ``is_valid_number`` (some 25 µs) for the rest, remembering
each answer for the text.

Written like a quantity, not a phone number:

- a bare run of digits (``2147483647``, ``3145728000 bytes``) unless a word such
  as "call", "phone" or "tel" comes just before it: people write their number
  with separators or say what it is, code and tables do neither;
- a run glued to a letter, digit, sign or decimal point (``-2147483648``,
  ``v2.125551234``, ``x2125551234``) or followed by ``:`` and a digit (a time);
- two or more one-digit groups (``8.4 8.8 4.7 3.9 3.7``, a row of figures);
- a date (``2026-01-01 12``);
- a run labelled as something else (``Order 212-555-0187``, ``invoice #``...);
- North American 555-0100 to 555-0199, reserved for fiction and examples.

At most ``max_checks(text)`` distinct candidates go to libphonenumber per text:
beyond that a text is a dump of numbers, and its first thousands of phone-like
runs have been judged already.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

CANDIDATE = re.compile(r"\d[\d \t().\-/]{5,24}\d")
"""A run that could be a phone number: digits with the separators people write."""
SEPARATORS = re.compile(r"[ \t().\-/]+")
DATE = re.compile(r"\d{4}[-/]\d\d?[-/]\d\d?")
PHONE_WORD = re.compile(
    r"(?i)(?:\b(?:call|calls|called|calling|phone|tel|telephone|mobile|cell|cellphone|"
    r"whatsapp|sms|text|txt|fax|ring|dial|number|contact|reach)\b|☎|📞)[^\n\d]{0,24}\Z"
)
"""A word saying that the bare digits after it (within 24 characters) are a phone number."""
OTHER_LABEL = re.compile(
    r"(?i)\b(?:order|invoice|ticket|case|ref|reference|sku|serial|tracking|isbn|issue|"
    r"build|version|po|receipt|confirmation|booking|id)\b\W{0,4}\Z"
)
"""A label saying the digits after it are an identifier, not a phone number."""
GLUED_BEFORE = frozenset("-+_.,$#=*/\\%")
CONTEXT = 32
"""Characters before a candidate read for a phone word or another label."""
BASE_CHECKS = 1_000
CHARACTERS_PER_CHECK = 100
MIN_DIGITS, MAX_DIGITS = 7, 17


def max_checks(text: str) -> int:
    """Distinct candidates libphonenumber judges in one text: a budget linear in its length."""
    return BASE_CHECKS + len(text) // CHARACTERS_PER_CHECK


def find_phones(text: str, regions: tuple[str | None, ...]) -> Iterator[tuple[int, str]]:
    """(offset, raw text) of each likely phone number in ``text``."""
    budget = max_checks(text)
    verdicts: dict[tuple[str, str | None], bool] = {}
    for match in CANDIDATE.finditer(text):
        start, end = match.span()
        if start and text[start - 1] in "+(":
            start -= 1  # an international prefix or an area code's parenthesis
        raw = text[start:end]
        if not _shaped_like_a_phone(text, start, end, raw):
            continue
        for region in regions:
            key = (("+" if raw[0] == "+" else "") + "".join(c for c in raw if c.isdigit()), region)
            verdict = verdicts.get(key)
            if verdict is None:
                if budget <= 0:
                    return
                budget -= 1
                verdict = verdicts[key] = _valid(raw, region)
            if verdict:
                yield start, raw
                break


def _shaped_like_a_phone(text: str, start: int, end: int, raw: str) -> bool:
    """The cheap checks, cheapest first: most runs of digits in code fail the first ones."""
    before = text[start - 1: start]
    if before and (before.isalnum() or before in GLUED_BEFORE):
        return False
    after = text[end: end + 2]
    if after[:1].isalnum() or after[:1] == "_" or (
            after[:1] in ":.,%" and after[1:2].isdigit()):
        return False
    context = text[max(0, start - CONTEXT): start]
    if raw.isdigit():  # bare digits: a quantity unless the text says it is a phone number
        return (MIN_DIGITS <= len(raw) <= MAX_DIGITS and PHONE_WORD.search(context) is not None
                and OTHER_LABEL.search(context) is None)
    if not MIN_DIGITS <= sum(c.isdigit() for c in raw) <= MAX_DIGITS:
        return False
    if OTHER_LABEL.search(context) or DATE.search(raw):
        return False
    groups = SEPARATORS.split(raw.lstrip("+("))
    return sum(len(g) == 1 for g in groups) < 2


@lru_cache(maxsize=4096)
def _valid(raw: str, region: str | None) -> bool:
    """libphonenumber's judgement: a valid number of its plan, and not a fictional one."""
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(number):
        return False
    national = str(number.national_number)
    fictional = number.country_code == 1 and national[3:6] == "555" and national[6:8] == "01"
    return not fictional
