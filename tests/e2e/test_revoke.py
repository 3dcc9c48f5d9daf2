"""`amber revoke`: confirmation, tombstones, --all, refusals, share URLs."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import (
    BASE_URL,
    EPOCH,
    assert_user_error,
    iso,
    ok,
    run_amber,
    share,
    tree_bytes,
)


def tombstones(site: Path) -> list[dict]:
    path = site / "content" / "revoked.yaml"
    assert path.is_file(), "content/revoked.yaml was not written"
    entries = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(entries, list)
    for entry in entries:
        assert set(entry) == {"id", "revoked"}, f"a tombstone holds only id and revoked: {entry}"
    return entries


def snapshot_path(site: Path, share_id: str) -> Path:
    return site / "content" / "shares" / f"{share_id}.yaml"


def test_revoke_without_yes_and_no_tty_refuses_and_changes_nothing(site: Path) -> None:
    [alpha_id] = share(site, "alpha")
    before = tree_bytes(site)
    result = run_amber("revoke", alpha_id, cwd=site)
    assert_user_error(result, "--yes")
    assert tree_bytes(site) == before
    assert snapshot_path(site, alpha_id).is_file()
    assert not (site / "content" / "revoked.yaml").exists()


def test_revoke_deletes_snapshot_and_appends_tombstone(site: Path) -> None:
    alpha_id, bravo_id = share(site, "alpha", "bravo")
    ok(run_amber("revoke", alpha_id, "--yes", cwd=site,
                 env={"SOURCE_DATE_EPOCH": str(EPOCH + 10)}))
    assert not snapshot_path(site, alpha_id).exists()
    assert snapshot_path(site, bravo_id).is_file()
    assert tombstones(site) == [{"id": alpha_id, "revoked": iso(EPOCH + 10)}]

    # A second revocation appends; the first tombstone stays.
    ok(run_amber("revoke", bravo_id, "--yes", cwd=site,
                 env={"SOURCE_DATE_EPOCH": str(EPOCH + 20)}))
    assert not snapshot_path(site, bravo_id).exists()
    assert tombstones(site) == [
        {"id": alpha_id, "revoked": iso(EPOCH + 10)},
        {"id": bravo_id, "revoked": iso(EPOCH + 20)},
    ]
    # A tombstone carries no content of the share.
    text = (site / "content" / "revoked.yaml").read_text("utf-8")
    assert "Alpha sorting notes" not in text
    assert "PHRASE-ALPHA-7731" not in text


def test_revoke_several_ids_at_once(site: Path) -> None:
    ids = share(site, "alpha", "bravo", "charlie")
    result = ok(run_amber("revoke", ids[0], ids[2], "--yes", cwd=site))
    assert ids[0] in result.stdout and ids[2] in result.stdout
    assert {t["id"] for t in tombstones(site)} == {ids[0], ids[2]}
    assert [p.stem for p in (site / "content" / "shares").glob("*.yaml")] == [ids[1]]


def test_revoke_all(site: Path) -> None:
    ids = share(site, "alpha", "bravo", "charlie")
    ok(run_amber("revoke", "--all", "--yes", cwd=site))
    assert list((site / "content" / "shares").glob("*.yaml")) == []
    assert sorted(t["id"] for t in tombstones(site)) == sorted(ids)
    assert ok(run_amber("list", "--json", cwd=site)).stdout.strip() == "[]"


def test_revoke_all_without_yes_refuses(site: Path) -> None:
    share(site, "alpha", "bravo")
    before = tree_bytes(site)
    assert_user_error(run_amber("revoke", "--all", cwd=site), "--yes")
    assert tree_bytes(site) == before


def test_revoke_unknown_id_is_refused(site: Path) -> None:
    share(site, "alpha")
    before = tree_bytes(site)
    unknown = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    assert_user_error(run_amber("revoke", unknown, "--yes", cwd=site), unknown)
    assert tree_bytes(site) == before


def test_revoke_not_an_id_is_refused(site: Path) -> None:
    share(site, "alpha")
    before = tree_bytes(site)
    assert_user_error(run_amber("revoke", "../../etc/passwd", "--yes", cwd=site), "passwd")
    assert tree_bytes(site) == before


def test_revoke_already_revoked_id_is_refused(site: Path) -> None:
    [alpha_id] = share(site, "alpha")
    ok(run_amber("revoke", alpha_id, "--yes", cwd=site))
    before = tree_bytes(site)
    result = run_amber("revoke", alpha_id, "--yes", cwd=site)
    assert_user_error(result, alpha_id)
    assert "revoked" in result.stderr
    assert tree_bytes(site) == before
    assert len(tombstones(site)) == 1


def test_revoke_by_share_url(site: Path) -> None:
    alpha_id, bravo_id = share(site, "alpha", "bravo")
    ok(run_amber("revoke", f"{BASE_URL}share/{alpha_id}/", "--yes", cwd=site))
    assert not snapshot_path(site, alpha_id).exists()
    assert snapshot_path(site, bravo_id).is_file()
    assert [t["id"] for t in tombstones(site)] == [alpha_id]


def test_revoke_with_ids_and_all_is_a_usage_error(site: Path) -> None:
    [alpha_id] = share(site, "alpha")
    before = tree_bytes(site)
    result = run_amber("revoke", alpha_id, "--all", "--yes", cwd=site)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert tree_bytes(site) == before
