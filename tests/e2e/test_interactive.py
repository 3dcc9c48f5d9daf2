"""On a terminal, destructive commands ask first; the answer decides.

stdin is a pseudo-terminal here (as when a person runs amber); stdout and stderr
stay pipes, as in ``url=$(amber share CONV)`` or ``amber share CONV | pbcopy``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import cli_env
from tests.helpers.fixture_site import SHARE_URL_RE, BuiltSite
from tests.helpers.trees import tree_bytes

pytestmark = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")


def run_on_terminal(*args: str, cwd: Path, answer: str | None) -> subprocess.CompletedProcess[str]:
    """Run amber with a terminal on stdin, type ``answer`` + Enter (None: hang up at once)."""
    env = cli_env()
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "amber", *args], cwd=cwd, stdin=slave,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            env=env,
        )
        os.close(slave)
        slave = -1
        if answer is not None:
            os.write(master, answer.encode() + b"\n")
        else:
            os.write(master, b"\x04")  # Ctrl-D: end of input
        out, err = proc.communicate(timeout=60)
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_revoke_on_a_terminal_asks_and_no_keeps_everything(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    result = run_on_terminal("revoke", built_copy.ids["alpha"], cwd=built_copy.root, answer="n")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert tree_bytes(built_copy.root) == before


def test_revoke_on_a_terminal_asks_and_hang_up_keeps_everything(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.root)
    result = run_on_terminal("revoke", built_copy.ids["alpha"], cwd=built_copy.root,
                             answer=None)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert tree_bytes(built_copy.root) == before


def test_revoke_on_a_terminal_yes_revokes(built_copy: BuiltSite) -> None:
    result = run_on_terminal("revoke", built_copy.ids["alpha"], cwd=built_copy.root, answer="y")
    assert result.returncode == 0, result.stderr
    assert not built_copy.snapshot("alpha").exists()
    assert built_copy.ids["alpha"] in (built_copy.root / "content" / "revoked.yaml").read_text()


def test_update_on_a_terminal_yes_updates(built_copy: BuiltSite) -> None:
    conv = built_copy.root / "content" / "conversations" / "alpha.yaml"
    conv.write_text(conv.read_text() + "  - role: user\n    content: Later question.\n")
    result = run_on_terminal("update", built_copy.ids["alpha"], cwd=built_copy.root,
                             answer="yes")
    assert result.returncode == 0, result.stderr
    assert "Later question." in built_copy.snapshot("alpha").read_text()


def test_share_on_a_terminal_no_shares_nothing(site: Path) -> None:
    result = run_on_terminal("share", "alpha", cwd=site, answer="n")
    assert result.returncode == 1
    assert not list((site / "content").glob("shares/*.yaml"))


def test_share_on_a_terminal_prints_only_urls_on_stdout(site: Path) -> None:
    result = run_on_terminal("share", "alpha", cwd=site, answer="y")
    assert result.returncode == 0, result.stderr
    assert len(list((site / "content").glob("shares/*.yaml"))) == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and SHARE_URL_RE.match(lines[0]), (
        f"stdout must hold only the share URL, got {result.stdout!r}")
    assert "[y/N]" in result.stderr, "the question must reach the person at the terminal"
