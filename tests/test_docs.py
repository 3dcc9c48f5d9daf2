"""Contract tests: what users can see documented matches what the code accepts.

A command, a site.yaml key or a part type that the README does not mention is
one a user cannot find; these fail when the two drift apart.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from amber.cli import make_parser
from amber.content.model import PART_FIELDS
from amber.content.schema import SITE_OPTIONAL, SITE_REQUIRED

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the amber parser has no subcommands")


def test_every_command_is_in_the_readme() -> None:
    for name in _commands():
        assert f"`amber {name}" in README, f"README does not document `amber {name}`"


def test_every_command_option_is_in_the_readme() -> None:
    for name, sub in _commands().items():
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in README, f"README does not mention {flag} of amber {name}"


def test_every_site_key_is_in_the_readme() -> None:
    table = README.split("### `content/site.yaml`", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", table, re.MULTILINE))
    assert documented == set(SITE_REQUIRED) | set(SITE_OPTIONAL)


def test_every_part_type_and_key_is_in_the_readme() -> None:
    for part_type, (required, optional) in PART_FIELDS.items():
        row = re.search(rf"^\| `{part_type}` \|(.*)$", README, re.MULTILINE)
        assert row, f"README has no row for part type {part_type}"
        for key in required + optional:
            assert f"`{key}`" in row.group(1), f"README row {part_type} lacks key {key}"


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert "amber build" in block[0]
    assert "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pytest" in ci and ".[test]" in ci
