"""Steps of a GitHub workflow run here as the runner runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml


def workflow_step(workflow: Path | str, job: str, name_start: str) -> dict[str, Any]:
    """The step of ``job`` whose name starts with ``name_start`` (a path, or the YAML text)."""
    text = workflow.read_text("utf-8") if isinstance(workflow, Path) else workflow
    for step in yaml.safe_load(text)["jobs"][job]["steps"]:
        if step.get("name", "").startswith(name_start):
            return step  # type: ignore[no-any-return]
    raise AssertionError(f"job {job} has no step {name_start!r}")


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a workflow step as the runner does: bash -e, amber on PATH, RUNNER_TEMP set."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))}
    full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full.get('PATH', '')}"
    full.update({"CI": "true", "SOURCE_DATE_EPOCH": "1767225600", **env})
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=300, check=False)
