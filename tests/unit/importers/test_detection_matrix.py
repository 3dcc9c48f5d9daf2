"""The detection matrix: every fixture of every format is told as itself, and no other.

The formats are the folders of ``tests/fixtures/imports/`` (a folder's name
is its format's name), so a format added later joins the matrix by adding its
fixtures. For each export file there:

- ``--format auto`` detects the folder's format and imports something;
- every other ``--format`` is refused, writing nothing, by an error that names
  the file;
- importing it again changes no file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.load import SitePaths
from amber.errors import AmberError
from amber.importers.pipeline import run_import
from amber.importers.record import FORMATS
from tests.helpers.trees import tree_bytes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NOT_FORMATS = frozenset({"bad"})
"""Folders of fixtures that are no format: broken files for the error tests."""
EXPORT_SUFFIXES = frozenset({".json", ".jsonl", ".zip", ".html"})
"""Files that are exports; others (the images beside a conversations.json) are not."""


def format_folders() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name not in NOT_FORMATS)


def exports() -> list[tuple[str, Path]]:
    return [(folder.name, path) for folder in format_folders()
            for path in sorted(folder.iterdir())
            if path.is_file() and path.suffix.lower() in EXPORT_SUFFIXES]


def case_id(case: tuple[str, Path]) -> str:
    return f"{case[0]}/{case[1].name}"


EXPORTS = exports()


def test_every_format_has_fixtures_and_every_fixture_folder_is_a_format() -> None:
    folders = {p.name for p in format_folders()}
    assert folders <= set(FORMATS), f"folders named after no format: {folders - set(FORMATS)}"
    assert set(FORMATS) <= folders, f"formats without fixtures: {set(FORMATS) - folders}"


@pytest.mark.parametrize("case", EXPORTS, ids=case_id)
def test_each_fixture_is_detected_as_its_format(case: tuple[str, Path], paths: SitePaths) -> None:
    format_name, export = case
    summary = run_import(export, paths)
    assert summary.format == format_name
    assert summary.imported, summary.skipped


@pytest.mark.parametrize("case", EXPORTS, ids=case_id)
def test_each_fixture_is_refused_in_every_other_format(case: tuple[str, Path],
                                                       paths: SitePaths) -> None:
    format_name, export = case
    before = tree_bytes(paths.root)
    for other in FORMATS:
        if other == format_name:
            continue
        with pytest.raises(AmberError) as caught:
            run_import(export, paths, other)
        message = str(caught.value)
        assert str(export) in message, (other, message)
        assert "format" in message, (other, message)
        assert tree_bytes(paths.root) == before, other


@pytest.mark.parametrize("case", EXPORTS, ids=case_id)
def test_importing_each_fixture_again_changes_nothing(case: tuple[str, Path],
                                                      paths: SitePaths) -> None:
    first = run_import(case[1], paths)
    files = tree_bytes(paths.root)
    again = run_import(case[1], paths)
    assert (again.imported, again.updated) == ([], [])
    assert again.unchanged == len(first.imported)
    assert tree_bytes(paths.root) == files
