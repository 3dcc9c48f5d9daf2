"""The share lifecycle: share, update, revoke, and the state of each share.

Every function validates the whole of content/ first and writes only when
it is sound; each snapshot or tombstone file is replaced atomically.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from amber.atomic import write_atomic
from amber.content.clock import now as clock_now
from amber.content.expiry import is_expired
from amber.content.ids import is_share_id, new_share_id
from amber.content.load import CONVERSATION_SUFFIXES, SiteContent
from amber.content.model import (
    Conversation,
    Encryption,
    Selection,
    SiteConfig,
    Snapshot,
    Tombstone,
)
from amber.content.snapshot import (
    Redaction,
    freeze,
    serialise_snapshot,
    serialise_tombstones,
    source_digest,
)
from amber.errors import RefusedError


def now_utc() -> str:
    """The time a snapshot is frozen; SOURCE_DATE_EPOCH pins it for reproducible tests."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def share_url(config: SiteConfig, share_id: str) -> str:
    return f"{config.base_url}share/{share_id}/"


def reader_url(config: SiteConfig, snap: Snapshot) -> str:
    """The link to hand a reader: a link-key share's URL carries its key in the fragment.

    Only for the owner's eyes (``amber share``, ``amber list`` on a terminal, the local
    manage page): never print it where CI logs or review comments would keep it."""
    url = share_url(config, snap.id)
    if snap.encryption is not None and not snap.encryption.passphrase:
        return f"{url}#{snap.encryption.key}"
    return url


def find_conversation(content: SiteContent, ref: str) -> Conversation:
    """A conversation by slug, or by the path of its file under content/conversations/."""
    slug = ref
    if "/" in ref or ref.endswith(CONVERSATION_SUFFIXES):
        path = Path(ref)
        try:
            inside = path.resolve().parent == content.paths.conversations.resolve()
        except OSError:
            inside = False
        if not inside:
            raise RefusedError(f"{ref}: not a file in content/conversations/ "
                               "(use `amber import` for exports)")
        slug = path.stem
    conv = content.conversations.get(slug)
    if conv is None:
        known = ", ".join(sorted(content.conversations)) or "none"
        raise RefusedError(f"no conversation {ref!r} in content/conversations/ (known: {known})")
    return conv


def resolve_share_id(
    content: SiteContent, ref: str, *, active: Container[str] | None = None
) -> str:
    """An active share's ID from an ID or a share URL (``active`` overrides what counts)."""
    candidate = ref.strip().rstrip("/").rsplit("/", 1)[-1].lower()
    if not is_share_id(candidate):
        raise RefusedError(f"{ref!r} is not a share ID (a UUID4 like "
                           "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed) or a share URL")
    if candidate in content.revoked_ids:
        raise RefusedError(f"share {candidate} is already revoked")
    if candidate not in (content.snapshots if active is None else active):
        raise RefusedError(f"no active share {candidate} in content/shares/")
    return candidate


def create_shares(
    content: SiteContent, convs: list[Conversation], *, title: str | None,
    author: str | None, listed: bool, allow_sensitive: Container[str] = (),
    expires: str | None = None,
    selection: Selection | None = None, redaction: Redaction | None = None,
    new_key: Callable[[], Encryption] | None = None,
    branches: str = "current",
) -> list[Snapshot]:
    """New shares; ``allow_sensitive`` holds the slugs whose sensitive findings were accepted;
    ``expires`` is when their links stop working (``amber.content.expiry``).

    ``selection`` (one conversation only) and ``redaction`` shape what is frozen.
    ``new_key`` makes each share's own key when the shares are encrypted."""
    taken = set(content.snapshots) | content.revoked_ids
    frozen = now_utc()
    snaps = []
    for conv in convs:
        share_id = new_share_id(taken)
        taken.add(share_id)
        snaps.append(freeze(conv, share_id, title=title, author=author, listed=listed,
                            frozen=frozen, allow_sensitive=conv.slug in allow_sensitive,
                            expires=expires, selection=selection, redaction=redaction,
                            branches=branches,
                            encryption=new_key() if new_key is not None else None))
    for snap in snaps:
        write_atomic(content.paths.share_file(snap.id), serialise_snapshot(snap))
    return snaps


KEEP = "keep"
"""``refreeze``'s ``expires`` default: the share keeps the expiry it had."""


def refreeze(
    content: SiteContent, share_id: str, *, title: str | None = None,
    allow_sensitive: bool = False, expires: str | None = KEEP,
    redaction: Redaction | None = None,
) -> Snapshot:
    """The share frozen again from its source: the same selection; ``expires`` replaces
    its expiry (None: never); ``redaction`` is the share's rules made whole again by the
    caller (literals cannot be read back)."""
    old = content.snapshots[share_id]
    conv = content.conversations.get(old.source)
    if conv is None:
        raise RefusedError(f"share {share_id}: its source conversation {old.source!r} is gone; "
                           "nothing to update from")
    snap = freeze(conv, share_id, title=title if title is not None else old.title,
                  author=old.author, listed=old.listed, frozen=now_utc(),
                  allow_sensitive=allow_sensitive,
                  expires=old.expires if expires == KEEP else expires,
                  selection=old.selection, redaction=redaction, branches=old.branches,
                  encryption=old.encryption)
    write_atomic(content.paths.share_file(share_id), serialise_snapshot(snap))
    return snap


def revoke(content: SiteContent, share_ids: list[str]) -> list[Tombstone]:
    """Tombstone first, then delete: a crash in between fails the build, never leaks."""
    when = now_utc()
    added = [Tombstone(i, when) for i in share_ids]
    tombstones = sorted([*content.tombstones, *added], key=lambda t: (t.revoked, t.id))
    write_atomic(content.paths.revoked, serialise_tombstones(tombstones))
    for share_id in share_ids:
        content.paths.share_file(share_id).unlink(missing_ok=True)
    return added


@dataclass(frozen=True)
class ShareState:
    snapshot: Snapshot
    state: str
    """expired (its link is gone), current, stale (source changed since freezing),
    source gone, or source invalid."""


def share_states(content: SiteContent, now: datetime | None = None) -> list[ShareState]:
    """Every share on disk and its state at ``now`` (default: ``amber.content.clock.now()``);
    expiry comes first, since an expired share is gone from the site whatever its
    source did. ``content`` must not have had its expired shares withdrawn."""
    moment = now if now is not None else clock_now()
    out = []
    for snap in sorted(content.snapshots.values(), key=lambda s: (s.frozen, s.id), reverse=True):
        conv = content.conversations.get(snap.source)
        if is_expired(snap.expires, moment):
            state = "expired"
        elif conv is not None:
            current = (source_digest(conv, snap.selection, snap.branches)
                       == snap.source_digest)
            state = "current" if current else "stale"
        elif any((content.paths.conversations / f"{snap.source}{ext}").exists()
                 for ext in CONVERSATION_SUFFIXES):
            state = "source invalid"
        else:
            state = "source gone"
        out.append(ShareState(snap, state))
    return out
