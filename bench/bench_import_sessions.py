"""Benchmark ``amber import`` on a folder of generated Claude Code sessions.

Writes ``--count`` session files laid out as Claude Code keeps them
(``projects/<project>/<session>.jsonl``, 100 sessions a project, every tenth
with a sub-agent in ``<session>/subagents/``), makes a fresh site, and times
``amber import`` of the folder as a separate ``python -m amber`` process with
``CI=true``: the first import (every session new) and a second one (every
session unchanged). Peak memory is sampled over amber's whole process tree,
as ``bench_import.py`` does.

The sessions are deterministic: session *i* depends only on ``(seed, i)``.
Their text comes from ``corpus.py``; their records follow real sessions: a
prompt, then turns of thinking, text and tool calls (Read, Bash, Edit, Grep,
a Task with its sub-agent), each tool result in a user record, the hook
``progress`` records and file-history snapshots Claude Code writes between
them, replies split over several lines that share one ``message.id``, and a
compaction in some.

Usage: ``python bench/bench_import_sessions.py [--count 10000] [--runs 1] [--keep] [--json]``.
Run it with the Python that has amber installed.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

import bench_build
import corpus
from bench_import import parse_common, report_head, timed_imports

POOL_SIZE = 240
SESSIONS_PER_PROJECT = 100


class SessionWriter:
    """Writes generated Claude Code sessions, reusing a pool of corpus conversations."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        width = len(str(POOL_SIZE))
        self.pool = [corpus.make_conversation(seed, i, width) for i in range(POOL_SIZE)]

    def session(self, index: int) -> tuple[str, list[dict[str, object]],
                                           list[dict[str, object]]]:
        """Session ``index``: its ID, its records, and its sub-agent's records (maybe none)."""
        rng = random.Random(f"amber-session-bench:{self.seed}:{index}")
        base = self.pool[index % POOL_SIZE]
        texts = [m.content.rstrip("\n") for m in base.messages]
        session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        cwd = f"/home/user/project-{index // SESSIONS_PER_PROJECT}"
        clock = [1_760_000_000 + index * 3600.0]
        parent: list[str | None] = [None]
        records: list[dict[str, object]] = []

        def stamp() -> str:
            clock[0] += rng.random() * 20
            return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(clock[0]))

        def add(kind: str, **fields: object) -> str:
            uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            record: dict[str, object] = {
                "parentUuid": parent[0], "isSidechain": False, "userType": "external",
                "cwd": cwd, "sessionId": session_id, "version": "2.1.38",
                "gitBranch": "main", "type": kind, "uuid": uid, "timestamp": stamp()}
            record.update(fields)
            records.append(record)
            parent[0] = uid
            return uid

        def hook(tool_id: str, event: str) -> None:
            add("progress", data={"type": "hook_progress", "hookEvent": event,
                                  "hookName": f"{event}:Bash", "command": "guard.sh"},
                parentToolUseID=tool_id, toolUseID=tool_id)

        def reply(message_id: str, model: str, block: dict[str, object]) -> None:
            add("assistant", requestId="req_" + message_id, message={
                "model": model, "id": message_id, "type": "message", "role": "assistant",
                "content": [block], "stop_reason": None,
                "usage": {"input_tokens": rng.randint(3, 50), "output_tokens": 200}})

        def result(tool_id: str, content: str, **extra: object) -> None:
            add("user", message={"role": "user", "content": [
                {"tool_use_id": tool_id, "type": "tool_result", "content": content}]},
                toolUseResult={"stdout": content[:200], "stderr": "", **extra})

        model = rng.choice(("claude-opus-4-6", "claude-sonnet-4-6", "claude-sonnet-4-6"))
        subagent: list[dict[str, object]] = []
        records.append({"type": "file-history-snapshot", "messageId": "m0", "snapshot": {
            "messageId": "m0", "trackedFileBackups": {}, "timestamp": stamp()},
            "isSnapshotUpdate": False})
        for turn, position in enumerate(range(0, len(texts) - 1, 2)):
            add("user", message={"role": "user", "content": f"{texts[position]}\n\n"
                                 f"(session {index})"},
                permissionMode="default")
            message_id = f"msg_{index}_{turn}"
            reply(message_id, model, {"type": "thinking", "thinking": texts[position][:400],
                                      "signature": "c2ln" * 40})
            reply(message_id, model, {"type": "text", "text": "Let me look at the code."})
            path = f"{cwd}/src/module_{rng.randint(1, 40)}.py"
            answer = texts[position + 1]
            for tool in rng.sample(("Read", "Bash", "Edit", "Grep"), rng.randint(2, 4)):
                tool_id = f"toolu_{index}_{turn}_{tool}"
                if tool == "Read":
                    reply(message_id, model, {"type": "tool_use", "id": tool_id, "name": "Read",
                                              "input": {"file_path": path}})
                    lines = answer.splitlines()[:60]
                    result(tool_id, "\n".join(f"{n + 1:6}\u2192{line}"
                                              for n, line in enumerate(lines)))
                elif tool == "Bash":
                    reply(message_id, model, {"type": "tool_use", "id": tool_id, "name": "Bash",
                                              "input": {"command": "pytest -q",
                                                        "description": "Run the tests"}})
                    hook(tool_id, "PreToolUse")
                    result(tool_id, f"{rng.randint(5, 90)} passed in 0.{rng.randint(10, 99)}s")
                    hook(tool_id, "PostToolUse")
                elif tool == "Edit":
                    old = answer[:300]
                    reply(message_id, model, {"type": "tool_use", "id": tool_id, "name": "Edit",
                                              "input": {"file_path": path, "old_string": old,
                                                        "new_string": old.upper()}})
                    result(tool_id, f"The file {path} has been updated successfully.")
                else:
                    reply(message_id, model, {"type": "tool_use", "id": tool_id, "name": "Grep",
                                              "input": {"pattern": "def ", "path": "src"}})
                    result(tool_id, "\n".join(f"src/module_{n}.py" for n in range(12)))
            if index % 10 == 0 and turn == 0:
                tool_id = f"toolu_{index}_task"
                prompt = f"Review src/ for unused imports ({index})."
                reply(message_id, model, {"type": "tool_use", "id": tool_id, "name": "Task",
                                          "input": {"description": "Review imports",
                                                    "prompt": prompt,
                                                    "subagent_type": "general-purpose"}})
                agent_id = f"a{index:07x}"
                subagent = self.subagent(session_id, agent_id, prompt, cwd, texts[0])
                result(tool_id, "No unused imports.", agentId=agent_id)
            reply(f"msg_{index}_{turn}_end", model, {"type": "text", "text": answer})
            add("system", subtype="turn_duration", durationMs=rng.randint(1000, 90000))
            if index % 7 == 0 and turn == 1:
                uid = add("system", subtype="compact_boundary", content="Conversation compacted",
                          compactMetadata={"trigger": "auto", "preTokens": 160000})
                records[-1]["parentUuid"] = None
                records[-1]["logicalParentUuid"] = records[-2]["uuid"]
                parent[0] = uid
                add("user", isCompactSummary=True, message={
                    "role": "user", "content": "Summary of the conversation so far: "
                    + texts[0][:600]})
        records.append({"type": "summary", "summary": base.title,
                        "leafUuid": records[-1]["uuid"]})
        return session_id, records, subagent

    def subagent(self, session_id: str, agent_id: str, prompt: str, cwd: str,
                 text: str) -> list[dict[str, object]]:
        common = {"isSidechain": True, "sessionId": session_id, "agentId": agent_id, "cwd": cwd}
        return [
            {**common, "parentUuid": None, "uuid": "s1", "type": "user",
             "message": {"role": "user", "content": prompt}},
            {**common, "parentUuid": "s1", "uuid": "s2", "type": "assistant",
             "message": {"model": "claude-haiku-4-5", "id": "msg_s", "role": "assistant",
                         "content": [{"type": "tool_use", "id": "toolu_s", "name": "Grep",
                                      "input": {"pattern": "^import", "path": "src"}}]}},
            {**common, "parentUuid": "s2", "uuid": "s3", "type": "user",
             "message": {"role": "user", "content": [
                 {"tool_use_id": "toolu_s", "type": "tool_result", "content": text[:2000]}]}},
            {**common, "parentUuid": "s3", "uuid": "s4", "type": "assistant",
             "message": {"model": "claude-haiku-4-5", "id": "msg_s2", "role": "assistant",
                         "content": [{"type": "text", "text": "No unused imports."}]}},
        ]


