"""What the link-preview images cost: a cold build of N shares with them and without.

    python bench/bench_preview.py --count 1000 --workdir DIR

Writes (or reuses) ``DIR/n<count>-seed<seed>``: ``corpus.py``'s conversations, all
shared and listed. Then it runs two cold builds (``--no-cache``, one core), each in
a fresh interpreter: one as amber ships, which also totals the time spent drawing
cards, and one with the card drawing replaced by an empty file, which is what the
build costs without images. The figures go to ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from bench_scale import SHARE_BATCH, run_amber_allowing


def prepare(work: Path, count: int, seed: int) -> Path:
    """The shared corpus site of this size, made once and reused."""
    site = work / f"n{count}-seed{seed}"
    ready = site / "ready"
    if ready.is_file():
        return site
    shutil.rmtree(site, ignore_errors=True)
    paths = corpus.generate(site, count, seed)
    env = {**os.environ, "CI": "true"}
    slugs = [p.stem for p in paths]
    for start in range(0, len(slugs), SHARE_BATCH):
        run_amber_allowing(site, env, "share", "--listed", *slugs[start:start + SHARE_BATCH])
    ready.write_text("ok\n", encoding="utf-8")
    return site


def measure(site: str, images: bool) -> dict[str, float]:
    """One cold one-core build in this process; the CPU it took and that of the cards."""
    import amber.render.site as site_module
    from amber.build.pipeline import build

    drawn = {"seconds": 0.0, "cards": 0}
    draw = site_module.card_png

    def timed(card, style):  # type: ignore[no-untyped-def]
        started = time.process_time()
        data = draw(card, style) if images else b""
        drawn["seconds"] += time.process_time() - started
        drawn["cards"] += 1
        return data

    site_module.card_png = timed  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as out:
        started, wall = time.process_time(), time.perf_counter()
        build(Path(site), output=Path(out) / "output", jobs=1, use_cache=False)
        return {"cpu": time.process_time() - started, "wall": time.perf_counter() - wall,
                "cards_cpu": drawn["seconds"], "cards": drawn["cards"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--measure", choices=("with", "without"), help=argparse.SUPPRESS)
    parser.add_argument("--site", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.site, args.measure == "with")))
        return
    site = prepare(args.workdir, args.count, args.seed)
    results = {}
    for mode in ("without", "with"):
        done = subprocess.run(
            [sys.executable, __file__, "--workdir", str(args.workdir), "--measure", mode,
             "--site", str(site)], check=True, capture_output=True, text=True,
            env={**os.environ, "CI": "true"})
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    with_, without = results["with"], results["without"]
    print(f"{args.count} shares, cold build, one core (CPU seconds):")
    print(f"  without images {without['cpu']:.2f} s (wall {without['wall']:.2f} s)")
    print(f"  with images    {with_['cpu']:.2f} s (wall {with_['wall']:.2f} s)")
    print(f"  cards drawn    {with_['cards']}, {with_['cards_cpu']:.2f} s "
          f"({1000 * with_['cards_cpu'] / max(with_['cards'], 1):.1f} ms each)")
    print(f"  cost           {100 * (with_['cpu'] - without['cpu']) / without['cpu']:+.1f}% "
          f"of the build; cards alone {100 * with_['cards_cpu'] / with_['cpu']:.1f}% of it")


if __name__ == "__main__":
    main()
