"""Benchmark amber's share, build and check on the example site and generated corpora.

Every figure is the wall time of a separate ``python -m amber`` process with
``CI=true``, as a user or a CI job runs it: interpreter start, imports,
loading content/, the work itself, and writing files. Each step runs
``--runs`` times, round-robin (share, cold build, warm build, check, then
again), so a burst of noise on a shared machine spreads over all steps
instead of spoiling one; the table shows the median with min and max.

Peak memory is the child's own ``ru_maxrss``, read with ``os.wait4`` on that
one child. ``resource.getrusage(RUSAGE_CHILDREN)`` would report the largest
child seen so far, not this one; ``/usr/bin/time -v`` would add a process and
a parser for its output. wait4 gives the same number with neither.

Usage: ``python bench/bench_build.py [--counts 0,1000] [--runs 5] [--json]``.
Count 0 is the shipped example site (``content/`` of this repository); any
other count is a corpus from ``bench/corpus.py``. Run it with the Python that
has amber installed (the venv), since children are ``sys.executable -m amber``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import corpus

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_CONTENT = REPO / "content"
STEPS = ("share", "build (cold)", "build (warm)", "check")
WARMUP_CONVERSATIONS = 12
"""Enough to touch every code language once, so lexers are compiled before timing."""


class CommandFailed(Exception):
    """An amber command exited non-zero: the benchmark stops and says exactly how."""

    def __init__(self, cmd: list[str], code: int, stderr: str) -> None:
        self.cmd, self.code, self.stderr = cmd, code, stderr
        shown = " ".join(cmd if len(cmd) < 12 else [*cmd[:11], f"... ({len(cmd)} args)"])
        super().__init__(f"`{shown}` exited {code}:\n{stderr.rstrip()}")


@dataclass(frozen=True)
class Sample:
    """One run of one command."""

    wall_s: float
    cpu_s: float
    """User plus system CPU time of the child."""
    max_rss_mb: float


@dataclass
class StepResult:
    samples: list[Sample] = field(default_factory=list)

    def summary(self, per: int) -> dict[str, object]:
        walls = [s.wall_s for s in self.samples]
        median = statistics.median(walls)
        return {
            "runs": len(walls),
            "median_s": round(median, 3),
            "min_s": round(min(walls), 3),
            "max_s": round(max(walls), 3),
            "cpu_median_s": round(statistics.median(s.cpu_s for s in self.samples), 3),
            "peak_rss_mb": round(max(s.max_rss_mb for s in self.samples), 1),
            "per_item_ms": round(1000 * median / per, 2) if per else None,
            "wall_s": [round(w, 3) for w in walls],
        }


@dataclass
class SiteResult:
    label: str
    count: int
    conversations: int
    shares: int = 0
    """Active shares after sharing every conversation (the example may ship some)."""
    output_files: int = 0
    output_mb: float = 0.0
    stats: dict[str, object] = field(default_factory=dict)
    steps: dict[str, StepResult] = field(default_factory=lambda: {s: StepResult() for s in STEPS})
    error: str | None = None


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Run ``cmd`` to completion and return its wall time, CPU time and peak RSS."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read()[-4000:].decode("utf-8", errors="replace")
            raise CommandFailed(cmd, proc.returncode, tail)
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return Sample(wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024)


def amber(site: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "amber", "--site", str(site), *args]


def child_env(work: Path) -> dict[str, str]:
    """CI=true as in a pipeline; bytecode cached in the work dir, never in the repository.

    A user's amber has its .pyc files; without a cache every run would
    recompile the package (this environment may set PYTHONDONTWRITEBYTECODE).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["CI"] = "true"
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def conversation_slugs(site: Path) -> list[str]:
    folder = site / "content" / "conversations"
    return sorted(p.stem for p in folder.iterdir()
                  if p.suffix in (".yaml", ".yml", ".json") and not p.name.startswith("."))


def tree_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def make_site(count: int, folder: Path, seed: int) -> Path:
    """A pristine site: the example content, or a generated corpus; shares come later."""
    if count == 0:
        shutil.copytree(EXAMPLE_CONTENT, folder / "content",
                        ignore=shutil.ignore_patterns("__pycache__", ".*.tmp"))
    else:
        corpus.generate(folder, count, seed)
    return folder


def warm_up(work: Path, env: dict[str, str], seed: int) -> None:
    """Compile amber and its dependencies (every lexer the corpus uses) once, untimed."""
    site = make_site(WARMUP_CONVERSATIONS, work / "warmup", seed)
    run_measured(amber(site, "share", *conversation_slugs(site), "--yes"), site, env)
    run_measured(amber(site, "build"), site, env)
    run_measured(amber(site, "check"), site, env)
    shutil.rmtree(site)


def bench_site(count: int, runs: int, work: Path, env: dict[str, str], seed: int,
               log: bool) -> SiteResult:
    label = "example" if count == 0 else f"corpus-{count}"
    pristine = make_site(count, work / label / "pristine", seed)
    slugs = conversation_slugs(pristine)
    result = SiteResult(label, count, len(slugs))
    result.stats = corpus.site_stats(pristine / "content" / "conversations").as_dict()
    if not slugs:
        result.error = "no conversations to share"
        return result
    site = work / label / "site"

    def timed(step: str, cmd: list[str], cwd: Path, run: int) -> None:
        sample = run_measured(cmd, cwd, env)
        result.steps[step].samples.append(sample)
        if log:
            print(f"[{label}] run {run + 1}/{runs}  {step:<13} {sample.wall_s:8.2f} s  "
                  f"{sample.max_rss_mb:7.1f} MB", file=sys.stderr, flush=True)

    try:
        for run in range(runs):
            # (a) freeze every conversation, on a fresh copy each time
            fresh = work / label / f"share-{run}"
            shutil.copytree(pristine, fresh)
            timed("share", amber(fresh, "share", *slugs, "--yes"), fresh, run)
            if run == 0:
                fresh.rename(site)  # the shared site that build and check work on
                result.shares = len(list((site / "content" / "shares").glob("*.yaml")))
            else:
                shutil.rmtree(fresh)
            # (b) cold build: no output/ to replace
            shutil.rmtree(site / "output", ignore_errors=True)
            timed("build (cold)", amber(site, "build"), site, run)
            if run == 0:
                files, size = tree_size(site / "output")
                result.output_files, result.output_mb = files, round(size / 1e6, 1)
            # (c) warm build: output/ from the previous build is there
            timed("build (warm)", amber(site, "build"), site, run)
            # (d) check, what a pull request's CI runs
            timed("check", amber(site, "check"), site, run)
    except CommandFailed as exc:
        result.error = str(exc)
    return result


