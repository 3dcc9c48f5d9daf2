"""Two amber processes on one site: one waits for the other, or gives up saying who holds
the site and what to do; nothing is lost or corrupt either way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from amber.build.check import check_content
from amber.content.load import SitePaths, load_content
from amber.errors import AmberError
from amber.lock import (
    CACHE_DIR,
    JOURNAL_NAME,
    SiteLockedError,
    finish_revocations,
    holder,
    recover_output,
    site_lock,
)
from tests.helpers.cli import cli_env, run_amber
from tests.helpers.faults import make_site
from tests.helpers.trees import leftovers, tree_digest

HOLD = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from amber.lock import site_lock
    with site_lock(Path.cwd()):
        print("held", flush=True)
        sys.stdin.readline()
""")
"""A stand-in for a writing amber command: holds the lock of the site it runs in until a
line comes on stdin. Run from a file named ``amber``, so that its command line reads
``amber ARGS`` as a real one does."""


@pytest.fixture
def small_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    make_site(root, 1)
    return root


class Holder:
    """Another process holding the site's lock until ``release`` or ``kill``."""

    def __init__(self, root: Path, *args: str) -> None:
        script = root.parent / "bin" / "amber"
        script.parent.mkdir(exist_ok=True)
        script.write_text(HOLD, "utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(script), *(args or ("build",))], cwd=root,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=cli_env())
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "held"

    @property
    def pid(self) -> int:
        return self.process.pid

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def holding(small_site: Path) -> Iterator[Holder]:
    held = Holder(small_site)
    try:
        yield held
    finally:
        held.close()


# --- lock.py ---------------------------------------------------------------------------


def test_a_held_lock_makes_the_second_writer_give_up_naming_the_first(
    small_site: Path, holding: Holder
) -> None:
    assert holder(small_site) == (holding.pid, "amber build")
    with pytest.raises(SiteLockedError) as caught, site_lock(small_site, timeout=0.3):
        pytest.fail("the lock was taken twice")
    message = str(caught.value)
    assert f"PID {holding.pid}: amber build" in message
    assert "changed nothing" in message and "run this command again" in message
    assert "AMBER_LOCK_TIMEOUT" in message


def test_the_lock_is_released_when_its_holder_is_killed(small_site: Path,
                                                        holding: Holder) -> None:
    holding.kill()
    with site_lock(small_site, timeout=5):
        assert holder(small_site)[0] == os.getpid()
    assert holder(small_site) == (None, "")


def test_the_lock_is_reentrant_within_one_process(small_site: Path) -> None:
    with site_lock(small_site, timeout=0), site_lock(small_site, timeout=0):
        assert holder(small_site)[0] == os.getpid()
    with site_lock(small_site, timeout=0):
        pass


def test_the_lock_leaves_no_file_behind(small_site: Path) -> None:
    """The lock is on content/ itself: a refused command writes nothing at all."""
    before = tree_digest(small_site)
    result = run_amber("revoke", "--all", "--yes", "--site", ".", cwd=small_site)
    assert result.returncode == 2, result.stderr  # options after the command: bad usage
    result = run_amber("revoke", "00000000-0000-4000-8000-000000000000", "--yes", cwd=small_site)
    assert result.returncode == 1 and "no active share" in result.stderr, result.stderr
    assert tree_digest(small_site) == before
    assert not (small_site / CACHE_DIR).exists()


def test_a_bad_timeout_setting_is_a_clear_error(small_site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMBER_LOCK_TIMEOUT", "soon")
    with pytest.raises(AmberError, match="AMBER_LOCK_TIMEOUT='soon'"), site_lock(small_site):
        pass


# --- recovery -----------------------------------------------------------------------------


def test_an_interrupted_swap_gets_the_old_site_back(small_site: Path) -> None:
    """Killed between moving output/ aside and moving the new site in (the two-rename
    swap, where the file system cannot exchange two folders)."""
    old = small_site / "output"
    old.mkdir()
    (old / "index.html").write_text("the old site")
    aside = small_site / ".output.old.abcd1234"
    staging = small_site / ".output.new.wxyz5678"
    old.rename(aside)
    staging.mkdir()
    (staging / "index.html").write_text("half of a new site")
    recover_output(old)
    assert (old / "index.html").read_text() == "the old site"
    assert leftovers(small_site) == []


def test_a_revocation_killed_after_its_tombstones_is_finished(small_site: Path) -> None:
    content = load_content(SitePaths(small_site))
    first, second = sorted(content.snapshots)[:2]
    from amber.content.shares import revoke

    revoke(content, [first])  # its file is deleted; recreate it as a kill would leave it
    paths = SitePaths(small_site)
    journal = small_site / CACHE_DIR / JOURNAL_NAME
    snapshot = paths.share_file(second).read_bytes()
    paths.share_file(first).write_bytes(snapshot.replace(second.encode(), first.encode()))
    assert any("was revoked" in p.message for p in load_content(paths).problems)
    # Without a journal it is a bad merge: refused, and left for a person to look at.
    assert finish_revocations(paths) == []
    assert paths.share_file(first).exists()
    journal.parent.mkdir(exist_ok=True)
    journal.write_text(f'["{first}", "{second}"]', "utf-8")
    assert finish_revocations(paths) == [first]  # only the tombstoned ID
    assert not paths.share_file(first).exists() and paths.share_file(second).exists()
    assert not journal.exists()
    assert load_content(paths).problems == []


# --- two amber processes ------------------------------------------------------------------


def test_a_second_share_gives_up_while_a_build_holds_the_site(
    small_site: Path, holding: Holder
) -> None:
    before = tree_digest(small_site / "content")
    result = run_amber("share", "savings-goal-calculator", "--yes", cwd=small_site,
                   env={"AMBER_LOCK_TIMEOUT": "0.5"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("amber: another amber process is writing this site")
    assert f"PID {holding.pid}: amber build" in last
    assert result.stdout == ""
    assert tree_digest(small_site / "content") == before


def test_a_second_writer_waits_for_the_first_and_then_runs(small_site: Path) -> None:
    shares_before = len(load_content(SitePaths(small_site)).snapshots)
    held = Holder(small_site, "revoke", "--all", "--yes")
    try:
        waiting = subprocess.Popen(
            [sys.executable, "-m", "amber", "share", "savings-goal-calculator", "--yes"],
            cwd=small_site, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=cli_env({"AMBER_LOCK_TIMEOUT": "60"}))
        assert waiting.stderr is not None
        line = waiting.stderr.readline()
        assert "waiting for another amber process" in line
        assert f"PID {held.pid}: amber revoke --all --yes" in line
        held.release()
        out, err = waiting.communicate(timeout=60)
    finally:
        held.close()
    assert waiting.returncode == 0, err
    assert "/share/" in out
    assert len(load_content(SitePaths(small_site)).snapshots) == shares_before + 1


def test_concurrent_writers_lose_nothing(small_site: Path) -> None:
    """Four revocations, two shares and a build at once: each revocation rewrites
    revoked.yaml, so without the lock one would drop another's tombstone."""
    content = load_content(SitePaths(small_site))
    targets = sorted(content.snapshots)[:4]
    commands = [["revoke", share_id, "--yes"] for share_id in targets]
    commands += [["share", "mass-energy-equivalence", "--yes"],
                 ["share", "sql-window-functions", "--yes"], ["build"]]
    env = cli_env({"AMBER_LOCK_TIMEOUT": "120"})
    processes = [subprocess.Popen([sys.executable, "-m", "amber", *command],
                                  cwd=small_site, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env) for command in commands]
    results = [(p, *p.communicate(timeout=300)) for p in processes]
    for process, _out, err in results:
        assert process.returncode == 0, err
    after = load_content(SitePaths(small_site))
    assert set(targets) <= after.revoked_ids, "a tombstone was lost"
    assert not set(targets) & set(after.snapshots)
    assert len(after.snapshots) == len(content.snapshots) - 4 + 2
    assert check_content(after).ok
    assert leftovers(small_site) == []
    assert (small_site / "output" / "index.html").is_file()
