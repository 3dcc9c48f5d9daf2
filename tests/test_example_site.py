"""The shipped example site is a product too: it must check and build cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

from amber.build.pipeline import build
from amber.content.load import SitePaths, load_content

ROOT = Path(__file__).resolve().parent.parent


def test_example_content_is_valid_and_varied() -> None:
    content = load_content(SitePaths(ROOT))
    assert content.problems == []
    assert len(content.conversations) >= 5
    suffixes = {c.path.suffix for c in content.conversations.values() if c.path}
    assert {".yaml", ".json"} <= suffixes
    listed = [s for s in content.snapshots.values() if s.listed]
    unlisted = [s for s in content.snapshots.values() if not s.listed]
    assert listed and unlisted
    assert len(content.snapshots) > len(content.conversations) / 2


def test_example_site_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    result = build(site, use_cache=False)
    assert result.pages == len(load_content(SitePaths(site)).snapshots)
    assert (site / "output" / "index.html").is_file()
