"""The cached, parallel, incremental build writes exactly what a cold build writes.

Each test changes the site the way a user does (share, revoke, update, theme edit,
image added, hand damage to output/ or the cache) and compares the incremental
output with a ``--no-cache`` build of the same content into another folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from amber.render.preview import PREVIEW_NAME
from tests.helpers import REPO
from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.trees import tree_bytes

pytestmark = pytest.mark.slow


def cold(site: Path) -> dict[str, bytes]:
    """A build with no cache into a fresh folder: the reference every build must equal."""
    target = site.parent / f"{site.name}-cold"
    shutil.rmtree(target, ignore_errors=True)
    ok(run_amber("build", "--no-cache", "--output", target, cwd=site))
    return tree_bytes(target)


def assert_same_as_cold(site: Path) -> None:
    built = tree_bytes(site / "output")
    reference = cold(site)
    assert sorted(built) == sorted(reference)
    different = [rel for rel in built if built[rel] != reference[rel]]
    assert not different, f"incremental output differs from a cold build: {different[:5]}"


def no_symlinks(tree: Path) -> None:
    for current, dirs, files in os.walk(tree):
        for name in dirs + files:
            assert not os.path.islink(os.path.join(current, name)), name


def test_second_build_writes_nothing(shared_site: tuple[Path, list[str]]) -> None:
    site, _ = shared_site
    build(site)
    before = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*")}
    result = ok(run_amber("build", cwd=site))
    assert "Up to date" in result.stderr
    after = {p: p.stat().st_mtime_ns for p in (site / "output").rglob("*")}
    assert before == after
    assert_same_as_cold(site)


def test_share_revoke_update_each_equal_a_cold_build(
    shared_site: tuple[Path, list[str]],
) -> None:
    site, ids = shared_site
    build(site)
    new = share(site, "bravo", "--listed", "--yes", epoch=1767484800)[0]
    result = ok(run_amber("build", cwd=site))
    assert "(" in result.stderr and "written)" in result.stderr
    assert (site / "output" / "share" / new / "index.html").is_file()
    assert_same_as_cold(site)

    ok(run_amber("revoke", ids[0], "--yes", cwd=site))
    build(site)
    assert not (site / "output" / "share" / ids[0]).exists()
    assert_same_as_cold(site)

    conv = site / "content" / "conversations" / "alpha.yaml"
    conv.write_text(conv.read_text().replace("PHRASE-ALPHA-7731", "PHRASE-ALPHA-NEW"))
    ok(run_amber("update", ids[3], "--yes", cwd=site))
    build(site)
    assert "PHRASE-ALPHA-NEW" in (site / "output" / "share" / ids[3] / "index.html").read_text()
    assert_same_as_cold(site)
    no_symlinks(site / "output")


def test_revoked_page_leaves_no_trace_in_the_cache(shared_site: tuple[Path, list[str]]) -> None:
    site, ids = shared_site
    build(site)
    build(site)
    victim = ids[2]
    ok(run_amber("revoke", victim, "--yes", cwd=site))
    build(site)
    cache = site / ".amber-cache"
    assert cache.is_dir()
    holding = [rel for rel, data in tree_bytes(cache).items() if victim.encode() in data]
    assert holding == [], f"revoked ID still in the cache: {holding}"
    assert not any(victim in rel for rel in tree_bytes(cache))
    # and the next builds, which swap the spare tree back in, never bring it back
    share(site, "alpha", "--yes", epoch=1767571200)
    build(site)
    build(site)
    assert not (site / "output" / "share" / victim).exists()
    assert_same_as_cold(site)


def test_theme_and_settings_changes_re_render_everything(
    shared_site: tuple[Path, list[str]],
) -> None:
    site, _ = shared_site
    build(site)
    theme = site / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    packaged = Path(__file__).resolve().parents[2] / "themes" / "default" / "templates"
    shutil.copy(packaged / "share.html", theme / "share.html")
    page = theme / "share.html"
    text = page.read_text()
    assert "{% block content %}" in text
    page.write_text(text.replace("{% block content %}", "{% block content %}<p>THEME-MARK</p>", 1))
    build(site)
    pages = list((site / "output" / "share").glob("*/index.html"))
    assert pages and all("THEME-MARK" in p.read_text() for p in pages)
    assert_same_as_cold(site)

    settings = site / "content" / "site.yaml"
    settings.write_text(settings.read_text().replace("example.test/chats/", "example.test/c2/"))
    build(site)
    assert "https://example.test/c2/" in (site / "output" / "index.html").read_text()
    assert_same_as_cold(site)


def test_damaged_output_or_cache_is_repaired(shared_site: tuple[Path, list[str]]) -> None:
    site, ids = shared_site
    build(site)
    build(site)
    page = site / "output" / "share" / ids[4] / "index.html"
    with page.open("a") as fh:
        fh.write("<!-- hand edit -->")
    (site / "output" / "stray.html").write_text("not ours")
    build(site)
    assert_same_as_cold(site)

    for blob in (site / ".amber-cache" / "pages").rglob("*.bin"):
        blob.write_bytes(b"garbage")
    shutil.rmtree(site / "output")
    build(site)
    assert_same_as_cold(site)

    (site / ".amber-cache" / "state.db").write_text("not a database")
    build(site)
    assert_same_as_cold(site)

    shutil.rmtree(site / ".amber-cache")
    build(site)
    assert_same_as_cold(site)


def published_images(site: Path) -> list[Path]:
    """The PNG files of the output but the shares' own link-preview cards."""
    return [p for p in (site / "output").rglob("*.png") if p.name != PREVIEW_NAME]


