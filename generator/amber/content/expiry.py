"""Expiring links: read ``--expires``, and withdraw the shares whose moment has come.

An expired share is left out of a build exactly as a revoked one: its snapshot
stays in ``content/shares/`` (so ``amber list`` can say ``expired`` and ``amber
revoke --expired`` can tombstone it), but nothing renders it and its ID counts as
revoked for the leak check. Expiry is a moment, compared with the command's one
"now" (``amber.content.clock``): a share expires when now reaches ``expires``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from amber.content.clock import ClockError, epoch_seconds, iso, parse_moment

if TYPE_CHECKING:  # only for types: the quick check imports this module and must stay light
    from amber.content.load import SiteContent

_DURATION = re.compile(r"([1-9][0-9]{0,5})([mhdw])\Z")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
          "w": timedelta(weeks=1)}
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")

EXPIRES_HELP = ("when the link stops working: a duration from now (30m, 12h, 7d, 2w), a "
                "date (2026-12-31: live through that whole day, UTC) or an ISO time "
                "with a zone (2026-12-31T18:00:00Z)")


def parse_expires(text: str, now: datetime) -> str:
    """The expiry moment ``--expires TEXT`` means at ``now``, in amber's time form.

    A date alone means the end of that day in UTC: the share is live through the
    whole day, so it expires at the next day's 00:00:00Z. A moment not after ``now``
    is refused: a link that is dead on arrival is always a mistake.
    """
    value = text.strip()
    try:
        moment = _moment(value, now)
    except OverflowError:
        raise ClockError(f"--expires: {text!r} is too far away") from None
    except ClockError as exc:
        raise ClockError(f"--expires: {text!r} {exc}") from None
    if moment <= now:
        raise ClockError(f"--expires: {iso(moment)} is not after now ({iso(now)})")
    return iso(moment)


def _moment(value: str, now: datetime) -> datetime:
    duration = _DURATION.match(value)
    if duration is not None:
        return now + int(duration.group(1)) * _UNITS[duration.group(2)]
    if _DATE.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ClockError("is not a real date") from None
        return day + timedelta(days=1)
    try:
        return parse_moment(value)
    except ClockError:
        raise ClockError("is neither a duration (7d, 12h, 2w, 30m), a date (2026-12-31) "
                         "nor an ISO time with a zone") from None


def is_expired(expires: str | None, now: datetime) -> bool:
    """Whether a share with this expiry is gone at ``now`` (the moment itself counts)."""
    return expires is not None and epoch_seconds(expires) <= now.timestamp()


@dataclass(frozen=True)
class Window:
    """The moments for which a build's set of live shares stays the same.

    ``after`` is the latest expiry among shares left out (a build at an earlier
    moment would include one of them again), ``before`` the earliest among shares
    kept (from then on one of them must go). A cached build answers "nothing
    changed" only for a moment inside the window; ``None`` means unbounded.
    """

    after: int | None
    before: int | None

    def holds(self, moment: datetime) -> bool:
        seconds = moment.timestamp()
        return ((self.after is None or seconds >= self.after)
                and (self.before is None or seconds < self.before))

    def state(self) -> list[int | None]:
        return [self.after, self.before]


def window_of(expiries: dict[str, str | None], now: datetime) -> Window:
    """The ``Window`` of a build at ``now`` of shares with these expiries (ID -> expires)."""
    gone = [epoch_seconds(e) for e in expiries.values() if e is not None and is_expired(e, now)]
    live = [epoch_seconds(e) for e in expiries.values()
            if e is not None and not is_expired(e, now)]
    return Window(max(gone) if gone else None, min(live) if live else None)


def window_holds(state: object, moment: datetime) -> bool:
    """Whether a window as stored in quick.json holds ``moment`` (anything unreadable: no)."""
    if not (isinstance(state, list) and len(state) == 2
            and all(v is None or type(v) is int for v in state)):
        return False
    return Window(state[0], state[1]).holds(moment)


def withdraw(content: SiteContent, now: datetime) -> Window:
    """Move every share expired at ``now`` from ``content``'s active shares to
    ``content.expired``; the window of moments this split holds for.

    Done once, right after loading, by every command that builds or checks: what
    follows sees only live shares, as if the expired ones had been revoked.
    """
    from amber.content.load import ShareMeta

    expiries = {i: s.expires for i, s in content.snapshots.items()}
    expiries.update({i: m.expires for i, m in content.unread_shares.items()})
    for share_id, expires in expiries.items():
        if not is_expired(expires, now):
            continue
        snap = content.snapshots.pop(share_id, None)
        meta = content.unread_shares.pop(share_id, None)
        if meta is None and snap is not None:
            meta = ShareMeta.of(snap, snap.path or content.paths.share_file(share_id))
        if meta is not None:
            content.expired[share_id] = meta
    return window_of(expiries, now)


def live_view(content: SiteContent, now: datetime) -> SiteContent:
    """A copy of ``content`` with the shares expired at ``now`` withdrawn; ``content``
    itself keeps them, for a page that lists every share with its state (the
    preview server's management page)."""
    from dataclasses import replace

    view = replace(content, snapshots=dict(content.snapshots),
                   unread_shares=dict(content.unread_shares), expired=dict(content.expired))
    withdraw(view, now)
    return view
