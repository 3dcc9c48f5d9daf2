"""What encryption costs: the build of N encrypted shares against N plain ones, and
opening a long encrypted share in Chromium against its plain twin.

Build: two copies of one generated site (``corpus``), every conversation shared
unlisted, plain in one copy (``--no-encrypt``) and encrypted in the other
(``--encrypt``). Each round builds both cold (``output/`` and ``.amber-cache/``
deleted), alternating which goes first; the table gives medians and the ratio.

Browser: one conversation of M messages (corpus messages strung together), shared
plain and encrypted from one frozen moment, served on 127.0.0.1 and opened in
Debian's Chromium (never a downloaded browser). It times, from navigation start,
when the conversation is on screen: ``DOMContentLoaded`` for the plain page, the
moment ``.conversation`` exists for the encrypted one; and the bytes transferred.

Usage: ``python bench/bench_encrypted.py [--count 1000] [--runs 3] [--messages 200]
[--opens 5] [--workdir DIR] [--json]``.
"""

from __future__ import annotations

import argparse
import http.server
import json
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import corpus
import yaml
from bench_build import Sample, amber, child_env
from bench_scale import measure, run_amber_allowing

CHROMIUM = Path("/usr/bin/chromium")
SHARE_BATCH = 200


def make_pair(work: Path, count: int, seed: int, env: dict[str, str],
              log: Callable[[str], None]) -> dict[str, Path]:
    """Two copies of one generated site: every conversation shared, plain or encrypted."""
    source = work / "source"
    shutil.rmtree(work, ignore_errors=True)
    paths = corpus.generate(source, count, seed)
    slugs = [p.stem for p in paths]
    sites = {}
    for kind, flag in (("plain", "--no-encrypt"), ("encrypted", "--encrypt")):
        site = work / kind
        shutil.copytree(source, site)
        for start in range(0, len(slugs), SHARE_BATCH):
            run_amber_allowing(site, env, "share", flag, *slugs[start:start + SHARE_BATCH])
        log(f"{kind}: {count} shares")
        sites[kind] = site
    return sites


def cold_builds(sites: dict[str, Path], runs: int, env: dict[str, str],
                log: Callable[[str], None]) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {kind: [] for kind in sites}
    order = list(sites)
    for number in range(runs):
        for kind in order if number % 2 == 0 else reversed(order):
            site = sites[kind]
            for name in ("output", ".amber-cache"):
                shutil.rmtree(site / name, ignore_errors=True)
            sample, _ = measure(amber(site, "build"), site, env)
            samples[kind].append(sample)
            log(f"round {number + 1} {kind}: {sample.wall_s:.2f} s wall, {sample.cpu_s:.2f} s CPU")
    return samples


