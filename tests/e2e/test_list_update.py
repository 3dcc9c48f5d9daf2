"""`amber list` states (current, stale, source gone) and `amber update`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from .conftest import (
    BASE_URL,
    EPOCH,
    CONVERSATIONS,
    assert_user_error,
    iso,
    ok,
    run_amber,
    share,
    tree_bytes,
)


def list_json(site: Path) -> dict[str, dict]:
    result = ok(run_amber("list", "--json", cwd=site))
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return {row["id"]: row for row in rows}


def table_row(site: Path, share_id: str) -> str:
    result = ok(run_amber("list", cwd=site))
    rows = [line for line in result.stdout.splitlines() if share_id in line]
    assert len(rows) == 1, result.stdout
    return rows[0]


def edit_alpha(site: Path) -> None:
    path = site / "content" / "conversations" / "alpha.yaml"
    text = path.read_text("utf-8")
    path.write_text(text + "  - role: user\n    content: One more question, added later.\n")


def test_list_shows_current_shares(site: Path) -> None:
    alpha_id, bravo_id = share(site, "alpha", "bravo", "--listed")
    [charlie_id] = share(site, "charlie", "--name", epoch=EPOCH + 60)

    rows = list_json(site)
    assert set(rows) == {alpha_id, bravo_id, charlie_id}
    assert {row["state"] for row in rows.values()} == {"current"}
    alpha = rows[alpha_id]
    assert alpha["title"] == CONVERSATIONS["alpha"][0]
    assert alpha["listed"] is True
    assert alpha["source"] == "alpha"
    assert alpha["frozen"] == iso(EPOCH)
    assert alpha["url"] == f"{BASE_URL}share/{alpha_id}/"
    assert rows[charlie_id]["listed"] is False

    table = ok(run_amber("list", cwd=site)).stdout
    for share_id, slug in ((alpha_id, "alpha"), (bravo_id, "bravo"), (charlie_id, "charlie")):
        [row] = [line for line in table.splitlines() if share_id in line]
        assert CONVERSATIONS[slug][0] in row
        assert "current" in row
    assert "unlisted" in table_row(site, charlie_id)


def test_list_without_shares_is_fine(site: Path) -> None:
    assert ok(run_amber("list", "--json", cwd=site)).stdout.strip() == "[]"
    ok(run_amber("list", cwd=site))


def test_editing_the_conversation_makes_the_share_stale(site: Path) -> None:
    alpha_id, bravo_id = share(site, "alpha", "bravo")
    edit_alpha(site)
    rows = list_json(site)
    assert rows[alpha_id]["state"] == "stale"
    assert rows[bravo_id]["state"] == "current"
    assert "stale" in table_row(site, alpha_id)


def test_deleting_the_conversation_shows_source_gone(site: Path) -> None:
    alpha_id, bravo_id = share(site, "alpha", "bravo")
    (site / "content" / "conversations" / "bravo.json").unlink()
    rows = list_json(site)
    assert rows[bravo_id]["state"] == "source gone"
    assert rows[alpha_id]["state"] == "current"
    assert "source gone" in table_row(site, bravo_id)


def test_update_refreezes_under_the_same_id(site: Path) -> None:
    [alpha_id] = share(site, "alpha", "--listed", "--name")
    snap_path = site / "content" / "shares" / f"{alpha_id}.yaml"
    old = yaml.safe_load(snap_path.read_text("utf-8"))
    edit_alpha(site)

    result = ok(run_amber("update", alpha_id, "--yes", cwd=site,
                          env={"SOURCE_DATE_EPOCH": str(EPOCH + 3600)}))
    assert result.stdout.strip() == f"{BASE_URL}share/{alpha_id}/"
    assert [p.name for p in (site / "content" / "shares").glob("*.yaml")] == [snap_path.name]
    new = yaml.safe_load(snap_path.read_text("utf-8"))
    assert new["id"] == alpha_id
    assert new["digest"] != old["digest"]
    assert new["source_digest"] != old["source_digest"]
    assert new["frozen"] == iso(EPOCH + 3600)
    assert new["messages"][-1]["content"] == "One more question, added later."
    # Title, name and visibility stay as they were.
    assert (new["title"], new["author"], new["listed"]) == (
        old["title"], old["author"], old["listed"])
    assert list_json(site)[alpha_id]["state"] == "current"


def test_update_by_share_url(site: Path) -> None:
    [alpha_id] = share(site, "alpha")
    edit_alpha(site)
    ok(run_amber("update", f"{BASE_URL}share/{alpha_id}/", "--yes", cwd=site))
    assert list_json(site)[alpha_id]["state"] == "current"


def test_update_without_yes_and_no_tty_refuses_and_changes_nothing(site: Path) -> None:
    [alpha_id] = share(site, "alpha")
    edit_alpha(site)
    before = tree_bytes(site)
    result = run_amber("update", alpha_id, cwd=site)
    assert_user_error(result, "--yes")
    assert result.stdout == ""
    assert tree_bytes(site) == before
    assert list_json(site)[alpha_id]["state"] == "stale"


def test_update_with_source_gone_is_refused(site: Path) -> None:
    [bravo_id] = share(site, "bravo")
    (site / "content" / "conversations" / "bravo.json").unlink()
    before = tree_bytes(site)
    assert_user_error(run_amber("update", bravo_id, "--yes", cwd=site), bravo_id)
    assert tree_bytes(site) == before


def test_update_unknown_id_is_refused(site: Path) -> None:
    share(site, "alpha")
    unknown = "0b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    assert_user_error(run_amber("update", unknown, "--yes", cwd=site), unknown)
