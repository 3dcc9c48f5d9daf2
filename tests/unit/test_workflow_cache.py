"""The Pages workflow's build cache and artifacts cannot keep a revoked share.

``.amber-cache/`` holds rendered pages and titles. The build drops the shares
that are gone before it saves the cache, but GitHub keeps every older entry
(one per commit) until it has gone unused for about 7 days, and a later run
could restore one; each run's site artifact is kept a day. So the workflow
saves its cache entry in a step of its own and names it, and a job with
``actions: write`` (and no checkout: it runs no content) deletes every other
amber entry after each run (all of them when the run saved none) and the site
artifacts of every other run. The deleting steps run here against a stand-in
``gh``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from amber.scaffold import render_workflow

FAKE_GH = """\
import json, os, subprocess, sys
args = sys.argv[1:]
if args[:2] == ["cache", "list"]:
    opts = dict(zip(args[2::2], args[3::2]))
    entries = json.loads(open(os.environ["FAKE_CACHES"]).read())
    listed = [e for e in entries if e["key"].startswith(opts["--key"])][: int(opts["--limit"])]
    fields = opts["--json"].split(",")
    text = json.dumps([{f: e[f] for f in fields} for e in listed])
    sys.exit(subprocess.run(["jq", "-r", opts["--jq"]], input=text, text=True).returncode)
if args[:2] == ["cache", "delete"] and len(args) == 3:
    with open(os.environ["FAKE_DELETED"], "a") as fh:
        fh.write(args[2] + "\\n")
    sys.exit(0)
if args[:2] == ["api", "--paginate"] and args[3] == "--jq":
    assert args[2] == "repos/o/r/actions/artifacts?name=github-pages&per_page=100", args
    page = {"artifacts": json.loads(open(os.environ["FAKE_ARTIFACTS"]).read())}
    sys.exit(subprocess.run(["jq", "-r", args[4]], input=json.dumps(page), text=True).returncode)
if args[:3] == ["api", "--method", "DELETE"] and len(args) == 4:
    assert args[3].startswith("repos/o/r/actions/artifacts/"), args
    with open(os.environ["FAKE_DELETED"], "a") as fh:
        fh.write(args[3].rsplit("/", 1)[1] + "\\n")
    sys.exit(0)
