"""amber.content.shares: share, update, revoke, and share states."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from amber.content import ids
from amber.content.load import SiteContent, SitePaths, load_content
from amber.content.model import Tombstone
from amber.content.shares import (
    create_shares,
    find_conversation,
    now_utc,
    refreeze,
    resolve_share_id,
    revoke,
    share_states,
    share_url,
)
from amber.content.snapshot import serialise_tombstones
from amber.errors import RefusedError

SITE_YAML = "title: Chats\nbase_url: https://jane.github.io/chats/\n"
REVOKED = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
EPOCH = 1767268800  # 2026-01-01T12:00:00Z


def conv_yaml(text: str = "hi", title: str = "Hello") -> str:
    return f"title: {title}\nmessages:\n  - role: user\n    content: {text}\n"


@pytest.fixture
def paths(tmp_path: Path, source_date_epoch: Callable[[int], None]) -> SitePaths:
    source_date_epoch(EPOCH)
    p = SitePaths(tmp_path)
    p.conversations.mkdir(parents=True)
    p.shares.mkdir()
    p.site_yaml.write_text(SITE_YAML)
    (p.conversations / "a.yaml").write_text(conv_yaml("first"))
    (p.conversations / "b.yaml").write_text(conv_yaml("second", "Bee"))
    return p


def load(paths: SitePaths) -> SiteContent:
    content = load_content(paths)
    assert content.problems == []
    return content


def share(paths: SitePaths, *slugs: str, **kw: object) -> list[str]:
    content = load(paths)
    snaps = create_shares(content, [content.conversations[s] for s in slugs],
                          title=kw.get("title"), author=kw.get("author"),  # type: ignore[arg-type]
                          listed=bool(kw.get("listed", False)))
    return [s.id for s in snaps]


def test_now_utc_honours_source_date_epoch(paths: SitePaths) -> None:
    assert now_utc() == "2026-01-01T12:00:00Z"


def test_create_shares_writes_loadable_snapshots(paths: SitePaths) -> None:
    a_id, b_id = share(paths, "a", "b", author="Jane", listed=True)
    assert a_id != b_id
    assert ids.is_share_id(a_id) and ids.is_share_id(b_id)
    content = load(paths)
    assert set(content.snapshots) == {a_id, b_id}
    snap = content.snapshots[a_id]
    assert snap.source == "a"
    assert snap.author == "Jane" and snap.listed is True
    assert snap.frozen == "2026-01-01T12:00:00Z"
    assert content.snapshots[b_id].title == "Bee"
    assert sorted(p.name for p in paths.shares.iterdir()) == sorted(
        [f"{a_id}.yaml", f"{b_id}.yaml"])


def test_create_shares_with_title(paths: SitePaths) -> None:
    (share_id,) = share(paths, "a", title="Custom title")
    assert load(paths).snapshots[share_id].title == "Custom title"


def test_create_shares_never_reuses_revoked_or_active_ids(
    paths: SitePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    (active,) = share(paths, "a")
    paths.revoked.write_bytes(serialise_tombstones([Tombstone(REVOKED, "2026-01-01T00:00:00Z")]))
    fresh = "33333333-3333-4333-8333-333333333333"
    queue = [uuid.UUID(REVOKED), uuid.UUID(active), uuid.UUID(fresh)]
    monkeypatch.setattr(ids.uuid, "uuid4", lambda: queue.pop(0))
    (new_id,) = share(paths, "b")
    assert new_id == fresh
    assert queue == []
    assert not paths.share_file(REVOKED).exists()


def test_create_shares_in_one_call_get_distinct_ids(
    paths: SitePaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    same = uuid.UUID("44444444-4444-4444-8444-444444444444")
    other = uuid.UUID("55555555-5555-4555-8555-555555555555")
    queue = [same, same, other]
    monkeypatch.setattr(ids.uuid, "uuid4", lambda: queue.pop(0))
    assert share(paths, "a", "b") == [str(same), str(other)]


def test_share_states_current_stale_gone_invalid(paths: SitePaths) -> None:
    (paths.conversations / "c.yaml").write_text(conv_yaml("third"))
    (paths.conversations / "d.yaml").write_text(conv_yaml("fourth"))
    ids_by_slug = dict(zip("abcd", share(paths, "a", "b", "c", "d"), strict=True))
    # b moves on, c disappears, d becomes invalid
    (paths.conversations / "b.yaml").write_text(conv_yaml("second, edited", "Bee"))
    (paths.conversations / "c.yaml").unlink()
    content = load(paths)
    states = {s.snapshot.source: s.state for s in share_states(content)}
    assert states == {"a": "current", "b": "stale", "c": "source gone", "d": "current"}
    (paths.conversations / "d.yaml").write_text("title: D\nmessages: []\n")
    content = load_content(paths)
    states = {s.snapshot.source: s.state for s in share_states(content)}
    assert states["d"] == "source invalid"
    assert {s.snapshot.id for s in share_states(content)} == set(ids_by_slug.values())


def test_title_change_makes_a_share_stale(paths: SitePaths) -> None:
    share(paths, "a")
    (paths.conversations / "a.yaml").write_text(conv_yaml("first", "Renamed"))
    assert [s.state for s in share_states(load(paths))] == ["stale"]


def test_revoke_writes_tombstones_and_deletes_the_file(
    paths: SitePaths, source_date_epoch: Callable[[int], None]
) -> None:
    a_id, b_id = share(paths, "a", "b")
    paths.revoked.write_bytes(serialise_tombstones([Tombstone(REVOKED, "2025-01-01T00:00:00Z")]))
    source_date_epoch(EPOCH + 60)
    added = revoke(load(paths), [a_id])
    assert added == [Tombstone(a_id, "2026-01-01T12:01:00Z")]
    assert not paths.share_file(a_id).exists()
    assert paths.share_file(b_id).exists()
    content = load(paths)
    assert content.revoked_ids == {REVOKED, a_id}
    assert [t.id for t in content.tombstones] == [REVOKED, a_id]  # old tombstones kept
    assert set(content.snapshots) == {b_id}
    assert paths.revoked.read_text().count(a_id) == 1


def test_revoked_id_is_refused_afterwards(paths: SitePaths) -> None:
    (a_id,) = share(paths, "a")
    revoke(load(paths), [a_id])
    content = load(paths)
    with pytest.raises(RefusedError, match="already revoked"):
        resolve_share_id(content, a_id)


def test_resolve_share_id_from_id_or_url(paths: SitePaths) -> None:
    (a_id,) = share(paths, "a")
    content = load(paths)
    assert content.config is not None
    url = share_url(content.config, a_id)
    assert url == f"https://jane.github.io/chats/share/{a_id}/"
    assert resolve_share_id(content, a_id) == a_id
    assert resolve_share_id(content, url) == a_id
    assert resolve_share_id(content, a_id.upper()) == a_id
    with pytest.raises(RefusedError, match="no active share"):
        resolve_share_id(content, "33333333-3333-4333-8333-333333333333")
    with pytest.raises(RefusedError, match="not a share ID"):
        resolve_share_id(content, "../../etc/passwd")


def test_refreeze_keeps_id_and_updates_content(
    paths: SitePaths, source_date_epoch: Callable[[int], None]
) -> None:
    (a_id,) = share(paths, "a", author="Jane", listed=True)
    (paths.conversations / "a.yaml").write_text(conv_yaml("first, continued"))
    source_date_epoch(EPOCH + 3600)
    snap = refreeze(load(paths), a_id)
    assert snap.id == a_id
    assert snap.frozen == "2026-01-01T13:00:00Z"
    content = load(paths)
    reread = content.snapshots[a_id]
    assert reread.messages[0].content == "first, continued"
    assert (reread.author, reread.listed) == ("Jane", True)
    assert [s.state for s in share_states(content)] == ["current"]


def test_refreeze_with_source_gone_is_refused(paths: SitePaths) -> None:
    (a_id,) = share(paths, "a")
    (paths.conversations / "a.yaml").unlink()
    before = paths.share_file(a_id).read_bytes()
    with pytest.raises(RefusedError, match="gone"):
        refreeze(load(paths), a_id)
    assert paths.share_file(a_id).read_bytes() == before


def test_find_conversation_by_slug_or_path(paths: SitePaths, tmp_path: Path) -> None:
    content = load(paths)
    assert find_conversation(content, "a").slug == "a"
    assert find_conversation(content, str(paths.conversations / "b.yaml")).slug == "b"
    with pytest.raises(RefusedError, match="no conversation"):
        find_conversation(content, "zzz")
    outside = tmp_path / "a.yaml"
    outside.write_text(conv_yaml())
    with pytest.raises(RefusedError, match="not a file in content/conversations"):
        find_conversation(content, str(outside))
