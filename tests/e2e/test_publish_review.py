"""`amber review BASE [HEAD]` on a real repository: Markdown on stdout, exit 1 when the check
fails at HEAD, and not one byte of the work tree, index or refs changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.helpers.cli import assert_user_error, ok, run_amber
from tests.helpers.fixture_site import BASE_URL, share
from tests.helpers.git import commit, git


def fingerprint(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def repo(site: Path) -> tuple[Path, str]:
    """The fixture site in a git repository: a base commit with one share of alpha."""
    git(site, "init", "-q", "-b", "main")
    [alpha] = share(site, "alpha", "--listed")
    commit(site, "base")
    git(site, "branch", "base")
    return site, alpha


def test_review_prints_the_change_as_markdown(repo: tuple[Path, str]) -> None:
    site, alpha = repo
    [bravo] = share(site, "bravo")
    ok(run_amber("revoke", alpha, "--yes", cwd=site))
    commit(site, "share bravo, revoke alpha")
    result = ok(run_amber("review", "base", "HEAD", cwd=site))
    out = result.stdout
    assert out.startswith("## amber review\n")
    assert "**1** added · **1** revoked" in out
    assert "### ✅ Check at HEAD passed" in out
    added = out.split("### Added (1)", 1)[1].split("###", 1)[0]
    assert (f"| Bravo bread baking | `{bravo}` | unlisted | anonymous | 3 |" in added)
    assert f"{BASE_URL}share/{bravo}/" in added
    revoked = out.split("### Revoked (1)", 1)[1]
    assert f"`{alpha}`" in revoked and "Alpha sorting notes" in revoked
    assert ok(run_amber("review", "base", cwd=site)).stdout == out  # HEAD is the default


def test_review_exits_1_when_check_fails_at_head(repo: tuple[Path, str]) -> None:
    site, alpha = repo
    path = site / "content" / "shares" / f"{alpha}.yaml"
    path.write_text(path.read_text().replace("PHRASE-ALPHA-7731", "PHRASE-ALPHA-0000"))
    commit(site, "hand edit")
    result = run_amber("review", "base", cwd=site)
    assert result.returncode == 1
    assert "### ❌ Check at HEAD failed: 1 problem(s)" in result.stdout
    assert f"content/shares/{alpha}.yaml" in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        "amber: check fails at HEAD: 1 problem (listed in the summary)")


def test_review_changes_nothing_in_the_repository(repo: tuple[Path, str]) -> None:
    site, _ = repo
    share(site, "charlie")
    commit(site, "charlie")
    (site / "content" / "conversations" / "alpha.yaml").write_text("title: edited\n")  # dirty
    before = fingerprint(site)
    status = git(site, "status", "--porcelain=v2", "--branch")
    ok(run_amber("review", "base", "HEAD", cwd=site))
    assert fingerprint(site) == before  # .git included: no index refresh, no new objects
    assert git(site, "status", "--porcelain=v2", "--branch") == status


def test_review_mistakes_are_one_line(repo: tuple[Path, str], tmp_path: Path) -> None:
    site, _ = repo
    assert_user_error(run_amber("review", "no-such-branch", cwd=site), "not a commit")
    result = run_amber("review", "--", "-bad", cwd=site)
    assert result.returncode == 2 and "not a git revision" in result.stderr
    plain = tmp_path / "plain"
    (plain / "content").mkdir(parents=True)
    assert_user_error(run_amber("review", "HEAD", cwd=plain), "not inside a git repository")
