"""Test code imports helpers one way: ``from tests.helpers.<module> import name``.

A conftest is pytest's to load; imported by hand as ``e2e.conftest`` or
``tests.e2e.conftest`` it became a second module with its own copy of every constant
and cache. Relative imports and bare folder names (``from security.x import``) depended
on which folder pytest had put on ``sys.path``. This test names, for each import of the
old kinds, the helper module that now holds the name.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from tests.helpers import REPO

TESTS = REPO / "tests"
FOLDERS = {p.name for p in TESTS.iterdir() if p.is_dir() and (p / "__init__.py").is_file()}


def helper_homes() -> dict[str, str]:
    """Each public name defined in a module of ``tests.helpers`` -> that module."""
    homes: dict[str, str] = {}
    for path in sorted((TESTS / "helpers").glob("*.py")):
        name = "tests.helpers" if path.stem == "__init__" else f"tests.helpers.{path.stem}"
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if attr.startswith("_") or getattr(value, "__module__", name) != name:
                continue
            homes.setdefault(attr, name)
    return homes


def bad_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module or ""
        top = module.split(".")[0]
        if node.level or "conftest" in module.split(".") or top in FOLDERS:
            found.append((node.lineno, "." * node.level + module, [a.name for a in node.names]))
    return found


def test_test_code_imports_helpers_from_tests_helpers() -> None:
    homes = helper_homes()
    problems = []
    for path in sorted(TESTS.rglob("*.py")):
        if "node_modules" in path.parts:
            continue
        for line, module, names in bad_imports(path):
            where = {n: homes.get(n, "?") for n in names}
            problems.append(f"{path.relative_to(REPO)}:{line}: from {module} import ... -> "
                            + ", ".join(f"{n} from {m}" for n, m in where.items()))
    assert problems == []


def test_the_checker_sees_each_old_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text("from .conftest import ok\n"
                      "from tests.e2e.conftest import share\n"
                      "from security.xss_site import amber\n"
                      "from tests.helpers.cli import run_amber\n"
                      "import os\n")
    assert [line for line, _, _ in bad_imports(sample)] == [1, 2, 3]
