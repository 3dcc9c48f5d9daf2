"""Fixtures every test folder may use.

- ``fixture_copy(name)``: a fresh copy of ``tests/fixtures/NAME`` under ``tmp_path``
  (named after its last part: ``serve/site`` lands in ``tmp_path/site``);
- ``static_host``: a GitHub-Pages-like host on 127.0.0.1; ``static_host.mount("/chats/",
  folder)`` serves a folder under a base path and returns its URL;
- ``source_date_epoch``: SOURCE_DATE_EPOCH set to ``EPOCH`` for the test, through
  monkeypatch; call it with another epoch to move the frozen time.

The CLI is run with ``tests.helpers.cli.run_amber`` (a child process with no terminal
and CI=true); other helpers are in ``tests.helpers`` too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import EPOCH, FIXTURES
from tests.helpers.static_host import StaticHost
from tests.helpers.static_host import static_host as start_static_host


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Callable[[str], Path]:
    def copy(name: str) -> Path:
        source = FIXTURES / name
        if not source.is_dir():
            raise FileNotFoundError(f"no fixture folder {source}")
        target = tmp_path / source.name
        shutil.copytree(source, target)
        return target

    return copy


@pytest.fixture
def static_host() -> Iterator[StaticHost]:
    with start_static_host() as host:
        yield host


@pytest.fixture
def source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    def set_epoch(epoch: int) -> None:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))

    set_epoch(EPOCH)
    return set_epoch
