"""Helpers shared by the test folders: import them as ``tests.helpers.<module>``.

Fixtures live in the conftests; what a test module imports lives here, since a conftest
is pytest's to load and importing one by hand makes a second copy of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

EPOCH = 1767225600
"""2026-01-01T00:00:00Z: the default SOURCE_DATE_EPOCH of every CLI run and share."""


def iso(epoch: int) -> str:
    """The ISO 8601 UTC form amber writes for a SOURCE_DATE_EPOCH."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
