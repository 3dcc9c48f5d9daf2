"""Benchmark the preview server (``amber serve``) on a site of many shares.

Everything runs against a real ``python -m amber serve`` process on an ephemeral
port of 127.0.0.1, as a user runs it, and measures what a user waits for:

1. **save -> reloaded draft**: a conversation file is rewritten; the time until the
   server's live-reload stream says ``reload`` and the draft page, fetched again as the
   browser would, shows the change.
2. **share -> page served**: a new share file is written exactly as ``amber share``
   writes it (freeze, serialise, atomic write); the time until the new page answers 200.
   One real ``amber share`` run is timed too, to show what the command itself costs.
3. **a share page under a rebuild loop**: client processes request share pages over
   keep-alive connections while the main process keeps rewriting one share (so the
   server keeps rebuilding); requests per second, latency, and every 5xx or torn page
   (a body that is not exactly one of the page's complete versions) is counted.

Usage: ``python bench/bench_serve.py [--count 1000] [--site DIR] [--runs 20]
[--duration 20] [--clients 3] [--json] [--save FILE] [--keep]``. Without ``--site`` it
writes a corpus with ``bench/corpus.py`` and shares every conversation with
``amber share ... --yes``; with ``--site`` it works on a copy of that site (with its
shares). Run it with the Python that has amber installed.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import multiprocessing
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import corpus

EPOCH_ATTR = re.compile(rb' data-amber-epoch="[^"]*"')
TITLE_LINE = re.compile(r"^title: .*$", re.MULTILINE)


# --- the server process ------------------------------------------------------------------


def child_env(work: Path) -> dict[str, str]:
    """CI=true (no progress bars); bytecode cached in the work folder, not the repository."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"CI": "true", "PYTHONPYCACHEPREFIX": str(work / "pycache"),
                "PYTHONUNBUFFERED": "1"})
    return env


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int
    base_path: str
    stderr: list[str] = field(default_factory=list)

    def peak_rss_mb(self) -> float | None:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
        return round(int(match.group(1)) / 1024, 1) if match else None

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_server(site: Path, env: dict[str, str], timeout: float) -> tuple[Server, float]:
    """Start ``amber serve --port 0`` and wait until its first build is served."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "amber", "--site", str(site), "serve", "--port", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, start_new_session=True,
    )
    assert process.stdout is not None and process.stderr is not None
    url = process.stdout.readline().strip()
    match = re.match(r"http://127\.0\.0\.1:(\d+)(/.*)$", url)
    if not match:
        process.kill()
        raise SystemExit(f"bench_serve: the server printed {url!r}:\n{process.stderr.read()}")
    server = Server(process, int(match.group(1)), match.group(2))

    def pump() -> None:
        for line in process.stderr:  # type: ignore[union-attr]
            server.stderr.append(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not any(line.startswith("Watching") for line in server.stderr):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise SystemExit("bench_serve: the server did not start:\n"
                             + "\n".join(server.stderr[-20:]))
        time.sleep(0.05)
    return server, time.perf_counter() - started


class Client:
    """One keep-alive HTTP/1.1 connection, reopened when the server closes it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request("GET", path)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def normalise(body: bytes) -> bytes:
    """A page without its build epoch (the only byte that changes with every rebuild)."""
    return EPOCH_ATTR.sub(b"", body)


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"n": len(ordered), "median": round(statistics.median(ordered), 1),
            "p90": round(at(0.9), 1), "min": round(ordered[0], 1), "max": round(ordered[-1], 1)}


# --- 1. save -> reloaded draft ------------------------------------------------------------


