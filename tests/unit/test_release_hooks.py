"""The daily Pages schedule that makes links expire without a push, and the pre-commit
hook this repository offers: both must name things that exist."""

from __future__ import annotations

import re
import tomllib

import yaml

from amber.cli import make_parser
from amber.commands.check import cmd_check
from amber.scaffold import render_workflow
from tests.helpers import REPO

CRON_DAILY = re.compile(r"([0-5]?[0-9]) ([01]?[0-9]|2[0-3]) \* \* \*\Z")


def test_pages_runs_daily_on_the_clock() -> None:
    for text in (render_workflow("pages.yml", "amber==1"),
                 (REPO / ".github" / "workflows" / "pages.yml").read_text("utf-8")):
        workflow = yaml.safe_load(text)
        schedule = workflow[True]["schedule"]  # PyYAML reads the key `on` as true
        assert len(schedule) == 1 and CRON_DAILY.match(schedule[0]["cron"]), schedule
        # An expiry is judged at "now": a pinned SOURCE_DATE_EPOCH would freeze it.
        assert "SOURCE_DATE_EPOCH" not in text.replace(
            "no SOURCE_DATE_EPOCH is set here", "")
        build_runs = [s.get("run", "") for s in workflow["jobs"]["build"]["steps"]]
        assert not any("--now" in run for run in build_runs)


def test_the_pre_commit_hook_runs_amber_check_on_content_changes() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(hooks, list) and [h["id"] for h in hooks] == ["amber-check"]
    [hook] = hooks
    # The keys pre-commit requires of a hook manifest, and the ones this hook relies on.
    assert {"id", "name", "entry", "language"} <= set(hook)
    assert hook["language"] == "python"  # pre-commit installs this repository's package
    assert hook["pass_filenames"] is False  # `check` takes no file names
    program, *words = hook["entry"].split()
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert program in scripts
    assert make_parser().parse_args(words).handler is cmd_check
    files = re.compile(hook["files"])
    for path in ("content/shares/x.yaml", "content/site.yaml", "themes/default/x.html"):
        assert files.search(path), path
    for path in ("README.md", "output/index.html", "docs/content/x.md"):
        assert not files.search(path), path
