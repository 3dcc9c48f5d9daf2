"""Reading ``--expires`` and ``--now``, the order "now" is chosen in, the window a build's
live shares hold for, how a page words the expiry, and snapshots written as before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from amber.content.clock import ClockError, iso, now, parse_moment
from amber.content.expiry import (
    is_expired,
    parse_expires,
    window_holds,
    window_of,
)
from amber.content.load import SitePaths, load_content
from amber.content.snapshot import serialise_snapshot
from amber.render.templates import expiry_display
from tests.helpers import REPO

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("7d", "2026-01-08T12:00:00Z"),
    ("12h", "2026-01-02T00:00:00Z"),
    ("2w", "2026-01-15T12:00:00Z"),
    ("30m", "2026-01-01T12:30:00Z"),
    (" 1d ", "2026-01-02T12:00:00Z"),
    # A date alone: live through that whole day (UTC), gone at the next midnight.
    ("2026-12-31", "2027-01-01T00:00:00Z"),
    ("2026-01-01", "2026-01-02T00:00:00Z"),
    ("2026-02-28", "2026-03-01T00:00:00Z"),
    ("2026-12-31T18:30:00Z", "2026-12-31T18:30:00Z"),
    ("2026-12-31T18:30:00+02:00", "2026-12-31T16:30:00Z"),
    ("2026-12-31T18:30Z", "2026-12-31T18:30:00Z"),
])
def test_parse_expires(text: str, expected: str) -> None:
    assert parse_expires(text, NOW) == expected


@pytest.mark.parametrize("text", [
    "", "7", "d", "0d", "-1d", "7y", "1.5d", "7 days", "tomorrow", "2026-02-30", "2026-13-01",
    "2026-12-31T18:30:00",  # no zone: local time differs between machines
    "2025-12-31",  # ended before now
    "2026-01-01T12:00:00Z",  # now itself: dead on arrival
    "9999-12-31",  # past the last year a time can be written in
])
def test_parse_expires_refuses(text: str) -> None:
    with pytest.raises(ClockError, match="--expires"):
        parse_expires(text, NOW)


def test_expired_from_the_moment_itself() -> None:
    moment = "2026-01-11T00:00:00Z"
    assert not is_expired(moment, parse_moment("2026-01-10T23:59:59Z"))
    assert is_expired(moment, parse_moment("2026-01-11T00:00:00Z"))
    assert is_expired(moment, parse_moment("2026-01-11T00:00:01Z"))
    assert not is_expired(None, parse_moment("9000-01-01T00:00:00Z"))


def test_now_prefers_the_option_then_source_date_epoch_then_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert iso(now("2030-05-05T05:05:05Z")) == "2030-05-05T05:05:05Z"
    assert iso(now()) == "2026-01-01T00:00:00Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).replace(microsecond=0)
    assert before <= now() <= datetime.now(UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ClockError, match="SOURCE_DATE_EPOCH"):
        now()
    with pytest.raises(ClockError):
        now("2026-01-01")  # a date is not a moment


def test_the_window_of_a_build() -> None:
    expiries = {"a": "2026-01-05T00:00:00Z", "b": "2026-01-10T00:00:00Z",
                "c": "2026-01-20T00:00:00Z", "d": None}
    at = parse_moment("2026-01-12T00:00:00Z")
    window = window_of(expiries, at)
    state = window.state()
    assert window_holds(state, at)
    assert window_holds(state, parse_moment("2026-01-10T00:00:00Z"))  # b gone from here
    assert not window_holds(state, parse_moment("2026-01-09T23:59:59Z"))  # b back
    assert window_holds(state, parse_moment("2026-01-19T23:59:59Z"))
    assert not window_holds(state, parse_moment("2026-01-20T00:00:00Z"))  # c gone
    assert window_holds(window_of({"d": None}, at).state(), parse_moment("1990-01-01T00:00:00Z"))
    for bad in (None, "x", [1], [1, "2"], [True, None]):
        assert not window_holds(bad, at)


@pytest.mark.parametrize(("moment", "shown"), [
    (None, None),
    ("2027-01-01T00:00:00Z", "at the end of 31 December 2026 (UTC)"),
    ("2026-03-01T00:00:00Z", "at the end of 28 February 2026 (UTC)"),
    ("2026-12-31T18:30:00Z", "on 31 December 2026 at 18:30 UTC"),
])
def test_expiry_display(moment: str | None, shown: str | None) -> None:
    assert expiry_display(moment) == shown


@pytest.mark.parametrize("site", [REPO, REPO / "tests" / "fixtures" / "theme"],
                         ids=["content", "theme-fixture"])
def test_existing_snapshots_serialise_as_they_were_written(site: Path) -> None:
    """No snapshot without an expiry gains a key: every file written before reads back
    and is written again byte for byte."""
    content = load_content(SitePaths(site))
    assert not content.problems
    for snap in content.snapshots.values():
        assert snap.expires is None
        assert snap.path is not None
        assert serialise_snapshot(snap) == snap.path.read_bytes()
