"""`amber review` calls a share of some messages stale only when those messages changed."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import share
from tests.helpers.git import commit, git
from tests.helpers.partial_site import AGENT, edit


def test_review_marks_a_partial_share_stale_only_for_its_messages(site: Path) -> None:
    shutil.copy(AGENT, site / "content" / "conversations" / "agent.yaml")
    git(site, "init", "-q", "-b", "main")
    [share_id] = share(site, "agent", "--messages", "2-3", "--yes")
    commit(site, "base")
    edit(site, "One more thing", "A last thing")  # message 8: not shared
    commit(site, "edit message 8")
    outside = ok(run_amber("review", "HEAD~1", "HEAD", cwd=site)).stdout
    assert share_id not in outside
    edit(site, "Please deploy", "Kindly deploy")  # message 2: shared
    commit(site, "edit message 2")
    inside = ok(run_amber("review", "HEAD~1", "HEAD", cwd=site)).stdout
    assert share_id in inside.split("Stale", 1)[1]
