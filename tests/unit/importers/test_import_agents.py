"""amber.importers.claude_code, .codex and .sessions: agent sessions as conversations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amber.content.model import Message, Part
from amber.importers import agent_tools, claude_code, codex, sessions
from amber.importers.record import Imported, Skipped
from amber.importers.source import ImportInputError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
CLAUDE_CODE = FIXTURES / "claude-code"
SESSION = CLAUDE_CODE / "5d0c0a1e-0000-4000-8000-000000000001.jsonl"
INLINE = CLAUDE_CODE / "5d0c0a1e-0000-4000-8000-000000000002.jsonl"
ROLLOUT = next((FIXTURES / "codex").glob("rollout-*.jsonl"))
NOISE = ("NOISE-", "BRANCH-ABANDONED")
"""Markers the fixtures put in text nobody saw: hooks, reminders, other branches."""


def images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    return ("assets/" + "c" * 64 + ".png", None) if reference.startswith("data:image/png") \
        else (None, None)


def convert(path: Path) -> Imported:
    found = sessions.find_sessions(path, "auto")
    assert len(found) == 1
    result = sessions.convert(found[0], images)
    assert isinstance(result, Imported), result
    return result


def all_text(conv: Imported) -> str:
    return json.dumps([m.as_dict() for m in conv.messages], ensure_ascii=False)


def parts(msg: Message, kind: str) -> list[Part]:
    return [p for p in msg.parts if p.type == kind]


def test_claude_code_session_reads_as_the_terminal_showed_it() -> None:
    conv = convert(SESSION)
    assert conv.format == "claude-code"
    assert conv.source_id == "session:5d0c0a1e-0000-4000-8000-000000000001"
    assert conv.title == "Fix the greeting in hello.py"  # the session's summary
    assert conv.created == "2026-03-01T10:01:00Z"
    assert [m.role for m in conv.messages] == ["user", "assistant", "assistant", "user",
                                              "assistant", "system", "user", "assistant"]
    text = all_text(conv)
    shown = json.dumps([Message(m.role, m.content, m.created, m.model).as_dict()
                        for m in conv.messages], ensure_ascii=False)
    assert "NOISE-" not in text and "BRANCH-" not in shown
    assert "/mcp" not in text  # a local command and its output never reached the model
    assert conv.branches_dropped == 0


def test_claude_code_rewound_and_edited_prompts_are_kept_as_alternatives() -> None:
    messages = convert(SESSION).messages
    edited, again = messages[3], messages[6]
    # An edited prompt: the abandoned wording and the reply it had, before the one kept.
    assert (edited.content, edited.version) == ("Thanks! Also add a farewell.", 2)
    assert [[(m.role, m.content) for m in b] for b in edited.alternatives] == [[
        ("user", "BRANCH-ABANDONED-PROMPT write it in French"),
        ("assistant", "BRANCH-ABANDONED-REPLY bonjour")]]
    # A rewind that sent the same prompt again: the first reply is version 1.
    assert (again.content, again.version) == ("Go on with the farewell.", 2)
    assert [[m.content for m in b] for b in again.alternatives] == [[
        "Go on with the farewell.", "BRANCH-REWOUND-REPLY farewell in Latin"]]
    assert [m.model for m in again.alternatives[0]] == [None, "claude-opus-4-6"]


def test_claude_code_prompt_keeps_attachment_and_image() -> None:
    prompt = convert(SESSION).messages[0]
    assert [p.type for p in prompt.parts] == ["attachment", "text", "image"]
    assert prompt.parts[0].name == "notes.txt"
    assert prompt.parts[0].text == "Greeting must say hello."
    assert prompt.parts[2].src == "assets/" + "c" * 64 + ".png"


def test_claude_code_turn_merges_one_reply_and_shows_tools_readably() -> None:
    turn = convert(SESSION).messages[1]
    assert turn.model == "claude-opus-4-6"
    assert [p.type for p in turn.parts] == ["reasoning", "text", "tool_call", "tool_result",
                                            "code", "code", "tool_call", "reasoning",
                                            "tool_result"]
    assert turn.parts[0].title == "Thinking"
    read = turn.parts[3]
    assert read.text == "print('helo, world')\n"  # Read's line numbers are gone
    shell, edit = turn.parts[4], turn.parts[5]
    assert (shell.language, shell.title) == ("console", "Check the Python version")
    assert shell.code == "$ python3 --version\nPython 3.12.1"
    assert (edit.language, edit.title) == ("diff", "Edit hello.py")
    assert "-print('helo, world')\n+print('hello, world')" in (edit.code or "")


def test_claude_code_subagent_is_collapsed_under_its_call() -> None:
    turn = convert(SESSION).messages[1]
    call, work, result = turn.parts[6:9]
    assert (call.type, call.name) == ("tool_call", "Task")
    assert work.type == "reasoning" and work.title == "Sub-agent: Run the tests"
    assert "$ pytest -q\nSUBAGENT-OUTPUT 3 passed" in (work.text or "")
    assert result.text == "All 3 tests pass."


def test_claude_code_model_change_splits_the_turn_and_write_is_a_new_file_diff() -> None:
    turn = convert(SESSION).messages[2]
    assert turn.model == "claude-sonnet-4-6"
    write = turn.parts[0]
    assert write.title == "Write CHANGES.md"
    assert (write.code or "").startswith(
        "--- /dev/null\n+++ CHANGES.md\n@@ -0,0 +1,3 @@\n+# Changes")


def test_claude_code_compaction_is_marked() -> None:
    marker = convert(SESSION).messages[5]
    assert marker.role == "system"
    assert marker.parts[0].type == "reasoning"
    assert marker.parts[0].title == claude_code.COMPACTED_TITLE
    assert "greeting in hello.py was fixed" in (marker.parts[0].text or "")


def test_claude_code_inline_sidechain_and_failed_edit() -> None:
    conv = convert(INLINE)
    assert conv.title == "Find every TODO in the project"  # no summary: the first prompt
    turn = conv.messages[1]
    work = next(p for p in turn.parts if p.type == "reasoning")
    assert work.title == "Sub-agent: Search for TODOs"
    assert "SIDECHAIN-OUTPUT" in (work.text or "")
    assert "List the TODO comments" not in (work.text or "")  # the prompt is in the call
    edit = next(p for p in turn.parts if p.type == "code")
    assert edit.title == "Edit src/app.py"
    assert (edit.code or "").count("@@") == 4  # two hunks, one per edit
    failure = next(p for p in turn.parts if p.type == "tool_result" and p.name == "MultiEdit")
    assert failure.is_error and failure.text == "File has not been read yet."
    # the sidechain is not also shown as the main thread's messages
    assert [m.role for m in conv.messages] == ["user", "assistant"]


def test_codex_rollout_reads_response_items_once() -> None:
    conv = convert(ROLLOUT)
    assert conv.format == "codex"
    assert conv.source_id == "session:019b0000-aaaa-7bbb-8ccc-000000000001"
    assert conv.title == "Rename total to subtotal"
    assert [m.role for m in conv.messages] == ["user", "assistant", "system", "user",
                                              "assistant"]
    text = all_text(conv)
    for marker in NOISE:
        assert marker not in text
    assert text.count("Renamed in cart.py.") == 1  # the event copy is not shown again
    first, turn = conv.messages[0], conv.messages[1]
    assert [p.type for p in first.parts] == ["text", "image"]
    assert turn.model == "gpt-5-codex"
    assert [p.type for p in turn.parts] == ["reasoning", "code", "code", "tool_call", "text"]
    shell, patch = turn.parts[1], turn.parts[2]
    assert shell.code == "$ grep -rn 'total(' .\ncart.py:4:    return total(items)"
    assert (patch.language, patch.title) == ("diff", "Patch cart.py")
    assert conv.messages[2].parts[0].title == codex.COMPACTED_TITLE


def test_codex_failed_command_and_model_per_message() -> None:
    turn = convert(ROLLOUT).messages[4]
    assert turn.model == "gpt-5.1-codex"
    shell = turn.parts[0]
    assert shell.title == "Shell (failed)" and shell.code == "$ pytest -q\n1 failed, 4 passed"
    assert [p.name for p in turn.parts if p.type == "tool_call"] == ["update_plan"]


def test_conversion_is_deterministic() -> None:
    for path in (SESSION, INLINE, ROLLOUT):
        assert convert(path) == convert(path)


def test_detection_of_lines() -> None:
    first = json.loads(SESSION.read_text().splitlines()[0])
    assert sessions.line_format(first) == "claude-code"
    assert sessions.line_format(json.loads(ROLLOUT.read_text().splitlines()[0])) == "codex"
    for other in ({"messages": [{"role": "user", "content": "hi"}]}, {"type": "user"},
                  {"mapping": {}}, [], "text", {"type": "response_item", "payload": "x"}):
        assert sessions.line_format(other) is None


def test_folder_walk_finds_sessions_not_subagents(tmp_path: Path) -> None:
    day = tmp_path / "sessions" / "2026" / "03" / "02"
    day.mkdir(parents=True)
    (day / ROLLOUT.name).write_bytes(ROLLOUT.read_bytes())
    project = tmp_path / "projects" / "-home-dev-hello"
    project.parent.mkdir()
    shutil.copytree(CLAUDE_CODE, project)
    (tmp_path / "notes.jsonl").write_text('{"messages": []}\n')
    found = sessions.find_sessions(tmp_path, "auto")
    assert [(s.where, s.format) for s in found] == [
        ("projects/-home-dev-hello/" + SESSION.name, "claude-code"),
        ("projects/-home-dev-hello/" + INLINE.name, "claude-code"),
        ("sessions/2026/03/02/" + ROLLOUT.name, "codex"),
    ]
    assert [p.name for p in found[0].subagents] == ["agent-a1b2c3.jsonl"]
    assert [s.format for s in sessions.find_sessions(tmp_path, "codex")] == ["codex"]


def test_wrong_format_and_empty_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportInputError, match="is a Claude Code session, not a Codex CLI"):
        sessions.find_sessions(SESSION, "codex")
    with pytest.raises(ImportInputError,
                       match="is a folder with no Claude Code or Codex session files"):
        sessions.find_sessions(tmp_path, "auto")
    other = tmp_path / "chat.jsonl"
    other.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n')
    assert not sessions.session_input(other, "auto")  # left to the export formats
    with pytest.raises(ImportInputError, match="is not a Claude Code session"):
        sessions.find_sessions(other, "claude-code")


def test_cut_short_last_line_is_skipped_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_bytes(SESSION.read_bytes() + b'{"type": "user", "mess')
    conv = convert(path)
    assert conv.notes[-1] == "1 line was not JSON (cut short while written?); skipped"
    assert len(conv.messages) == len(convert(SESSION).messages)


def test_hostile_lines_never_raise() -> None:
    hostile: list[object] = [
        {"type": "user", "sessionId": "s", "uuid": "u", "message": {"content": [1, None, {}]}},
        {"type": "assistant", "sessionId": "s", "uuid": "a", "parentUuid": "u",
         "message": {"content": [{"type": "tool_use", "name": ["x"], "input": "nope"}]}},
        {"type": "user", "sessionId": "s", "uuid": "u2", "parentUuid": "a",
         "message": {"content": [{"type": "tool_result", "tool_use_id": ["x"]}]}},
        {"type": "assistant", "sessionId": "s", "uuid": "a", "parentUuid": "a"},
    ]
    result = claude_code.convert_session(hostile, [], "s.jsonl", images, "s")
    assert isinstance(result, Imported | Skipped)
    loop = [{"type": "user", "sessionId": "s", "uuid": "x", "parentUuid": "x",
             "message": {"content": "hello"}}]
    result = claude_code.convert_session(loop, [], "s.jsonl", images, "s")
    assert isinstance(result, Imported) and result.messages[0].content == "hello"
    odd: list[object] = [{"type": "response_item", "payload": {"type": "function_call_output",
                                                               "call_id": None, "output": 3}},
                         {"type": "response_item", "payload": {"type": "message",
                                                               "role": "user", "content": "x"}}]
    assert isinstance(codex.convert_session(odd, "r.jsonl", images), Skipped)


def test_fences_outlast_backticks_in_the_text() -> None:
    fenced = agent_tools.fenced("a ```` b")
    assert fenced.startswith("`````\n") and fenced.endswith("\n`````")


def test_shell_commands_in_their_forms() -> None:
    assert agent_tools.shell_command({"command": ["bash", "-lc", "ls -a"]}) == "ls -a"
    assert agent_tools.shell_command({"cmd": "echo hi"}) == "echo hi"
    assert agent_tools.shell_command({"command": ["git", "status"]}) == "git status"
    assert agent_tools.shell_command({"command": 3}) is None


ODD = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                st.sampled_from(["\ud800", "a\x00b", "user", "assistant", "tool_use", "Edit",
                                 "Bash", "Task", "toolu_read", "u1", "a3"]),
                st.lists(st.text(max_size=3), max_size=2),
                st.dictionaries(st.sampled_from(["type", "text", "id", "content"]),
                                st.text(max_size=5), max_size=2))


def _mangled(lines: list[object], changes: list[tuple[int, int, object]]) -> list[object]:
    """The lines with some values (found by position in each line's keys) replaced."""
    out = json.loads(json.dumps(lines))
    for line_pick, key_pick, value in changes:
        line = out[line_pick % len(out)]
        holders: list[dict[str, object]] = [line]
        for holder in list(holders):
            for inner in holder.values():
                if isinstance(inner, dict):
                    holders.append(inner)
                elif isinstance(inner, list):
                    holders.extend(i for i in inner if isinstance(i, dict))
        target = holders[key_pick % len(holders)]
        if target:
            keys = sorted(target)
            target[keys[key_pick % len(keys)]] = value
    return out


@settings(max_examples=150, deadline=None)
@given(which=st.sampled_from(["claude-code", "inline", "codex"]),
       changes=st.lists(st.tuples(st.integers(0, 999), st.integers(0, 999), ODD),
                        min_size=1, max_size=8))
def test_converters_take_any_mangled_session(which: str,
                                              changes: list[tuple[int, int, object]]) -> None:
    """An import or a reason, never an exception (which would hide a bug as "not read")."""
    path = {"claude-code": SESSION, "inline": INLINE, "codex": ROLLOUT}[which]
    lines = _mangled(sessions.read_lines(path)[0], changes)
    if which == "codex":
        result = codex.convert_session(lines, "r.jsonl", images)
    else:
        sub = sessions.read_lines(next(CLAUDE_CODE.rglob("agent-*.jsonl")))[0]
        result = claude_code.convert_session(lines, [_mangled(sub, changes)], "s.jsonl",
                                             images, "s")
    assert isinstance(result, Imported | Skipped)


def test_older_subagent_files_beside_the_session_are_matched_by_session_id(
        tmp_path: Path) -> None:
    shutil.copy(SESSION, tmp_path / SESSION.name)
    shutil.copy(next(CLAUDE_CODE.rglob("agent-*.jsonl")), tmp_path / "agent-a1b2c3.jsonl")
    other = json.loads(INLINE.read_text().splitlines()[0])
    (tmp_path / "agent-ffff.jsonl").write_text(json.dumps(other) + "\n")  # another session's
    found = sessions.find_sessions(tmp_path, "auto")
    assert [s.path.name for s in found] == [SESSION.name]
    assert [p.name for p in found[0].subagents] == ["agent-a1b2c3.jsonl"]
    turn = sessions.convert(found[0], images)
    assert isinstance(turn, Imported)
    assert "SUBAGENT-OUTPUT" in all_text(turn)


def test_a_resumed_session_is_known_by_its_own_file_name(tmp_path: Path) -> None:
    """Resuming copies the earlier session's records (with its ID) into a new file."""
    new_id = "5d0c0a1e-0000-4000-8000-0000000000ff"
    lines = SESSION.read_text().splitlines(keepends=True)
    prompt = {**json.loads(lines[-1]), "type": "user", "uuid": "resumed-1", "sessionId": new_id,
              "parentUuid": json.loads(lines[-1])["uuid"],
              "message": {"role": "user", "content": "Carry on"}}
    resumed = tmp_path / f"{new_id}.jsonl"
    resumed.write_text("".join(lines) + json.dumps(prompt) + "\n")
    assert convert(resumed).source_id == f"session:{new_id}"
    assert convert(SESSION).source_id == f"session:{SESSION.stem}"


def session_records(*links: tuple[str, str | None, str, object]) -> list[object]:
    """Claude Code records ``(uuid, parent, type, content)`` of one session."""
    out: list[object] = []
    for uuid, parent, kind, content in links:
        msg = {"role": kind, "content": content}
        if kind == "assistant":
            msg.update(model="claude-opus-4-6", id=f"msg_{uuid}")
        out.append({"type": kind, "uuid": uuid, "parentUuid": parent, "sessionId": "s",
                    "message": msg, "timestamp": "2026-03-01T10:00:00.000Z"})
    return out


def test_claude_code_a_rewound_version_that_shows_nothing_is_counted_not_kept() -> None:
    lines = session_records(
        ("u1", None, "user", "first"), ("a1", "u1", "assistant", "one"),
        ("x", "a1", "user", "<local-command-stdout>NOISE-LOCAL</local-command-stdout>"),
        ("u2", "a1", "user", "second"), ("a2", "u2", "assistant", "two"),
    )
    result = claude_code.convert_session(lines, [], "session", images, "s")
    assert isinstance(result, Imported)
    assert [m.content for m in result.messages] == ["first", "one", "second", "two"]
    assert result.messages[2].alternatives == () and result.branches_dropped == 1
    assert "NOISE-" not in all_text(result)


def test_claude_code_parents_that_loop_neither_hang_nor_repeat() -> None:
    lines = session_records(
        ("u1", "a2", "user", "first"), ("a1", "u1", "assistant", "one"),
        ("u2", "a1", "user", "second"), ("a2", "u2", "assistant", "two"),
        ("u3", "a1", "user", "other"), ("a3", "u3", "assistant", "three"),
    )
    result = claude_code.convert_session(lines, [], "session", images, "s")
    assert isinstance(result, Imported)
    text = all_text(result)
    for word in ("first", "one", "other", "three"):
        assert text.count(f'"{word}"') <= 1
