"""`amber list` states (current, stale, source gone) and `amber update`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.helpers import EPOCH, iso
from tests.helpers.cli import assert_refused, ok, run_amber
from tests.helpers.fixture_site import AUTHOR, BASE_URL, CONVERSATIONS, BuiltSite, build
from tests.helpers.trees import tree_bytes


def list_json(site: Path) -> dict[str, dict]:
    result = ok(run_amber("list", "--json", cwd=site))
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    return {row["id"]: row for row in rows}


def list_table(site: Path) -> dict[str, str]:
    """share ID -> its row of the `amber list` table."""
    table = ok(run_amber("list", cwd=site)).stdout
    rows: dict[str, str] = {}
    for line in table.splitlines():
        first = line.split(" ", 1)[0]
        if len(first) == 36:
            rows[first] = line
    return rows


def edit_alpha(site: Path) -> None:
    path = site / "content" / "conversations" / "alpha.yaml"
    text = path.read_text("utf-8")
    path.write_text(text + "  - role: user\n    content: One more question, added later.\n")


def test_list_json_shows_current_shares(built_site: BuiltSite) -> None:
    rows = list_json(built_site.root)
    assert set(rows) == set(built_site.ids.values())
    assert {row["state"] for row in rows.values()} == {"current"}
    alpha = rows[built_site.ids["alpha"]]
    assert alpha["title"] == CONVERSATIONS["alpha"][0]
    assert alpha["listed"] is True
    assert alpha["author"] == AUTHOR
    assert alpha["source"] == "alpha"
    assert alpha["frozen"] == iso(EPOCH + 100)
    assert alpha["url"] == f"{BASE_URL}share/{built_site.ids['alpha']}/"
    charlie = rows[built_site.ids["charlie"]]
    assert charlie["listed"] is False
    assert charlie["author"] is None


def test_list_table_shows_current_shares(built_site: BuiltSite) -> None:
    rows = list_table(built_site.root)
    assert set(rows) == set(built_site.ids.values())
    for slug in ("alpha", "bravo", "charlie"):
        row = rows[built_site.ids[slug]]
        assert CONVERSATIONS[slug][0] in row
        assert row.rstrip().endswith("current"), row
    assert "unlisted" in rows[built_site.ids["charlie"]]
    assert "unlisted" not in rows[built_site.ids["alpha"]]


def test_edited_conversation_is_stale_and_deleted_one_is_source_gone(
    built_copy: BuiltSite,
) -> None:
    site, ids = built_copy.root, built_copy.ids
    edit_alpha(site)
    (site / "content" / "conversations" / "bravo.json").unlink()
    rows = list_json(site)
    assert rows[ids["alpha"]]["state"] == "stale"
    assert rows[ids["bravo"]]["state"] == "source gone"
    assert rows[ids["charlie"]]["state"] == "current"
    table = list_table(site)
    assert table[ids["alpha"]].rstrip().endswith("stale")
    assert table[ids["bravo"]].rstrip().endswith("source gone")
    assert table[ids["charlie"]].rstrip().endswith("current")


def test_update_refreezes_under_the_same_id(built_copy: BuiltSite) -> None:
    alpha_id = built_copy.ids["alpha"]
    snap_path = built_copy.snapshot("alpha")
    old = yaml.safe_load(snap_path.read_text("utf-8"))
    shares_before = sorted(p.name for p in snap_path.parent.iterdir())
    edit_alpha(built_copy.root)

    result = ok(run_amber("update", alpha_id, "--yes", cwd=built_copy.root,
                          env={"SOURCE_DATE_EPOCH": str(EPOCH + 3600)}))
    assert result.stdout.strip() == f"{BASE_URL}share/{alpha_id}/"
    assert sorted(p.name for p in snap_path.parent.iterdir()) == shares_before
    new = yaml.safe_load(snap_path.read_text("utf-8"))
    assert new["id"] == alpha_id
    assert new["digest"] != old["digest"]
    assert new["source_digest"] != old["source_digest"]
    assert new["frozen"] == iso(EPOCH + 3600)
    assert new["messages"][-1]["content"] == "One more question, added later."
    # Title, name and visibility stay as they were.
    assert (new["title"], new["author"], new["listed"]) == (
        old["title"], old["author"], old["listed"])
    assert list_json(built_copy.root)[alpha_id]["state"] == "current"


def test_update_by_share_url(built_copy: BuiltSite) -> None:
    old = built_copy.snapshot("alpha").read_text()
    edit_alpha(built_copy.root)
    url = f"{BASE_URL}share/{built_copy.ids['alpha']}/"
    ok(run_amber("update", url, "--yes", cwd=built_copy.root))
    new = built_copy.snapshot("alpha").read_text()
    assert "One more question, added later." in new and new != old


def test_update_without_yes_and_no_tty_refuses_and_changes_nothing(
    built_copy: BuiltSite,
) -> None:
    edit_alpha(built_copy.root)
    before = tree_bytes(built_copy.root)
    result = run_amber("update", built_copy.ids["alpha"], cwd=built_copy.root)
    assert_refused(result, "--yes")
    assert result.stdout == ""
    assert tree_bytes(built_copy.root) == before


def test_update_with_source_gone_is_refused(built_copy: BuiltSite) -> None:
    (built_copy.root / "content" / "conversations" / "bravo.json").unlink()
    before = tree_bytes(built_copy.root)
    result = run_amber("update", built_copy.ids["bravo"], "--yes", cwd=built_copy.root)
    assert_refused(result, built_copy.ids["bravo"])
    assert tree_bytes(built_copy.root) == before


def test_update_unknown_id_is_refused(built_copy: BuiltSite) -> None:
    unknown = "0b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    before = tree_bytes(built_copy.root)
    assert_refused(run_amber("update", unknown, "--yes", cwd=built_copy.root), unknown)
    assert tree_bytes(built_copy.root) == before


def test_update_title_keeps_id_and_messages(built_copy: BuiltSite) -> None:
    path = built_copy.snapshot("alpha")
    old = yaml.safe_load(path.read_text("utf-8"))
    ok(run_amber("update", built_copy.ids["alpha"], "--title", "Sorting, revisited", "--yes",
                 cwd=built_copy.root))
    new = yaml.safe_load(path.read_text("utf-8"))
    assert new["title"] == "Sorting, revisited"
    assert (new["id"], new["messages"], new["digest"]) == (
        old["id"], old["messages"], old["digest"])


def test_update_with_empty_title_is_refused(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    result = run_amber("update", built_copy.ids["alpha"], "--title", "", "--yes",
                       cwd=built_copy.root)
    assert result.returncode in (1, 2), "an empty title must be refused"
    assert "Traceback" not in result.stderr
    assert tree_bytes(built_copy.root) == before
    ok(run_amber("check", cwd=built_copy.root))


def test_snapshot_is_self_contained_when_the_source_is_gone(built_copy: BuiltSite) -> None:
    (built_copy.root / "content" / "conversations" / "alpha.yaml").unlink()
    out = build(built_copy.root)
    page = (out / "share" / built_copy.ids["alpha"] / "index.html").read_text("utf-8")
    assert CONVERSATIONS["alpha"][1] in page
