"""Rendering on a process pool gives the same site as rendering in one process."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from amber.build import pool
from amber.build.memory import render_site
from amber.content.load import SitePaths, load_content
from amber.content.snapshot import freeze
from amber.errors import AmberError

EXAMPLE = Path(__file__).resolve().parents[2] / "content"


def test_pool_and_serial_render_the_same_bytes(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    content = load_content(SitePaths(tmp_path))
    config = content.require_valid()
    assert len(content.snapshots) >= 2
    serial = render_site(content, config)
    monkeypatch.setattr(pool, "POOL_THRESHOLD", 1)
    parallel = render_site(content, config, jobs=2)
    assert parallel == serial


def test_a_template_error_in_a_worker_names_the_template(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    templates = tmp_path / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "share.html").write_text(
        "{% extends 'base.html' %}{% block content %}{{ page.no_such_field }}{% endblock %}")
    content = load_content(SitePaths(tmp_path))
    monkeypatch.setattr(pool, "POOL_THRESHOLD", 1)
    with pytest.raises(AmberError, match="no_such_field"):
        render_site(content, content.require_valid(), jobs=2)


@pytest.mark.parametrize("site", [EXAMPLE.parent, EXAMPLE.parent / "tests" / "fixtures" / "theme"])
def test_summary_only_render_gives_the_same_summaries(site: Path) -> None:
    """A shard summarises other shards' shares without highlighting: same excerpt and text."""
    from amber.render.markdown import summary_only
    from amber.render.search import search_text
    from amber.render.site import share_page

    content = load_content(SitePaths(site))
    config = content.require_valid()
    snapshots = [freeze(conv, str(uuid.uuid4()), title=None, author=None, listed=True,
                        frozen="2026-01-01T00:00:00Z")
                 for conv in content.conversations.values()]
    assert len(snapshots) >= 3
    for snap in snapshots:
        full, _ = share_page(snap, config, content.paths)
        with summary_only():
            quick, _ = share_page(snap, config, content.paths)
        assert quick.description == full.description
        assert search_text(quick) == search_text(full)
        assert quick.message_count == full.message_count
