"""The one "now" of a command: ``--now``, else ``SOURCE_DATE_EPOCH``, else the clock.

Whether a share has expired depends on the moment a build runs, so a build is
reproducible only for a given moment. Every command that decides expiry (``build``,
``list``, ``revoke --expired``, ``check``, ``serve``) asks this module, so they all
agree on the moment, and a test or a rebuild of a past site can pin it.

Standard library only: the no-op build check (``amber.build.quick``) reads the
moment before anything heavy is imported.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"(Z|[+-]\d{2}:?\d{2})\Z"
)
"""A full ISO 8601 time with its offset: a time without one would mean the local zone,
which differs between a laptop and CI, so it is refused."""


class ClockError(ValueError):
    """A moment that cannot be read; the message says what was expected."""


def parse_moment(text: str) -> datetime:
    """An ISO 8601 time with ``Z`` or an offset, as an aware UTC datetime (seconds kept)."""
    match = _ISO.match(text.strip())
    if match is None:
        raise ClockError(f"{text!r} is not an ISO 8601 time with a zone, such as "
                         "2026-12-31T23:59:59Z")
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        moment = datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour}:{minute}:{second or '00'}"
            + ("+00:00" if zone == "Z" else zone))
        return moment.astimezone(UTC).replace(microsecond=0)
    except (ValueError, OverflowError):
        raise ClockError(f"{text!r} is not a real date and time") from None


def now(cli_value: str | None = None) -> datetime:
    """The moment a command acts at, in UTC, to the second.

    ``SOURCE_DATE_EPOCH`` comes second because it is how reproducible builds pin
    time everywhere else; an explicit ``--now`` is the more specific wish.
    """
    if cli_value is not None:
        return parse_moment(cli_value)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise ClockError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of "
                             "seconds") from None
    return datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: the one form amber writes times in."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_seconds(iso_text: str) -> int:
    """Seconds since 1970 of a time in amber's normal form (``iso``)."""
    return int(datetime.strptime(iso_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
