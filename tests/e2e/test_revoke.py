"""`amber revoke`: confirmation, tombstones, --all, refusals, share URLs."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers import EPOCH, iso
from tests.helpers.cli import assert_refused, ok, run_amber
from tests.helpers.fixture_site import BASE_URL, BuiltSite
from tests.helpers.trees import tree_bytes


def tombstones(site: Path) -> list[dict]:
    path = site / "content" / "revoked.yaml"
    assert path.is_file(), "content/revoked.yaml was not written"
    entries = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(entries, list)
    for entry in entries:
        assert set(entry) == {"id", "revoked"}, f"a tombstone holds only id and revoked: {entry}"
    return entries


def active(site: BuiltSite) -> set[str]:
    return {p.stem for p in (site.root / "content" / "shares").glob("*.yaml")}


def test_revoke_without_yes_and_no_tty_refuses_and_changes_nothing(
    built_copy: BuiltSite,
) -> None:
    before = tree_bytes(built_copy.root)
    result = run_amber("revoke", built_copy.ids["alpha"], cwd=built_copy.root)
    assert_refused(result, "--yes")
    assert tree_bytes(built_copy.root) == before
    assert not (built_copy.root / "content" / "revoked.yaml").exists()


def test_revoke_deletes_snapshot_and_appends_tombstone(built_copy: BuiltSite) -> None:
    site, ids = built_copy.root, built_copy.ids
    result = ok(run_amber("revoke", ids["alpha"], "--yes", cwd=site,
                          env={"SOURCE_DATE_EPOCH": str(EPOCH + 10_000)}))
    assert ids["alpha"] in result.stdout
    assert not built_copy.snapshot("alpha").exists()
    assert active(built_copy) == set(ids.values()) - {ids["alpha"]}
    assert tombstones(site) == [{"id": ids["alpha"], "revoked": iso(EPOCH + 10_000)}]

    # A second revocation appends; the first tombstone stays.
    ok(run_amber("revoke", ids["bravo"], "--yes", cwd=site,
                 env={"SOURCE_DATE_EPOCH": str(EPOCH + 20_000)}))
    assert not built_copy.snapshot("bravo").exists()
    assert tombstones(site) == [
        {"id": ids["alpha"], "revoked": iso(EPOCH + 10_000)},
        {"id": ids["bravo"], "revoked": iso(EPOCH + 20_000)},
    ]
    # A tombstone carries no content of the share.
    text = (site / "content" / "revoked.yaml").read_text("utf-8")
    for needle in ("Alpha sorting notes", "PHRASE-ALPHA-7731", "Bravo", "PHRASE-BRAVO-4242"):
        assert needle not in text


def test_revoke_several_ids_at_once(built_copy: BuiltSite) -> None:
    ids = built_copy.ids
    result = ok(run_amber("revoke", ids["alpha"], ids["charlie"], "-y", cwd=built_copy.root))
    assert ids["alpha"] in result.stdout and ids["charlie"] in result.stdout
    assert {t["id"] for t in tombstones(built_copy.root)} == {ids["alpha"], ids["charlie"]}
    assert active(built_copy) == set(ids.values()) - {ids["alpha"], ids["charlie"]}


def test_revoke_all(built_copy: BuiltSite) -> None:
    ok(run_amber("revoke", "--all", "--yes", cwd=built_copy.root))
    assert active(built_copy) == set()
    assert sorted(t["id"] for t in tombstones(built_copy.root)) == sorted(built_copy.ids.values())


def test_revoke_all_without_yes_refuses(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    assert_refused(run_amber("revoke", "--all", cwd=built_copy.root), "--yes")
    assert tree_bytes(built_copy.root) == before


def test_revoke_refuses_everything_if_one_id_is_unknown(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    unknown = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    result = run_amber("revoke", built_copy.ids["alpha"], unknown, "--yes", cwd=built_copy.root)
    assert_refused(result, unknown)
    assert tree_bytes(built_copy.root) == before


def test_revoke_not_an_id_is_refused(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    result = run_amber("revoke", "../../content/site", "--yes", cwd=built_copy.root)
    assert_refused(result, "content/site")
    assert tree_bytes(built_copy.root) == before


def test_revoke_already_revoked_id_is_refused(built_copy: BuiltSite) -> None:
    alpha_id = built_copy.ids["alpha"]
    ok(run_amber("revoke", alpha_id, "--yes", cwd=built_copy.root))
    before = tree_bytes(built_copy.root)
    line = assert_refused(run_amber("revoke", alpha_id, "--yes", cwd=built_copy.root), alpha_id)
    assert "revoked" in line
    assert tree_bytes(built_copy.root) == before


def test_revoke_by_share_url(built_copy: BuiltSite) -> None:
    alpha_id = built_copy.ids["alpha"]
    ok(run_amber("revoke", f"{BASE_URL}share/{alpha_id}/", "--yes", cwd=built_copy.root))
    assert not built_copy.snapshot("alpha").exists()
    assert built_copy.snapshot("bravo").exists()
    assert [t["id"] for t in tombstones(built_copy.root)] == [alpha_id]


def test_revoke_with_ids_and_all_is_a_usage_error(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    result = run_amber("revoke", built_copy.ids["alpha"], "--all", "--yes", cwd=built_copy.root)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert tree_bytes(built_copy.root) == before


def test_revoke_works_while_an_unrelated_draft_is_broken(built_copy: BuiltSite) -> None:
    draft = built_copy.root / "content" / "conversations" / "draft.yaml"
    draft.write_text("title: Half-written draft\nmessages: [\n")
    result = run_amber("revoke", built_copy.ids["alpha"], "--yes", cwd=built_copy.root)
    assert result.returncode == 0, result.stderr
    assert not built_copy.snapshot("alpha").exists()
    assert [t["id"] for t in tombstones(built_copy.root)] == [built_copy.ids["alpha"]]
    assert draft.read_text() == "title: Half-written draft\nmessages: [\n"
