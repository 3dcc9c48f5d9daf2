"""What the importer tests share: a bare site to import into."""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.load import SitePaths


@pytest.fixture
def paths(tmp_path: Path) -> SitePaths:
    """A site with a site.yaml and an empty content/conversations/."""
    p = SitePaths(tmp_path / "site")
    p.conversations.mkdir(parents=True)
    p.site_yaml.write_text("title: T\nbase_url: https://example.test/\n")
    return p