def machine() -> dict[str, object]:
    return {
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "amber_commit": _git("rev-parse", "--short", "HEAD"),
        "amber_tree_dirty": bool(_git("status", "--porcelain", "--", "generator", "themes")),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                             check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip()


def step_denominator(site: SiteResult, step: str) -> int:
    """Per-item cost: per conversation shared, per share page built or checked."""
    return site.conversations if step == "share" else site.shares


def report(sites: list[SiteResult], runs: int, info: dict[str, object]) -> dict[str, object]:
    return {
        "machine": info,
        "runs": runs,
        "sites": [{
            "label": s.label, "count": s.count, "conversations": s.conversations,
            "shares": s.shares, "output_files": s.output_files, "output_mb": s.output_mb,
            "corpus": s.stats, "error": s.error,
            "steps": {name: step.summary(step_denominator(s, name))
                      for name, step in s.steps.items() if step.samples},
            "samples": {name: [asdict(x) for x in step.samples]
                        for name, step in s.steps.items() if step.samples},
        } for s in sites],
    }


def format_table(data: dict[str, object]) -> str:
    info = data["machine"]
    assert isinstance(info, dict)
    lines = [
        f"amber benchmark: {data['runs']} run(s) per figure, one process per run, CI=true",
        f"{info['python']} on {info['platform']}, os.cpu_count() = {info['cpu_count']}, "
        f"amber {info['amber_commit']}{' (modified)' if info['amber_tree_dirty'] else ''}, "
        f"{info['date']}",
        "",
        f"{'site':<13}{'convs':>6}{'shares':>7}{'msgs/conv':>10}{'KB/conv':>9}{'code/conv':>10}"
        f"{'lines/block':>12}   output",
    ]
    sites = data["sites"]
    assert isinstance(sites, list)
    for s in sites:
        c = s["corpus"]
        lines.append(
            f"{s['label']:<13}{s['conversations']:>6}{s['shares']:>7}{c['avg_messages']:>10}"
            f"{c['avg_kb']:>9}{c['avg_code_blocks']:>10}{c['avg_lines_per_block']:>12}   "
            f"{s['output_files']} files, {s['output_mb']} MB")
    lines += ["", f"{'site':<13}{'step':<14}{'median':>9}{'min':>9}{'max':>9}{'CPU med':>9}"
                  f"{'peak RSS':>10}   per item"]
    for s in sites:
        for name, st in s["steps"].items():
            unit = "conversation" if name == "share" else "share page"
            per = f"{st['per_item_ms']:.1f} ms / {unit}" if st["per_item_ms"] is not None else ""
            lines.append(
                f"{s['label']:<13}{name:<14}{st['median_s']:>8.2f}s{st['min_s']:>8.2f}s"
                f"{st['max_s']:>8.2f}s{st['cpu_median_s']:>8.2f}s{st['peak_rss_mb']:>7.0f} MB"
                f"   {per}")
        if s["error"]:
            lines.append(f"{s['label']:<13}FAILED: {s['error']}")
    return "\n".join(lines)


def parse_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 0,1000, got {text!r}") from None
    if not counts or any(c < 0 for c in counts):
        raise argparse.ArgumentTypeError("counts must be >= 0 (0 = the example site)")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time `amber share`, `build` (cold and warm) and `check` on the example "
                    "site (count 0) and on generated corpora of N conversations.")
    parser.add_argument("--counts", type=parse_counts, default=[0, 1000],
                        help="comma-separated sizes; 0 is the example site (default 0,1000)")
    parser.add_argument("--runs", type=int, default=5, help="runs per step (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--save", type=Path, metavar="FILE",
                        help="also write the JSON report to FILE (for long runs)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary sites")
    parser.add_argument("--quiet", action="store_true", help="no per-run progress on stderr")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if importlib.util.find_spec("amber") is None:
        parser.error(f"{sys.executable} cannot import amber's `generator` package; run this "
                     "with the Python of the environment amber is installed in")

    info = machine()  # before the runs: the commit measured, not the one after
    work = Path(tempfile.mkdtemp(prefix="amber-bench-"))
    env = child_env(work)
    sites: list[SiteResult] = []
    try:
        try:
            warm_up(work, env, args.seed)
        except CommandFailed as exc:
            print(f"bench: warm-up failed: {exc}", file=sys.stderr)
            return 1
        for count in args.counts:
            sites.append(bench_site(count, args.runs, work, env, args.seed, not args.quiet))
    finally:
        if args.keep:
            print(f"bench: sites kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    data = report(sites, args.runs, info)
    if args.save:
        args.save.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data, indent=2) if args.json else format_table(data))
    return 1 if any(s.error for s in sites) else 0


if __name__ == "__main__":
    sys.exit(main())
