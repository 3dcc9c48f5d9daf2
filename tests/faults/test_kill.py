"""SIGKILL at many points of `build`, `share`, `revoke` and `update`: never a corrupt site.

Each command runs many times on copies of one site (40 shares of the example
conversations), killed with SIGKILL either just before its Nth file-system mutation
(every step between two writes can be hit exactly) or after a seeded random delay.
After each kill:

- ``output/`` is exactly the old site or exactly the new one (a digest of the whole
  tree against the two trees built beforehand), never a mix and never missing;
- every snapshot and ``revoked.yaml`` parses and verifies, and ``check`` passes;
  the only exception is a revocation killed between writing its tombstones and
  deleting its snapshots, which ``check`` refuses loudly (never a leak) and which
  the next command that writes finishes (``.amber-cache/revoking`` says so);
- the next command repairs what was left: hidden staging folders and temporary
  files are gone, the lock is free as soon as the killed command's processes have
  ended (a flock dies with them), and a follow-up build writes the new site.

The figures (kill points tried, corrupt states found) are printed: run
``pytest tests/faults/test_kill.py -s`` to see them.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from amber import cli
from amber.build.check import check_content
from amber.build.pipeline import build
from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares, revoke
from amber.content.snapshot import source_digest
from amber.lock import CACHE_DIR, JOURNAL_NAME, site_lock
from tests.helpers import EPOCH
from tests.helpers.cli import source_date
from tests.helpers.faults import crash_runs, make_site
from tests.helpers.trees import leftovers, tree_digest, visible_entries

COPIES = 5
"""Each of the 8 example conversations shared 5 times: 40 shares, 131 output files."""
SEED = 20260101
OP_POINTS = {"build": 8, "build-delta": 8, "share": 8, "revoke": 9, "update": 8}
"""At most this many kill-before-mutation points per command (all of them if fewer)."""
TIMED_POINTS = {"build": 5, "build-delta": 3, "share": 4, "revoke": 4, "update": 4}
STRUCTURAL = ("replace", "rename", "renameat2")
"""Mutations that swap a new file or a new site in: the steps either side of each one
are kill points first (so are deletions of snapshots)."""

LOCK_WAIT = 10.0
"""Seconds the next writer may wait for the processes of a killed command to end."""

pytestmark = pytest.mark.slow


@dataclass
class Sites:
    """Templates for each command, and the digests its outcome may have."""

    base: Path
    old_output: str
    new_output: str
    templates: dict[str, Path] = field(default_factory=dict)
    argv: dict[str, list[str]] = field(default_factory=dict)
    overlays: dict[str, Path] = field(default_factory=dict)
    """Commands run after a cached build of the template, on the overlay's content."""
    revoked: tuple[str, str] = ("", "")
    updated: str = ""
    updated_digest: str = ""
    old_share_bytes: bytes = b""
    share_ids: frozenset[str] = frozenset()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    base = tmp_path_factory.mktemp("kill")
    old = base / "old"
    ids = make_site(old, COPIES)
    with source_date(EPOCH):
        build(old, use_cache=False)
    old_digest = tree_digest(old / "output")
    assert old_digest is not None

    # The build test: content changed (one share added, one revoked), output/ still old.
    changed = base / "build"
    shutil.copytree(old, changed)
    content = load_content(SitePaths(changed))
    with source_date(EPOCH + 5000):
        create_shares(content, [content.conversations["how-git-stores-objects"]],
                      title="Added after the last build", author="Jane Doe", listed=True)
        revoke(load_content(SitePaths(changed)), [ids[0]])
    new_out = base / "new-output"
    with source_date(EPOCH):
        build(changed, output=new_out, use_cache=False)
    new_digest = tree_digest(new_out)
    assert new_digest is not None and new_digest != old_digest

    # The update test: a conversation that moved on since it was shared.
    stale = base / "update"
    shutil.copytree(old, stale)
    conv_file = stale / "content" / "conversations" / "first-release-checklist.yaml"
    with conv_file.open("a", encoding="utf-8") as fh:
        fh.write("  - role: user\n    content: One more question, asked after sharing.\n")
    content = load_content(SitePaths(stale))
    target = next(s for s in content.snapshots.values()
                  if s.source == "first-release-checklist")
    assert target.path is not None

    sites = Sites(base, old_digest, new_digest, share_ids=frozenset(ids),
                  revoked=(ids[1], ids[2]), updated=target.id,
                  updated_digest=source_digest(content.conversations[target.source]),
                  old_share_bytes=target.path.read_bytes())
    sites.templates = {"build": changed, "build-delta": old, "share": old, "revoke": old,
                       "update": stale}
    sites.overlays = {"build-delta": changed}
    sites.argv = {
        "build": ["build"],
        "build-delta": ["build"],
        "share": ["share", "savings-goal-calculator", "--listed", "--yes"],
        "revoke": ["revoke", *sites.revoked, "--yes"],
        "update": ["update", target.id, "--yes"],
    }
    return sites


