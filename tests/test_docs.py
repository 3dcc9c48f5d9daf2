"""Contract tests: what users can read matches what the code accepts.

A command, an option, a site.yaml key or a part type that the docs do not
explain is one a user cannot find; the generated reference pages must be what
the code gives today; the README must stay one page that leads into the docs;
and the docs site must build without a single warning. These fail when the
docs and the code drift apart.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from amber.cli import make_parser
from amber.content.model import PART_FIELDS
from amber.content.schema import SITE_OPTIONAL, SITE_REQUIRED
from amber.content.snapshot import SNAPSHOT_OPTIONAL, SNAPSHOT_REQUIRED

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text("utf-8")
GENERATED_PAGES = {DOCS / "reference" / "cli.md"}
"""Pages copied from the code: they cannot show that a person explained anything."""


def page(name: str) -> str:
    return (DOCS / name).read_text("utf-8")


def prose_pages() -> dict[str, str]:
    """Every docs page a person wrote (the CLI reference is generated, so left out)."""
    return {path.relative_to(DOCS).as_posix(): path.read_text("utf-8")
            for path in sorted(DOCS.rglob("*.md")) if path not in GENERATED_PAGES}


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_reference", DOCS / "gen_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = make_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the amber parser has no subcommands")


def _table(text: str, heading: str) -> list[list[str]]:
    """The cells of the first Markdown table after ``heading``, header row left out."""
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
        elif rows:
            break
    return rows[2:]


# -- the README: one page that starts with the two commands ---------------------------


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert "amber build" in block[0]
    assert "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pytest" in ci and ".[test]" in ci


def test_readme_is_one_page() -> None:
    assert len(README.splitlines()) <= 300


def test_readme_has_one_row_per_command() -> None:
    rows = _table(README, "## Commands")
    named = [re.match(r"`amber ([a-z]+)", row[0]) for row in rows]
    assert all(named), "every row of the command table starts with `amber NAME"
    assert sorted(m.group(1) for m in named if m) == sorted(_commands())


def _readme_links() -> list[str]:
    return [target for target in re.findall(r"\]\(([^)\s]+)\)", README)
            if "://" not in target]


def test_readme_links_every_docs_page() -> None:
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))["nav"]

    def pages(entries: object) -> list[str]:
        if isinstance(entries, str):
            return [entries]
        if isinstance(entries, list):
            return [p for entry in entries for p in pages(entry)]
        if isinstance(entries, dict):
            return [p for value in entries.values() for p in pages(value)]
        return []

    linked = {target.split("#")[0] for target in _readme_links()}
    missing = [name for name in pages(nav) if f"docs/{name}" not in linked]
    assert missing == []


def slug(heading: str) -> str:
    """The anchor Python-Markdown's toc extension gives a heading."""
    text = re.sub(r"`|\*", "", heading)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def test_slug_matches_python_markdown() -> None:
    assert slug("What revoking does not do") == "what-revoking-does-not-do"
    assert slug("`amber review BASE [HEAD]`") == "amber-review-base-head"


def test_readme_links_resolve() -> None:
    links = _readme_links()
    assert links, "the README links into the docs"
    for target in links:
        path, _, anchor = target.partition("#")
        file = ROOT / (path or "README.md")
        assert file.is_file(), f"README links to {path}, which is not a file"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", file.read_text("utf-8"), re.MULTILINE)
            assert anchor in {slug(h) for h in headings}, f"README links to {target}"


# -- the generated pages: what the code gives today --------------------------------------


@pytest.mark.parametrize("name", ["cli", "context"])
def test_generated_block_matches_the_code(name: str) -> None:
    gen = load_generator()
    path, make = gen.GENERATED[name]
    text = path.read_text("utf-8")
    assert text == gen.with_block(text, name, make()), (
        f"{path.relative_to(ROOT)} is out of date: run python docs/gen_reference.py")


def test_cli_reference_has_every_command() -> None:
    text = page("reference/cli.md")
    for name in _commands():
        assert f"## `amber {name}`" in text
        assert f"usage: amber {name}" in text


def test_cli_reference_is_wrapped_at_80_columns_whatever_the_terminal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    gen = load_generator()
    monkeypatch.setenv("COLUMNS", "200")
    wide = gen.cli_reference()
    monkeypatch.setenv("COLUMNS", "40")
    assert gen.cli_reference() == wide
    assert os.environ["COLUMNS"] == "40", "the generator puts the environment back"
    assert max(len(line) for line in wide.splitlines() if not line.startswith("#")) <= 100


def test_check_fails_on_a_stale_page_and_passes_once_rewritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    gen = load_generator()
    copies = {}
    for name, (path, make) in gen.GENERATED.items():
        copy = tmp_path / path.name
        text = gen.with_block(path.read_text("utf-8"), name, "an old --help that drifted")
        copy.write_text(text, "utf-8")
        copies[name] = (copy, make)
    monkeypatch.setattr(gen, "DOCS", tmp_path)
    monkeypatch.setattr(gen, "GENERATED", copies)
    assert gen.main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert "usage: amber share" in copies["cli"][0].read_text("utf-8")


def test_a_page_without_markers_is_refused() -> None:
    gen = load_generator()
    with pytest.raises(SystemExit, match="BEGIN GENERATED cli"):
        gen.with_block("no markers here\n", "cli", "text")


