"""How a coding agent's tool calls read on a page: edits as diffs, commands with output.

Claude Code and Codex sessions are mostly tool calls. Shown as raw JSON
arguments they are unreadable (a file edit is two long strings full of
``\\n``), so the calls people scan for become code parts instead:

- a file edit (``Edit``, ``MultiEdit``, ``Write``, ``apply_patch``) is a
  ``diff`` titled with the file's name; its "file updated" result adds
  nothing and is left out, a failure is kept as an error result;
- a shell command (``Bash``, ``exec_command``, ``shell``) is a ``console``
  block: ``$ command`` and then what it printed;
- any other tool is a tool call with its arguments and its result.

A sub-agent's work (Claude Code's ``Task``) goes in a collapsed reasoning part
right under the call that started it, written out as Markdown.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

from amber.content.model import Part
from amber.importers.normalise import clean_text, label

EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "str_replace_based_edit_tool"})
SHELL_TOOLS = frozenset({"Bash", "bash", "exec_command", "shell", "local_shell",
                         "container.exec", "shell_command"})
PATCH_TOOLS = frozenset({"apply_patch"})
SUBAGENT_TOOLS = frozenset({"Task", "Agent"})

_TOOL_ERROR_TAG = re.compile(r"</?tool_use_error>")
_BACKTICKS = re.compile(r"`{3,}")
_PATCH_FILE = re.compile(r"^\*\*\* (?:Update|Add|Delete) File: (.+)$", re.MULTILINE)


@dataclass
class ToolCall:
    """One call as the agent made it, and what came back (filled in when the result arrives)."""

    name: str
    call_id: str | None
    arguments: object
    """Decoded JSON input, or the raw string a custom tool took (a patch)."""
    result: str | None = None
    is_error: bool = False
    subagent: list[Part] = field(default_factory=list)
    """The sub-agent's own messages as parts, when this call started one."""


def result_text(content: object) -> str:
    """The text of a tool result: a string, or the text blocks of a list."""
    if isinstance(content, str):
        return _TOOL_ERROR_TAG.sub("", clean_text(content))
    if isinstance(content, list):
        texts = [result_text(item.get("text")) for item in content
                 if isinstance(item, dict) and item.get("type") in ("text", "input_text",
                                                                    "output_text")]
        return "\n".join(t for t in texts if t)
    if isinstance(content, dict):
        return result_text(content.get("text") or content.get("output") or "")
    return ""


def parts_for(call: ToolCall, root: str | None = None) -> list[Part]:
    """The parts one tool call shows as, in order.

    ``root`` is the session's working folder: file names under it are shown
    relative to it, as the agent's own terminal shows them.
    """
    args = call.arguments if isinstance(call.arguments, dict) else {}
    if call.name in EDIT_TOOLS and isinstance(call.arguments, dict):
        diff = edit_diff(call.name, args, root)
        if diff is not None:
            return [diff, *_failure(call)]
    if call.name in PATCH_TOOLS or _is_patch_command(args):
        patch = call.arguments if isinstance(call.arguments, str) else _patch_text(args)
        if patch:
            files = [relative(m.group(1).strip(), root) for m in _PATCH_FILE.finditer(patch)]
            title = "Patch " + ", ".join(files[:5]) if files else "Patch"
            return [Part("code", code=clean_text(patch).rstrip("\n"), language="diff",
                         title=label(title, 200)), *_failure(call)]
    if call.name in SHELL_TOOLS:
        command = shell_command(args)
        if command:
            return [console_part(command, call.result, call.is_error,
                                 label(args.get("description"), 120))]
    out = [Part("tool_call", name=label(call.name, 60) or "tool", id=call.call_id,
                arguments=_arguments(call.arguments))]
    if call.subagent:
        what = label(args.get("description"), 100) or label(args.get("subagent_type"), 60)
        out.append(Part("reasoning", text=subagent_markdown(call.subagent),
                        title=f"Sub-agent: {what}" if what else "Sub-agent"))
    if call.result is not None:
        out.append(Part("tool_result", text=call.result, name=label(call.name, 60),
                        id=call.call_id, is_error=True if call.is_error else None))
    return out


def _failure(call: ToolCall) -> list[Part]:
    if not call.is_error or call.result is None:
        return []
    return [Part("tool_result", text=call.result, name=label(call.name, 60), id=call.call_id,
                 is_error=True)]


def _arguments(arguments: object) -> str | None:
    if arguments is None:
        return None
    if isinstance(arguments, str):
        return clean_text(arguments)
    return clean_text(json.dumps(arguments, ensure_ascii=False))