def write_sessions(folder: Path, count: int, seed: int, log: bool) -> dict[str, object]:
    start = time.perf_counter()
    writer = SessionWriter(seed)
    size = 0
    for index in range(count):
        project = folder / f"-home-user-project-{index // SESSIONS_PER_PROJECT}"
        project.mkdir(parents=True, exist_ok=True)
        session_id, records, subagent = writer.session(index)
        data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        (project / f"{session_id}.jsonl").write_bytes(data)
        size += len(data)
        if subagent:
            sub = project / session_id / "subagents"
            sub.mkdir(parents=True)
            (sub / f"agent-{subagent[0]['agentId']}.jsonl").write_text(
                "".join(json.dumps(r) + "\n" for r in subagent))
        if log and (index + 1) % 1000 == 0:
            print(f"  {index + 1} sessions written", file=sys.stderr, flush=True)
    return {"sessions": count, "jsonl_mb": round(size / 1e6, 1),
            "generate_s": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="sessions (10000)")
    args = parse_common(parser, argv)

    work = Path(tempfile.mkdtemp(prefix="amber-bench-sessions-"))
    env = bench_build.child_env(work)
    log = not args.quiet
    report = report_head()
    try:
        folder = work / "projects"
        if log:
            print(f"writing {args.count} sessions to {folder}", file=sys.stderr)
        report["sessions"] = write_sessions(folder, args.count, args.seed, log)
        report.update(timed_imports(work, folder, args.runs, env, log))
    except bench_build.CommandFailed as exc:
        print(f"bench_import_sessions: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    sessions, site = report["sessions"], report.get("site", {})
    assert isinstance(sessions, dict) and isinstance(site, dict)
    print(f"sessions: {sessions['sessions']}, {sessions['jsonl_mb']} MB of JSONL "
          f"(generated in {sessions['generate_s']} s)")
    print(f"site: {site.get('conversation_files')} conversation files "
          f"({site.get('conversations_mb')} MB of YAML)\n")
    print("| step | wall (s) | CPU (s) | peak RSS (MB) | load before, after |")
    print("|---|---:|---:|---:|---|")
    steps = report["steps"]
    assert isinstance(steps, dict)
    for step, data in steps.items():
        walls = ", ".join(f"{w:.1f}" for w in data["wall_s"])
        cpus = ", ".join(f"{c:.1f}" for c in data["cpu_s"])
        load = ", ".join(f"{a}, {b}" for a, b in data["load"])
        print(f"| {step} | {walls} | {cpus} | {data['peak_rss_mb']} | {load} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
