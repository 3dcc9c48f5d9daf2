"""Limits on hostile exports: long strings and numbers, huge records, and the time they take.

A zip of a few hundred kilobytes can inflate to a 120 MB title or to millions of tiny
values; reading must refuse them while streaming, name the conversation, and take time
in proportion to the bytes read.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amber.importers import streamguard
from amber.importers.records import iter_records
from amber.importers.source import CountingReader, ImportInputError, Member
from amber.importers.streamguard import (
    MAX_NUMBER_CHARS,
    MAX_RECORD_ITEMS,
    MAX_STRING_BYTES,
    StreamGuard,
)
from tests.helpers.streams import Chunks

CHATGPT = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "chatgpt"


def records(data: bytes, name: str = "conversations.json") -> list[object]:
    return list(iter_records(CountingReader(io.BytesIO(data)), Member(name, len(data))))


def refusal(data: bytes) -> str:
    with pytest.raises(ImportInputError) as caught:
        records(data)
    return str(caught.value)


def conversation(title: str = "A chat", **extra: object) -> dict[str, object]:
    return {"title": title, "mapping": {}, **extra}


def best_time(data: bytes, rounds: int = 3) -> float:
    """The fastest of a few reads: the machine may be busy with other work."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(ImportInputError):
            records(data)
        best = min(best, time.perf_counter() - start)
    return best


# --- each limit, with the conversation it names ---------------------------------------------


def test_a_string_past_the_limit_is_refused_naming_the_conversation_and_where() -> None:
    head = json.dumps([conversation("first"), conversation("second")])[:-1].encode()
    data = head + b', {"title": "' + b"a" * (MAX_STRING_BYTES + 10) + b'"}]'
    message = refusal(data)
    assert message.startswith("conversations.json: conversation 3: has a string longer "
                              "than 16 MB"), message
    opening_quote = len(head) + len(b', {"title": ')
    assert f"(from byte {opening_quote:,})" in message, message


def test_a_string_at_the_limit_is_read_whole() -> None:
    text = "é" * (MAX_STRING_BYTES // 2)  # two bytes each: exactly the limit
    [record] = records(json.dumps([conversation(text)], ensure_ascii=False).encode())
    assert record == conversation(text)


def test_escapes_count_toward_the_string_limit_as_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``\\u0041`` is six bytes of JSON and one character: the limit is on the bytes read."""
    monkeypatch.setattr(streamguard, "MAX_STRING_BYTES", 1 << 20)
    escapes = b"\\u0041" * ((1 << 20) // 6)
    [record] = records(b'[{"title": "' + escapes + b'"}]')
    assert record == {"title": "A" * ((1 << 20) // 6)}
    longer = b'[{"title": "' + escapes + b"\\n" * 3 + b'"}]'
    assert "has a string longer than 1 MB" in refusal(longer)


def test_a_long_number_is_refused() -> None:
    data = b'[{"title": "t", "n": ' + b"7" * (MAX_NUMBER_CHARS + 1) + b"}]"
    assert "conversation 1: has a number longer than 4,096 characters" in refusal(data)
    [record] = records(b'[{"title": "t", "n": 1e' + b"0" * 100 + b"1}]")
    assert record == {"title": "t", "n": 10.0}


def test_a_record_of_millions_of_tiny_values_is_refused_before_it_is_built() -> None:
    """40 MB of ``0,`` took about 200 MB of memory to build as one list."""
    tiny = b"0," * (MAX_RECORD_ITEMS + 65536)  # past the limit by more than one read holds
    data = b'[{"title": "t", "mapping": {}}, {"title": "t", "z": [' + tiny + b"0]}]"
    assert "conversation 2: has more than 1,000,000 items" in refusal(data)


def test_many_records_just_under_the_item_limit_each_are_read() -> None:
    """The count starts again with each conversation: only one record is limited."""
    one = {"title": "t", "z": [0] * (MAX_RECORD_ITEMS // 2)}
    assert len(records(b"\n".join(json.dumps(one).encode() for _ in range(3)))) == 3


def test_a_record_past_the_byte_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streamguard, "MAX_RECORD_BYTES", 1 << 20)
    small = json.dumps(conversation("small")).encode()
    big = json.dumps(conversation("big", notes=["n" * 100_000] * 12)).encode()
    data = b"[" + b",".join([small, small, big, small]) + b"]"
    assert "conversation 3: is larger than 1 MB" in refusal(data)
    medium = json.dumps(conversation("medium", notes=["n" * 100_000] * 8)).encode()
    assert len(records(b"[" + b",".join([medium] * 3) + b"]")) == 3


# --- time in proportion to size ---------------------------------------------------------


def test_reading_one_long_string_takes_time_in_proportion_to_its_length() -> None:
    """yajl lexes a token cut by a read again from its start; the reads grow with an open
    string so that it is lexed a bounded number of times over. Quadratic reading made 8x
    the length cost about 64x the time (16 MB: 0.65 s); linear, about 8x."""
    def one_string(n: int) -> bytes:
        return b'[{"title": "' + b"a" * n + b'"}]'

    short, long = best_time(one_string(MAX_STRING_BYTES // 8)), best_time(one_string(
        MAX_STRING_BYTES))
    assert long / max(short, 0.02) < 25, (short, long)


def test_leading_whitespace_is_skipped_in_time_in_proportion_to_it() -> None:
    """Whitespace before the first value was gathered and stripped again at every read:
    64 MB of it ran for minutes."""
    short, long = best_time(b" " * (2 << 20) + b"[]"), best_time(b" " * (16 << 20) + b"[]")
    assert long / max(short, 0.02) < 25, (short, long)


# --- the guard cuts strings exactly, wherever the reads fall ---------------------------------


STRINGS = st.text(st.sampled_from('[]{}"\\ab\n,0'), max_size=12)
DOCUMENTS = st.recursive(
    STRINGS | st.integers(-10**6, 10**6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3),
    max_leaves=10,
)


def longest_string(value: object) -> int:
    """In bytes of JSON, without the quotes."""
    if isinstance(value, str):
        return len(json.dumps(value)) - 2
    if isinstance(value, list):
        return max(map(longest_string, value), default=0)
    if isinstance(value, dict):
        return max((max(longest_string(k), longest_string(v)) for k, v in value.items()),
                   default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(value=DOCUMENTS, limit=st.integers(0, 10),
       sizes=st.lists(st.integers(1, 9), min_size=1, max_size=4))
def test_the_guard_refuses_exactly_the_documents_with_a_string_past_the_limit(
        value: object, limit: int, sizes: list[int]) -> None:
    """Strings full of quotes, backslashes and brackets, cut by reads anywhere."""
    data = json.dumps(value).encode()
    guard = StreamGuard(Chunks(data, sizes), Member("x.json", len(data)))
    original = streamguard.MAX_STRING_BYTES
    streamguard.MAX_STRING_BYTES = limit
    try:
        read = b""
        while chunk := guard.read(4):
            read += chunk
    except ImportInputError as exc:
        assert longest_string(value) > limit, exc
        return
    finally:
        streamguard.MAX_STRING_BYTES = original
    assert longest_string(value) <= limit
    assert read == data
