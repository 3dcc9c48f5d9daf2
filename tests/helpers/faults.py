"""Helpers of the fault tests: a site of moderate size and crash runs.

The site is the shipped example site (``content/`` of this repository: its conversations
and images) with every conversation shared several times, so that a build renders tens
of pages and takes long enough for kills to land inside it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from amber.content.load import SitePaths, load_content
from amber.content.sensitive import scan_messages
from amber.content.shares import create_shares
from tests.helpers import EPOCH, REPO
from tests.helpers.cli import cli_env, source_date

EXAMPLE = REPO / "content"
CRASHRUN = REPO / "tests" / "faults" / "crashrun.py"


def make_site(root: Path, copies: int) -> list[str]:
    """The example site at ``root`` with each conversation shared ``copies`` times (no
    output yet); the share IDs, newest first. Shares of conversations with sensitive
    findings are made as ``--allow-sensitive`` would, so that ``check`` passes."""
    (root / "content").mkdir(parents=True)
    shutil.copy2(EXAMPLE / "site.yaml", root / "content" / "site.yaml")
    for name in ("conversations", "assets"):
        if (EXAMPLE / name).is_dir():
            shutil.copytree(EXAMPLE / name, root / "content" / name)
    (root / "content" / "shares").mkdir()
    content = load_content(SitePaths(root))
    config = content.require_valid()
    convs = sorted(content.conversations.values(), key=lambda c: c.slug)
    sensitive = {c.slug for c in convs
                 if scan_messages(c.title, c.messages, language=config.language)}
    ids: list[str] = []
    for copy in range(copies):
        with source_date(EPOCH + copy * 100):
            snaps = create_shares(content, convs, title=None, author=None,
                                  listed=copy % 2 == 0, allow_sensitive=sensitive)
        ids.extend(s.id for s in snaps)
        content = load_content(SitePaths(root))
    return ids[::-1]


def crash_runs(template: Path, work: Path, argv: list[str], mode: str,
               points: list[float] | None = None,
               overlay: Path | None = None) -> list[dict[str, object]]:
    """Run ``crashrun.py``: one result per kill point (or the mutation log for ``count``).

    ``overlay``: build each copy first, then bring its content to the overlay's.
    """
    work.parent.mkdir(parents=True, exist_ok=True)
    spec = work.with_suffix(".json")
    spec.write_text(json.dumps({"template": str(template), "work": str(work), "argv": argv,
                                "mode": mode, "points": points or [],
                                "overlay": str(overlay) if overlay else None}), "utf-8")
    result = subprocess.run([sys.executable, str(CRASHRUN), str(spec)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=cli_env(), timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