def choose_op_points(ops: list[str], wanted: int, rng: random.Random) -> list[int]:
    """Kill before mutation N (1-based): the steps either side of every rename (how a
    file or the whole site is swapped in) and of every snapshot deletion, the first and
    the last mutation, then random others up to ``wanted``."""
    total = len(ops)
    if total <= wanted:
        return list(range(1, total + 1))
    key: set[int] = {1, total}
    for number, op in enumerate(ops, start=1):
        kind = op.split(" ", 1)[0]
        if kind in STRUCTURAL or (kind == "unlink" and "/content/shares/" in op):
            key.update(n for n in (number - 1, number, number + 1) if 1 <= n <= total)
    swaps = {n for number, op in enumerate(ops, start=1) if op.startswith(("renameat2 ",
                                                                         "rename "))
             for n in (number - 1, number, number + 1) if 1 <= n <= total}
    if len(key) > wanted:  # keep the swaps of whole folders, sample the rest
        key = swaps | set(rng.sample(sorted(key - swaps), max(0, wanted - len(swaps))))
    rest = [n for n in range(1, total + 1) if n not in key]
    extra = rng.sample(rest, max(0, min(len(rest), wanted - len(key))))
    return sorted(key | set(extra))


def timed_points(seconds: float, count: int, rng: random.Random) -> list[float]:
    """One random delay in each of ``count`` equal slices of the command's run time."""
    span = seconds * 1.1
    return [round(span * (slot + rng.random()) / count, 4) for slot in range(count)]


@dataclass
class Tally:
    tried: int = 0
    finished_first: int = 0
    corrupt: list[str] = field(default_factory=list)
    checked: dict[str, bool] = field(default_factory=dict)
    """Content-tree digest -> whether `check` passed on it (states repeat a lot)."""


def check_passes(root: Path, tally: Tally) -> list[str]:
    key = tree_digest(root / "content") or ""
    if key not in tally.checked:
        report = check_content(load_content(SitePaths(root)))
        tally.checked[key] = report.ok
        if not report.ok:
            return [f"check: {p}" for p in report.problems]
    return [] if tally.checked[key] else ["check fails (same state as an earlier run)"]


def after_kill(command: str, root: Path, sites: Sites, tally: Tally) -> list[str]:
    """What is wrong with the site a killed ``command`` left (empty: nothing)."""
    wrong: list[str] = []
    paths = SitePaths(root)
    output = tree_digest(paths.output)
    expected_outputs = ({sites.old_output, sites.new_output} if command.startswith("build")
                        else {sites.old_output})
    if output not in expected_outputs:
        wrong.append("output/ is neither the old site nor the new one"
                     if output is not None else "output/ is missing")
    content = load_content(paths)
    journal = root / CACHE_DIR / JOURNAL_NAME
    for problem in content.problems:
        pending = (command == "revoke" and journal.exists()
                   and any(i in str(problem.path) for i in sites.revoked)
                   and "was revoked" in problem.message)
        if not pending:
            wrong.append(f"after the kill: {problem}")
    # Whoever writes next repairs the rest. The lock is free once every process of the
    # killed command has ended (render workers it forked hold it until they exit).
    try:
        with site_lock(root, timeout=LOCK_WAIT):
            pass
    except Exception as exc:  # a stale lock is a finding, not a crash
        return [*wrong, f"the next writer could not take the lock: {exc}"]
    content = load_content(paths)
    wrong.extend(f"after recovery: {p}" for p in content.problems)
    if leftovers(root):
        wrong.append(f"debris the next writer did not remove: {leftovers(root)}")
    if visible_entries(root) != ["content", "output"]:
        wrong.append(f"the site folder holds {visible_entries(root)}")
    snaps = content.snapshots
    if command == "share":
        added = set(snaps) - sites.share_ids
        if not sites.share_ids <= set(snaps) or len(added) > 1:
            wrong.append(f"shares lost or too many made: {len(snaps)}")
    elif command == "revoke":
        gone = [i for i in sites.revoked if i in content.revoked_ids]
        if gone and len(gone) != len(sites.revoked):
            wrong.append("one tombstone written without the other")
        for share_id in sites.revoked:
            if (share_id in content.revoked_ids) == (share_id in snaps):
                wrong.append(f"share {share_id} is both revoked and present, or neither")
    elif command == "update":
        snap = snaps.get(sites.updated)
        path = paths.share_file(sites.updated)
        if snap is None:
            wrong.append("the updated share is gone")
        elif (path.read_bytes() != sites.old_share_bytes
              and snap.source_digest != sites.updated_digest):
            wrong.append("the share file is neither the old snapshot nor the new one")
    if not wrong:
        wrong.extend(check_passes(root, tally))
    return wrong


