"""Rendering on a process pool gives the same site as rendering in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import incremental
from generator.build import render_site
from generator.content import SitePaths, load_content

EXAMPLE = Path(__file__).resolve().parents[2] / "content"


def test_pool_and_serial_render_the_same_bytes(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    content = load_content(SitePaths(tmp_path))
    config = content.require_valid()
    assert len(content.snapshots) >= 2
    serial = render_site(content, config)
    monkeypatch.setattr(incremental, "POOL_THRESHOLD", 1)
    parallel = render_site(content, config, jobs=2)
    assert parallel == serial


def test_a_template_error_in_a_worker_names_the_template(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "content")
    templates = tmp_path / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "share.html").write_text("{% extends 'base.html' %}{% block content %}{{ page.no_such_field }}{% endblock %}")
    content = load_content(SitePaths(tmp_path))
    monkeypatch.setattr(incremental, "POOL_THRESHOLD", 1)
    with pytest.raises(Exception, match="no_such_field"):
        render_site(content, content.require_valid(), jobs=2)
