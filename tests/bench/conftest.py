"""Tests of the benchmark scripts in ``bench/``.

Those scripts run as plain scripts (``python bench/bench_scale.py``) and import their
siblings by bare name (``import corpus``), so their folder goes on ``sys.path`` here,
once, before any test module of this folder is imported.
"""

from __future__ import annotations

import sys

from tests.helpers import REPO

BENCH = REPO / "bench"

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
