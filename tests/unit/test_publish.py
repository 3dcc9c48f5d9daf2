"""``amber.publish`` and ``amber init --publish-to``'s target: what is published, where to,
how it is quoted for git, and the commit being a function of the files and the moment."""

from __future__ import annotations

import os
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from amber.errors import RefusedError, UsageError
from amber.publish.orphan import ScratchRepository, quote_path
from amber.publish.remote import check_branch, parse_remote
from amber.publish.site_tree import site_files
from amber.scaffold.publish_target import parse_publish_target

MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def hermetic_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def built(root: Path, files: dict[str, bytes]) -> Path:
    """A folder shaped like an amber build: the marker and ``files``."""
    root.mkdir()
    (root / ".nojekyll").write_bytes(b"")
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root


# --- the site's files -------------------------------------------------------------------


def test_site_files_lists_every_file_sorted(tmp_path: Path) -> None:
    out = built(tmp_path / "out", {"z.html": b"z", "share/b/index.html": b"b",
                                   "share/a/index.html": b"a", "404.html": b"4"})
    assert [f.path for f in site_files(out)] == [
        ".nojekyll", "404.html", "share/a/index.html", "share/b/index.html", "z.html"]


def test_site_files_refuses_a_missing_folder_and_a_file(tmp_path: Path) -> None:
    with pytest.raises(RefusedError, match="does not exist: run `amber build` first"):
        site_files(tmp_path / "output")
    (tmp_path / "file").write_text("x")
    with pytest.raises(RefusedError, match="not a folder built by amber"):
        site_files(tmp_path / "file")


def test_site_files_refuses_a_folder_without_the_build_marker(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine")
    with pytest.raises(RefusedError, match=r"not built by amber \(no \.nojekyll\)"):
        site_files(tmp_path / "home")


@pytest.mark.parametrize("name", [".git", ".GIT"])
def test_site_files_refuses_a_git_folder_at_any_depth(tmp_path: Path, name: str) -> None:
    out = built(tmp_path / "out", {f"assets/{name}/config": b"[core]"})
    with pytest.raises(RefusedError, match="git repository's folder"):
        site_files(out)


def test_site_files_refuses_links_to_elsewhere(tmp_path: Path) -> None:
    out = built(tmp_path / "out", {})
    (out / "leak").symlink_to(tmp_path)
    with pytest.raises(RefusedError, match="not a regular file"):
        site_files(out)
    (out / "leak").unlink()
    (out / "link.html").symlink_to(out / ".nojekyll")
    with pytest.raises(RefusedError, match="not a regular file"):
        site_files(out)


def test_a_symlinked_output_folder_is_refused(tmp_path: Path) -> None:
    out = built(tmp_path / "out", {})
    (tmp_path / "alias").symlink_to(out)
    with pytest.raises(RefusedError, match="not a folder built by amber"):
        site_files(tmp_path / "alias")


# --- the remote -------------------------------------------------------------------------


def test_a_path_is_made_absolute_and_shown_as_typed(tmp_path: Path) -> None:
    remote = parse_remote("../site.git", tmp_path / "site")
    assert remote.target == str(tmp_path / "site" / ".." / "site.git")
    assert remote.shown == "../site.git" and remote.secrets == ()


@pytest.mark.parametrize("url", [
    "git@github.com:jane/chats.git", "ssh://git@github.com/jane/chats.git",
    "https://github.com/jane/chats.git", "file:///srv/site.git",
])
def test_urls_without_credentials_are_kept(url: str, tmp_path: Path) -> None:
    remote = parse_remote(url, tmp_path)
    assert (remote.target, remote.shown, remote.secrets) == (url, url, ())


@pytest.mark.parametrize(("url", "shown", "secret"), [
    ("https://x-access-token:ghp_abc123@github.com/j/c.git", "https://***@github.com/j/c.git",
     "ghp_abc123"),
    ("https://ghp_abc123@github.com/j/c.git", "https://***@github.com/j/c.git", "ghp_abc123"),
    ("ssh://git:pa%40ss@host/x.git", "ssh://***@host/x.git", "pa@ss"),
])
def test_credentials_in_a_url_are_never_shown(url: str, shown: str, secret: str,
                                               tmp_path: Path) -> None:
    remote = parse_remote(url, tmp_path)
    assert remote.target == url and remote.shown == shown
    said = remote.scrub(f"fatal: could not read from '{url}' as {secret} ({url.split('@')[0]})")
    assert secret not in said and "pa%40ss" not in said and "ghp_abc123" not in said
    assert shown in said


@pytest.mark.parametrize("value", ["", " x", "-x", "--upload-pack=evil", "a\nb", "x\x7f"])
def test_remotes_git_could_misread_are_usage_errors(value: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="REMOTE"):
        parse_remote(value, tmp_path)


@pytest.mark.parametrize("name", ["gh-pages", "main", "site/v2", "pages_1.0"])
def test_branch_names_git_accepts(name: str) -> None:
    assert check_branch(name) == name
    git = subprocess.run(["git", "check-ref-format", f"refs/heads/{name}"], check=False)
    assert git.returncode == 0


@pytest.mark.parametrize("name", ["", "-f", "a..b", "a/", "/a", ".hidden", "a/.b", "x.lock",
                                  "a b", "a~1", "a^", "a:b", "a@{1}", "a//b", "a\\b", "a."])
def test_branch_names_refused(name: str) -> None:
    with pytest.raises(UsageError, match="--branch"):
        check_branch(name)


# --- the commit -------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "quoted"), [
    ("index.html", b'"index.html"'),
    ('a"b\\c', b'"a\\"b\\\\c"'),
    ("new\nline\t", b'"new\\012line\\011"'),
    ("caf\u00e9 \u2603.html", '"caf\u00e9 \u2603.html"'.encode()),
])
def test_paths_are_quoted_for_fast_import(path: str, quoted: bytes) -> None:
    assert quote_path(path) == quoted