class EventStream:
    """The live-reload stream a page opens, read as the page's script reads it."""

    def __init__(self, port: int, epoch: bytes) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.sock.sendall(b"GET /_amber/events?epoch=" + epoch + b" HTTP/1.1\r\n"
                          b"Host: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.data = b""
        self.read_until(b"retry:")

    def read_until(self, needle: bytes) -> bytes:
        """Everything received so far once ``needle`` is in it."""
        while needle not in self.data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise SystemExit("bench_serve: the event stream closed early")
            self.data += chunk
        return self.data

    def close(self) -> None:
        self.sock.close()


def bench_drafts(server: Server, site: Path, runs: int) -> dict[str, object]:
    client = Client(server.port)
    folder = site / "content" / "conversations"
    slugs = sorted(p.stem for p in folder.glob("*.yaml"))
    event_ms, served_ms = [], []
    for run in range(runs):
        slug = slugs[(run * 37) % len(slugs)]
        path = folder / f"{slug}.yaml"
        status, page = client.get(f"/_preview/{slug}/")
        assert status == 200, (status, slug)
        epoch = re.search(rb'data-amber-epoch="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        marker = f"bench-edit-{run}-{os.getpid()}"
        text = TITLE_LINE.sub(f"title: {marker}", path.read_text("utf-8"), count=1)
        events = EventStream(server.port, epoch)
        try:
            start = time.perf_counter()
            path.write_text(text, "utf-8")  # what an editor's save does
            events.read_until(b"event: reload")
            reloaded = time.perf_counter()
        finally:
            events.close()
        for _ in range(100):
            status, page = client.get(f"/_preview/{slug}/")  # the browser's reload
            if marker.encode() in page:
                break
        else:
            raise SystemExit(f"bench_serve: the draft of {slug} never showed the edit")
        done = time.perf_counter()
        event_ms.append(1000 * (reloaded - start))
        served_ms.append(1000 * (done - start))
        time.sleep(0.2)
    return {"reload_event_ms": percentiles(event_ms), "reloaded_draft_ms": percentiles(served_ms)}


# --- 2. share -> page served -----------------------------------------------------------------


def current_epoch(client: Client, path: str) -> bytes:
    """The build epoch a page of the server carries right now."""
    _, page = client.get(path)
    return re.search(rb'data-amber-epoch="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def served_after_reloads(client: Client, port: int, epoch: bytes, path: str,
                         timeout: float = 120) -> float:
    """Wait as an open page does: for each reload event, fetch ``path`` again, until it
    answers 200; returns when it did. No polling, so no load of the benchmark's own."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = EventStream(port, epoch)
        try:
            data = events.read_until(b"event: reload")
        finally:
            events.close()
        status, _ = client.get(path)
        if status == 200:
            return time.perf_counter()
        epoch = re.search(rb"event: reload\ndata: (\S+)", data).group(1)  # type: ignore[union-attr]
    raise SystemExit(f"bench_serve: {path} was never served")


def write_share(site: Path, slug: str) -> tuple[str, float]:
    """Freeze one conversation and write its share file as `amber share` does; returns the
    new ID and the time the write started."""
    from amber.atomic import write_atomic
    from amber.content.ids import new_share_id
    from amber.content.load import SitePaths
    from amber.content.nodes import parse_file
    from amber.content.schema import read_conversation
    from amber.content.shares import now_utc
    from amber.content.snapshot import freeze, serialise_snapshot

    paths = SitePaths(site)
    source = paths.conversations / f"{slug}.yaml"
    conv, problems = read_conversation(parse_file(source), source, slug)
    if conv is None:
        raise SystemExit(f"bench_serve: {source}: {problems[0]}")
    taken = {p.stem for p in paths.shares.glob("*.yaml")}
    share_id = new_share_id(taken)
    data = serialise_snapshot(freeze(conv, share_id, title=None, author=None, listed=False,
                                     frozen=now_utc()))
    start = time.perf_counter()
    write_atomic(paths.share_file(share_id), data)
    return share_id, start


def wait_served(client: Client, path: str, timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _ = client.get(path)
        if status == 200:
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit(f"bench_serve: {path} was never served")


def bench_shares(server: Server, site: Path, runs: int, cli_runs: int,
                 env: dict[str, str]) -> dict[str, object]:
    client = Client(server.port)
    slugs = sorted(p.stem for p in (site / "content" / "conversations").glob("*.yaml"))
    served_ms = []
    for run in range(runs):
        epoch = current_epoch(client, server.base_path)
        share_id, start = write_share(site, slugs[(run * 53 + 11) % len(slugs)])
        served = served_after_reloads(client, server.port, epoch,
                                      f"{server.base_path}share/{share_id}/")
        served_ms.append(1000 * (served - start))
        time.sleep(0.2)
    cli = []
    for run in range(cli_runs):
        start = time.perf_counter()
        result = share_all(site, [slugs[(run * 71 + 5) % len(slugs)]], env)
        exited = time.perf_counter()
        share_id = result.stdout.strip().rstrip("/").rsplit("/", 1)[1]
        served = wait_served(client, f"{server.base_path}share/{share_id}/")
        cli.append({"command_s": round(exited - start, 2),
                    "exit_to_served_ms": round(1000 * (served - exited), 1)})
    return {"written_to_served_ms": percentiles(served_ms), "cli": cli}


# --- 3. requests/second under a rebuild loop ---------------------------------------------------


def client_process(port: int, paths: list[str], known: dict[str, list[str]], seconds: float,
                   start: object, queue: object) -> None:
    """Request ``paths`` in turn for ``seconds`` once every client is ready; count 5xx and
    torn pages (a 200 whose body is not one of the page's complete versions)."""
    client = Client(port)
    client.get(paths[0])  # connected before the clock starts
    counts = {"requests": 0, "server_errors": 0, "torn": 0, "other_status": 0, "failures": 0}
    latencies = []
    start.wait()  # type: ignore[attr-defined]
    end = time.perf_counter() + seconds
    number = 0
    while time.perf_counter() < end:
        path = paths[number % len(paths)]
        number += 1
        began = time.perf_counter()
        try:
            status, body = client.get(path)
        except (OSError, http.client.HTTPException):
            counts["failures"] += 1
            continue
        latencies.append(1000 * (time.perf_counter() - began))
        counts["requests"] += 1
        if status >= 500:
            counts["server_errors"] += 1
        elif status != 200:
            counts["other_status"] += 1
        elif hashlib.sha256(normalise(body)).hexdigest() not in known[path]:
            counts["torn"] += 1
    queue.put({"counts": counts, "latencies": latencies})  # type: ignore[attr-defined]


def set_title(path: Path, title: str) -> None:
    path.write_text(TITLE_LINE.sub(f"title: {title}", path.read_text("utf-8"), count=1), "utf-8")


def wait_for_title(client: Client, path: str, title: str, timeout: float = 120) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, body = client.get(path)
        if status == 200 and f"<h1 class=\"share-title\">{title}</h1>".encode() in body:
            return body
        time.sleep(0.005)
    raise SystemExit(f"bench_serve: {path} never showed the title {title!r}")


def run_clients(server: Server, paths: list[str], known: dict[str, list[str]],
                seconds: float, clients: int, during: Callable[[float], int] | None
                ) -> dict[str, object]:
    """``clients`` processes request ``paths`` for ``seconds``; meanwhile ``during(end)``
    runs here (the rebuild loop) and returns how many rebuilds it made."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    start = context.Barrier(clients + 1)
    workers = [context.Process(target=client_process,
                               args=(server.port, paths, known, seconds, start, queue))
               for _ in range(clients)]
    for worker in workers:
        worker.start()
    start.wait(timeout=120)
    end = time.perf_counter() + seconds
    rebuilds = during(end) if during is not None else 0
    results = [queue.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    totals: dict[str, int] = {}
    latencies: list[float] = []
    for result in results:
        for key, value in result["counts"].items():
            totals[key] = totals.get(key, 0) + value
        latencies.extend(result["latencies"])
    ordered = sorted(latencies)
    return {
        "seconds": seconds, "clients": clients, "rebuilds": rebuilds,
        "requests_per_second": round(totals["requests"] / seconds, 1),
        "latency_ms": percentiles(latencies) | {
            "p99": round(ordered[int(0.99 * len(ordered))], 1) if ordered else 0},
        **totals,
    }


def bench_rebuild_loop(server: Server, site: Path, seconds: float, baseline: float,
                       clients: int) -> dict[str, object]:
    shares = sorted((site / "content" / "shares").glob("*.yaml"))
    moving, steady = shares[0], shares[len(shares) // 2]
    moving_path = f"{server.base_path}share/{moving.stem}/"
    steady_path = f"{server.base_path}share/{steady.stem}/"
    client = Client(server.port)
    titles = ("Bench title A", "Bench title B")
    versions = []
    for title in titles:
        set_title(moving, title)
        versions.append(hashlib.sha256(normalise(wait_for_title(client, moving_path, title)))
                        .hexdigest())
    steady_version = hashlib.sha256(normalise(client.get(steady_path)[1])).hexdigest()
    known = {moving_path: versions, steady_path: [steady_version]}
    paths = [moving_path, steady_path]
    rebuild_ms: list[float] = []

    def rebuild_loop(end: float) -> int:
        """Flip the moving share's title, wait until it is served, again and again."""
        flip = 0
        while time.perf_counter() < end:
            flip += 1
            title = titles[flip % 2]
            began = time.perf_counter()
            set_title(moving, title)
            wait_for_title(client, moving_path, title)
            rebuild_ms.append(1000 * (time.perf_counter() - began))
        return flip

    idle = run_clients(server, paths, known, baseline, clients, None) if baseline else None
    loaded = run_clients(server, paths, known, seconds, clients, rebuild_loop)
    return {"idle": idle, "during_rebuilds": loaded, "rebuild_ms": percentiles(rebuild_ms)}


# --- the site --------------------------------------------------------------------------------


def prepare_site(args: argparse.Namespace, work: Path, env: dict[str, str]) -> Path:
    site = work / "site"
    if args.site is not None:
        shutil.copytree(args.site, site, ignore=shutil.ignore_patterns("output", ".git"))
        return site
    print(f"Writing a corpus of {args.count} conversations and sharing them all...",
          file=sys.stderr, flush=True)
    corpus.generate(site, args.count, args.seed)
    slugs = sorted(p.stem for p in (site / "content" / "conversations").glob("*.yaml"))
    share_all(site, slugs, env)
    return site


def share_all(
    site: Path, slugs: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``amber share SLUG... --yes``; the corpus has made-up e-mail addresses in it, so
    when amber refuses those as personal data, it is told to share them anyway."""
    command = [sys.executable, "-m", "amber", "--site", str(site), "share", *slugs, "--yes"]
    result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=env, check=False)
    if result.returncode != 0 and "--allow-sensitive" in result.stderr:
        result = subprocess.run([*command, "--allow-sensitive"], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"bench_serve: amber share failed:\n{result.stderr[-4000:]}")
    return result


def report_text(report: dict[str, Any]) -> str:
    drafts, shares, loop = report["drafts"], report["shares"], report["rebuild_loop"]

    def row(label: str, stats: dict[str, float]) -> str:
        return (f"  {label:<34} median {stats['median']:>7.1f} ms   p90 {stats['p90']:>7.1f}   "
                f"min {stats['min']:>7.1f}   max {stats['max']:>7.1f}   (n={stats['n']})")

    def traffic(label: str, run: dict[str, Any]) -> list[str]:
        return [
            f"  {label}: {run['requests_per_second']} requests/s ({run['clients']} clients, "
            f"{run['seconds']:g} s), latency median {run['latency_ms']['median']} ms, "
            f"p99 {run['latency_ms']['p99']} ms",
            f"    5xx responses: {run['server_errors']}, torn pages: {run['torn']}, other "
            f"statuses: {run['other_status']}, failed requests: {run['failures']}",
        ]

    lines = [
        f"amber serve on {report['shares_count']} shares, {report['cpus']} CPUs, "
        f"Python {report['python']}, load average {report['load_average']}",
        f"  first build (server start to ready): {report['startup_s']:.1f} s; "
        f"server peak RSS {report['peak_rss_mb']} MB",
        row("save -> reload event", drafts["reload_event_ms"]),
        row("save -> reloaded draft", drafts["reloaded_draft_ms"]),
        row("share file written -> page served", shares["written_to_served_ms"]),
    ]
    for run in shares["cli"]:
        lines.append(f"  amber share (the command): {run['command_s']} s; exit -> page served "
                     f"{run['exit_to_served_ms']} ms")
    if loop["idle"]:
        lines += traffic("share pages, no rebuilds", loop["idle"])
    lines += traffic("share pages during a rebuild loop", loop["during_rebuilds"])
    lines.append(f"    rebuilds during the run: {loop['during_rebuilds']['rebuilds']} (write -> "
                 f"new page served median {loop['rebuild_ms']['median']} ms)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--count", type=int, default=1000,
                        help="conversations to generate and share (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--site", type=Path, help="benchmark a copy of this site instead")
    parser.add_argument("--runs", type=int, default=20,
                        help="samples of each latency (default 20)")
    parser.add_argument("--cli-runs", type=int, default=1,
                        help="real `amber share` runs to time (default 1)")
    parser.add_argument("--duration", type=float, default=20.0,
                        help="seconds of the rebuild loop (default 20)")
    parser.add_argument("--baseline", type=float, default=10.0,
                        help="seconds of the same requests without rebuilds first, for "
                             "comparison (default 10; 0 skips it)")
    parser.add_argument("--clients", type=int, default=3,
                        help="client processes during the rebuild loop (default 3)")
    parser.add_argument("--startup-timeout", type=float, default=1800.0,
                        help="seconds to wait for the first build (default 1800)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    parser.add_argument("--save", type=Path, help="also write the JSON report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="amber-bench-serve-"))
    env = child_env(work)
    server = None
    try:
        site = prepare_site(args, work, env)
        shares_count = len(list((site / "content" / "shares").glob("*.yaml")))
        if shares_count == 0:
            raise SystemExit("bench_serve: the site has no shares")
        print(f"Starting amber serve on {shares_count} shares...", file=sys.stderr, flush=True)
        server, startup = start_server(site, env, args.startup_timeout)
        print("Measuring save -> reloaded draft...", file=sys.stderr, flush=True)
        drafts = bench_drafts(server, site, args.runs)
        print("Measuring share -> page served...", file=sys.stderr, flush=True)
        shares = bench_shares(server, site, args.runs, args.cli_runs, env)
        print("Measuring a share page during a rebuild loop...", file=sys.stderr, flush=True)
        loop = bench_rebuild_loop(server, site, args.duration, args.baseline, args.clients)
        report = {
            "shares_count": shares_count, "cpus": os.cpu_count(),
            "python": platform.python_version(), "machine": platform.machine(),
            "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "startup_s": round(startup, 1), "peak_rss_mb": server.peak_rss_mb(),
            "drafts": drafts, "shares": shares, "rebuild_loop": loop,
        }
        code = server.stop()
        server = None
        report["server_exit"] = code
        text = json.dumps(report, indent=2)
        if args.save:
            args.save.write_text(text + "\n", "utf-8")
        print(text if args.json else report_text(report))
        runs = [run for run in (loop["idle"], loop["during_rebuilds"]) if run]
        clean = all(run["server_errors"] == 0 and run["torn"] == 0 for run in runs)
        return 0 if clean and code == 0 else 1
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            with contextlib.suppress(OSError):
                shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())

