"""User mistakes: one clear line and exit 1; bad usage: exit 2; `check` lists everything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers.cli import assert_user_error, ok, problem_lines, run_amber
from tests.helpers.fixture_site import BuiltSite
from tests.helpers.trees import tree_bytes

CONVS = Path("content") / "conversations"


def write(site: Path, rel: str, text: str) -> None:
    (site / rel).write_text(text, "utf-8")


@pytest.mark.parametrize("command", ["check", "share alpha"])
def test_broken_yaml_names_file_line_and_column(site: Path, command: str) -> None:
    write(site, "content/conversations/x.yaml",
          "title: Broken\nmessages:\n  - role: user\n    content: a: b\n")
    result = run_amber(*command.split(), cwd=site)
    line = assert_user_error(result, "content/conversations/x.yaml:4:")
    assert re.search(r"content/conversations/x\.yaml:4:\d+: ", line), line
    assert "YAML" in line


def test_list_warns_about_broken_conversation_but_still_lists(built_copy: BuiltSite) -> None:
    site, alpha_id = built_copy.root, built_copy.ids["alpha"]
    write(site, "content/conversations/x.yaml",
          "title: Broken\nmessages:\n  - role: user\n    content: a: b\n")
    result = ok(run_amber("list", cwd=site))
    assert alpha_id in result.stdout
    assert re.search(r"content/conversations/x\.yaml:4:\d+: ", result.stderr), result.stderr


def test_broken_json_names_file_line_and_column(site: Path) -> None:
    write(site, "content/conversations/j.json",
          '{\n  "title": "x",\n  "messages": [\n    {"role": "user", "content": "hi",}\n  ]\n}\n')
    line = assert_user_error(run_amber("check", cwd=site))
    assert re.search(r"content/conversations/j\.json:4:\d+: ", line), line


def test_unknown_key_in_conversation_is_named(site: Path) -> None:
    write(site, "content/conversations/y.yaml",
          "title: Extra key\ntags: [a, b]\nmessages:\n  - role: user\n    content: hi\n")
    line = assert_user_error(run_amber("build", cwd=site), "content/conversations/y.yaml:2:",
                             "'tags'")
    assert "unknown key" in line


def test_unknown_key_in_site_yaml_is_named(site: Path) -> None:
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "colour: blue\n")
    assert_user_error(run_amber("build", cwd=site), "content/site.yaml:", "'colour'")


def test_missing_site_yaml(site: Path) -> None:
    (site / "content" / "site.yaml").unlink()
    assert_user_error(run_amber("build", cwd=site), "site.yaml")
    assert not (site / "output").exists()


@pytest.mark.parametrize("bad", ["example.test/chats"])
def test_bad_base_url(site: Path, bad: str) -> None:
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("https://example.test/chats/", bad))
    assert_user_error(run_amber("build", cwd=site), "content/site.yaml:", "base_url")
    assert not (site / "output").exists()


def test_bad_base_url_option_is_bad_usage(site: Path) -> None:
    result = run_amber("build", "--base-url", "not a url", cwd=site)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "--base-url" in result.stderr
    assert not (site / "output").exists()


def test_site_option_pointing_nowhere(tmp_path: Path) -> None:
    result = run_amber("--site", "/nonexistent", "build", cwd=tmp_path)
    assert_user_error(result, "/nonexistent")


def test_site_option_works_from_elsewhere(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    ok(run_amber("--site", str(site), "build", cwd=elsewhere))
    assert (site / "output" / "index.html").is_file()
    assert list(elsewhere.iterdir()) == []


def test_no_site_here(tmp_path: Path) -> None:
    assert_user_error(run_amber("build", cwd=tmp_path), "content")


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    [],
    ["share"],
    ["update"],
    ["revoke"],
    ["build", "--no-such-option"],
    ["list", "extra-argument"],
    ["share", "alpha", "--name", "X", "--anonymous"],
])
def test_bad_usage_exits_2(site: Path, args: list[str]) -> None:
    before = tree_bytes(site)
    result = run_amber(*args, cwd=site)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "bad usage must say what is wrong"
    assert tree_bytes(site) == before


# --- 13. check ----------------------------------------------------------------------


def test_check_on_a_valid_site(built_site: BuiltSite) -> None:
    result = ok(run_amber("check", cwd=built_site.root))
    assert "error" not in result.stderr.lower()


def test_check_lists_every_problem_across_files(site: Path) -> None:
    write(site, "content/conversations/alpha.yaml",
          "title: Broken\nmessages:\n  - role: user\n    content: a: b\n")
    bravo = site / "content" / "conversations" / "bravo.json"
    bravo.write_text(bravo.read_text().replace('"title"', '"colour": "blue",\n  "title"'))
    write(site, "content/conversations/charlie.yaml",
          "title: Bad role\nmessages:\n  - role: wizard\n    content: hi\n")
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "colour: green\n")

    result = run_amber("check", cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    expected = {
        "content/conversations/alpha.yaml:4:": "YAML",
        "content/conversations/bravo.json:": "'colour'",
        "content/conversations/charlie.yaml:3:": "wizard",
        "content/site.yaml:": "'colour'",
    }
    for where, what in expected.items():
        assert any(where in line and what in line for line in lines), (where, result.stderr)
    assert len(lines) == len(expected), result.stderr
