"""amber.review.git: a site's files at a revision, read with plumbing, the work tree untouched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from amber.errors import AmberError, UsageError
from amber.review.git import list_files, materialise, read_blobs, resolve, site_prefix
from tests.helpers.git import commit, git


def snapshot_of(root: Path) -> dict[str, str]:
    """Every file under ``root`` (the .git folder included) with a digest of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "content" / "conversations").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "content" / "site.yaml").write_text("title: T\nbase_url: https://x.test/\n")
    (root / "content" / "conversations" / "a.yaml").write_text("one\n")
    (root / "themes" / "mine" / "static").mkdir(parents=True)
    (root / "themes" / "mine" / "static" / "x.css").write_text("body{}\n")
    (root / "README.md").write_text("not part of a site\n")
    commit(root, "base")
    return root


def test_materialise_writes_content_and_themes_at_the_revision(repo: Path, tmp_path: Path) -> None:
    base = resolve(repo, "HEAD")
    (repo / "content" / "conversations" / "a.yaml").write_text("two\n")
    commit(repo, "second")
    target = tmp_path / "at-base"
    assert materialise(repo, base, target) == []
    assert snapshot_of(target).keys() == {
        "content/site.yaml", "content/conversations/a.yaml", "themes/mine/static/x.css"}
    assert (target / "content" / "conversations" / "a.yaml").read_text() == "one\n"


def test_the_work_tree_index_and_head_are_untouched(repo: Path, tmp_path: Path) -> None:
    (repo / "content" / "conversations" / "a.yaml").write_text("uncommitted edit\n")
    (repo / "content" / "conversations" / "new.yaml").write_text("untracked\n")
    before = snapshot_of(repo)
    status = git(repo, "status", "--porcelain")
    materialise(repo, resolve(repo, "HEAD"), tmp_path / "out")
    assert snapshot_of(repo) == before
    assert git(repo, "status", "--porcelain") == status
    assert (tmp_path / "out" / "content" / "conversations" / "a.yaml").read_text() == "one\n"
    assert not (tmp_path / "out" / "content" / "conversations" / "new.yaml").exists()


def test_gitattributes_cannot_hide_files_from_a_review(repo: Path, tmp_path: Path) -> None:
    """`git archive` would honour export-ignore; the plumbing reader does not."""
    (repo / ".gitattributes").write_text("content/** export-ignore\ncontent/** export-subst\n")
    (repo / "content" / "conversations" / "a.yaml").write_text("$Format:%H$\n")
    commit(repo, "attributes")
    materialise(repo, resolve(repo, "HEAD"), tmp_path / "out")
    assert (tmp_path / "out" / "content" / "conversations" / "a.yaml").read_text() == (
        "$Format:%H$\n")


def test_symlinks_and_submodules_are_reported_not_followed(repo: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("private\n")
    os.symlink(secret, repo / "content" / "conversations" / "link.yaml")
    sub = tmp_path / "sub"
    sub.mkdir()
    git(sub, "init", "-q", "-b", "main")
    (sub / "f").write_text("x")
    sub_head = commit(sub, "sub")
    git(repo, "add", "-A")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sub_head},content/assets/mod")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", "links")
    problems = materialise(repo, resolve(repo, "HEAD"), tmp_path / "out")
    messages = {p.path.as_posix(): p.message for p in problems}
    assert "symbolic link" in messages["content/conversations/link.yaml"]
    assert "submodule" in messages["content/assets/mod"]
    assert not (tmp_path / "out" / "content" / "conversations" / "link.yaml").exists()


def test_a_site_in_a_subfolder_reads_its_own_content(tmp_path: Path) -> None:
    root = tmp_path / "mono"
    site = root / "sites" / "chats"
    (site / "content").mkdir(parents=True)
    (root / "content").mkdir()
    git(root, "init", "-q", "-b", "main")
    (site / "content" / "site.yaml").write_text("mine\n")
    (root / "content" / "site.yaml").write_text("not mine\n")
    commit(root, "base")
    assert site_prefix(site) == "sites/chats/"
    materialise(site, resolve(site, "HEAD"), tmp_path / "out")
    assert (tmp_path / "out" / "content" / "site.yaml").read_text() == "mine\n"


def test_many_and_repeated_blobs_stream_in_order(repo: Path) -> None:
    folder = repo / "content" / "conversations"
    for i in range(300):
        (folder / f"c{i:03}.yaml").write_text(f"conversation {i % 7}\n" * (i % 50 + 1))
    commit(repo, "many")
    entries = list_files(repo, resolve(repo, "HEAD").commit, "")
    oids = [e.oid for e in entries] + [entries[0].oid]
    blobs = list(read_blobs(repo, oids))
    assert [oid for oid, _ in blobs] == oids
    by_path = {e.path: e.oid for e in entries}
    contents = dict(blobs)
    assert contents[by_path["content/conversations/c123.yaml"]] == (
        b"conversation 4\n" * 24)


def test_resolve_refuses_unknown_and_option_like_revisions(repo: Path) -> None:
    assert len(resolve(repo, "HEAD").commit) == 40
    with pytest.raises(AmberError, match="not a commit"):
        resolve(repo, "no-such-branch")
    with pytest.raises(UsageError):
        resolve(repo, "--output=/tmp/x")
    with pytest.raises(UsageError):
        resolve(repo, "")


def test_outside_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(AmberError, match="not inside a git repository"):
        site_prefix(plain)