def commit_of(tmp_path: Path, files: dict[str, bytes], moment: datetime = MOMENT,
              branch: str = "gh-pages") -> tuple[str, dict[str, bytes]]:
    """The commit ScratchRepository writes for ``files``, and the files it holds."""
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    built(out, files)
    remote = parse_remote(str(tmp_path / "unused.git"), tmp_path)
    with ScratchRepository(remote, out) as repo:
        commit = repo.commit(site_files(out), branch, moment)

        def git(*args: str) -> bytes:
            return subprocess.run(repo.run.command(*args), capture_output=True,
                                  check=True).stdout

        listing = git("ls-tree", "-r", "-z", "--name-only", commit).decode()
        held = {name: git("cat-file", "blob", f"{commit}:{name}")
                for name in listing.split("\0") if name}
        scratch = repo.run.repo
        assert scratch.is_dir() and not scratch.is_relative_to(out)
    assert not scratch.exists(), "the temporary repository is gone after the block"
    return commit, held


def test_the_commit_is_a_function_of_the_files_and_the_moment(tmp_path: Path) -> None:
    files = {"index.html": b"<p>hi</p>\r\n", "share/x/index.html": b"x", "a b/\u00e9.txt": b"e"}
    first, held = commit_of(tmp_path, files)
    assert held == {".nojekyll": b"", **files}, "bytes kept exactly (no line-ending changes)"
    assert commit_of(tmp_path, files)[0] == first
    assert commit_of(tmp_path, files, MOMENT.replace(second=1))[0] != first
    assert commit_of(tmp_path, {**files, "index.html": b"<p>hi</p>\n"})[0] != first


def test_attributes_and_ignore_rules_in_the_site_change_nothing(tmp_path: Path) -> None:
    files = {".gitattributes": b"* text eol=crlf\n*.html filter=evil\n",
             ".gitignore": b"*.html\n", "index.html": b"line\n"}
    _, held = commit_of(tmp_path, files)
    assert held == {".nojekyll": b"", **files}


# --- the site repository of `amber init --publish-to` -----------------------------------


@pytest.mark.parametrize(("text", "ssh", "pages"), [
    ("jane/chats", "git@github.com:jane/chats.git", "https://jane.github.io/chats/"),
    ("Jane-Doe/my.site_2", "git@github.com:Jane-Doe/my.site_2.git",
     "https://jane-doe.github.io/my.site_2/"),
    ("jane/Jane.github.io", "git@github.com:jane/Jane.github.io.git", "https://jane.github.io/"),
])
def test_publish_targets(text: str, ssh: str, pages: str) -> None:
    target = parse_publish_target(text)
    assert (target.name, target.ssh_url, target.pages_url) == (text, ssh, pages)


@pytest.mark.parametrize("text", [
    "", "jane", "jane/", "/chats", "jane/chats/more", "-jane/chats", "jane-/chats",
    "ja--ne/chats", "jane/.", "jane/..", "jane/chats.git", "jane/ch ats", "jane/ch$ats",
    "jane/chats\n", "j" * 40 + "/chats", "jane/" + "c" * 101, "jane/chats'; rm -rf ~",
    "jane/${{ secrets.X }}", "jané/chats",
])
def test_publish_targets_refused(text: str) -> None:
    with pytest.raises(UsageError, match="--publish-to: expected OWNER/REPO"):
        parse_publish_target(text)


def test_the_temporary_repository_is_never_inside_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = built(tmp_path / "out", {"index.html": b"x"})
    monkeypatch.setattr(tempfile, "tempdir", str(out / "tmp"))
    (out / "tmp").mkdir()
    with pytest.raises(RefusedError, match="TMPDIR"), ScratchRepository(
            parse_remote("r.git", tmp_path), out):
        pass
    assert [p.name for p in (out / "tmp").iterdir()] == []
