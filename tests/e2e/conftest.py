"""Fixtures of the end-to-end tests: the real CLI in copies of the e2e fixture site.

- ``site``: a fresh copy of ``tests/fixtures/site`` (no shares) under ``tmp_path``;
- ``built_site``: one session-wide site with five shares, built once; read it only;
- ``built_copy``: a private copy of ``built_site`` (content and output/) to change freely;
- ``shared_site``: ``site`` with nine shares, enough to use the process pool.

Subprocess start-up dominates the run time, so tests reuse ``built_site``/``built_copy``
instead of sharing and building again. Helpers are in ``tests.helpers``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.fixture_site import BuiltSite, make_built_site, share


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """A site with five shares, built once (see ``make_built_site``). Tests using it must
    only read it; tests that change it use ``built_copy``."""
    return make_built_site(tmp_path_factory.mktemp("built") / "site")


@pytest.fixture
def built_copy(built_site: BuiltSite, tmp_path: Path) -> BuiltSite:
    """A private copy of ``built_site`` (content and output/) that a test may change."""
    root = tmp_path / "built-site"
    shutil.copytree(built_site.root, root, symlinks=True)
    return BuiltSite(root, dict(built_site.ids), built_site.listed_newest_first,
                     built_site.unlisted)


@pytest.fixture
def site(fixture_copy: Callable[[str], Path]) -> Path:
    """A fresh copy of the fixture site, with no shares; the CLI runs in it."""
    return fixture_copy("site")


@pytest.fixture
def shared_site(site: Path) -> tuple[Path, list[str]]:
    """Nine shares (three of each fixture conversation), enough to use the process pool."""
    ids: list[str] = []
    for epoch in (1767225600, 1767312000, 1767398400):
        ids += share(site, "alpha", "bravo", "--listed", "--yes", epoch=epoch)
        ids += share(site, "charlie", "--yes", epoch=epoch)
    return site, ids
