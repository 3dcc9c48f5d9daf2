"""Two installs of amber side by side on one generated site: did a change make builds slower?

A refactor must not cost speed, and two figures measured on a shared machine at
different times say little. So this script times both installs in the same
rounds, alternating which goes first, on identical copies of one site of N
listed shares (``bench_scale.prepare_site``): a cold build (``output/`` and
``.amber-cache/`` deleted), a no-op rebuild, and a rebuild after one new share
(the share is then removed and the site rebuilt, untimed). It prints the median
of each step for each install and the ratio new / old.

Usage: ``python bench/bench_compare.py --old OLD_AMBER [--new NEW_AMBER]
[--count 1000] [--runs 3] [--workdir DIR]``, where each install is the path of
its ``amber`` console script (``NEW_AMBER`` defaults to the one beside this
Python). Run it with the Python that has the new amber installed: the site is
generated with it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_build import Sample, child_env
from bench_scale import CommandFailed, measure, prepare_site, run_quiet

STEPS = ("cold", "noop", "new")


class Install:
    """One amber, with its own copy of the site."""

    def __init__(self, name: str, script: Path, site: Path) -> None:
        self.name, self.script, self.site = name, script, site
        self.samples: dict[str, list[Sample]] = {step: [] for step in STEPS}

    def command(self, *args: str) -> list[str]:
        return [str(self.script), "--site", str(self.site), *args]

    def round(self, spare: str, env: dict[str, str], log: Callable[[str], None]) -> None:
        for name in ("output", ".amber-cache"):
            shutil.rmtree(self.site / name, ignore_errors=True)
        self.timed("cold", env, log)
        self.timed("noop", env, log)
        shares = self.site / "content" / "shares"
        before = set(shares.iterdir())
        share = [*self.command("share", spare, "--listed", "--yes"), "--allow-sensitive"]
        run_quiet(share, self.site, env)
        made = set(shares.iterdir()) - before
        if len(made) != 1:
            raise SystemExit(f"{self.name}: `amber share` made {len(made)} files, expected 1")
        self.timed("new", env, log)
        for path in made:
            path.unlink()
        run_quiet(self.command("build"), self.site, env)

    def timed(self, step: str, env: dict[str, str], log: Callable[[str], None]) -> None:
        sample, _ = measure(self.command("build"), self.site, env)
        self.samples[step].append(sample)
        log(f"{self.name:>3} {step:<5} {sample.wall_s:7.2f} s  CPU {sample.cpu_s:7.2f} s  "
            f"{sample.max_rss_mb:6.0f} MB")


def table(old: Install, new: Install, count: int, runs: int) -> str:
    lines = [f"amber, old and new installs in the same {runs} round(s), {count:,} listed "
             "shares (medians of wall time; CPU and peak memory of the same runs)", "",
             "| step | old | new | new / old | old CPU | new CPU | old peak | new peak |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for step in STEPS:
        o, n = old.samples[step], new.samples[step]
        ow, nw = (statistics.median(s.wall_s for s in xs) for xs in (o, n))
        oc, nc = (statistics.median(s.cpu_s for s in xs) for xs in (o, n))
        om, nm = (max(s.max_rss_mb for s in xs) for xs in (o, n))
        lines.append(f"| {step} | {ow:.2f} s | {nw:.2f} s | {nw / ow:.2f}x | {oc:.2f} s | "
                     f"{nc:.2f} s | {om:.0f} MB | {nm:.0f} MB |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True, metavar="AMBER",
                        help="the `amber` script of the install to compare against")
    parser.add_argument("--new", type=Path, default=Path(sys.executable).parent / "amber",
                        metavar="AMBER", help="the `amber` script of the install under test "
                        "(default: the one beside this Python)")
    parser.add_argument("--count", type=int, default=1000, help="listed shares (default 1000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--workdir", type=Path, metavar="DIR",
                        help="keep the generated site here between runs (default: a temporary "
                        "folder)")
    parser.add_argument("--save", type=Path, metavar="FILE", help="also write the samples as JSON")
    args = parser.parse_args(argv)
    for script in (args.old, args.new):
        if not script.is_file():
            parser.error(f"{script}: no such amber script")

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="amber-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    env = child_env(work)
    site = prepare_site(work, args.count, args.seed, env, log)
    installs = []
    for name, script in (("old", args.old), ("new", args.new)):
        copy = work / f"compare-{name}"
        shutil.rmtree(copy, ignore_errors=True)
        # Without the site's copy of the theme: each install renders with its own default.
        shutil.copytree(site.root, copy, symlinks=True,
                        ignore=shutil.ignore_patterns("output", ".amber-cache", "themes"))
        installs.append(Install(name, script.absolute(), copy))
    try:
        for number in range(args.runs):
            order = installs if number % 2 == 0 else installs[::-1]
            for install in order:
                install.round(site.spare, env, log)
    except CommandFailed as exc:
        log(str(exc))
        return 1
    print(table(installs[0], installs[1], args.count, args.runs))
    if args.save:
        data = {i.name: {step: [vars(s) for s in samples] for step, samples in i.samples.items()}
                for i in installs}
        args.save.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
