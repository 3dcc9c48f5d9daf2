"""`amber share --branches current|all`, end to end through the CLI: an imported
ChatGPT tree keeps its edits and regenerations; a share of the current branch
publishes none of them (and is written as before); a share of every branch keeps
them in a format-2 snapshot and on its page, never in its downloads."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.helpers.cli import assert_refused, ok, run_amber
from tests.helpers.fixture_site import build, share

CHATGPT = REPO / "tests" / "fixtures" / "imports" / "chatgpt" / "conversations.json"
CAT = REPO / "tests" / "fixtures" / "branches" / "cat-names.yaml"
SLUG = "reversing-lists-f9c8834f"


@pytest.fixture
def branch_site(site: Path, tmp_path: Path) -> Path:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.write(CHATGPT, "conversations.json")
    ok(run_amber("import", export, cwd=site))
    shutil.copy(CAT, site / "content" / "conversations" / "cat-names.yaml")
    return site


def snapshot_text(site: Path, share_id: str) -> str:
    return (site / "content" / "shares" / f"{share_id}.yaml").read_text("utf-8")


def files_of(output: Path, share_id: str) -> dict[str, str]:
    folder = output / "share" / share_id
    return {p.name: p.read_text("utf-8") for p in folder.iterdir() if p.suffix != ".png"}


def test_current_and_all(branch_site: Path) -> None:
    (current,) = share(branch_site, SLUG, "--yes")
    (default,) = share(branch_site, SLUG, "--branches", "current", "--yes")
    (every,) = share(branch_site, SLUG, "--branches", "all", "--yes")
    output = build(branch_site)

    for share_id in (current, default):
        text = snapshot_text(branch_site, share_id)
        assert "\nformat: 1\n" in text and "BRANCH-" not in text and "branches:" not in text
        files = files_of(output, share_id)
        assert not any("BRANCH-" in body for body in files.values())
        assert "branches." not in files["index.html"]  # no script, no stylesheet

    text = snapshot_text(branch_site, every)
    assert "\nformat: 2\n" in text and "\nbranches: all\n" in text
    assert "BRANCH-EDITED-PROMPT" in text and "BRANCH-REGENERATED-ANSWER" in text
    files = files_of(output, every)
    page = files["index.html"]
    assert "BRANCH-EDITED-PROMPT" in page and "BRANCH-REGENERATED-ANSWER" in page
    assert 'id="v-1-2"' in page and 'href="#v-2-2"' in page
    assert "branches." in page
    # The downloads hold the shared path only.
    assert "BRANCH-" not in files["conversation.json"] + files["conversation.md"]
    shared = json.loads(files["conversation.json"])
    assert [m["role"] for m in shared["messages"]] == ["user", "assistant", "user", "assistant"]
    ok(run_amber("check", cwd=branch_site))


def test_every_branch_is_not_a_selection(branch_site: Path) -> None:
    result = run_amber("share", SLUG, "--branches", "all", "--messages", "1-2", "--yes",
                       cwd=branch_site)
    assert result.returncode == 2
    assert "--branches all" in result.stderr and "--messages" in result.stderr
    bad = run_amber("share", SLUG, "--branches", "some", "--yes", cwd=branch_site)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_only_a_share_of_every_branch_goes_stale_when_an_alternative_changes(
        branch_site: Path) -> None:
    (current,) = share(branch_site, "cat-names", "--yes")
    (every,) = share(branch_site, "cat-names", "--branches", "all", "--yes")
    path = branch_site / "content" / "conversations" / "cat-names.yaml"
    path.write_text(path.read_text("utf-8").replace("**Fog**", "**Mist**"), "utf-8")
    rows = {r["id"]: r for r in json.loads(ok(run_amber("list", "--json",
                                                        cwd=branch_site)).stdout)}
    assert rows[current]["state"] == "current"
    assert rows[every]["state"] == "stale"
    ok(run_amber("update", every, "--yes", cwd=branch_site))
    text = snapshot_text(branch_site, every)
    assert "**Mist**" in text and "\nformat: 2\n" in text and "\nbranches: all\n" in text
    rows = {r["id"]: r for r in json.loads(ok(run_amber("list", "--json",
                                                        cwd=branch_site)).stdout)}
    assert rows[every]["state"] == "current"


def test_a_secret_in_an_alternative_stops_only_a_share_of_every_branch(
        branch_site: Path) -> None:
    path = branch_site / "content" / "conversations" / "cat-names.yaml"
    key = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    path.write_text(path.read_text("utf-8").replace("Something shorter?", f"Use {key}"),
                    "utf-8")
    assert share(branch_site, "cat-names", "--yes")
    assert_refused(run_amber("share", "cat-names", "--branches", "all", "--yes",
                             cwd=branch_site), "--allow-sensitive")


def test_every_route_builds_the_same_bytes_and_fork_keeps_the_versions(
        branch_site: Path, tmp_path: Path) -> None:
    (every,) = share(branch_site, "cat-names", "--branches", "all", "--yes")
    output = build(branch_site)
    build(branch_site)  # from the cache
    cold = build(branch_site, "--no-cache", "--output", str(tmp_path / "cold"))
    tree = {p.relative_to(output): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    assert tree == {p.relative_to(cold): p.read_bytes() for p in cold.rglob("*") if p.is_file()}
    ok(run_amber("fork", every, cwd=branch_site))
    forked = branch_site / "content" / "conversations" / "naming-a-grey-cat-fork.yaml"
    assert "**Fog**: three letters." in forked.read_text("utf-8")
