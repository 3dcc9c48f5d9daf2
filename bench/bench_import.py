"""Benchmark ``amber import`` on a large generated ChatGPT data export.

Writes a ChatGPT-shaped export (``conversations.json`` inside a ``.zip``, with
uploaded images beside it, as the data export download has them) of
``--count`` conversations into a temporary folder, makes a fresh site, and
times ``amber import`` of it as a separate ``python -m amber`` process
with ``CI=true``: the first import (every conversation new) and a second one
of the same export (every conversation unchanged, nothing written). Peak
memory is the child's own ``ru_maxrss`` (``os.wait4``, as bench_build.py does).

The export is deterministic: conversation *i* depends only on ``(seed, i)``.
Its text comes from ``corpus.py`` (a pool of generated conversations, mixed
and varied per conversation so no two are alike), and its structure follows
real exports: a tree ``mapping`` with a hidden root system message, custom
instructions in some, regenerated answers (branches), code-interpreter runs,
reasoning (``thoughts`` + ``reasoning_recap``), web searches with citation
markers, and image uploads. Every message node carries the metadata real
exports carry, which is about half of an export's bytes.

Usage: ``python bench/bench_import.py [--count 10000] [--runs 1] [--keep] [--json]``.
Run it with the Python that has amber installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import bench_build
import corpus

POOL_SIZE = 240
"""Generated corpus conversations whose messages the export reuses, varied."""
TARGET_MS = 60_000
TARGET_RSS_MB = 300


# --- the export -------------------------------------------------------------------


def _png(rng: random.Random, size: int) -> bytes:
    """A valid PNG of roughly ``size`` bytes of noise, so it does not compress away."""
    width = 256
    height = max(1, size // (width * 3))
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1))
            + chunk(b"IEND", b""))


@dataclass
class ExportWriter:
    """Builds conversation objects shaped like a ChatGPT export's, from a text pool."""

    seed: int
    pool: list[corpus.Conversation] = field(default_factory=list)

    def fill_pool(self) -> None:
        width = len(str(POOL_SIZE))
        self.pool = [corpus.make_conversation(self.seed, i, width) for i in range(POOL_SIZE)]

    def node_id(self, rng: random.Random) -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    def conversation(self, index: int) -> tuple[dict[str, object], list[tuple[str, bytes]]]:
        """Conversation ``index`` and the image files it references."""
        rng = random.Random(f"amber-import-bench:{self.seed}:{index}")
        base = self.pool[index % POOL_SIZE]
        extra = self.pool[(index * 7 + 3) % POOL_SIZE]
        texts = [m.content.rstrip("\n") for m in base.messages]
        if rng.random() < 0.8:  # a longer conversation: it carries on with another topic
            texts += [m.content.rstrip("\n") for m in extra.messages][: 2 * rng.randint(2, 6)]
        texts[0] = f"{texts[0]}\n\n(ticket {index}-{rng.randint(1000, 9999)})"
        model = rng.choice(("gpt-4o", "gpt-4o", "o3", "gpt-4.1", "gpt-4o-mini"))
        created = 1_700_000_000 + index * 3600 + rng.random() * 1000
        conv_id = self.node_id(rng)
        mapping: dict[str, dict[str, object]] = {}
        files: list[tuple[str, bytes]] = []
        clock = [created]

        def add(parent: str | None, message: dict[str, object] | None) -> str:
            nid = message["id"] if message else self.node_id(rng)  # type: ignore[index]
            mapping[nid] = {"id": nid, "message": message, "parent": parent, "children": []}
            if parent is not None:
                mapping[parent]["children"].append(nid)  # type: ignore[union-attr]
            return nid  # type: ignore[return-value]

        def msg(role: str, content: dict[str, object], *, name: str | None = None,
                recipient: str = "all", hidden: bool = False, **meta: object) -> dict[str, object]:
            clock[0] += rng.uniform(2, 90)
            metadata: dict[str, object] = {
                "request_id": f"{rng.getrandbits(64):016x}-FRA", "timestamp_": "absolute",
                "message_type": None,
            }
            if role == "assistant" or role == "tool":
                metadata.update({
                    "finish_details": {"type": "stop", "stop_tokens": [200002]},
                    "is_complete": True, "citations": [], "content_references": [],
                    "model_slug": model, "default_model_slug": model,
                    "parent_id": None, "sonic_classification_result": {
                        "latency_ms": round(rng.uniform(5, 40), 3),
                        "search_prob": round(rng.random(), 6)},
                })
            if role == "user":
                metadata.update({"dictation": False, "message_source": None,
                                 "selected_github_repos": [], "serialization_metadata": {
                                     "custom_symbol_offsets": []}})
            if hidden:
                metadata["is_visually_hidden_from_conversation"] = True
            metadata.update(meta)
            return {
                "id": self.node_id(rng), "author": {"role": role, "name": name, "metadata": {}},
                "create_time": None if hidden else clock[0], "update_time": None,
                "content": content, "status": "finished_successfully",
                "end_turn": True if role == "assistant" else None,
                "weight": 0.0 if hidden else 1.0, "metadata": metadata,
                "recipient": recipient, "channel": None,
            }

        def text(parts: list[object]) -> dict[str, object]:
            return {"content_type": "text", "parts": parts}

        node = add(None, None)
        node = add(node, msg("system", text([""]), hidden=True))
        if rng.random() < 0.3:
            node = add(node, msg("user", {
                "content_type": "user_editable_context",
                "user_profile": "Preferred name: Sam\nRole: backend engineer\n" * 4,
                "user_instructions": "Answer briefly. Prefer code over prose. " * 8,
            }, hidden=True))
        feature = rng.random()
        for turn in range(0, len(texts) - 1, 2):
            question, answer = texts[turn], texts[turn + 1]
            if turn == 0 and 0.90 <= feature < 0.95:
                image = _png(rng, rng.randint(20_000, 60_000))
                file_id = f"file-{rng.getrandbits(96):024x}"
                files.append((f"{file_id}-screenshot.png", image))
                user = msg("user", {"content_type": "multimodal_text", "parts": [
                    {"content_type": "image_asset_pointer",
                     "asset_pointer": f"file-service://{file_id}", "size_bytes": len(image),
                     "width": 256, "height": 64, "fovea": None, "metadata": None},
                    question]},
                    attachments=[{"id": file_id, "name": "screenshot.png", "size": len(image),
                                  "mime_type": "image/png"}])
            else:
                user = msg("user", text([question]))
            node = add(node, user)
            if rng.random() < 0.15:  # a regenerated answer: a branch left out of the thread
                add(node, msg("assistant", text([texts[(turn + 3) % len(texts)]])))
            if turn == 0 and feature < 0.10:  # reasoning model
                node = add(node, msg("assistant", {"content_type": "thoughts", "thoughts": [
                    {"summary": "Weighing the options",
                     "content": "The user wants a working approach. " * rng.randint(5, 30)}],
                    "source_analysis_msg_id": self.node_id(rng)}))
                node = add(node, msg("assistant", {"content_type": "reasoning_recap",
                                                   "content": "Thought for 14 seconds"}))
            elif turn == 0 and feature < 0.20:  # code interpreter
                code = "import statistics\nvalues = [3, 1, 4, 1, 5, 9, 2, 6]\n" \
                       "print(statistics.mean(values), statistics.median(values))\n"
                node = add(node, msg("assistant", {"content_type": "code", "language": "unknown",
                                                   "text": code}, recipient="python"))
                node = add(node, msg("tool", {"content_type": "execution_output",
                                              "text": "3.875 3.5"}, name="python",
                                     aggregate_result={"status": "success", "code": code}))
            elif turn == 0 and feature < 0.25:  # web search with citations
                node = add(node, msg("assistant", {"content_type": "code", "language": "unknown",
                                                   "text": f'search("{question[:60]!s}")'},
                                     recipient="web"))
                node = add(node, msg("tool", {"content_type": "code", "language": "unknown",
                                              "text": ""}, name="web", hidden=True))
                marker = "\ue200cite\ue202turn0search0\ue201"
                answer = f"{answer} {marker}"
                node = add(node, msg("assistant", text([answer]), content_references=[{
                    "matched_text": marker, "start_idx": len(answer) - len(marker),
                    "end_idx": len(answer), "type": "webpage", "title": "Reference docs",
                    "url": "https://docs.example.org/guide", "alt": None}]))
                continue
            node = add(node, msg("assistant", text([answer])))
        conversation = {
            "title": base.title if index < POOL_SIZE else f"{base.title} ({index})",
            "create_time": created, "update_time": clock[0], "mapping": mapping,
            "moderation_results": [], "current_node": node, "plugin_ids": None,
            "conversation_id": conv_id, "conversation_template_id": None, "gizmo_id": None,
            "gizmo_type": None, "is_archived": False, "is_starred": None, "safe_urls": [],
            "blocked_urls": [], "default_model_slug": model, "conversation_origin": None,
            "voice": None, "async_status": None, "disabled_tool_ids": [],
            "is_do_not_remember": False, "memory_scope": "global_enabled", "id": conv_id,
        }
        return conversation, files


