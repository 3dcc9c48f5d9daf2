"""Run the real CLI as a script or a CI job would, and read what it said.

The CLI always runs as a separate process (``python -m amber``) with stdin from
/dev/null (unless a test types into it), output captured (so no terminal anywhere) and
``CI=true``. SOURCE_DATE_EPOCH defaults to ``EPOCH`` so frozen times are predictable.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.helpers import EPOCH

PYCACHE_PREFIX = str(Path(tempfile.gettempdir()) / f"amber-tests-pycache-{os.getuid()}")
"""Bytecode of CLI runs is cached outside the repository: each run then skips recompiling
the package (PYTHONDONTWRITEBYTECODE would make every one of them compile it again)."""

SUMMARY_RE = re.compile(r"^amber: \d+ problems? found$")


def cli_env(overrides: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The environment of an amber child process: the test's own, without AMBER_* and
    PYTEST_* variables or a terminal, with CI=true and time pinned to ``EPOCH``.

    ``overrides`` entries win; a value of None removes the variable.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))}
    env.update({
        "CI": "true",
        "SOURCE_DATE_EPOCH": str(EPOCH),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
        "LC_ALL": "C.UTF-8",
        "COLUMNS": "100",
        "PYTHONPYCACHEPREFIX": PYCACHE_PREFIX,
    })
    env.pop("TERM", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_amber(
    *args: str | os.PathLike[str],
    cwd: Path,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m amber ARGS`` in ``cwd``; ``env`` as for ``cli_env``."""
    return subprocess.run(
        [sys.executable, "-m", "amber", *map(str, args)],
        cwd=cwd,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env(env),
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """Assert a CLI run succeeded, showing its output when it did not."""
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    return result


def fails(result: subprocess.CompletedProcess[str], *, code: int
          ) -> subprocess.CompletedProcess[str]:
    """Assert a CLI run exited with ``code`` (1 refused, 2 usage) and no traceback."""
    assert result.returncode == code, (
        f"exit {result.returncode}, expected {code}\nstdout:\n{result.stdout}\n"
        f"stderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    return result


def problem_lines(stderr: str) -> list[str]:
    """stderr without the closing ``amber: N problems found`` summary line."""
    return [line for line in stderr.splitlines() if line.strip() and not SUMMARY_RE.match(line)]


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, no traceback; the last line of stderr says why, naming every needle."""
    assert result.returncode == 1, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert lines, "a refusal must say why"
    for needle in needles:
        assert needle in lines[-1], f"{needle!r} not in {lines[-1]!r}"
    return lines[-1]


def assert_user_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, no traceback, exactly one line about the problem, naming every needle."""
    assert result.returncode == 1, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


@contextlib.contextmanager
def source_date(epoch: int) -> Iterator[None]:
    """SOURCE_DATE_EPOCH set to ``epoch`` in this process for the block (for helpers that
    share in-process and for code outside a test function, where the
    ``source_date_epoch`` fixture is out of reach); restored after, even on failure."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", str(epoch))
        yield
