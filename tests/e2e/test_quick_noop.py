"""A build with nothing changed answers from .amber-cache/quick.json, and only then."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.trees import tree_bytes

pytestmark = pytest.mark.slow


def rebuild(site: Path, *args: str, env: dict[str, str | None] | None = None) -> str:
    return ok(run_amber("build", *args, cwd=site, env=env)).stderr


def test_only_an_untouched_site_skips_the_build(site: Path) -> None:
    share(site, "alpha", "bravo", "--listed", "--yes")
    build(site)
    quick = site / ".amber-cache" / "quick.json"
    assert quick.is_file()
    assert "Up to date" in rebuild(site)

    # a content file touched (same bytes): not trusted at once, but the result is the same
    conv = site / "content" / "conversations" / "alpha.yaml"
    time.sleep(0.01)
    os.utime(conv)
    before = tree_bytes(site / "output")
    rebuild(site)
    assert tree_bytes(site / "output") == before
    assert "Up to date" in rebuild(site)

    # a hand edit in output/ and a stray file are repaired, never taken as up to date
    page = next((site / "output" / "share").glob("*/index.html"))
    with page.open("a") as fh:
        fh.write("<!-- edited -->")
    assert "written" in rebuild(site)
    assert "edited" not in page.read_text()
    (site / "output" / "share" / "stray.html").write_text("x")
    assert "written" in rebuild(site)
    assert not (site / "output" / "share" / "stray.html").exists()

    # other settings are other builds
    # (with listed shares the epoch changes no byte: the full build finds nothing to write)
    before = tree_bytes(site / "output")
    rebuild(site, env={"SOURCE_DATE_EPOCH": "1767312000"})
    assert tree_bytes(site / "output") == before
    assert "written" in rebuild(site, "--base-url", "https://other.test/x/")
    theme = site / "themes" / "default" / "static"
    theme.mkdir(parents=True)
    (theme / "extra.css").write_text("p{}")
    assert "written" in rebuild(site, "--base-url", "https://other.test/x/")


def test_a_failed_build_is_never_taken_as_up_to_date(site: Path) -> None:
    share(site, "alpha", "--yes")
    build(site)
    settings = site / "content" / "site.yaml"
    good = settings.read_text()
    settings.write_text(good + "unknown_key: 1\n")
    assert run_amber("build", cwd=site).returncode == 1
    assert not (site / ".amber-cache" / "quick.json").exists()
    settings.write_text(good)
    rebuild(site)
    assert (site / ".amber-cache" / "quick.json").is_file()
    assert "Up to date" in rebuild(site)
