"""The private-source route: `amber publish` makes the built site the only commit of a branch
of the site repository, and a revoked share leaves no object there.

A local bare repository stands for the public site repository on GitHub. The route is run
for each way of sharing in ``VARIANTS``: a new way (encrypted shares) is one more entry,
saying whether the text of a live share may be read in that repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.helpers.cli import assert_user_error, ok, run_amber
from tests.helpers.fixture_site import BASE_URL, CONVERSATIONS, UUID4, build, share
from tests.helpers.git import GIT_ENV, commit, git
from tests.helpers.trees import tree_bytes
from tests.helpers.workflow import run_step, workflow_step

HERMETIC_GIT = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
"""No user or system git configuration in amber's git either."""

SHARE_URL = re.compile(rf"^{re.escape(BASE_URL)}share/({UUID4})/(?:#\S+)?$")
"""A share URL as `amber share` prints it, with a key fragment when there is one."""


@dataclass(frozen=True)
class Variant:
    name: str
    share_args: tuple[str, ...]
    """What `amber share` is given besides the conversation."""
    text_is_hidden: bool
    """True when no object of the site repository may hold a live share's title or text."""


VARIANTS = [Variant("plain", (), text_is_hidden=False),
            Variant("encrypted", ("--encrypt",), text_is_hidden=True)]