def long_conversation(messages: int, seed: int) -> dict[str, object]:
    """One conversation of ``messages`` messages, strung from corpus conversations."""
    out: list[dict[str, object]] = []
    index = 0
    while len(out) < messages:
        conv = corpus.make_conversation(seed, index, 4)
        taken = [{"role": m.role, "content": m.content} for m in conv.messages
                 if m.role in ("user", "assistant")]
        out += taken[: messages - len(out)]
        index += 1
    return {"title": f"A conversation of {messages} messages", "messages": out}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    handler = partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def open_in_chromium(work: Path, messages: int, opens: int, seed: int, env: dict[str, str],
                     log: Callable[[str], None]) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    site = work / "long"
    shutil.rmtree(site, ignore_errors=True)
    corpus.generate(site, 0, seed)
    (site / "content" / "conversations" / "long.yaml").write_text(
        yaml.safe_dump(long_conversation(messages, seed), allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    urls = {}
    for kind, flag in (("plain", "--no-encrypt"), ("encrypted", "--encrypt")):
        printed = run_amber_allowing(site, env, "share", "long", flag).strip()
        urls[kind] = printed.split("/share/", 1)[1]
    with serving(site / "output") as origin:
        measure(amber(site, "build", "--base-url", origin), site, env)
        pages = {kind: site / "output" / "share" / path.split("/")[0] / "index.html"
                 for kind, path in urls.items()}
        times: dict[str, list[float]] = {kind: [] for kind in urls}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            for number in range(opens):
                for kind in urls:
                    context = browser.new_context()
                    page = context.new_page()
                    page.goto(f"{origin}share/{urls[kind]}", wait_until="domcontentloaded")
                    page.wait_for_selector(".conversation", timeout=60_000)
                    shown = page.evaluate(
                        "() => performance.now()" if kind == "encrypted" else
                        "() => performance.getEntriesByType('navigation')[0]"
                        ".domContentLoadedEventEnd")
                    count = page.eval_on_selector_all("article.message", "m => m.length")
                    if count != messages:
                        raise SystemExit(f"{kind}: {count} messages on the page, not {messages}")
                    times[kind].append(shown)
                    context.close()
                log(f"open {number + 1}: plain {times['plain'][-1]:.0f} ms, "
                    f"encrypted {times['encrypted'][-1]:.0f} ms")
            browser.close()
    plain_bytes = sum(p.stat().st_size for p in pages["plain"].parent.iterdir())
    return {
        "messages": messages, "opens": opens,
        "plain_ms": statistics.median(times["plain"]),
        "encrypted_ms": statistics.median(times["encrypted"]),
        "plain_page_and_downloads_bytes": plain_bytes,
        "encrypted_page_bytes": pages["encrypted"].stat().st_size,
    }


def report(builds: dict[str, list[Sample]], count: int, browser: dict[str, object] | None
           ) -> dict[str, object]:
    out: dict[str, object] = {"count": count}
    for kind, samples in builds.items():
        out[kind] = {"wall_s": statistics.median(s.wall_s for s in samples),
                     "cpu_s": statistics.median(s.cpu_s for s in samples),
                     "peak_mb": max(s.max_rss_mb for s in samples), "runs": len(samples)}
    plain, sealed = out["plain"], out["encrypted"]
    out["ratio_wall"] = sealed["wall_s"] / plain["wall_s"]  # type: ignore[index]
    out["ratio_cpu"] = sealed["cpu_s"] / plain["cpu_s"]  # type: ignore[index]
    if browser is not None:
        out["browser"] = browser
    return out


def format_report(data: dict[str, object]) -> str:
    lines = [f"cold build of {data['count']} unlisted shares (medians)",
             "| | wall | CPU | peak |", "|---|---:|---:|---:|"]
    for kind in ("plain", "encrypted"):
        row = data[kind]
        lines.append(f"| {kind} | {row['wall_s']:.2f} s | {row['cpu_s']:.2f} s | "  # type: ignore[index]
                     f"{row['peak_mb']:.0f} MB |")  # type: ignore[index]
    lines.append(f"encrypted / plain: wall {data['ratio_wall']:.2f}x, "
                 f"CPU {data['ratio_cpu']:.2f}x")
    browser = data.get("browser")
    if isinstance(browser, dict):
        lines += [
            "",
            f"opening a {browser['messages']}-message share in Chromium "
            f"(median of {browser['opens']})",
            f"plain: {browser['plain_ms']:.0f} ms to DOMContentLoaded, "
            f"{browser['plain_page_and_downloads_bytes'] / 1000:.0f} kB page + downloads",
            f"encrypted: {browser['encrypted_ms']:.0f} ms until the conversation is shown, "
            f"{browser['encrypted_page_bytes'] / 1000:.0f} kB page (downloads inside)",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--opens", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="amber-bench-encrypted-"))
    env = child_env(work)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    sites = make_pair(work / "pair", args.count, args.seed, env, log)
    builds = cold_builds(sites, args.runs, env, log)
    browser = None
    if not args.no_browser:
        browser = open_in_chromium(work, args.messages, args.opens, args.seed, env, log)
    data = report(builds, args.count, browser)
    print(json.dumps(data, indent=2) if args.json else format_report(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