def test_context_reference_documents_every_field() -> None:
    import dataclasses

    from amber.render import pages

    text = page("themes.md")
    for cls in vars(pages).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and \
                cls.__module__ == pages.__name__:
            section = text.split(f"### `{cls.__name__}`", 1)[1].split("###", 1)[0]
            for field in dataclasses.fields(cls):
                assert f"| `{field.name}` |" in section, f"{cls.__name__}.{field.name}"


# -- the prose pages: every command, option, key and part is explained ---------------------


def test_every_command_is_explained_in_the_docs() -> None:
    text = "\n".join(prose_pages().values())
    for name in _commands():
        assert f"amber {name}" in text, f"no docs page explains `amber {name}`"


def test_every_command_option_is_explained_in_the_docs() -> None:
    text = "\n".join(prose_pages().values())
    parsers = {"amber": make_parser(), **_commands()}
    for name, sub in parsers.items():
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--version"):
                    assert flag in text, f"no docs page explains {flag} of {name}"


def test_every_site_key_is_in_the_configuration_table() -> None:
    rows = _table(page("configuration.md"), "## `content/site.yaml`")
    documented = {re.fullmatch(r"`([a-z_]+)`", row[0]).group(1): row[1] for row in rows}  # type: ignore[union-attr]
    expected = {key: "yes" for key in SITE_REQUIRED} | {key: "no" for key in SITE_OPTIONAL}
    assert documented == expected


def test_every_part_type_and_key_is_in_the_content_format() -> None:
    text = page("content-format.md")
    for part_type, (required, optional) in PART_FIELDS.items():
        row = re.search(rf"^\| `{part_type}` \|(.*)$", text, re.MULTILINE)
        assert row, f"content-format.md has no row for part type {part_type}"
        for key in required + optional:
            assert f"`{key}`" in row.group(1), f"row {part_type} lacks key {key}"


def test_every_snapshot_key_is_in_the_content_format() -> None:
    rows = _table(page("content-format.md"), "## Share snapshots")
    documented = {key for row in rows for key in re.findall(r"`([a-z_]+)`", row[0])}
    assert documented == set(SNAPSHOT_REQUIRED) | set(SNAPSHOT_OPTIONAL)


_REPO_PATH = re.compile(r"`((?:generator|tests|bench|themes/default|docs)/[\w./-]+)`")


def test_every_repository_path_the_docs_name_exists() -> None:
    """Old module paths (``generator/pages.py``) must not survive a reorganisation.

    Folders that git ignores (``tests/browser/artifacts/``) appear only when used."""
    ignored = [line.strip("/") for line in (ROOT / ".gitignore").read_text("utf-8").splitlines()
               if "/" in line.strip("/") and not line.startswith("#")]
    texts = {"README.md": README, **prose_pages()}
    named = [(where, path) for where, text in texts.items()
             for path in _REPO_PATH.findall(text)
             if not any(path.strip("/").startswith(folder) for folder in ignored)]
    assert len(named) > 10, "the pattern must find the paths the docs name"
    missing = [f"{where}: {path}" for where, path in named if not (ROOT / path).exists()]
    assert missing == []


_MEASURED = re.compile(r"(?<![<=] )(?<![\w.])\d+(?:\.\d+)? ?(?:s|ms|MB)\b")
"""A time or size in a table cell (``28.18 s``, ``155 ms``, ``79 MB``), not a target (``< 1 s``)."""


@pytest.mark.parametrize("name", ["README.md", "bench/README.md"])
def test_benchmark_figures_live_only_on_the_performance_page(name: str) -> None:
    text = (ROOT / name).read_text("utf-8")
    rows = [line for line in text.splitlines()
            if line.startswith("|") and _MEASURED.search(line)]
    assert rows == [], f"{name} has figures; they belong in docs/performance.md"
    assert "performance" in text


def test_the_figure_pattern_finds_figures_but_not_targets() -> None:
    assert _MEASURED.search("| amber cold (2 jobs) | 28.18 s | 79 MB |")
    assert _MEASURED.search("| save -> reload event | 126 / 267 ms |")
    assert not _MEASURED.search("| no-op rebuild < 1 s | 10,000 | median wall time |")
    assert not _MEASURED.search("| amber peak RSS < 400 MB | 10,000 |")


# -- the docs site builds with no warning ------------------------------------------------

MKDOCS_BUILD = ["mkdocs", "build", "--strict"]
"""No ``--quiet``: it raises MkDocs' log level above WARNING, so warnings are never counted
and ``--strict`` passes whatever is broken (MkDocs 1.6, mkdocs/mkdocs#4126)."""


def build_docs(root: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI"):
            pytest.fail("mkdocs is not installed: it is in the test extra of pyproject.toml")
        pytest.skip("mkdocs is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", *MKDOCS_BUILD, "--site-dir", str(site_dir)],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
    )


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    done = build_docs(ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").is_file()


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    """The build above can fail: a link to a missing anchor aborts it."""
    (tmp_path / "mkdocs.yml").write_bytes((ROOT / "mkdocs.yml").read_bytes())
    shutil.copytree(DOCS, tmp_path / "docs")
    index = tmp_path / "docs" / "index.md"
    index.write_text(index.read_text("utf-8") + "\n[gone](themes.md#no-such-heading)\n", "utf-8")
    done = build_docs(tmp_path, tmp_path / "site")
    assert done.returncode != 0
    assert "no-such-heading" in done.stderr


def test_ci_builds_the_docs_strictly() -> None:
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    line = next((line for line in ci.splitlines() if "mkdocs build" in line), None)
    assert line is not None, ".ci/run builds the docs"
    assert " ".join(MKDOCS_BUILD) in line
    assert "--quiet" not in line and " -q" not in line
