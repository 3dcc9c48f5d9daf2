"""``amber import`` of exports built to exhaust it: refused with exit 1, quickly, naming
the conversation, and nothing written. (The limits themselves are tested in
``tests/unit/importers/test_import_limits.py``.)"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from pathlib import Path

from tests.helpers.cli import assert_refused, run_amber
from tests.helpers.fixture_site import FIXTURE_SITE

MAX_STRING_BYTES = 16 << 20
"""The documented limit on one string of an export."""


def conversation(title: str) -> dict[str, object]:
    return {"title": title, "mapping": {}}


def test_conversations_are_numbered_on_across_the_files_of_a_split_export(
        tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("conversations-000.json", json.dumps([conversation("a")] * 2))
        archive.writestr("conversations-001.json",
                         '[{"title": "b", "mapping": {}}, {"title": "'
                         + "b" * (MAX_STRING_BYTES + 1) + '"}]')
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    before = sorted((site / "content").rglob("*"))
    line = assert_refused(run_amber("import", export, cwd=site),
                          "export.zip:conversations-001.json: conversation 4: "
                          "has a string longer than 16 MB")
    assert len(line) < 300, line
    assert sorted((site / "content").rglob("*")) == before, "a refused import writes nothing"


def test_a_small_zip_with_a_huge_title_is_refused_quickly(tmp_path: Path) -> None:
    """The attack as found: a 122 KB zip holding a 120 MB title ran for 51 s."""
    export = tmp_path / "export.zip"
    with (zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
          archive.open("conversations.json", "w") as out):
        out.write(b'[{"title": "')
        for _ in range(120):
            out.write(b"a" * (1 << 20))
        out.write(b'", "mapping": {}}]')
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    start = time.perf_counter()
    assert_refused(run_amber("import", export, cwd=site),
                   "conversations.json: conversation 1: has a string longer than 16 MB")
    assert time.perf_counter() - start < 20
