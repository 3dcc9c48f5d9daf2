"""Fixtures of the preview server's tests.

- ``serve_site``: a fresh copy of ``tests/fixtures/serve/site`` (four conversations, one
  image, no shares) under ``tmp_path``;
- ``running``: ``amber serve --port 0`` on it with two shares, stopped cleanly at the end.

Helpers are in ``tests.helpers.serve``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import EPOCH
from tests.helpers.serve import AmberServer, share_now, start_server


@pytest.fixture
def serve_site(fixture_copy: Callable[[str], Path]) -> Path:
    return fixture_copy("serve/site")


@pytest.fixture
def running(serve_site: Path) -> Iterator[AmberServer]:
    """``amber serve --port 0`` on a copy of the fixture with one listed and one unlisted
    share; stopped (and checked to stop cleanly) at the end."""
    share_now(serve_site, "alpha", listed=True, author="Serve Author", epoch=EPOCH + 10)
    share_now(serve_site, "bravo", epoch=EPOCH + 20)
    server = start_server(serve_site)
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, server.stderr()