def edit_diff(name: str, args: dict[str, object], root: str | None = None) -> Part | None:
    """A file edit as a unified diff, or None when the arguments are not an edit's."""
    path = relative(label(args.get("file_path") or args.get("path"), 200) or "file", root)
    if name == "Write" or (name == "str_replace_based_edit_tool"
                           and args.get("command") == "create"):
        content = args.get("content", args.get("file_text"))
        if not isinstance(content, str):
            return None
        return _diff_part(f"Write {path}", path, [("", content)], new_file=True)
    if name == "MultiEdit":
        edits = args.get("edits")
        if not isinstance(edits, list):
            return None
        pairs = [(e.get("old_string"), e.get("new_string")) for e in edits
                 if isinstance(e, dict)]
    else:
        pairs = [(args.get("old_string", args.get("old_str")),
                  args.get("new_string", args.get("new_str")))]
    clean = [(o, n) for o, n in pairs if isinstance(o, str) and isinstance(n, str)]
    if not clean:
        return None
    return _diff_part(f"Edit {path}", path, clean)


def _diff_part(title: str, path: str, pairs: list[tuple[str, str]],
               new_file: bool = False) -> Part:
    lines = [f"--- {'/dev/null' if new_file else path}", f"+++ {path}"]
    for old, new in pairs:
        hunk = list(difflib.unified_diff(clean_text(old).splitlines(),
                                         clean_text(new).splitlines(), n=3, lineterm=""))
        lines.extend(hunk[2:] if hunk else ["@@ no change @@"])
    return Part("code", code="\n".join(lines), language="diff", title=title)


def relative(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` when it lies under it, else as it is."""
    if root:
        prefix = root.rstrip("/") + "/"
        if path.startswith(prefix) and len(path) > len(prefix):
            return path[len(prefix):]
    return path


def shell_command(args: dict[str, object]) -> str | None:
    """The command line of a shell call: a string, or ``bash -lc <script>`` given as a list."""
    command = args.get("command", args.get("cmd"))
    if isinstance(command, str):
        return clean_text(command).strip() or None
    if isinstance(command, list) and all(isinstance(c, str) for c in command) and command:
        if len(command) == 3 and command[0] in ("bash", "sh", "zsh") and command[1] in (
                "-c", "-lc"):
            return clean_text(command[2]).strip() or None
        return " ".join(clean_text(c) for c in command)
    return None


def console_part(command: str, output: str | None, failed: bool, description: str | None
                 ) -> Part:
    """``$ command`` and its output in one console block, titled with what it was for."""
    shown = "\n".join(("$ " if i == 0 else "> ") + line
                      for i, line in enumerate(command.splitlines() or [command]))
    if output and output.strip():
        shown += "\n" + output.rstrip("\n")
    title = description or "Shell"
    if failed:
        title += " (failed)"
    return Part("code", code=shown, language="console", title=title)


def _is_patch_command(args: dict[str, object]) -> bool:
    command = args.get("command")
    return isinstance(command, list) and len(command) == 2 and command[0] == "apply_patch"


def _patch_text(args: dict[str, object]) -> str | None:
    command = args.get("command")
    if isinstance(command, list) and len(command) == 2 and isinstance(command[1], str):
        return command[1]
    value = args.get("input") or args.get("patch")
    return value if isinstance(value, str) else None


def subagent_markdown(parts: list[Part]) -> str:
    """A sub-agent's messages as Markdown, for the collapsed part under its call."""
    blocks: list[str] = []
    for part in parts:
        if part.type == "text" and (part.text or "").strip():
            blocks.append(part.text or "")
        elif part.type == "code":
            blocks.append(f"**{_inline(part.title or 'Code')}**\n\n"
                          + fenced(part.code or "", part.language))
        elif part.type == "tool_call":
            head = f"**Tool call: {_inline(part.name or 'tool')}**"
            blocks.append(head + ("\n\n" + fenced(part.arguments, "json")
                                  if part.arguments else ""))
        elif part.type == "tool_result" and (part.text or "").strip():
            head = "**Error**" if part.is_error else "**Result**"
            blocks.append(head + "\n\n" + fenced(part.text or ""))
        elif part.type == "reasoning" and (part.text or "").strip():
            blocks.append(f"*{_inline(part.title or 'Reasoning')}*\n\n"
                          + "\n".join("> " + line for line in (part.text or "").splitlines()))
        elif part.type == "image":
            blocks.append(f"*[image: {_inline(part.name or 'image')}]*")
    return "\n\n".join(blocks) or "*The sub-agent left no messages.*"


def fenced(text: str, language: str | None = None) -> str:
    """``text`` in a code fence longer than any run of backticks inside it."""
    longest = max((len(m.group()) for m in _BACKTICKS.finditer(text)), default=2)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language or ''}\n{text.rstrip()}\n{fence}"


def _inline(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)
