"""The GitHub workflows: linted by actionlint, shaped as the privacy notes require, and the
same in amber's own repository as in every site `amber init` creates."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from amber.scaffold import (
    PLACEHOLDER,
    UNSET,
    WORKFLOWS,
    render_workflow,
    requirement_from_direct_url,
    workflow_files,
)

REPO = Path(__file__).resolve().parents[2]


def actionlint() -> str:
    """The actionlint binary that the test extras install next to this Python."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.is_file() else shutil.which("actionlint")
    assert found, "actionlint is missing: install the test extras (pip install -e '.[test]')"
    return found


def lint(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([actionlint(), "-no-color", *map(str, paths)], capture_output=True,
                          text=True, timeout=120, check=False)


def steps(workflow: dict, job: str) -> list[dict]:  # type: ignore[type-arg]
    return workflow["jobs"][job]["steps"]


def load(name: str, requirement: str = ".") -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(render_workflow(name, requirement))


def test_the_repository_runs_exactly_the_workflows_init_writes() -> None:
    for name in WORKFLOWS:
        shipped = (REPO / ".github" / "workflows" / name).read_text("utf-8")
        assert shipped == render_workflow(name, "."), f"regenerate .github/workflows/{name}"


def test_the_workflows_pass_actionlint(tmp_path: Path) -> None:
    files = []
    for rel, data in workflow_files("amber @ git+https://github.com/o/amber@v1").items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append(path)
    result = lint([*files, *(REPO / ".github" / "workflows" / n for n in WORKFLOWS)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_catch_a_broken_workflow(tmp_path: Path) -> None:
    """The lint test means something: a wrong output name and a wrong input are errors."""
    text = render_workflow("pages.yml", ".").replace(
        "steps.pages.outputs.base_url", "steps.pages.outputs.base").replace(
        "retention-days: 1", "retention: 1")
    path = tmp_path / "pages.yml"
    path.write_text(text)
    result = lint([path])
    assert result.returncode != 0
    assert "base" in result.stdout and "retention" in result.stdout


def test_pages_runs_on_main_and_by_hand_with_least_privilege() -> None:
    workflow = load("pages.yml")
    triggers = workflow[True]  # PyYAML reads the key `on` as the boolean true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read"}
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_pages_checks_then_builds_for_the_pages_url_then_packs_quietly() -> None:
    build = steps(load("pages.yml"), "build")
    runs = [s.get("run", "") for s in build]
    uses = [s.get("uses", "") for s in build]
    order = [
        next(i for i, r in enumerate(runs) if r.strip() == "amber check"),
        next(i for i, u in enumerate(uses) if u.startswith("actions/configure-pages@")),
        next(i for i, r in enumerate(runs) if r.startswith("amber build --base-url")),
        next(i for i, r in enumerate(runs) if r.startswith("tar ")),
        next(i for i, u in enumerate(uses) if u.startswith("actions/upload-artifact@")),
    ]
    assert order == sorted(order)
    build_step = build[order[2]]
    assert build_step["env"]["PAGES_BASE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert build[order[1]]["id"] == "pages"
    tar = runs[order[3]].split()
    assert not any(arg.startswith("-") and not arg.startswith("--") and "v" in arg
                   for arg in tar), "tar must not list what it packs"
    assert "--verbose" not in tar and "-v" not in tar
    upload = build[order[4]]["with"]
    assert upload["name"] == "github-pages"
    assert upload["path"] == "${{ runner.temp }}/artifact.tar"
    assert '"$RUNNER_TEMP/artifact.tar"' in runs[order[3]]
    deploy_uses = [s.get("uses", "") for s in steps(load("pages.yml"), "deploy")]
    assert any(u.startswith("actions/deploy-pages@") for u in deploy_uses)


def test_no_step_uses_upload_pages_artifact() -> None:
    """It runs `tar -v`, printing every unlisted share ID into a public log."""
    for name in WORKFLOWS:
        for job in load(name)["jobs"]:
            for step in steps(load(name), job):
                assert "upload-pages-artifact" not in step.get("uses", "")


def test_the_review_job_has_a_time_limit() -> None:
    """The reviewed change's templates run sandboxed, which stops code but not a loop."""
    assert 0 < load("review.yml")["jobs"]["review"]["timeout-minutes"] <= 30


def test_review_checks_then_writes_the_review_to_the_job_summary() -> None:
    workflow = load("review.yml")
    assert "pull_request" in workflow[True]
    assert workflow["permissions"] == {"contents": "read"}
    job = steps(workflow, "review")
    checkout = job[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # origin/BASE must be there to compare
    runs = [s.get("run", "") for s in job]
    check = runs.index("amber check")
    summary = next(i for i, r in enumerate(runs) if r.startswith("amber review"))
    assert check < summary
    assert runs[summary] == 'amber review "origin/$BASE_REF" HEAD | tee -a "$GITHUB_STEP_SUMMARY"'
    assert job[summary]["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert job[summary]["shell"] == "bash"  # pipefail: a failing review fails the job
    assert "!cancelled()" in job[summary]["if"]


def test_github_expressions_never_reach_a_shell_directly() -> None:
    """Values from the event go through env, so a branch name cannot inject a command."""
    for name in WORKFLOWS:
        for job in load(name)["jobs"]:
            for step in steps(load(name), job):
                assert "${{" not in step.get("run", ""), (name, step)


@pytest.mark.parametrize("requirement", [
    ".", "amber==0.1.0", "amber @ git+https://github.com/o/amber@0123abcd",
    'weird "quoted" # not a comment: value', UNSET,
])
def test_the_requirement_is_one_exact_yaml_string(requirement: str) -> None:
    for name in WORKFLOWS:
        assert PLACEHOLDER not in render_workflow(name, requirement)
        assert load(name, requirement)["env"]["AMBER_REQUIREMENT"] == requirement


def test_requirement_follows_how_amber_was_installed() -> None:
    git = json.dumps({"url": "https://github.com/o/amber.git", "vcs_info": {
        "vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"}})
    assert requirement_from_direct_url(git, "0.1.0").spec == (
        "amber @ git+https://github.com/o/amber.git@0123abcd")
    archive = json.dumps({"url": "https://example.org/amber-0.1.0.tar.gz", "archive_info": {}})
    assert requirement_from_direct_url(archive, "0.1.0").spec == (
        "amber @ https://example.org/amber-0.1.0.tar.gz")
    assert requirement_from_direct_url(None, "0.2.0").spec == "amber==0.2.0"
    local = requirement_from_direct_url(
        json.dumps({"url": "file:///home/jane/amber", "dir_info": {"editable": True}}), "0.1.0")
    assert local.spec == UNSET and local.note and "local folder" in local.note
    assert requirement_from_direct_url("{not json", "0.1.0").spec == UNSET


def test_an_unset_requirement_stops_pip_instead_of_installing_a_namesake() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", UNSET],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode != 0
    assert "Invalid requirement" in result.stderr
