"""amber.content.ids: share IDs are random UUID4s, validated before any use as a path."""

from __future__ import annotations

import uuid

import pytest

from amber.content import ids
from amber.content.ids import SLUG_RE, UUID_ANYWHERE, is_share_id, new_share_id

GOOD = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


def test_new_share_id_is_a_valid_uuid4() -> None:
    made = {new_share_id(set()) for _ in range(50)}
    assert len(made) == 50
    for share_id in made:
        assert is_share_id(share_id)
        assert uuid.UUID(share_id).version == 4


def test_new_share_id_never_returns_a_taken_id(monkeypatch: pytest.MonkeyPatch) -> None:
    taken_a = uuid.UUID("11111111-1111-4111-8111-111111111111")
    taken_b = uuid.UUID("22222222-2222-4222-8222-222222222222")
    fresh = uuid.UUID("33333333-3333-4333-8333-333333333333")
    queue = [taken_a, taken_b, taken_a, fresh]
    calls: list[int] = []

    def fake_uuid4() -> uuid.UUID:
        calls.append(1)
        return queue.pop(0)

    monkeypatch.setattr(ids.uuid, "uuid4", fake_uuid4)
    result = new_share_id({str(taken_a), str(taken_b)})
    assert result == str(fresh)
    assert len(calls) == 4


def test_new_share_id_accepts_any_container(monkeypatch: pytest.MonkeyPatch) -> None:
    first = uuid.UUID("44444444-4444-4444-8444-444444444444")
    second = uuid.UUID("55555555-5555-4555-9555-555555555555")
    queue = [first, second]
    monkeypatch.setattr(ids.uuid, "uuid4", lambda: queue.pop(0))
    assert new_share_id([str(first)]) == str(second)


@pytest.mark.parametrize(
    "text",
    [GOOD, "00000000-0000-4000-8000-000000000000", "ffffffff-ffff-4fff-bfff-ffffffffffff"],
)
def test_is_share_id_accepts_lowercase_uuid4(text: str) -> None:
    assert is_share_id(text)


@pytest.mark.parametrize(
    "text",
    [
        GOOD.upper(),
        "1B9D6BCD-bbfd-4b2d-9b5d-ab8dfbbd4bed",
        "1b9d6bcd-bbfd-1b2d-9b5d-ab8dfbbd4bed",  # version 1
        "1b9d6bcd-bbfd-5b2d-9b5d-ab8dfbbd4bed",  # version 5
        "1b9d6bcd-bbfd-4b2d-cb5d-ab8dfbbd4bed",  # wrong variant
        "1b9d6bcdbbfd4b2d9b5dab8dfbbd4bed",  # no dashes
        "{1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed}",
        "urn:uuid:1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
        f"../{GOOD}",
        f"{GOOD}/../../etc",
        f"{GOOD}.yaml",
        f" {GOOD}",
        f"{GOOD} ",
        "../../etc/passwd",
        "/etc/passwd",
        "",
        "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4be",  # short
        "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bedd",  # long
    ],
)
def test_is_share_id_rejects(text: str) -> None:
    assert not is_share_id(text)


def test_is_share_id_rejects_trailing_newline() -> None:
    assert not is_share_id(GOOD + "\n")


def test_slug_rejects_trailing_newline() -> None:
    assert not SLUG_RE.match("chat\n")


@pytest.mark.parametrize("slug", ["a", "rust-lifetimes", "v2_notes", "0abc"])
def test_slug_accepts(slug: str) -> None:
    assert SLUG_RE.match(slug)


@pytest.mark.parametrize("slug", ["", "-a", "_a", "A", "a b", "a/b", "..", "a.b", "x" * 129])
def test_slug_rejects(slug: str) -> None:
    assert not SLUG_RE.match(slug)


def test_uuid_anywhere_finds_ids_in_text() -> None:
    text = f'<a href="/share/{GOOD}/">x</a> and 00000000-0000-1000-8000-000000000000'
    assert UUID_ANYWHERE.findall(text) == [GOOD, "00000000-0000-1000-8000-000000000000"]
