"""The Pages workflow's build cache cannot keep a revoked share.

``.amber-cache/`` holds rendered pages and titles. The build drops the shares
that are gone before it saves the cache, but GitHub keeps every older entry
(one per commit) until it has gone unused for about 7 days, and a later run
could restore one. So the workflow saves its entry in a step of its own, names
it, and a job with ``actions: write`` (and no checkout: it runs no content)
deletes every other amber entry after each run, all of them when the run saved
none. The deleting step itself runs here against a stand-in ``gh``.
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
sys.exit(f"unexpected gh call: {args}")
"""

CACHES = [
    {"id": 1, "key": "amber-build-Linux-old1", "ref": "refs/heads/main"},
    {"id": 2, "key": "amber-build-Linux-old2", "ref": "refs/heads/main"},
    {"id": 3, "key": "amber-build-Linux-new", "ref": "refs/heads/main"},
    {"id": 4, "key": "amber-build-Linux-new", "ref": "refs/heads/other"},
    {"id": 5, "key": "setup-python-Linux-pip", "ref": "refs/heads/main"},
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
    prune = workflow["jobs"]["prune-cache"]
    assert prune["needs"] == "build"
    assert prune["if"] == "${{ always() }}"  # a failed build still leaves old entries
    assert prune["permissions"] == {"actions": "write"}
    [step] = prune["steps"]
    assert "uses" not in step  # no checkout: nothing from the repository runs here
    assert step["env"]["KEEP_KEY"] == "${{ needs.build.outputs.cache-key }}"
    assert step["env"]["KEEP_REF"] == "${{ github.ref }}"
    assert step["shell"] == "bash"  # pipefail: a failed deletion fails the job


def _run_prune(tmp_path: Path, keep_key: str) -> list[int]:
    if shutil.which("jq") is None:
        pytest.skip("jq is not installed (GitHub's runners have it inside gh)")
    [step] = pages()["jobs"]["prune-cache"]["steps"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\n{FAKE_GH}")
    gh.chmod(0o755)
    caches, deleted = tmp_path / "caches.json", tmp_path / "deleted.txt"
    caches.write_text(json.dumps(CACHES))
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "FAKE_CACHES": str(caches), "FAKE_DELETED": str(deleted),
           "GH_TOKEN": "x", "GH_REPO": "o/r", "KEEP_KEY": keep_key,
           "KEEP_REF": "refs/heads/main"}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                             step["run"]], env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return [int(line) for line in deleted.read_text().split()] if deleted.exists() else []


def test_every_entry_but_the_one_just_saved_is_deleted(tmp_path: Path) -> None:
    assert _run_prune(tmp_path, "amber-build-Linux-new") == [1, 2, 4]


def test_a_run_that_saved_nothing_deletes_every_amber_entry(tmp_path: Path) -> None:
    assert _run_prune(tmp_path, "") == [1, 2, 3, 4]