def bare_repository(path: Path) -> Path:
    """A bare repository as GitHub's would be to git: no reflog, so gc can drop objects."""
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True,
                   env={**os.environ, **GIT_ENV})
    logs = subprocess.run(["git", "config", "--get", "core.logAllRefUpdates"], cwd=path,
                          env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
    assert logs.stdout.strip() in ("", "false"), "a bare repository keeps no reflog by default"
    return path


def publish(site: Path, remote: Path | str, *args: str,
            epoch: int | None = None) -> subprocess.CompletedProcess[str]:
    env: dict[str, str | None] = {**HERMETIC_GIT}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    return run_amber("publish", str(remote), *args, cwd=site, env=env)


def branch_commits(bare: Path, branch: str = "gh-pages") -> list[str]:
    return git(bare, "rev-list", branch).split()


def published_tree(bare: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    """Path -> bytes of every file on the branch, asserting each is a plain file."""
    files = {}
    for entry in git(bare, "ls-tree", "-r", "-z", "--full-tree", branch).split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, kind, object_id = meta.split()
        assert (mode, kind) == ("100644", "blob"), entry
        files[path] = subprocess.run(["git", "cat-file", "blob", object_id], cwd=bare,
                                     capture_output=True, check=True).stdout
    return files


def every_object(bare: Path) -> bytes:
    """The contents of every object the repository holds, reachable or not."""
    return subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=bare,
                          capture_output=True, check=True, env={**os.environ, **GIT_ENV}).stdout


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: v.name)
def test_publish_revoke_publish_leaves_no_object_of_the_revoked_share(
    variant: Variant, site: Path, tmp_path: Path,
) -> None:
    bare = bare_repository(tmp_path / "site-repo.git")
    kept = share(site, "alpha", *variant.share_args, url_re=SHARE_URL)[0]
    gone = share(site, "bravo", *variant.share_args, url_re=SHARE_URL)[0]
    output = build(site)
    gone_files = tree_bytes(output / "share" / gone)
    assert gone_files, "the share to revoke was published"
    first = ok(publish(site, bare))
    assert first.stdout == "" and first.stderr == "", "publish is quiet in CI"
    assert published_tree(bare) == tree_bytes(output)
    assert len(branch_commits(bare)) == 1

    ok(run_amber("revoke", gone, "--yes", cwd=site))
    build(site)
    before = tree_bytes(output)
    ok(publish(site, bare))
    assert tree_bytes(output) == before, "publishing changes nothing in output/"
    assert not (output / ".git").exists() and not (site / ".git").exists()
    (commit_id,) = branch_commits(bare)
    assert "parent " not in git(bare, "cat-file", "-p", commit_id)
    assert git(bare, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/gh-pages"]
    assert published_tree(bare) == before, "the branch holds output/ byte for byte"
    assert not (bare / "logs").exists(), "no reflog keeps the first commit alive"

    # The first commit's objects are still there, unreachable, until gc prunes them:
    # the search below is able to find the revoked share.
    assert gone.encode() in every_object(bare)
    git(bare, "gc", "--quiet", "--prune=now")
    objects = every_object(bare)
    assert gone.encode() not in objects
    shared = set(before.values())  # bytes a live page has too: the generic preview card
    for rel, data in gone_files.items():
        if data in shared:
            assert variant.text_is_hidden and rel == "preview.png", rel
            continue
        assert data not in objects, f"an object holds share/{gone}/{rel}"
    title, phrase = CONVERSATIONS["bravo"]
    assert phrase.encode() not in objects and title.encode() not in objects

    kept_title, kept_phrase = CONVERSATIONS["alpha"]
    kept_text_found = [kept_phrase.encode() in objects, kept_title.encode() in objects]
    if variant.text_is_hidden:
        assert kept_text_found == [False, False]
    else:  # plain pages are readable in the site repository: said so in the docs
        assert kept_text_found == [True, True]
        assert kept.encode() in objects


def test_the_same_site_at_the_same_moment_is_the_same_commit(site: Path, tmp_path: Path) -> None:
    share(site, "alpha")
    build(site)
    first, second = bare_repository(tmp_path / "a.git"), bare_repository(tmp_path / "b.git")
    ok(publish(site, first, epoch=1767225600))
    ok(publish(site, second, epoch=1767225600))
    ok(publish(site, first, epoch=1767225600))  # again: nothing to change
    assert branch_commits(first) == branch_commits(second)
    assert len(branch_commits(first)) == 1
    ok(publish(site, second, epoch=1767225601))
    assert branch_commits(first) != branch_commits(second), "the moment dates the commit"
    log = git(first, "log", "-1", "--format=%an <%ae>|%cn <%ce>|%at|%ct|%s", "gh-pages")
    assert log.strip() == ("amber <publish@amber.invalid>|amber <publish@amber.invalid>|"
                           "1767225600|1767225600|Publish the site built by amber")


def test_publish_to_another_branch_and_from_another_output(site: Path, tmp_path: Path) -> None:
    share(site, "alpha")
    ok(run_amber("build", "--output", "elsewhere", cwd=site))
    bare = bare_repository(tmp_path / "r.git")
    ok(publish(site, bare, "--branch", "main", "--output", "elsewhere"))
    assert published_tree(bare, "main") == tree_bytes(site / "elsewhere")
    assert git(bare, "for-each-ref", "--format=%(refname)").split() == ["refs/heads/main"]


# --- refusals: exit 1 or 2, one line naming what failed, nothing written --------------


def test_publish_refuses_a_missing_output(site: Path, tmp_path: Path) -> None:
    bare = bare_repository(tmp_path / "r.git")
    assert_user_error(publish(site, bare), "output does not exist", "amber build")
    assert not branch_commits_exist(bare)


def test_publish_refuses_a_folder_amber_did_not_build(site: Path, tmp_path: Path) -> None:
    bare = bare_repository(tmp_path / "r.git")
    other = tmp_path / "not-a-site"
    other.mkdir()
    (other / "index.html").write_text("hello")
    assert_user_error(publish(site, bare, "--output", str(other)), "not built by amber")
    assert not branch_commits_exist(bare)


@pytest.mark.parametrize("intruder", ["git folder", "symlink"])
def test_publish_refuses_what_no_build_holds(intruder: str, site: Path, tmp_path: Path) -> None:
    share(site, "alpha")
    output = build(site)
    if intruder == "git folder":
        (output / "assets" / ".git").mkdir()
        needle = ".git"
    else:
        (output / "secret").symlink_to(site / "content" / "site.yaml")
        needle = "not a regular file"
    bare = bare_repository(tmp_path / "r.git")
    assert_user_error(publish(site, bare), needle)
    assert not branch_commits_exist(bare)


@pytest.mark.parametrize(("args", "needle"), [
    (("--", "--upload-pack=touch pwned"), "looks like an option"),
    (("REMOTE", "--branch", "..bad"), "--branch"),
    (("REMOTE", "--branch", "-f"), "--branch"),
    (("REMOTE", "--now", "yesterday"), "--now"),
])
def test_publish_usage_errors_exit_2(args: tuple[str, ...], needle: str, site: Path,
                                     tmp_path: Path) -> None:
    bare = bare_repository(tmp_path / "r.git")
    share(site, "alpha")
    build(site)
    argv = [str(bare) if a == "REMOTE" else a for a in args]
    result = run_amber("publish", *argv, cwd=site, env=HERMETIC_GIT)
    assert result.returncode == 2, result.stderr
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert not branch_commits_exist(bare)


def test_a_failed_push_names_the_remote_and_never_its_credentials(site: Path) -> None:
    share(site, "alpha")
    build(site)
    remote = "https://jane:hunter2-s3cret@127.0.0.1:9/jane/chats.git"
    line = assert_user_error(publish(site, remote),
                             "publishing to https://***@127.0.0.1:9/jane/chats.git failed",
                             "git could not push")
    result = publish(site, "https://ghp_T0KEN0123456789@127.0.0.1:9/x.git")
    assert "hunter2" not in line and "s3cret" not in line
    assert "ghp_T0KEN0123456789" not in result.stderr + result.stdout
    assert result.returncode == 1


def test_a_remote_that_is_no_repository_is_named(site: Path, tmp_path: Path) -> None:
    share(site, "alpha")
    build(site)
    assert_user_error(publish(site, "no-such-repo.git"),
                      "publishing to no-such-repo.git failed", "could not push")


def test_a_rejected_push_says_so(site: Path, tmp_path: Path) -> None:
    bare = bare_repository(tmp_path / "r.git")
    hook = bare / "hooks" / "pre-receive"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\necho 'branch is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    share(site, "alpha")
    build(site)
    assert_user_error(publish(site, bare), f"publishing to {bare} failed", "branch is protected")
    assert not branch_commits_exist(bare)


def branch_commits_exist(bare: Path) -> bool:
    return bool(git(bare, "for-each-ref").strip())


def test_publish_says_what_it_published_on_a_terminal(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import amber.progress
    from amber.cli import main

    share(site, "alpha")
    build(site)
    bare = bare_repository(tmp_path / "r.git")
    monkeypatch.setattr(amber.progress, "wants_progress", lambda: True)
    for key, value in HERMETIC_GIT.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert main(["--site", str(site), "publish", str(bare)]) == 0
    assert main(["--site", str(site), "publish", str(bare)]) == 0
    first, second = capsys.readouterr().err.splitlines()
    (commit_id,) = branch_commits(bare)
    count = len(tree_bytes(site / "output"))
    assert first == (f"Published {count} files to {bare}, branch gh-pages "
                     f"(commit {commit_id[:12]})")
    assert second.startswith(f"Already published: {count} files to {bare}")


# --- the workflow `amber init --publish-to` writes, run as the runner would ------------


def init_private_site(tmp_path: Path) -> tuple[Path, Path]:
    """A site made by `amber init --publish-to`, with a share, committed; its publish.yml."""
    ok(run_amber("init", "site", "--publish-to", "octo/chats",
                 "--requirement", "amber==0.1.0", cwd=tmp_path))
    site = tmp_path / "site"
    share(site, "welcome", url_re=re.compile(
        rf"^https://octo\.github\.io/chats/share/({UUID4})/(?:#\S+)?$"))
    git(site, "init", "--quiet", "-b", "main")
    commit(site, "A private amber site")
    return site, site / ".github" / "workflows" / "publish.yml"


def step_env(workflow: Path, runner_temp: Path, **overrides: str) -> dict[str, str]:
    publish_step = workflow_step(workflow, "publish", "Publish")
    runner_temp.mkdir(exist_ok=True)
    return {**HERMETIC_GIT, **GIT_ENV,
            "RUNNER_TEMP": str(runner_temp),
            "PUBLISH_BRANCH": yaml.safe_load(workflow.read_text())["env"]["PUBLISH_BRANCH"],
            "GITHUB_HOST_KEYS": publish_step["env"]["GITHUB_HOST_KEYS"],
            "DEPLOY_KEY": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n"
                          "-----END OPENSSH PRIVATE KEY-----",
            **overrides}


def test_the_publish_workflow_checks_builds_and_publishes(tmp_path: Path) -> None:
    site, workflow = init_private_site(tmp_path)
    bare = bare_repository(tmp_path / "public.git")
    env = step_env(workflow, tmp_path / "runner-temp", PUBLISH_TO=str(bare))
    for name in ("Check the content", "Build the site", "Publish it"):
        result = run_step(workflow_step(workflow, "publish", name)["run"], site, env)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        if name == "Publish it":
            assert result.stdout == "" and result.stderr == ""
    assert published_tree(bare) == tree_bytes(site / "output")
    assert 'href="/chats/' in (site / "output" / "index.html").read_text()
    content_time = git(site, "log", "-1", "--format=%ct").strip()
    assert git(bare, "log", "-1", "--format=%ct", "gh-pages").strip() == content_time
    assert list((tmp_path / "runner-temp").iterdir()) == [], "the deploy key is deleted"
    (first,) = branch_commits(bare)
    again = run_step(workflow_step(workflow, "publish", "Publish it")["run"], site, env)
    assert again.returncode == 0 and branch_commits(bare) == [first], (
        "a run that changes nothing in the site pushes the commit the branch holds")


FAKE_SSH = """#!/bin/bash
# Stands in for ssh: records what git handed it, then fails as a network would.
log="$FAKE_SSH_LOG"
printf '%s\\n' "$@" > "$log.args"
while [ $# -gt 0 ]; do
  case "$1" in
    -i) stat -c %a "$2" > "$log.mode"; cp "$2" "$log.key"; shift ;;
    -o) case "$2" in UserKnownHostsFile=*) cp "${2#UserKnownHostsFile=}" "$log.known" ;; esac
        shift ;;
  esac
  shift
done
echo "fake ssh: no network here" >&2
exit 255
"""


def test_the_publish_step_gives_ssh_the_key_alone_and_only_githubs_host_keys(
    tmp_path: Path,
) -> None:
    site, workflow = init_private_site(tmp_path)
    build(site)
    fake = tmp_path / "bin" / "ssh"
    fake.parent.mkdir()
    fake.write_text(FAKE_SSH)
    fake.chmod(0o755)
    log = tmp_path / "ssh"
    target = yaml.safe_load(workflow.read_text())["env"]["PUBLISH_TO"]
    assert target == "git@github.com:octo/chats.git"
    python_bin = Path(sys.executable).parent
    env = step_env(workflow, tmp_path / "rt", PUBLISH_TO=target, FAKE_SSH_LOG=str(log),
                   PATH=f"{fake.parent}{os.pathsep}{python_bin}{os.pathsep}{os.environ['PATH']}")
    result = run_step(workflow_step(workflow, "publish", "Publish it")["run"], site, env)
    assert result.returncode == 1
    assert "publishing to git@github.com:octo/chats.git failed" in result.stderr
    assert "fake ssh: no network here" in result.stderr
    assert Path(f"{log}.mode").read_text().strip() == "600"
    assert Path(f"{log}.key").read_text() == env["DEPLOY_KEY"] + "\n"
    assert Path(f"{log}.known").read_text() == env["GITHUB_HOST_KEYS"]
    args = Path(f"{log}.args").read_text().splitlines()
    for option in ("StrictHostKeyChecking=yes", "IdentitiesOnly=yes", "BatchMode=yes",
                   "GlobalKnownHostsFile=/dev/null"):
        assert option in args
    assert "git@github.com" in args
    assert "not a real key" not in result.stdout + result.stderr
    assert list((tmp_path / "rt").iterdir()) == [], "the deploy key is deleted on failure too"


def test_the_publish_step_stops_without_the_secret(tmp_path: Path) -> None:
    site, workflow = init_private_site(tmp_path)
    build(site)
    bare = bare_repository(tmp_path / "public.git")
    env = step_env(workflow, tmp_path / "rt", PUBLISH_TO=str(bare), DEPLOY_KEY="")
    result = run_step(workflow_step(workflow, "publish", "Publish it")["run"], site, env)
    assert result.returncode == 1
    assert "::error::Set the secret AMBER_DEPLOY_KEY" in result.stdout
    assert not branch_commits_exist(bare)


# --- `amber init --publish-to` ---------------------------------------------------------


def test_init_publish_to_writes_the_private_route_and_prints_the_setup(tmp_path: Path) -> None:
    result = ok(run_amber("init", "site", "--publish-to", "octo/chats",
                          "--requirement", "amber==0.1.0", cwd=tmp_path))
    site = tmp_path / "site"
    workflows = site / ".github" / "workflows"
    assert sorted(p.name for p in workflows.iterdir()) == ["publish.yml", "review.yml"]
    site_yaml = yaml.safe_load((site / "content" / "site.yaml").read_text())
    assert site_yaml["base_url"] == "https://octo.github.io/chats/"
    setup = result.stderr
    for needle in ("https://octo.github.io/chats/", "Create the public repository octo/chats",
                   "Deploy keys", "Allow write access", "AMBER_DEPLOY_KEY", "PRIVATE",
                   "branch gh-pages, / (root)"):
        assert needle in setup, needle
    beside = Path(sys.executable).parent / "actionlint"
    lint = subprocess.run([str(beside) if beside.is_file() else "actionlint", "-no-color",
                           *map(str, workflows.iterdir())],
                          capture_output=True, text=True, timeout=120, check=False)
    assert lint.returncode == 0, lint.stdout


def test_init_publish_to_keeps_a_base_url_given(tmp_path: Path) -> None:
    ok(run_amber("init", "site", "--publish-to", "octo/chats", "--base-url",
                 "https://chats.example.com/", "--requirement", "amber==0.1.0", cwd=tmp_path))
    site_yaml = yaml.safe_load((tmp_path / "site" / "content" / "site.yaml").read_text())
    assert site_yaml["base_url"] == "https://chats.example.com/"


@pytest.mark.parametrize("value", ["octo", "octo/chats/x", "oc to/chats", "octo/chats.git",
                                   "octo/$(id)", "-octo/chats"])
def test_init_publish_to_refuses_a_bad_name_before_writing(value: str, tmp_path: Path) -> None:
    result = run_amber("init", "site", f"--publish-to={value}", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "--publish-to: expected OWNER/REPO" in result.stderr
    assert not (tmp_path / "site").exists()