def write_export(path: Path, count: int, seed: int, log: bool) -> dict[str, object]:
    """Write the export zip; return its shape (sizes, images, time taken)."""
    start = time.perf_counter()
    writer = ExportWriter(seed)
    writer.fill_pool()
    json_bytes = 0
    images = 0
    image_bytes = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        pending: list[tuple[str, bytes]] = []
        with zf.open("conversations.json", "w", force_zip64=True) as out:
            out.write(b"[")
            for i in range(count):
                conv, files = writer.conversation(i)
                data = (b"," if i else b"") + json.dumps(conv, ensure_ascii=False).encode()
                out.write(data)
                json_bytes += len(data)
                pending.extend(files)
                if log and (i + 1) % 1000 == 0:
                    print(f"  generated {i + 1}/{count} conversations, "
                          f"{json_bytes / 1e6:.0f} MB", file=sys.stderr, flush=True)
            out.write(b"]")
        for name, data in pending:
            zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
            images += 1
            image_bytes += len(data)
    return {
        "conversations": count, "conversations_json_mb": round(json_bytes / 1e6, 1),
        "images": images, "images_mb": round(image_bytes / 1e6, 1),
        "zip_mb": round(path.stat().st_size / 1e6, 1),
        "generate_s": round(time.perf_counter() - start, 1),
    }


