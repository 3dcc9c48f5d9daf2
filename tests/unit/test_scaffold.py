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
    PUBLISH_TO_PLACEHOLDER,
    TEMPLATES,
    UNSET,
    WORKFLOWS,
    render_workflow,
    requirement_from_direct_url,
    workflow_files,
)
from amber.scaffold.publish_target import PublishTarget

REPO = Path(__file__).resolve().parents[2]
TARGET = PublishTarget("octo", "chats")
GITHUB_FINGERPRINTS = {
    "ED25519": "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
    "ECDSA": "SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
    "RSA": "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
}
"""GitHub's SSH host key fingerprints as its documentation publishes them."""


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
    return yaml.safe_load(render_workflow(name, requirement, TARGET))


def test_the_repository_runs_exactly_the_workflows_init_writes() -> None:
    for name in WORKFLOWS:
        shipped = (REPO / ".github" / "workflows" / name).read_text("utf-8")
        assert shipped == render_workflow(name, "."), f"regenerate .github/workflows/{name}"


def test_the_workflows_pass_actionlint(tmp_path: Path) -> None:
    files = []
    requirement = "amber @ git+https://github.com/o/amber@v1"
    written = {**workflow_files(requirement), **workflow_files(requirement, TARGET)}
    assert sorted(written) == [f".github/workflows/{n}" for n in sorted(TEMPLATES)]
    for rel, data in written.items():
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
    for name in TEMPLATES:
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
    for name in TEMPLATES:
        for job in load(name)["jobs"]:
            for step in steps(load(name), job):
                assert "${{" not in step.get("run", ""), (name, step)


@pytest.mark.parametrize("requirement", [
    ".", "amber==0.1.0", "amber @ git+https://github.com/o/amber@0123abcd",
    'weird "quoted" # not a comment: value', UNSET,
])
def test_the_requirement_is_one_exact_yaml_string(requirement: str) -> None:
    for name in TEMPLATES:
        assert PLACEHOLDER not in render_workflow(name, requirement, TARGET)
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


# --- publish.yml: the private content repository publishing to a public one -------------


def test_publish_runs_on_main_daily_and_by_hand_with_least_privilege() -> None:
    workflow = load("publish.yml")
    triggers = workflow[True]
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert triggers["schedule"] == load("pages.yml")[True]["schedule"]
    assert workflow["permissions"] == {"contents": "read"}
    assert list(workflow["jobs"]) == ["publish"]
    assert "permissions" not in workflow["jobs"]["publish"]
    assert workflow["env"]["PUBLISH_TO"] == "git@github.com:octo/chats.git"
    assert workflow["env"]["PUBLISH_BRANCH"] == "gh-pages"


def test_publish_checks_builds_then_publishes_with_the_deploy_key() -> None:
    job = steps(load("publish.yml"), "publish")
    assert job[0]["uses"].startswith("actions/checkout@")
    assert job[0]["with"]["persist-credentials"] is False
    assert all(s.get("uses", "").startswith(("actions/checkout@", "actions/setup-python@"))
               for s in job if "uses" in s), "no third-party action"
    runs = [s.get("run", "") for s in job]
    check, build = runs.index("amber check"), runs.index("amber build")
    publish = next(i for i, r in enumerate(runs) if "amber publish" in r)
    assert check < build < publish == len(job) - 1
    step = job[publish]
    assert step["env"]["DEPLOY_KEY"] == "${{ secrets.AMBER_DEPLOY_KEY }}"
    secrets = [(i, k) for i, s in enumerate(job) for k, v in s.get("env", {}).items()
               if "secrets." in str(v)]
    assert secrets == [(publish, "DEPLOY_KEY")], "the key reaches only the publish step"
    script = step["run"]
    assert '"$RUNNER_TEMP/amber-deploy-key"' in script and "umask 077" in script
    assert 'chmod 600 "$key"' in script
    assert "trap 'rm -f \"$key\"" in script
    for option in ("StrictHostKeyChecking=yes", "UserKnownHostsFile=", "IdentitiesOnly=yes",
                   "GlobalKnownHostsFile=/dev/null"):
        assert option in script
    assert 'amber publish "$PUBLISH_TO" --branch "$PUBLISH_BRANCH"' in script


def test_publish_trusts_exactly_githubs_published_host_keys(tmp_path: Path) -> None:
    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        pytest.skip("ssh-keygen is not installed")
    job = steps(load("publish.yml"), "publish")
    known = tmp_path / "known_hosts"
    known.write_text(job[-1]["env"]["GITHUB_HOST_KEYS"])
    lines = subprocess.run([keygen, "-l", "-f", str(known)], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    found = {line.split()[-1].strip("()"): (line.split()[1], line.split()[2]) for line in lines}
    assert found == {kind: (fp, "github.com") for kind, fp in GITHUB_FINGERPRINTS.items()}
    header = render_workflow("publish.yml", ".", TARGET)
    for fingerprint in GITHUB_FINGERPRINTS.values():
        assert fingerprint in header, "the comment shows what to compare with GitHub's docs"


def test_publish_needs_its_target() -> None:
    for name in WORKFLOWS:  # no target to fill in these
        assert PUBLISH_TO_PLACEHOLDER not in render_workflow(name, ".")
    with pytest.raises(ValueError, match="publishes to"):
        render_workflow("publish.yml", ".")
    text = render_workflow("publish.yml", ".", PublishTarget("Jane-Doe", "my.site_2"))
    assert PUBLISH_TO_PLACEHOLDER not in text
    assert "git@github.com:Jane-Doe/my.site_2.git" in text