def follow_up_build(root: Path, sites: Sites, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A successful build after a killed one: the new site, nothing left beside it."""
    monkeypatch.setenv("AMBER_LOCK_TIMEOUT", str(LOCK_WAIT))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    code = cli.main(["--site", str(root), "build"])
    wrong = [] if code == 0 else [f"the follow-up build failed ({code})"]
    if tree_digest(root / "output") != sites.new_output:
        wrong.append("the follow-up build did not write the new site")
    if leftovers(root):
        wrong.append(f"the follow-up build left {leftovers(root)}")
    return wrong


def run_command(command: str, sites: Sites, tally: Tally, rng: random.Random,
                extra: Callable[[Path], list[str]] | None = None) -> None:
    template = sites.templates[command]
    argv = sites.argv[command]
    work = sites.base / f"runs-{command}"
    overlay = sites.overlays.get(command)
    [count] = crash_runs(template, work / "count", argv, "count", overlay=overlay)
    assert count["rc"] == 0 and count["ops"], (
        f"{command} did not run through: {(work / 'count' / 'count.log')}")
    # The run without a kill gives the expected end state too.
    finished = Path(str(count["dir"]))
    assert after_kill(command, finished, sites, tally) == []
    ops = [str(op) for op in count["ops"]]  # type: ignore[union-attr]
    plans = [("ops", [float(n) for n in choose_op_points(ops, OP_POINTS[command], rng)]),
             ("timed", timed_points(float(count["seconds"]), TIMED_POINTS[command], rng))]
    for mode, points in plans:
        for run in crash_runs(template, work / mode, argv, mode, points, overlay=overlay):
            root = Path(str(run["dir"]))
            if run["hung"]:
                tally.corrupt.append(f"{command} hung: {Path(str(run['log'])).read_text()}")
                continue
            if not run["killed"]:
                tally.finished_first += 1
                assert run["rc"] == 0, Path(str(run["log"])).read_text()
            tally.tried += 1
            wrong = after_kill(command, root, sites, tally)
            if extra is not None and not wrong:
                wrong = extra(root)
            for line in wrong:
                where = (f"{command} killed before mutation {int(run['point'])} "  # type: ignore[call-overload]
                         f"({ops[int(run['point']) - 1]})" if mode == "ops"  # type: ignore[call-overload]
                         else f"{command} killed after {run['point']} s")
                tally.corrupt.append(f"{where}: {line}")


def report(command: str, tally: Tally) -> None:
    print(f"\nkill points ({command}): {tally.tried} tried, {tally.finished_first} of them "
          f"finished before the signal; corrupt states found: {len(tally.corrupt)}")


def test_killed_build_leaves_the_old_site_or_the_new_one(
    sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    tally = Tally()
    run_command("build", sites, tally, random.Random(SEED),
                extra=lambda root: follow_up_build(root, sites, monkeypatch))
    report("build", tally)
    assert tally.tried >= OP_POINTS["build"] + TIMED_POINTS["build"] - 2
    assert tally.corrupt == []


def test_killed_delta_build_leaves_the_old_site_or_the_new_one(
    sites: Sites, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, for the build after a cached one that sees only a share added and one
    revoked: the route most builds take (``amber.build.delta``)."""
    tally = Tally()
    run_command("build-delta", sites, tally, random.Random(f"{SEED}-delta"),
                extra=lambda root: follow_up_build(root, sites, monkeypatch))
    report("build-delta", tally)
    assert tally.tried >= OP_POINTS["build-delta"] + TIMED_POINTS["build-delta"] - 2
    assert tally.corrupt == []


@pytest.mark.parametrize("command", ["share", "revoke", "update"])
def test_killed_share_revoke_update_leave_whole_files(sites: Sites, command: str) -> None:
    tally = Tally()
    run_command(command, sites, tally, random.Random(f"{SEED}-{command}"))
    report(command, tally)
    assert tally.tried >= 8
    assert tally.corrupt == []