# --- the benchmark ----------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One import: the child's own figures, plus what its whole process tree used."""

    sample: bench_build.Sample
    tree_peak_rss_mb: float
    """Largest sum of resident memory over amber and its reader process, sampled."""
    load_before: float
    load_after: float
    """One-minute load average of the machine: more than its cores means waiting for CPU."""


def _tree_rss_kib(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as fh:
                total += next((int(line.split()[1]) for line in fh
                               if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{current}/task/{current}/children") as fh:
                stack.extend(int(child) for child in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def run_import(cmd: list[str], cwd: Path, env: dict[str, str]) -> Measured:
    """Like bench_build.run_measured, also sampling the memory of the whole process tree.

    ``ru_maxrss`` from wait4 is the largest of amber and its waited-for child,
    not their sum; the sampler adds them up every 20 ms.
    """
    load_before = os.getloadavg()[0]
    peak = [0]
    done = threading.Event()
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], _tree_rss_kib(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read()[-4000:].decode("utf-8", errors="replace")
            raise bench_build.CommandFailed(cmd, proc.returncode, tail)
    rss_kib = usage.ru_maxrss / 1024 if sys.platform == "darwin" else usage.ru_maxrss
    sample_ = bench_build.Sample(wall, usage.ru_utime + usage.ru_stime, rss_kib / 1024)
    return Measured(sample_, peak[0] / 1024, load_before, os.getloadavg()[0])


def parse_common(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The options both import benchmarks take (after ``--count`` and their own), parsed."""
    parser.add_argument("--runs", type=int, default=1, help="imports of a fresh site (1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.count < 1 or args.runs < 1:
        parser.error("--count and --runs must be at least 1")
    return args


def report_head() -> dict[str, object]:
    """The machine and the targets, which every import report starts with."""
    return {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "targets": {"import_s": TARGET_MS / 1000, "peak_rss_mb": TARGET_RSS_MB},
    }


def timed_imports(work: Path, source: Path, runs: int, env: dict[str, str],
                  log: bool) -> dict[str, object]:
    """Import ``source`` into ``runs`` fresh sites, twice each (new, then unchanged): the
    report's ``site`` (what the first run wrote) and ``steps`` (each step's figures)."""
    samples: dict[str, list[Measured]] = {"import (new)": [], "import (unchanged)": []}
    out: dict[str, object] = {}
    for run in range(runs):
        site = work / f"site-{run}"
        bench_build.run_measured([sys.executable, "-m", "amber", "init", str(site)], work, env)
        cmd = [sys.executable, "-m", "amber", "--site", str(site), "import", str(source)]
        for step in samples:
            measured = run_import(cmd, site, env)
            samples[step].append(measured)
            if log:
                print(f"run {run + 1}/{runs}  {step:<19} "
                      f"{measured.sample.wall_s:7.1f} s  {measured.sample.cpu_s:7.1f} s CPU  "
                      f"{measured.tree_peak_rss_mb:6.1f} MB  load "
                      f"{measured.load_before:.1f}->{measured.load_after:.1f}",
                      file=sys.stderr, flush=True)
        if run == 0:
            written = list((site / "content" / "conversations").glob("*.yaml"))
            assets = list((site / "content" / "assets").glob("*"))
            out["site"] = {
                "conversation_files": len(written),
                "conversations_mb": round(sum(p.stat().st_size for p in written) / 1e6, 1),
                "asset_files": len(assets),
            }
        shutil.rmtree(site)
    out["steps"] = {
        step: {"wall_s": [round(m.sample.wall_s, 2) for m in done],
               "cpu_s": [round(m.sample.cpu_s, 2) for m in done],
               "peak_rss_mb": round(max(m.tree_peak_rss_mb for m in done), 1),
               "max_rss_one_process_mb": round(max(m.sample.max_rss_mb for m in done), 1),
               "load": [[round(m.load_before, 1), round(m.load_after, 1)] for m in done]}
        for step, done in samples.items()
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="conversations (10000)")
    parser.add_argument("--export", type=Path, metavar="ZIP",
                        help="time this export (one a --keep run left) instead of writing one")
    args = parse_common(parser, argv)

    work = Path(tempfile.mkdtemp(prefix="amber-bench-import-"))
    env = bench_build.child_env(work)
    log = not args.quiet
    report = report_head()
    try:
        if args.export is not None:
            export = args.export.resolve()
            report["export"] = {"conversations": args.count, "zip_mb": round(
                export.stat().st_size / 1e6, 1), "given": str(export)}
        else:
            export = work / "chatgpt-export.zip"
            if log:
                print(f"writing a {args.count}-conversation export to {export}",
                      file=sys.stderr)
            report["export"] = write_export(export, args.count, args.seed, log)
        report.update(timed_imports(work, export, args.runs, env, log))
    except bench_build.CommandFailed as exc:
        print(f"bench_import: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(format_report(report))
    return 0


def format_report(report: dict[str, object]) -> str:
    export = report["export"]
    assert isinstance(export, dict)
    site = report.get("site", {})
    assert isinstance(site, dict)
    shape = (f"export: {export['conversations']} conversations, zip {export['zip_mb']} MB "
             f"({export['given']})") if "given" in export else (
        f"export: {export['conversations']} conversations, conversations.json "
        f"{export['conversations_json_mb']} MB, {export['images']} images "
        f"({export['images_mb']} MB), zip {export['zip_mb']} MB "
        f"(generated in {export['generate_s']} s)")
    lines = [
        shape,
        f"site: {site.get('conversation_files')} conversation files "
        f"({site.get('conversations_mb')} MB of YAML), {site.get('asset_files')} assets",
        "",
        "| step | wall (s) | CPU (s) | peak RSS (MB) | load before, after | target |",
        "|---|---:|---:|---:|---|---|",
    ]
    steps = report["steps"]
    assert isinstance(steps, dict)
    for step, data in steps.items():
        walls = ", ".join(f"{w:.1f}" for w in data["wall_s"])
        cpus = ", ".join(f"{c:.1f}" for c in data["cpu_s"])
        verdict = ("met" if max(data["wall_s"]) * 1000 < TARGET_MS
                   and data["peak_rss_mb"] < TARGET_RSS_MB else "MISSED")
        load = ", ".join(f"{a}, {b}" for a, b in data["load"])
        lines.append(f"| {step} | {walls} | {cpus} | {data['peak_rss_mb']} | {load} | "
                     f"< {TARGET_MS // 1000} s, < {TARGET_RSS_MB} MB: {verdict} |")
    lines.append("")
    lines.append(f"CPU is user + system time of amber and its reader process together; "
                 f"{os.cpu_count()} cores. Wall time is only comparable when the load "
                 "average stays below the number of cores.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