def test_an_image_appearing_re_renders_the_page_that_names_it(site: Path) -> None:
    picture = REPO / "tests" / "fixtures" / "serve" / "site" / "content"
    source = next((picture / "assets").glob("*.png"))
    shutil.copy(picture / "conversations" / "picture.yaml",
                site / "content" / "conversations" / "picture.yaml")
    share(site, "picture", "alpha", "--listed", "--yes")
    build(site)
    assert not published_images(site)
    (site / "content" / "assets").mkdir()
    shutil.copy(source, site / "content" / "assets" / source.name)
    build(site)
    assert published_images(site)
    assert_same_as_cold(site)
    (site / "content" / "assets" / source.name).unlink()
    build(site)
    assert not published_images(site)
    assert_same_as_cold(site)


def test_parallel_and_serial_builds_are_identical(shared_site: tuple[Path, list[str]]) -> None:
    site, _ = shared_site
    ok(run_amber("build", "--no-cache", "--jobs", "2", cwd=site))
    parallel = tree_bytes(site / "output")
    ok(run_amber("build", "--no-cache", "--jobs", "1", cwd=site))
    assert tree_bytes(site / "output") == parallel


def test_shards_merge_into_the_whole_site(shared_site: tuple[Path, list[str]]) -> None:
    site, ids = shared_site
    merged: dict[str, bytes] = {}
    pages_per_shard = []
    for index in (1, 2, 3):
        target = site.parent / f"shard-{index}"
        ok(run_amber("build", "--shard", f"{index}/3", "--output", target, cwd=site))
        files = tree_bytes(target)
        pages_per_shard.append(sum(1 for rel in files if rel.endswith("/index.html")))
        for rel, data in files.items():
            assert merged.setdefault(rel, data) == data, f"shards disagree on {rel}"
    assert sum(pages_per_shard) == len(ids)
    assert merged == cold(site)


def test_bad_shard_and_jobs_are_usage_errors(site: Path) -> None:
    for args in (("--shard", "4/3"), ("--shard", "x"), ("--jobs", "0")):
        result = run_amber("build", *args, cwd=site)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr


def test_cache_state_is_data_not_code(shared_site: tuple[Path, list[str]]) -> None:
    site, ids = shared_site
    build(site)
    with contextlib.closing(sqlite3.connect(site / ".amber-cache" / "state.db")) as db:
        data = {sid: json.loads(text) for sid, text in db.execute("SELECT id, data FROM records")}
    assert set(data) == set(ids)
    assert all(isinstance(record["title"], str) for record in data.values())
    assert (site / ".amber-cache" / ".gitignore").read_text().strip().endswith("*")