sys.exit(f"unexpected gh call: {args}")
"""

CACHES = [
    {"id": 1, "key": "amber-build-Linux-old1", "ref": "refs/heads/main"},
    {"id": 2, "key": "amber-build-Linux-old2", "ref": "refs/heads/main"},
    {"id": 3, "key": "amber-build-Linux-new", "ref": "refs/heads/main"},
    {"id": 4, "key": "amber-build-Linux-new", "ref": "refs/heads/other"},
    {"id": 5, "key": "setup-python-Linux-pip", "ref": "refs/heads/main"},
]

RUN_ID = 9001
ARTIFACTS = [
    {"id": 11, "name": "github-pages", "expired": False, "workflow_run": {"id": 8999}},
    {"id": 12, "name": "github-pages", "expired": True, "workflow_run": {"id": 8998}},
    {"id": 13, "name": "github-pages", "expired": False, "workflow_run": {"id": RUN_ID}},
    {"id": 14, "name": "github-pages", "expired": False, "workflow_run": {"id": 9000}},
]


def pages() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(render_workflow("pages.yml", "."))


def test_the_build_saves_its_entry_explicitly_and_names_it() -> None:
    build = pages()["jobs"]["build"]
    uses = [s.get("uses", "") for s in build["steps"]]
    assert not any(u.startswith("actions/cache@") for u in uses), (
        "the all-in-one cache action saves after the job, out of sight of the prune job")
    restore = next(s for s in build["steps"] if s.get("uses", "").startswith(
        "actions/cache/restore@"))
    save = next(s for s in build["steps"] if s.get("uses", "").startswith(
        "actions/cache/save@"))
    assert save["with"]["key"] == restore["with"]["key"] == (
        "amber-build-${{ runner.os }}-${{ github.sha }}")
    assert save["with"]["path"] == restore["with"]["path"]
    names = [s.get("name") for s in build["steps"]]
    build_step = next(i for i, s in enumerate(build["steps"])
                      if s.get("run", "").startswith("amber build"))
    assert build_step < names.index(save["name"])
    saved = next(s for s in build["steps"] if s.get("id") == "saved")
    assert names.index(save["name"]) < build["steps"].index(saved)
    assert saved["run"] == (
        'echo "cache-key=amber-build-$RUNNER_OS-$GITHUB_SHA" >> "$GITHUB_OUTPUT"')
    assert build["outputs"]["cache-key"] == "${{ steps.saved.outputs.cache-key }}"


def test_a_job_with_only_actions_write_prunes_after_every_run() -> None:
    workflow = pages()
    assert workflow["permissions"] == {"contents": "read"}  # nothing else gets to write
    prune = workflow["jobs"]["prune"]
    assert prune["needs"] == "build"
    assert prune["if"] == "${{ always() }}"  # a failed build still leaves old entries
    assert prune["permissions"] == {"actions": "write"}
    assert prune["env"] == {"GH_TOKEN": "${{ github.token }}",
                            "GH_REPO": "${{ github.repository }}"}
    caches, artifacts = prune["steps"]
    for step in (caches, artifacts):
        assert "uses" not in step  # no checkout: nothing from the repository runs here
        assert step["shell"] == "bash"  # pipefail: a failed deletion fails the job
    assert caches["env"] == {"KEEP_KEY": "${{ needs.build.outputs.cache-key }}",
                             "KEEP_REF": "${{ github.ref }}"}
    assert artifacts["env"] == {"RUN_ID": "${{ github.run_id }}"}


def _run_prune(tmp_path: Path, keep_key: str, step_index: int = 0) -> list[int]:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (GitHub's runners have it inside gh)")
    step = pages()["jobs"]["prune"]["steps"][step_index]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\n{FAKE_GH}")
    gh.chmod(0o755)
    caches, deleted = tmp_path / "caches.json", tmp_path / "deleted.txt"
    caches.write_text(json.dumps(CACHES))
    artifacts = tmp_path / "artifacts.json"
    artifacts.write_text(json.dumps(ARTIFACTS))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "FAKE_CACHES": str(caches), "FAKE_ARTIFACTS": str(artifacts),
           "FAKE_DELETED": str(deleted), "GH_TOKEN": "x", "GH_REPO": "o/r",
           "KEEP_KEY": keep_key, "KEEP_REF": "refs/heads/main", "RUN_ID": str(RUN_ID)}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                             step["run"]], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return [int(line) for line in deleted.read_text().split()] if deleted.exists() else []


def test_every_entry_but_the_one_just_saved_is_deleted(tmp_path: Path) -> None:
    assert _run_prune(tmp_path, "amber-build-Linux-new") == [1, 2, 4]


def test_a_run_that_saved_nothing_deletes_every_amber_entry(tmp_path: Path) -> None:
    assert _run_prune(tmp_path, "") == [1, 2, 3, 4]


def test_the_site_artifacts_of_other_runs_are_deleted(tmp_path: Path) -> None:
    assert _run_prune(tmp_path, "", step_index=1) == [11, 14]


def test_the_check_runs_with_the_restored_cache_and_its_own_cache_is_kept() -> None:
    steps = pages()["jobs"]["build"]["steps"]
    names = [s.get("name") for s in steps]
    restore = next(s for s in steps if s.get("uses", "").startswith("actions/cache/restore@"))
    check = next(s for s in steps if s.get("run") == "amber check")
    assert names.index(restore["name"]) < names.index(check["name"])
    assert ".amber-cache/check/state.db" in restore["with"]["path"].split()
    # The check's quick answer lists file names (unlisted IDs): it is not cached in CI.
    assert not any("quick.json" in p for p in restore["with"]["path"].split())
