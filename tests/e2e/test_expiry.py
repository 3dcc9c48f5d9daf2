"""Expiring links through the CLI: `share --expires`, builds one second either side of
the moment (cached, delta and `--no-cache` routes), `list`, `check`, `revoke --expired`
and `update`.

The fixture shares are frozen at EPOCH (2026-01-01T00:00:00Z); ``--expires 2026-01-10``
means the link is live through 10 January, so it is gone from 2026-01-11T00:00:00Z.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import CONVERSATIONS, build, share
from tests.helpers.trees import tree_bytes

MOMENT = "2026-01-11T00:00:00Z"
BEFORE = "2026-01-10T23:59:59Z"
AFTER = "2026-01-11T00:00:01Z"


def expiring_site(site: Path) -> tuple[str, str, str]:
    """alpha listed until the end of 10 January, bravo listed for good, charlie unlisted
    for two weeks: (alpha, bravo, charlie) IDs."""
    [alpha] = share(site, "alpha", "--listed", "--expires", "2026-01-10", "--yes")
    [bravo] = share(site, "bravo", "--listed", "--yes")
    [charlie] = share(site, "charlie", "--expires", "2w", "--yes")
    return alpha, bravo, charlie


def traces(output: Path, *needles: str) -> list[str]:
    """Every output file holding any of ``needles`` (as bytes, any case)."""
    found = []
    for rel, data in tree_bytes(output).items():
        lowered = data.lower()
        if any(n.lower().encode() in lowered for n in needles):
            found.append(rel)
    return found


def fresh_build(site: Path, tmp: Path, now: str) -> dict[str, bytes]:
    """The site built from scratch (`--no-cache`, a copy of content/ only) at ``now``."""
    copy = tmp / f"fresh-{now.replace(':', '')}"
    shutil.copytree(site / "content", copy / "content")
    ok(run_amber("build", "--no-cache", "--now", now, cwd=copy))
    return tree_bytes(copy / "output")


def test_share_records_the_expiry_and_only_then(site: Path) -> None:
    alpha, bravo, charlie = expiring_site(site)
    shares = site / "content" / "shares"
    assert yaml.safe_load((shares / f"{alpha}.yaml").read_text())["expires"] == MOMENT
    assert "expires" not in (shares / f"{bravo}.yaml").read_text()
    # Two weeks from the frozen time (SOURCE_DATE_EPOCH, the share's "now").
    assert yaml.safe_load((shares / f"{charlie}.yaml").read_text())["expires"] == \
        "2026-01-15T00:00:00Z"


def test_expiry_one_second_either_side_of_the_moment(site: Path, tmp_path: Path) -> None:
    alpha, bravo, charlie = expiring_site(site)
    title = CONVERSATIONS["alpha"][0]
    output = build(site, "--now", BEFORE)
    page = (output / "share" / alpha / "index.html").read_text("utf-8")
    assert "This link expires <time datetime=\"2026-01-11T00:00:00Z\">at the end of " \
           "10 January 2026 (UTC)</time>." in page
    assert alpha in (output / "index.html").read_text("utf-8")
    assert "expires" not in (output / "share" / bravo / "index.html").read_text("utf-8")

    for now in (MOMENT, AFTER):
        # The cached route: nothing in content/ changed, only the moment.
        output = build(site, "--now", now)
        assert not (output / "share" / alpha).exists()
        assert traces(output, alpha, title) == [], "an expired share left a trace"
        # Nor in the spare copy of the site the cache keeps for the next build.
        assert (site / ".amber-cache" / "trees").is_dir()
        assert traces(site / ".amber-cache" / "trees", alpha, title) == []
        assert (output / "share" / bravo / "index.html").is_file()
        assert (output / "share" / charlie / "index.html").is_file()
        assert tree_bytes(output) == fresh_build(site, tmp_path, now)

    # A build for an earlier moment (a rebuild of the past) has the page again.
    output = build(site, "--now", BEFORE)
    assert (output / "share" / alpha / "index.html").is_file()
    assert tree_bytes(output) == fresh_build(site, tmp_path, BEFORE)


def test_the_no_op_answer_is_not_given_once_a_share_expired(site: Path) -> None:
    alpha, _, _ = expiring_site(site)
    build(site, "--now", BEFORE)
    again = ok(run_amber("build", "--now", BEFORE, cwd=site))
    assert "Up to date" in again.stderr
    after = ok(run_amber("build", "--now", AFTER, cwd=site))
    assert "Up to date" not in after.stderr
    assert not (site / "output" / "share" / alpha).exists()
    assert "Up to date" in ok(run_amber("build", "--now", AFTER, cwd=site)).stderr


def test_the_moment_defaults_to_source_date_epoch(site: Path) -> None:
    alpha, _, _ = expiring_site(site)
    output = build(site, env={"SOURCE_DATE_EPOCH": "1768089599"})  # BEFORE
    assert (output / "share" / alpha).is_dir()
    output = build(site, env={"SOURCE_DATE_EPOCH": "1768089600"})  # MOMENT
    assert not (output / "share" / alpha).exists()
    # --now wins over SOURCE_DATE_EPOCH.
    output = build(site, "--now", BEFORE, env={"SOURCE_DATE_EPOCH": "1768089600"})
    assert (output / "share" / alpha).is_dir()


def test_a_delta_after_the_moment_still_leaves_the_share_out(site: Path, tmp_path: Path) -> None:
    alpha, bravo, _ = expiring_site(site)
    build(site, "--now", BEFORE)
    ok(run_amber("revoke", bravo, "--yes", cwd=site))  # a change the delta route takes
    output = build(site, "--now", AFTER)
    assert not (output / "share" / alpha).exists()
    assert not (output / "share" / bravo).exists()
    assert tree_bytes(output) == fresh_build(site, tmp_path, AFTER)


def test_list_and_check_judge_expiry_at_now(site: Path) -> None:
    alpha, bravo, charlie = expiring_site(site)
    for now, state in ((BEFORE, "current"), (MOMENT, "expired")):
        rows = json.loads(ok(run_amber("list", "--json", "--now", now, cwd=site)).stdout)
        states = {r["id"]: (r["state"], r["expires"]) for r in rows}
        assert states == {alpha: (state, MOMENT), bravo: ("current", None),
                          charlie: ("current", "2026-01-15T00:00:00Z")}
    table = ok(run_amber("list", "--now", AFTER, cwd=site)).stdout
    assert next(line for line in table.splitlines() if alpha in line).endswith("expired")
    checked = ok(run_amber("check", "--now", AFTER, cwd=site))
    assert "1 expired" in checked.stderr


def test_revoke_expired_tombstones_only_expired_shares(site: Path) -> None:
    alpha, bravo, charlie = expiring_site(site)
    none = ok(run_amber("revoke", "--expired", "--yes", "--now", BEFORE, cwd=site))
    assert "no share has expired" in none.stderr
    assert not (site / "content" / "revoked.yaml").exists()
    done = ok(run_amber("revoke", "--expired", "--yes", "--now", MOMENT, cwd=site))
    assert done.stdout.split() == ["revoked", alpha]
    tombstones = yaml.safe_load((site / "content" / "revoked.yaml").read_text("utf-8"))
    assert [t["id"] for t in tombstones] == [alpha]
    assert sorted(p.stem for p in (site / "content" / "shares").glob("*.yaml")) == \
        sorted([bravo, charlie])
    again = ok(run_amber("revoke", "--expired", "--yes", "--now", MOMENT, cwd=site))
    assert "nothing to revoke" in again.stderr


def test_bad_expiry_or_now_is_a_usage_error_and_writes_nothing(site: Path) -> None:
    before = tree_bytes(site)
    for value, why in (("tomorrow", "neither a duration"), ("7x", "neither a duration"),
                       ("0d", "neither a duration"), ("2026-02-30", "not a real date"),
                       ("2025-12-31", "is not after now"),
                       ("2026-12-31T10:00:00", "neither a duration")):
        result = run_amber("share", "alpha", "--expires", value, "--yes", cwd=site)
        assert result.returncode == 2, (value, result.stderr)
        assert "--expires" in result.stderr and why in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    for command in (("build",), ("list",), ("check",), ("revoke", "--expired", "--yes")):
        result = run_amber(*command, "--now", "2026-13-01T00:00:00Z", cwd=site)
        assert result.returncode == 2, (command, result.stderr)
        assert "--now: '2026-13-01T00:00:00Z' is not a real date" in result.stderr
    assert tree_bytes(site) == before


def test_update_keeps_changes_or_drops_the_expiry(site: Path) -> None:
    alpha, _, _ = expiring_site(site)
    path = site / "content" / "shares" / f"{alpha}.yaml"
    conv = site / "content" / "conversations" / "alpha.yaml"
    conv.write_text(conv.read_text("utf-8").replace("PHRASE-ALPHA-7731", "PHRASE-ALPHA-NEW"))
    ok(run_amber("update", alpha, "--yes", cwd=site))
    assert yaml.safe_load(path.read_text())["expires"] == MOMENT
    ok(run_amber("update", alpha, "--expires", "1d", "--yes", cwd=site))
    assert yaml.safe_load(path.read_text())["expires"] == "2026-01-02T00:00:00Z"
    ok(run_amber("update", alpha, "--expires", "never", "--yes", cwd=site))
    assert "expires" not in path.read_text()


def test_a_page_naming_an_expired_share_is_not_published(site: Path) -> None:
    """An expired ID counts as revoked for the leak check: a listed page that names it
    fails the build (the site before stays up), as a page naming a revoked ID does."""
    alpha, _, _ = expiring_site(site)
    (site / "content" / "conversations" / "delta.yaml").write_text(
        "title: Delta pointer\nmessages:\n  - role: user\n    content: |\n"
        f"      See https://example.test/chats/share/{alpha}/ for more.\n"
        "  - role: assistant\n    content: Noted.\n", "utf-8")
    share(site, "delta", "--listed", "--yes")
    build(site, "--now", BEFORE)
    before = tree_bytes(site / "output")
    result = run_amber("build", "--now", AFTER, cwd=site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"would publish expired share ID {alpha}" in result.stderr
    assert tree_bytes(site / "output") == before
    checked = run_amber("check", "--now", AFTER, cwd=site)
    assert checked.returncode == 1
    assert f"would publish expired share ID {alpha}" in checked.stderr


def test_an_expiring_share_added_after_a_build_still_expires(site: Path, tmp_path: Path) -> None:
    """The incremental route would carry the last build's window (no expiry at all)
    forward; a new share with an expiry must move it."""
    share(site, "bravo", "--listed", "--yes")
    build(site, "--now", BEFORE)
    [alpha] = share(site, "alpha", "--listed", "--expires", "2026-01-10", "--yes")
    output = build(site, "--now", BEFORE)
    assert (output / "share" / alpha / "index.html").is_file()
    output = build(site, "--now", MOMENT)
    assert not (output / "share" / alpha).exists()
    assert tree_bytes(output) == fresh_build(site, tmp_path, MOMENT)
