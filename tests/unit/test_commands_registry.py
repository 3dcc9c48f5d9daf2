"""Every command is registered one way: a module of ``amber.commands`` with ``register``.

The full parser, ``amber --help`` and the fast parse of ``amber build`` all come
from those modules; these fail when a command is added beside the list, lacks a
handler, or when the build's options are parsed by anything but its own module.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import subprocess
import sys

import pytest

import amber.commands
from amber.cli import _build_args, make_parser
from amber.commands import COMMAND_MODULES


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise AssertionError("the amber parser has no subcommands")


def _registered_names() -> list[str]:
    """Command names in the order the modules of the list add them, each on its own."""
    names: list[str] = []
    for module_name in COMMAND_MODULES:
        commands = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"amber.commands.{module_name}").register(commands)
        assert commands.choices, f"amber.commands.{module_name}.register added no command"
        names.extend(commands.choices)
    return names


def test_every_listed_module_has_register() -> None:
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(f"amber.commands.{module_name}")
        assert callable(getattr(module, "register", None)), f"{module_name} has no register"


def test_every_module_with_register_is_listed() -> None:
    found = {info.name for info in pkgutil.iter_modules(amber.commands.__path__)
             if hasattr(importlib.import_module(f"amber.commands.{info.name}"), "register")}
    assert found == set(COMMAND_MODULES)


def test_every_subparser_has_a_handler() -> None:
    for name, sub in _subparsers(make_parser()).choices.items():
        assert callable(sub.get_default("handler")), f"amber {name} has no handler"


def test_help_lists_exactly_the_registered_commands_in_order() -> None:
    shown = subprocess.run([sys.executable, "-m", "amber", "--help"], capture_output=True,
                           text=True, check=True, env={**os.environ, "COLUMNS": "200"}).stdout
    listing = shown.split("positional arguments:", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^ {4}(\S+)", listing, re.MULTILINE)
    assert names == _registered_names()
    assert names[:6] == ["init", "share", "update", "revoke", "list", "build"]


@pytest.mark.parametrize("argv", [
    ["build"],
    ["--site", "s", "build", "-j", "2", "--no-cache", "--shard", "1/2", "--output", "o",
     "--base-url", "https://example.org/x/"],
    ["build", "--jobs=3", "--base-url", "https://example.org/"],
])
def test_fast_build_parse_is_the_full_parse(argv: list[str]) -> None:
    assert _build_args(argv) == make_parser().parse_args(argv)


@pytest.mark.parametrize("argv", [
    ["share", "build"], ["build", "--jobs", "0"], ["build", "extra"], ["build", "-h"],
    ["build", "--he"], ["--version", "build"], ["--vers", "build"], ["list"],
])
def test_fast_build_parse_leaves_the_rest_to_the_full_parser(
        argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert _build_args(argv) is None
    assert capsys.readouterr() == ("", "")  # the full parser reports it, once


def _amber_modules_after(statement: str) -> list[str]:
    code = (f"import sys; {statement}; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('amber'))))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split()


def test_the_full_parser_imports_no_stage_a_handler_needs() -> None:
    """`amber --help` and every command but a plain build build the full parser first."""
    loaded = _amber_modules_after("from amber.cli import make_parser; make_parser()")
    heavy = ("amber.build", "amber.render", "amber.review", "amber.serve", "amber.scaffold",
             "amber.content.shares", "amber.content.sensitive")
    assert [m for m in loaded if m.startswith(heavy)] == []


def test_fast_build_parse_imports_no_other_command() -> None:
    loaded = _amber_modules_after("from amber.cli import _build_args; _build_args(['build'])")
    assert loaded == ["amber", "amber.cli", "amber.commands", "amber.commands.build",
                      "amber.errors"]
