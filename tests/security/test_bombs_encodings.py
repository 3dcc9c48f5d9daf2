"""YAML and JSON bombs and broken encodings, in every kind of file amber reads.

``tests/unit/test_tree.py`` shows the parser refusing each bomb. Here each one goes into
every file a site has (a conversation in YAML and in JSON, a share file, site.yaml,
revoked.yaml) and into the exports ``amber import`` reads, and the real CLI must refuse
it with one line that names the file and the line (``file:line:col: why``), never a
traceback, never a hang and never a memory blow-up. Text that is odd but valid (a BOM,
CRLF or CR line ends, right-to-left overrides, stacked combining marks) must build, and
every file of the built site must be valid UTF-8.

Many bad files go into one site so that one ``amber check`` reports them all: the CLI
lists every problem, and a run costs a process start.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.model import Conversation, Message
from amber.content.snapshot import freeze, serialise_snapshot
from tests.helpers.cli import ok, problem_lines, run_amber
from tests.helpers.fixture_site import FIXTURE_SITE, build, share

IMPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "imports"

CONVERSATION = "title: Bomb\nmessages:\n  - role: user\n    content: hi\n"
REVOKED = "- id: 00000000-0000-4000-8000-00000000dead\n  revoked: '2026-01-01T00:00:00Z'\n"


def laughs(levels: int = 9) -> str:
    """Billion laughs in one flow sequence: each anchor names nine of the one before."""
    items = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    items += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "[" + ", ".join(items) + "]"


YAML_BOMBS: dict[str, tuple[str, str]] = {
    # name: (a YAML value on one line, what the error says)
    "billion laughs": (laughs(), "anchors (&name) are not supported"),
    "alias without anchor": ("*nowhere", "aliases (*name) are not supported"),
    "10,000 nested flow lists": ("[" * 10_000 + "]" * 10_000, "nested deeper than 200"),
    "10,000 nested flow maps": ("{a: " * 10_000 + "1" + "}" * 10_000, "nested deeper than 200"),
    "python/object/apply": ("!!python/object/apply:os.system [echo pwned]",
                            "unsupported YAML tag tag:yaml.org,2002:python/object/apply"),
    "python/name": ("!!python/name:os.system ''", "unsupported YAML tag"),
    "binary": ("!!binary aGVsbG8=", "unsupported YAML tag tag:yaml.org,2002:binary"),
    "set": ("!!set {a, b}", "unsupported YAML tag tag:yaml.org,2002:set"),
    "local tag": ("!pwn value", "unsupported YAML tag !pwn"),
    "merge key": ("{<<: {model: x}}", "unsupported YAML tag tag:yaml.org,2002:merge"),
    "duplicate keys": ("{a: 1, a: 2}", "duplicate key 'a'"),
    "complex key": ("{[a, b]: c}", "mapping keys must be strings"),
}


def share_text(share_id: str, slug: str = "alpha") -> str:
    """A valid share file, as `amber share` writes it."""
    conv = Conversation(slug, "A share", (Message("user", "hi"),))
    snap = freeze(conv, share_id, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z")
    return serialise_snapshot(snap).decode("utf-8")


def share_id(i: int) -> str:
    return f"{i:08x}-0000-4000-8000-000000000000"


def new_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    (site / "content" / "shares").mkdir(exist_ok=True)
    return site


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def refused_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert all(len(line) < 400 for line in lines), "a message must stay one readable line"
    return lines


def assert_reported(lines: list[str], where: str, line: int, why: str) -> None:
    """One problem line names ``where:line:`` and says ``why``."""
    prefix = f"error: {where}:{line}:"
    found = [entry for entry in lines if entry.startswith(prefix)]
    assert found, f"nothing reported at {where}:{line}; got:\n" + "\n".join(lines)
    assert any(why in entry for entry in found), f"{why!r} not in {found}"


# --- bombs in conversations and share files ----------------------------------------------


def test_yaml_bombs_in_conversations_and_shares_are_refused_with_file_and_line(
    tmp_path: Path,
) -> None:
    site = new_site(tmp_path)
    content = site / "content"
    expected: list[tuple[str, int, str]] = []
    for i, (value, why) in enumerate(YAML_BOMBS.values()):
        conv = CONVERSATION + f"extra: {value}\n"
        (content / "conversations" / f"bomb-{i}.yaml").write_text(conv, "utf-8")
        expected.append((f"content/conversations/bomb-{i}.yaml", 5, why))
        sid = share_id(i)
        text = share_text(sid) + f"extra: {value}\n"
        (content / "shares" / f"{sid}.yaml").write_text(text, "utf-8")
        expected.append((f"content/shares/{sid}.yaml", text.count("\n"), why))
    lines = refused_lines(run_amber("check", cwd=site))
    for where, line, why in expected:
        assert_reported(lines, where, line, why)
    assert len(lines) == len(expected), "one problem per bad file, none for good ones"


JSON_BOMBS: dict[str, tuple[str, str]] = {
    # name: (the JSON value of "title", what the error says)
    "100,000 nested arrays": ("[" * 100_000 + "]" * 100_000, "nested deeper than 200"),
    "100,000 nested objects": ('{"a":' * 100_000 + "1" + "}" * 100_000,
                               "nested deeper than 200"),
    "a 100,000-digit integer": ("1" + "0" * 100_000, "number too large"),
    "1e999999": ("1e999999", "title: expected a string, got a number"),
    "NaN": ("NaN", "expected a value, found 'N'"),
    "Infinity": ("-Infinity", "invalid JSON"),
    "duplicate keys": ('"a", "title": "b"', "duplicate key 'title'"),
    "a one-megabyte key": ('"t", "' + "k" * 1_000_000 + '": 1', "unknown key 'kkkk"),
    "lone surrogate escape": ('"a\\ud800b"', "unpaired surrogate"),
    "NUL escape": ('"a\\u0000b"', "control character U+0000"),
    "control character escape": ('"a\\u001bb"', "control character U+001B"),
    "noncharacter escape": ('"a\\uffffb"', "control character U+FFFF"),
}


def test_json_bombs_in_conversations_are_refused_with_file_and_line(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    conversations = site / "content" / "conversations"
    expected = []
    for i, (value, why) in enumerate(JSON_BOMBS.values()):
        text = ('{\n"messages": [{"role": "user", "content": "hi"}],\n"title": '
                + value + "\n}\n")
        (conversations / f"json-{i}.json").write_text(text, "utf-8")
        expected.append((f"content/conversations/json-{i}.json", 3, why))
    lines = refused_lines(run_amber("check", cwd=site))
    for where, line, why in expected:
        assert_reported(lines, where, line, why)


def test_huge_numbers_in_yaml_share_fields_give_short_messages(tmp_path: Path) -> None:
    """A number too long to convert stays text, and the message quotes it cut short."""
    site = new_site(tmp_path)
    shares = site / "content" / "shares"
    cases = {
        share_id(1): ("format: 1", "format: 1" + "0" * 100_000, "format: this amber reads"),
        share_id(2): ("format: 1", "format: 1.0e+999999", "not inf"),
        share_id(3): (f"id: {share_id(3)}", "id: " + "9" * 100_000, "is not a lowercase UUID4"),
    }
    for sid, (old, new, _) in cases.items():
        (shares / f"{sid}.yaml").write_text(share_text(sid).replace(old, new), "utf-8")
    lines = refused_lines(run_amber("check", cwd=site))
    for sid, (old, _, why) in cases.items():
        line = line_of(share_text(sid), old)
        assert_reported(lines, f"content/shares/{sid}.yaml", line, why)


# --- bombs in site.yaml and revoked.yaml ---------------------------------------------------


def plant_in_site_and_revoked(site: Path, value: str) -> int:
    """The bomb as a value in site.yaml (its line returned) and in revoked.yaml (line 3)."""
    site_yaml = site / "content" / "site.yaml"
    text = site_yaml.read_text("utf-8") + f"extra: {value}\n"
    site_yaml.write_text(text, "utf-8")
    (site / "content" / "revoked.yaml").write_text(REVOKED + f"  extra: {value}\n", "utf-8")
    return text.count("\n")


def assert_problem(site: Path, rel: str, line: int, why: str) -> None:
    """``load_content`` (what every command runs first) reports ``why`` at ``rel:line``."""
    problems = load_content(SitePaths(site)).problems
    found = [p for p in problems if p.path == site / rel and p.line == line]
    assert found and any(why in p.message for p in found), (rel, line, why, problems)


@pytest.mark.parametrize("name", list(YAML_BOMBS))
def test_yaml_bombs_in_site_yaml_and_revoked_yaml_are_refused(tmp_path: Path, name: str) -> None:
    value, why = YAML_BOMBS[name]
    site = new_site(tmp_path)
    line = plant_in_site_and_revoked(site, value)
    assert_problem(site, "content/site.yaml", line, why)
    assert_problem(site, "content/revoked.yaml", 3, why)


@pytest.mark.parametrize("name", ["billion laughs", "10,000 nested flow maps",
                                  "python/object/apply", "merge key"])
def test_yaml_bombs_in_site_yaml_and_revoked_yaml_stop_the_build(tmp_path: Path,
                                                                 name: str) -> None:
    value, why = YAML_BOMBS[name]
    site = new_site(tmp_path)
    line = plant_in_site_and_revoked(site, value)
    lines = refused_lines(run_amber("build", cwd=site))
    assert_reported(lines, "content/site.yaml", line, why)
    assert_reported(lines, "content/revoked.yaml", 3, why)
    assert not (site / "output").exists(), "nothing is built from bad content"


# --- bombs in exports, through amber import ------------------------------------------------


def claude_export(text_value: str) -> bytes:
    """The Claude fixture's first conversation, its first message's text replaced.

    Written one token a line, so that line ends fall between tokens only."""
    records = json.loads((IMPORTS / "claude" / "conversations.json").read_text("utf-8"))
    marker = "TEXT-VALUE-PLACEHOLDER"
    records[0]["chat_messages"][0]["text"] = marker
    return json.dumps(records[:1], indent=1).replace(f'"{marker}"', text_value).encode()


def chatgpt_export() -> bytes:
    return (IMPORTS / "chatgpt" / "conversations.json").read_bytes()


IMPORT_REFUSED: dict[str, tuple[bytes, str]] = {
    # name: (the export's bytes, what the refusal says)
    "100,000 nested arrays as the file": (b"[" * 100_000 + b"]" * 100_000,
                                          "nested deeper than 200 levels"),
    "100,000 nested arrays in a message": (claude_export("[" * 100_000 + "]" * 100_000),
                                           "nested deeper than 200 levels"),
    "100,000 nested objects in a ChatGPT record": (
        chatgpt_export().replace(b'"title"', b'"deep": ' + b'{"a":' * 100_000 + b"1"
                                 + b"}" * 100_000 + b', "title"', 1),
        "nested deeper than 200 levels"),
    "a 100,000-digit integer": (claude_export("1" + "0" * 100_000), "a number longer than"),
    "1e999999": (claude_export("1e999999"), "overflow"),
    "NaN": (claude_export("NaN"), "not valid JSON"),
    "invalid UTF-8": (claude_export('"caf\\u00e9"').replace(b"caf\\u00e9", b"caf\xe9"),
                      "not valid"),
    "overlong UTF-8": (claude_export('"OVERLONG"').replace(b"OVERLONG", b"\xc0\xaf"),
                       "not valid UTF-8"),
    "raw NUL in a string": (claude_export('"RAWNUL"').replace(b"RAWNUL", b"RAW\x00NUL"),
                            "not valid JSON"),
}


@pytest.mark.parametrize("name", list(IMPORT_REFUSED))
def test_import_refuses_bombs_and_broken_encodings(tmp_path: Path, name: str) -> None:
    data, why = IMPORT_REFUSED[name]
    site = new_site(tmp_path)
    export = tmp_path / "conversations.json"
    export.write_bytes(data)
    before = sorted((site / "content").rglob("*"))
    [line] = refused_lines(run_amber("import", export, cwd=site))
    assert "conversations.json" in line and why in line, line
    assert sorted((site / "content").rglob("*")) == before, "a refused import writes nothing"


IMPORT_CLEANED: dict[str, str] = {
    # name: the JSON value of the first message's text
    "a one-megabyte key": '{"' + "k" * 1_000_000 + '": 1}',
    "duplicate keys": '"first", "text": "second"',
    "lone surrogate escape": '"a\\ud800b"',
    "NUL and control escapes": '"a\\u0000b\\u001bc\\uffff"',
    "RTL override and zalgo": '"\\u202eevil\\u202c z\\u0301\\u0301\\u0301"',
}


def test_import_of_odd_records_gives_content_that_loads(tmp_path: Path) -> None:
    """Records that are odd but readable import (or are skipped with a reason), and what
    import writes always loads: ``amber check`` passes after it. With a BOM and CRLF."""
    records = []
    for i, text in enumerate(IMPORT_CLEANED.values()):
        [record] = json.loads(claude_export(text))
        record["uuid"] = f"7a1c2f00-0000-4000-8000-{i:012d}"
        record["name"] = f"Odd record {i}"
        records.append(record)
    site = new_site(tmp_path)
    export = tmp_path / "conversations.json"
    export.write_bytes(b"\xef\xbb\xbf" + json.dumps(records, indent=1).encode()
                      .replace(b"\n", b"\r\n"))
    result = ok(run_amber("import", export, cwd=site))
    assert len(result.stdout.split()) == len(records), result.stderr
    ok(run_amber("check", cwd=site))
    written = b"".join(p.read_bytes() for p in (site / "content" / "conversations").iterdir())
    text = written.decode("utf-8")
    assert "\x00" not in text and "\x1b" not in text and "\uffff" not in text
    assert "\u202eevil" in text
    assert "a?b" in text or "a\ufffdb" in text  # the JSON reader replaces a lone surrogate


# --- encodings ---------------------------------------------------------------------------


UNUSABLE: dict[str, tuple[bytes, str]] = {
    # name: (bytes inside a quoted value, what the error says)
    "invalid UTF-8": (b"caf\xe9", "not valid UTF-8"),
    "overlong UTF-8": (b"\xc0\xaf", "not valid UTF-8"),
    "UTF-8-encoded surrogate": (b"\xed\xa0\x80", "not valid UTF-8"),
    "raw NUL": (b"a\x00b", "contains a NUL character"),
}
ESCAPED: dict[str, tuple[str, str, str]] = {
    # name: (a YAML double-quoted escape, the JSON escape, what the error says)
    "lone surrogate escape": ("\\ud800", "\\ud800", "surrogate"),
    "NUL escape": ("\\0", "\\u0000", "control character U+0000"),
    "bell escape": ("\\a", "\\u0007", "control character U+0007"),
    "escape escape": ("\\e", "\\u001b", "control character U+001B"),
    "noncharacter escape": ("\\uFFFE", "\\ufffe", "control character U+FFFE"),
}
LIBYAML_SURROGATE = "invalid Unicode character escape code"
"""libyaml refuses a surrogate escape itself, before amber sees the string."""


def quoted_values(name: str) -> tuple[bytes, bytes, str, str]:
    """(YAML value, JSON value, what the YAML error says, what the JSON one says)."""
    if name in UNUSABLE:
        raw, why = UNUSABLE[name]
        return b"'" + raw + b"'", b'"' + raw + b'"', why, why
    yaml_escape, json_escape, why = ESCAPED[name]
    yaml_why = LIBYAML_SURROGATE if why == "surrogate" else why
    return f'"x{yaml_escape}y"'.encode(), f'"x{json_escape}y"'.encode(), yaml_why, why


def test_unusable_encodings_are_refused_in_every_file_with_line(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    content = site / "content"
    expected: list[tuple[str, int, str]] = []
    for i, name in enumerate([*UNUSABLE, *ESCAPED]):
        yaml_value, json_value, yaml_why, json_why = quoted_values(name)
        conv = CONVERSATION.encode().replace(b"Bomb", yaml_value)
        (content / "conversations" / f"enc-{i}.yaml").write_bytes(conv)
        expected.append((f"content/conversations/enc-{i}.yaml", 1, yaml_why))
        conv_json = (b'{"messages": [{"role": "user", "content": "hi"}],\n"title": '
                     + json_value + b"}\n")
        (content / "conversations" / f"enc-json-{i}.json").write_bytes(conv_json)
        expected.append((f"content/conversations/enc-json-{i}.json", 2, json_why))
        sid = share_id(100 + i)
        text = share_text(sid)
        data = text.encode().replace(b"title: A share", b"title: " + yaml_value)
        (content / "shares" / f"{sid}.yaml").write_bytes(data)
        expected.append((f"content/shares/{sid}.yaml", line_of(text, "title:"), yaml_why))
    lines = refused_lines(run_amber("check", cwd=site))
    for where, line, why in expected:
        assert_reported(lines, where, line, why)


@pytest.mark.parametrize("name", [*UNUSABLE, *ESCAPED])
def test_unusable_encodings_in_site_yaml_and_revoked_yaml(tmp_path: Path, name: str) -> None:
    value, _, why, _ = quoted_values(name)
    site = new_site(tmp_path)
    site_yaml = site / "content" / "site.yaml"
    text = site_yaml.read_bytes().replace(b"author: Fixture Author", b"author: " + value)
    site_yaml.write_bytes(text)
    revoked = REVOKED.encode().replace(b"'2026-01-01T00:00:00Z'", value)
    (site / "content" / "revoked.yaml").write_bytes(revoked)
    line = text[: text.index(b"author:")].count(b"\n") + 1
    assert_problem(site, "content/site.yaml", line, why)
    assert_problem(site, "content/revoked.yaml", 2, why)
    if name in ("invalid UTF-8", "NUL escape"):  # and through the CLI, for a sample
        lines = refused_lines(run_amber("check", cwd=site))
        assert_reported(lines, "content/site.yaml", line, why)
        assert_reported(lines, "content/revoked.yaml", 2, why)


ODD_BUT_VALID = {
    "bom.yaml": b"\xef\xbb\xbf" + CONVERSATION.replace("Bomb", "BOM title").encode(),
    "crlf.yaml": CONVERSATION.replace("Bomb", "CRLF title").replace("\n", "\r\n").encode(),
    "cr.yaml": CONVERSATION.replace("Bomb", "CR title").replace("\n", "\r").encode(),
    "crlf-json.json": b'{"title": "JSON CRLF",\r\n"messages": [{"role": "user",\r\n'
                 b'"content": "line one\\r\\nline two"}]}\r\n',
    "rtl.yaml": "title: \"Invoice \u202efdp.exe\u202c\"\nmessages:\n  - role: user\n"
                "    content: \"\u202eright to left\u202c and \u2067isolate\u2069\"\n".encode(),
    "zalgo.yaml": ("title: " + "Z" + "\u0301\u0302\u0303\u0304" * 50 + "algo\nmessages:\n"
                   "  - role: user\n    content: " + "e\u0338" * 2000 + "\n").encode(),
    "astral.yaml": "title: \"Emoji \U0001F600 and \U00010348\"\nmessages:\n  - role: user\n"
                   "    content: \"\U0001F9D1\u200d\U0001F4BB zero-width joiner\"\n".encode(),
}


def test_odd_but_valid_text_builds_and_every_output_file_is_utf8(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    conversations = site / "content" / "conversations"
    for name, data in ODD_BUT_VALID.items():
        (conversations / name).write_bytes(data)
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_bytes(b"\xef\xbb\xbf" + site_yaml.read_bytes().replace(b"\n", b"\r\n")
                          .replace(b"Fixture Author", "Fixture \u202eAuthor".encode()))
    slugs = [Path(name).stem for name in ODD_BUT_VALID]
    ids = share(site, *slugs, "--listed", "--name")
    output = build(site)
    texts = {}
    for path in sorted(output.rglob("*")):
        assert not path.is_symlink()
        if path.is_file() and path.suffix != ".png":  # preview cards are images
            texts[path] = path.read_bytes().decode("utf-8")  # strict: raises if invalid
    pages = [texts[output / "share" / sid / "index.html"] for sid in ids]
    joined = "".join(pages)
    for expected in ("BOM title", "CRLF title", "CR title", "JSON CRLF", "\u202efdp.exe",
                     "\U0001F600", "e\u0338e\u0338", "Fixture \u202eAuthor"):
        assert expected in joined, expected
    assert "\ufeff" not in joined, "the BOM is not content"
    assert "\r" not in "".join(texts.values()).replace("\r\n", ""), "no stray CR in output"
