"""ids_in_bytes finds a share ID in every form a browser shows as that ID."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amber.content.ids import ids_in_bytes

HIDDEN = "0a190a8f-96a1-43ae-8d86-659d4999f5ab"

FORMS = {
    "upper case": "…/share/0A190A8F-96A1-43AE-8D86-659D4999F5AB/",
    "mixed case": "0a190A8F-96a1-43AE-8d86-659D4999f5ab",
    "split by strong": "0a190a8f-96a1-43ae-8d86-<strong>659d4999f5ab</strong>",
    "split by spans": '<span class="n">0a190a8f</span><span class="o">-</span>96a1-43ae-8d86-659d'
                      "<em></em><code>4999</code>f5ab",
    "percent-encoded digit": "/share/%30a190a8f-96a1-43ae-8d86-659d4999f5ab/",
    "percent-encoded dash": "/share/0a190a8f%2D96a1%2d43ae-8d86-659d4999f5ab/",
    "percent-encoded letter": "/share/0%61190%618f-96a1-43ae-8d86-659d4999f5ab/",
    "decimal reference": "&#48;a190a8f&#45;96a1-43ae-8d86-659d4999f5ab",
    "hex reference": "0a190a8f&#x2D;96a1-43ae-8d86-659d4999f5&#X61;&#x0062;",
    "soft hyphen": "0a19\u00ad0a8f-96a1-43ae-8d86-659d4999f5ab",
    "zero-width space": "0a190a8f-\u200b96a1-43ae-8d86-659d4999\u200df5ab",
    "tags and escapes": "%30<i></i>a190a8f<b>%2D</b>96a1-43ae-8d86-659d4999f5ab",
    "in an attribute": '<a href="/share/0a190a8f-96a1-43ae-8d86-659d4999f5ab/">x</a>',
    "percent code before it": "%0a190a8f-96a1-43ae-8d86-659d4999f5ab",
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_finds_the_id_in_each_form(form: str) -> None:
    assert HIDDEN in ids_in_bytes(FORMS[form].encode())


@pytest.mark.parametrize("text", [
    "&#46;a190a8f-96a1-43ae-8d86-659d4999f5ab",  # "." is not hex
    "0a190a8f-96a1-43ae-8d86-659d4999f5a",  # one digit short
    "0a190a8f-96a1-43ae-8d86 659d4999f5ab",  # a space is seen
    "0a190a8f-96a1-43ae-8d86-<b>x</b>659d4999f5ab",  # a visible letter between
    "0a190a8f_96a1_43ae_8d86_659d4999f5ab",
])
def test_does_not_find_what_a_reader_does_not_see_as_the_id(text: str) -> None:
    assert HIDDEN not in ids_in_bytes(text.encode())


def test_ids_are_reported_lowercase_once() -> None:
    page = f"{HIDDEN} {HIDDEN.upper()} <b>{HIDDEN[:10]}</b>{HIDDEN[10:]}".encode()
    assert ids_in_bytes(page) == {HIDDEN}


def test_splits_far_apart_in_a_long_page_are_each_found() -> None:
    other = str(uuid.UUID(int=7, version=4))
    filler = "<p>plain words, nothing to see</p>\n" * 200
    page = (f"{filler}{HIDDEN[:9]}<em>{HIDDEN[9:]}</em>{filler}"
            f"{other[:30]}<a href='x'>{other[30:]}</a>{filler}").encode()
    assert ids_in_bytes(page) == {HIDDEN, other}


_MARKUP = st.sampled_from(["<b>", "</b>", "<span class='x'>", "</span>", "\u00ad", "\u200b",
                           "<wbr>"])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_mix_of_case_markup_and_escapes_is_found(data: st.DataObject) -> None:
    share_id = str(uuid.UUID(int=data.draw(st.integers(0, 2**128 - 1)), version=4))
    pieces = []
    for char in share_id:
        if data.draw(st.booleans()):
            char = char.upper()
        style = data.draw(st.sampled_from(["plain", "percent", "reference"]))
        if style == "percent":
            char = f"%{ord(char):02X}"
        elif style == "reference":
            char = f"&#{ord(char)};"
        pieces.append(char + "".join(data.draw(st.lists(_MARKUP, max_size=2))))
    text = data.draw(st.text(max_size=20)) + "".join(pieces) + data.draw(st.text(max_size=20))
    assert share_id in ids_in_bytes(text.encode())
