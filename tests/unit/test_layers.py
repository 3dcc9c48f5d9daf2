"""The import graph of ``generator/amber``: no circles, no upward imports, no private names
taken from another module.

Why: amber is built in stages (content is read, then rendered, then written), and each
stage folder should be understandable, testable and changeable with only the folders
below it in mind. An import that goes up (render reaching into build) or sideways
between peers ties two stages together so that neither can change alone; an import
circle makes the import order itself a source of bugs; a private name (``_x``) used
from another module is an interface nobody agreed to keep. These rules are cheap to
check from the source and costly to restore once broken, so they are checked here.

Every module is parsed with ``ast``: imports at module level and inside functions (a
lazy import is still a dependency), ``from . import`` resolved against the package.
Dynamic imports (``importlib.import_module`` with a computed name) are not seen.

The rules are data, at the top: ``LAYERS`` (lowest first) and ``PEER_EXCEPTIONS``.
The three rule tests fail on any violation, naming the file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import REPO

SOURCE_ROOT = REPO / "generator"
PACKAGE = "amber"

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "progress", "atomic"}),
    frozenset({"content"}),
    frozenset({"render"}),
    frozenset({"build"}),
    frozenset({"review", "importers", "fork", "lock", "serve", "scaffold", "publish"}),
    frozenset({"commands"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)
"""Units (a stage folder, or a top-level module) from the lowest layer up. A unit may
import itself and anything in a lower layer; peers in one layer may not import each
other except as ``PEER_EXCEPTIONS`` says. The package's own ``__init__`` (the version)
is in the base layer."""

PEER_EXCEPTIONS: frozenset[tuple[str, str]] = frozenset()
"""(importer unit, imported unit) pairs of peers allowed to import each other, each with
its reason in a comment. None today: every peer of the service layer stands on
content, render and build alone."""

# --- reading the graph ----------------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One dependency of a module on another: an import, or a private attribute read."""

    importer: str
    """The dotted name of the module that depends."""
    imported: str
    """The dotted name of the module (or stage folder) it depends on."""
    name: str | None
    """The name taken from ``imported`` (``from M import name``, ``M.name``), if any."""
    line: int


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for an attribute chain on a plain name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class ImportGraph:
    """The modules of one package under ``root`` and every use of one by another."""

    def __init__(self, root: Path, package: str = PACKAGE) -> None:
        self.root = root
        self.package = package
        self.modules = {self._name(p): p for p in sorted((root / package).rglob("*.py"))}
        """Dotted name -> file."""
        assert self.modules, f"no modules under {root / package}"
        self.uses = tuple(use for name in self.modules for use in self._uses_of(name)
                          if use.imported != use.importer)

    def _name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def _is_folder(self, dotted_name: str) -> bool:
        return (self.root / Path(*dotted_name.split("."))).is_dir()

    def _absolute(self, importer: str, module: str | None, level: int) -> str:
        """The absolute name of ``from <level dots><module> import ...`` in ``importer``."""
        if level == 0:
            return module or ""
        package = importer.split(".")
        if not self._is_folder(importer):
            package = package[:-1]
        base = package[: len(package) - (level - 1)]
        return ".".join(base + ([module] if module else []))

    def _own(self, dotted_name: str) -> str | None:
        """The longest prefix of ``dotted_name`` that is a module of the package or one of
        its folders (a stage folder has no ``__init__``)."""
        parts = dotted_name.split(".")
        if parts[0] != self.package:
            return None
        while parts:
            candidate = ".".join(parts)
            if candidate in self.modules or self._is_folder(candidate):
                return candidate
            parts.pop()
        return None

    def _uses_of(self, importer: str) -> Iterator[Use]:
        """Every import of another module of the package by ``importer``, at any depth,
        and every ``alias._private`` read through a name bound to a module."""
        path = self.modules[importer]
        tree = ast.parse(path.read_text("utf-8"), str(path))
        bound: dict[str, str] = {}
        """Names bound to a module of the package anywhere in the file (``import a.b as
        c``, ``from a import b``): a sound guess, since amber does not rebind them."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = self._own(alias.name)
                    if target is None:
                        continue
                    yield Use(importer, target, None, node.lineno)
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound[self.package] = self.package
            elif isinstance(node, ast.ImportFrom):
                source = self._absolute(importer, node.module, node.level)
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in self.modules:
                        yield Use(importer, submodule, None, node.lineno)
                        bound[alias.asname or alias.name] = submodule
                    elif (target := self._own(source)) is not None:
                        yield Use(importer, target, alias.name, node.lineno)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or not is_private(node.attr):
                continue
            chain = dotted(node.value)
            if chain is None:
                continue
            head, _, rest = chain.partition(".")
            if head not in bound:
                continue
            full = ".".join(filter(None, [bound[head], rest]))
            if full in self.modules:
                yield Use(importer, full, node.attr, node.lineno)

    def where(self, use: Use) -> str:
        return f"{self.modules[use.importer].relative_to(self.root).as_posix()}:{use.line}"

    # --- the rules --------------------------------------------------------------------

    def circles(self) -> dict[tuple[str, ...], str]:
        """Each group of modules that import each other, round a circle (a strongly
        connected component of more than one module, by Tarjan's algorithm), with the
        imports that close it."""
        graph: dict[str, set[str]] = {name: set() for name in self.modules}
        for use in self.uses:
            if use.imported in graph:
                graph[use.importer].add(use.imported)
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        groups: list[list[str]] = []

        def visit(node: str) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            for nxt in sorted(graph[node]):
                if nxt not in index:
                    visit(nxt)
                    low[node] = min(low[node], low[nxt])
                elif nxt in stack:
                    low[node] = min(low[node], index[nxt])
            if low[node] == index[node]:
                group = [stack.pop()]
                while group[-1] != node:
                    group.append(stack.pop())
                if len(group) > 1:
                    groups.append(sorted(group))

        for node in sorted(graph):
            if node not in index:
                visit(node)
        found = {}
        for group in groups:
            closing = sorted({f"{self.where(use)} -> {use.imported}" for use in self.uses
                              if use.importer in group and use.imported in group})
            found[("circle", *group)] = "; ".join(closing)
        return found

    def upward_imports(self) -> dict[tuple[str, ...], str]:
        """Imports of a higher layer ("upward") or of a peer unit of the same layer
        ("sideways", unless ``PEER_EXCEPTIONS`` allows it)."""
        found: dict[tuple[str, ...], str] = {}
        for use in self.uses:
            here, there = unit(use.importer), unit(use.imported)
            if here == there:
                continue
            up = layer(use.imported) > layer(use.importer)
            sideways = (layer(use.imported) == layer(use.importer)
                        and (here, there) not in PEER_EXCEPTIONS)
            if up or sideways:
                key = ("upward" if up else "sideways", use.importer, use.imported)
                found.setdefault(key, self.where(use))
        return found

    def private_names(self) -> dict[tuple[str, ...], str]:
        """``_name``s another module imports or reads as ``module._name``."""
        found: dict[tuple[str, ...], str] = {}
        for use in self.uses:
            if use.name is not None and is_private(use.name):
                key = ("private", use.importer, f"{use.imported}.{use.name}")
                found.setdefault(key, self.where(use))
        return found

    def violations(self) -> dict[tuple[str, ...], str]:
        return {**self.circles(), **self.upward_imports(), **self.private_names()}


def unit(module: str) -> str:
    """The stage folder or top-level module a module belongs to; the package's own
    ``__init__`` counts as part of the base layer."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "errors"


def layer(module: str) -> int:
    name = unit(module)
    for number, members in enumerate(LAYERS):
        if name in members:
            return number
    raise AssertionError(f"{module}: unit {name!r} is in no layer of LAYERS")


def unexpected(found: dict[tuple[str, ...], str]) -> list[str]:
    """Violations, one line each, with where they are."""
    return [f"{' '.join(key)}  ({where})" for key, where in sorted(found.items())]


@pytest.fixture(scope="module")
def amber_graph() -> ImportGraph:
    return ImportGraph(SOURCE_ROOT)


# --- the tree ---------------------------------------------------------------------------


def test_every_unit_of_the_package_has_a_layer(amber_graph: ImportGraph) -> None:
    for name in amber_graph.modules:
        layer(name)


def test_no_import_circles(amber_graph: ImportGraph) -> None:
    assert unexpected(amber_graph.circles()) == []


def test_no_upward_or_sideways_imports_between_stages(amber_graph: ImportGraph) -> None:
    assert unexpected(amber_graph.upward_imports()) == []


def test_no_private_name_is_used_from_another_module(amber_graph: ImportGraph) -> None:
    assert unexpected(amber_graph.private_names()) == []


# --- the checker, on a made-up package ------------------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> ImportGraph:
    for rel, text in files.items():
        path = root / PACKAGE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return ImportGraph(root)


def test_a_lazy_import_inside_a_function_is_seen_going_up(tmp_path: Path) -> None:
    graph = write_package(tmp_path, {
        "__init__.py": "",
        "render/site.py": "def build():\n    from amber.build import pipeline\n",
        "build/pipeline.py": "",
    })
    assert graph.upward_imports() == {
        ("upward", "amber.render.site", "amber.build.pipeline"): "amber/render/site.py:2"}


def test_peers_of_one_layer_may_not_import_each_other(tmp_path: Path) -> None:
    graph = write_package(tmp_path, {
        "lock.py": "",
        "serve/server.py": "import amber.lock\n",
        "commands/core.py": "import amber.serve.server\nimport amber.errors\n",
        "errors.py": "",
    })
    assert list(graph.upward_imports()) == [("sideways", "amber.serve.server", "amber.lock")]


def test_a_circle_through_a_relative_import_is_found(tmp_path: Path) -> None:
    graph = write_package(tmp_path, {
        "build/pipeline.py": "from . import delta\n",
        "build/delta.py": "def f():\n    from .pipeline import run\n",
        "build/quick.py": "from amber.build import delta\n",
    })
    assert list(graph.circles()) == [("circle", "amber.build.delta", "amber.build.pipeline")]


def test_private_names_imported_or_read_through_a_module_are_found(tmp_path: Path) -> None:
    graph = write_package(tmp_path, {
        "content/load.py": "def _parse(): pass\n",
        "lock.py": "from amber.content.load import _parse, __doc__\n",
        "serve/loader.py": "from amber.content import load\nload._parse()\n",
        "serve/server.py": "import amber.content.load as loading\nloading._parse()\n",
        "serve/views.py": "import amber.content.load\namber.content.load._parse()\n",
    })
    assert sorted(graph.private_names()) == [
        ("private", importer, "amber.content.load._parse")
        for importer in ("amber.lock", "amber.serve.loader", "amber.serve.server",
                         "amber.serve.views")]


def test_imports_of_other_packages_and_of_itself_are_not_violations(tmp_path: Path) -> None:
    graph = write_package(tmp_path, {
        "errors.py": "import os\nfrom collections import _sentinel\n",
        "content/load.py": "from amber.content import model\nfrom amber.errors import Err\n",
        "content/model.py": "",
    })
    assert graph.violations() == {}
