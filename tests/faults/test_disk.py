"""A full disk or a read-only output/: a clear error, and the old site exactly as it was.

Four ways to make writes fail, so that the error paths run for real wherever the
tests run (CI runs as root, where file modes stop nothing):

- a file-size limit (``RLIMIT_FSIZE``): the kernel refuses to grow a file past it,
  which needs no privilege at all;
- a small tmpfs filled up (real ``ENOSPC``), and read-only bind mounts of output/
  and of the whole site (real ``EROFS``/``EBUSY``), each inside a private mount
  namespace (``unshare -rm``) that dies with the test;
- a site its user may not write: another user (``nobody``) runs amber when the tests
  run as root, folder modes do otherwise.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from amber.build.pipeline import build
from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares
from tests.helpers import EPOCH
from tests.helpers.cli import cli_env, source_date
from tests.helpers.faults import make_site
from tests.helpers.trees import leftovers, tree_digest

INMOUNT = Path(__file__).with_name("inmount.py")
CONVERSATION = "savings-goal-calculator"


@dataclass(frozen=True)
class Template:
    root: Path
    """content/ with one share more than the site in output/ was built from."""
    old: str
    new: str
    largest: int
    """Size of the largest file of the new site."""
    new_bytes: int
    """Size of the new site in 4 KiB pages, as tmpfs counts it."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    base = tmp_path_factory.mktemp("disk")
    root = base / "site"
    make_site(root, 2)
    with source_date(EPOCH):
        build(root, use_cache=False)
        content = load_content(SitePaths(root))
        create_shares(content, [content.conversations["how-git-stores-objects"]],
                      title=None, author="Jane Doe", listed=True)
        build(root, output=base / "new", use_cache=False)
    sizes = [p.stat().st_size for p in (base / "new").rglob("*") if p.is_file()]
    old, new = tree_digest(root / "output"), tree_digest(base / "new")
    assert old and new and old != new
    return Template(root, old, new, max(sizes), sum(-(-s // 4096) * 4096 for s in sizes))


@pytest.fixture
def site(template: Template, tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(template.root, copy, symlinks=True)
    return copy


def run(site: Path, *args: str, preexec: Callable[[], None] | None = None,
        user: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    # Under a file-size limit Python itself would cache truncated bytecode (its writes
    # of .pyc files stop short without an error), so such a run caches none.
    env = cli_env({"PYTHONDONTWRITEBYTECODE": "1"} if preexec or user else None)
    return subprocess.run([*(user or []), sys.executable, "-m", "amber", *args],
                          cwd=site, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=env, timeout=300, check=False, preexec_fn=preexec)


def assert_clear_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, no traceback, one last line that says what failed."""
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("amber: "), last
    for needle in needles:
        assert needle in last, f"{needle!r} not in {last!r}"
    return last


def assert_recovers(site: Path, template: Template) -> None:
    """Once writes work again, the next build writes the new site and leaves nothing."""
    result = run(site, "build")
    assert result.returncode == 0, result.stderr
    assert tree_digest(site / "output") == template.new
    assert leftovers(site) == []


# --- a file-size limit: no privilege needed -------------------------------------------


def file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_build_that_cannot_write_a_file_keeps_the_old_site(site: Path,
                                                             template: Template) -> None:
    result = run(site, "build", preexec=file_size_limit(template.largest // 2))
    assert_clear_error(result, "File too large", "previous site is unchanged")
    assert tree_digest(site / "output") == template.old
    assert_recovers(site, template)


def test_a_share_that_cannot_be_written_leaves_no_file(site: Path) -> None:
    before = tree_digest(site / "content")
    result = run(site, "share", CONVERSATION, "--yes", preexec=file_size_limit(1024))
    assert_clear_error(result, "File too large")
    assert result.stdout == "", "no URL for a share that was not written"
    assert tree_digest(site / "content") == before
    assert leftovers(site) == []


# --- real ENOSPC and EROFS, in a private mount namespace -------------------------------


def namespaces_missing() -> str | None:
    """Why a private mount namespace cannot be had here, or None."""
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return "unshare(1) or mount(8) is not installed"
    with tempfile.TemporaryDirectory() as place:
        probe = subprocess.run(["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=64k",
                                "tmpfs", place], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        return f"this machine allows no private mount namespace: {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="module")
def namespaces() -> None:
    reason = namespaces_missing()
    if reason is not None:
        pytest.skip(f"needs `unshare -rm` to mount a small or read-only file system: {reason}")


def in_mount(scenario: str, template: Template, tmp_path: Path,
             **extra: object) -> dict[str, dict[str, object]]:
    place = tmp_path / "place"
    place.mkdir()
    spec = tmp_path / "spec.json"
    result = tmp_path / "result.json"
    spec.write_text(json.dumps({"scenario": scenario, "template": str(template.root),
                                "place": str(place), "result": str(result),
                                "conversation": CONVERSATION, **extra}), "utf-8")
    done = subprocess.run(["unshare", "-rm", sys.executable, str(INMOUNT), str(spec)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=cli_env(), timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(result.read_text("utf-8"))  # type: ignore[no-any-return]


def assert_failed_cleanly(run: dict[str, object], *needles: str) -> str:
    result = subprocess.CompletedProcess([], int(run["rc"]), str(run["stdout"]),  # type: ignore[call-overload]
                                         str(run["stderr"]))
    return assert_clear_error(result, *needles)


@pytest.mark.usefixtures("namespaces")
def test_a_full_disk_keeps_the_old_site(template: Template, tmp_path: Path) -> None:
    site_bytes = sum(p.stat().st_size for p in template.root.rglob("*") if p.is_file())
    found = in_mount("full", template, tmp_path, tmpfs_bytes=4 * site_bytes + (8 << 20),
                     leave_bytes=template.new_bytes // 3)
    build, share, after = found["build"], found["share"], found["after"]
    assert_failed_cleanly(build, "No space left on device", "previous site is unchanged")
    assert build["output"] == template.old
    assert_failed_cleanly(share, "No space left on device")
    assert share["stdout"] == "" and share["content"] == build["content"]
    assert after["rc"] == 0, after["stderr"]
    assert after["output"] == template.new and after["leftovers"] == []


@pytest.mark.usefixtures("namespaces")
def test_a_read_only_output_keeps_the_old_site(template: Template, tmp_path: Path) -> None:
    found = in_mount("ro-output", template, tmp_path)
    build, after = found["build"], found["after"]
    assert_failed_cleanly(build, "output", "previous site is unchanged")
    assert build["output"] == template.old
    assert after["rc"] == 0, after["stderr"]
    assert after["output"] == template.new and after["leftovers"] == []


@pytest.mark.usefixtures("namespaces")
def test_a_read_only_site_keeps_everything(template: Template, tmp_path: Path) -> None:
    found = in_mount("ro-site", template, tmp_path)
    build, share, after = found["build"], found["share"], found["after"]
    assert_failed_cleanly(build, "Read-only file system")
    assert build["output"] == template.old
    assert_failed_cleanly(share, "Read-only file system")
    assert share["stdout"] == "" and share["content"] == build["content"]
    assert after["rc"] == 0, after["stderr"]
    assert after["output"] == template.new and after["leftovers"] == []


# --- a site this user may not write -------------------------------------------------------


@pytest.fixture
def unwritable(template: Template) -> Iterator[tuple[Path, list[str]]]:
    """A copy of the site this user cannot write, and the command prefix to run amber
    as that user: ``nobody`` when the tests run as root, the current user otherwise."""
    holder = Path(tempfile.mkdtemp(prefix="amber-unwritable-"))
    os.chmod(holder, 0o755)
    site = holder / "site"
    shutil.copytree(template.root, site, symlinks=True)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            shutil.rmtree(holder)
            pytest.skip("running as root, and setpriv(1) is missing to run as another user")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        probe = subprocess.run([*prefix, sys.executable, "-c", "import amber"],
                               capture_output=True, text=True, cwd=holder, check=False)
        if probe.returncode != 0:
            shutil.rmtree(holder)
            pytest.skip("running as root, and user nobody cannot read this Python or amber: "
                        f"{probe.stderr.strip()[-200:]}")
        for path in [site, *site.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    else:
        for path in [site, site / "output", site / "content", site / "content" / "shares"]:
            os.chmod(path, 0o555)
    try:
        yield site, prefix
    finally:
        for path in [site, *site.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o755)
        shutil.rmtree(holder)


def test_a_site_this_user_may_not_write_keeps_everything(
    unwritable: tuple[Path, list[str]], template: Template
) -> None:
    site, prefix = unwritable
    before = tree_digest(site / "content")
    build = run(site, "build", user=prefix)
    assert_clear_error(build, "Permission denied")
    assert tree_digest(site / "output") == template.old
    share = run(site, "share", CONVERSATION, "--yes", user=prefix)
    assert_clear_error(share, "Permission denied")
    assert share.stdout == "" and tree_digest(site / "content") == before
    assert leftovers(site) == []
