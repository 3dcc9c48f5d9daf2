"""Help for every command, `python -m amber`, and `amber init`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.cli import assert_user_error, ok, run_amber
from tests.helpers.fixture_site import ANY_SHARE_URL_RE, build, share
from tests.helpers.trees import tree_bytes

COMMANDS = ["init", "share", "update", "revoke", "list", "build", "check"]
AMBER = Path(sys.executable).with_name("amber")


def test_module_help_lists_every_command(tmp_path: Path) -> None:
    result = ok(run_amber("--help", cwd=tmp_path))
    assert result.stdout.startswith("usage: amber")
    for command in COMMANDS:
        assert command in result.stdout, command


def test_version(tmp_path: Path) -> None:
    result = ok(run_amber("--version", cwd=tmp_path))
    assert result.stdout.startswith("amber ")


def test_every_listed_command_has_help(tmp_path: Path) -> None:
    """Commands added later (import, serve, ...) are covered as soon as --help lists them."""
    listed = re.findall(r"^    ([a-z][a-z-]*)  +\S", ok(run_amber("--help", cwd=tmp_path)).stdout,
                        re.MULTILINE)
    assert set(COMMANDS) <= set(listed), listed
    for command in sorted(set(listed) - set(COMMANDS)):
        result = ok(run_amber(command, "--help", cwd=tmp_path))
        assert result.stdout.startswith(f"usage: amber {command}")
    assert list(tmp_path.iterdir()) == [], "--help must not write anything"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help(tmp_path: Path, command: str) -> None:
    result = ok(run_amber(command, "--help", cwd=tmp_path))
    assert result.stdout.startswith(f"usage: amber {command}")
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == [], "--help must not write anything"


@pytest.mark.skipif(not AMBER.exists(), reason="the amber console script is not installed here")
def test_console_script_help(tmp_path: Path) -> None:
    result = subprocess.run([AMBER, "--help"], cwd=tmp_path, capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, check=False)
    assert result.returncode == 0
    # Same text as `python -m amber --help` (line wrapping depends on the terminal).
    expected = ok(run_amber("--help", cwd=tmp_path)).stdout
    assert result.stdout.split() == expected.split()


# --- 15. init -----------------------------------------------------------------------


def test_init_creates_a_working_site(tmp_path: Path) -> None:
    ok(run_amber("init", "newsite", cwd=tmp_path))
    site = tmp_path / "newsite"
    assert (site / "content" / "site.yaml").is_file()
    assert "output/" in (site / ".gitignore").read_text().splitlines()
    [share_id] = share(site, "welcome", "--yes", "--listed", url_re=ANY_SHARE_URL_RE)
    out = build(site)
    assert (out / "share" / share_id / "index.html").is_file()
    assert share_id in (out / "index.html").read_text()
    ok(run_amber("check", cwd=site))


def test_init_in_current_directory_with_options(tmp_path: Path) -> None:
    ok(run_amber("init", "--title", "Jane's chats", "--base-url", "https://jane.test/c",
                 cwd=tmp_path))
    out = build(tmp_path)
    index = (out / "index.html").read_text()
    assert '<link rel="canonical" href="https://jane.test/c/">' in index
    assert "Jane&#39;s chats" in index or "Jane's chats" in index


def test_init_refuses_to_overwrite_an_existing_site(site: Path) -> None:
    before = tree_bytes(site)
    assert_user_error(run_amber("init", str(site), cwd=site.parent), "site.yaml")
    assert tree_bytes(site) == before


def test_init_rejects_a_bad_base_url(tmp_path: Path) -> None:
    result = run_amber("init", "x", "--base-url", "ftp://nope", cwd=tmp_path)
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x" / "content" / "site.yaml").exists()
