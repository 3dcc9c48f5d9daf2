"""Atomic file writes (amber.atomic), and the build's whole-tree swap as a build sees it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from amber import atomic as output
from amber.atomic import write_atomic
from amber.build import pipeline
from amber.build.pipeline import build
from amber.errors import AmberError

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "site"


def listing(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_write_atomic_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "dir" / "file.yaml"
    write_atomic(target, b"first")
    assert target.read_bytes() == b"first"
    write_atomic(target, b"second, longer content")
    assert target.read_bytes() == b"second, longer content"
    write_atomic(target, b"")
    assert target.read_bytes() == b""
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.yaml"]


def test_write_atomic_failure_keeps_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "revoked.yaml"
    target.write_bytes(b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(output.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["revoked.yaml"]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    return root


def test_a_build_creates_a_new_tree(site: Path) -> None:
    build(site, use_cache=False)
    assert (site / "output" / "index.html").is_file()
    assert sorted(p.name for p in site.iterdir()) == ["content", "output"]  # no staging


def test_a_build_swaps_in_the_new_tree_and_drops_stale_files(site: Path) -> None:
    build(site, use_cache=False)
    first = listing(site / "output")
    (site / "output" / "share" / "gone").mkdir(parents=True)
    (site / "output" / "share" / "gone" / "index.html").write_bytes(b"revoked page")
    build(site, use_cache=False)
    assert listing(site / "output") == first
    assert sorted(p.name for p in site.iterdir()) == ["content", "output"]


def test_the_output_is_a_readable_directory(site: Path) -> None:
    build(site, use_cache=False)
    assert (site / "output").stat().st_mode & 0o755 == 0o755


def test_a_failure_midway_leaves_the_old_tree_untouched(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(site, use_cache=False)
    old = listing(site / "output")
    (site / "content" / "site.yaml").write_text(
        (site / "content" / "site.yaml").read_text().replace("title:", "title: New"))
    calls = {"n": 0}
    real_put = pipeline.put

    def flaky_put(tree: Path, rel: str, data: bytes) -> list[int]:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(28, "No space left on device")
        return real_put(tree, rel, data)

    monkeypatch.setattr(pipeline, "put", flaky_put)
    with pytest.raises(AmberError, match=r"No space left.*previous site is unchanged"):
        build(site, use_cache=False)
    assert calls["n"] == 4
    assert listing(site / "output") == old
    assert sorted(p.name for p in site.iterdir()) == ["content", "output"]


def test_a_build_refuses_to_replace_a_file(site: Path) -> None:
    target = site / "output"
    target.write_bytes(b"not a directory")
    with pytest.raises(AmberError, match="not a directory"):
        build(site, use_cache=False)
    assert target.read_bytes() == b"not a directory"


def test_a_build_refuses_a_folder_amber_did_not_build(site: Path, tmp_path: Path) -> None:
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.txt").write_bytes(b"years of work")
    with pytest.raises(AmberError, match="not built by amber"):
        build(site, output=target, use_cache=False)
    assert listing(target) == {"thesis.txt": b"years of work"}


def test_a_build_refuses_a_symlinked_output(site: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".nojekyll").write_bytes(b"")
    (elsewhere / "keep.txt").write_bytes(b"keep")
    (site / "output").symlink_to(elsewhere)
    with pytest.raises(AmberError, match="symbolic link"):
        build(site, use_cache=False)
    assert (elsewhere / "keep.txt").read_bytes() == b"keep"


def test_write_atomic_keeps_a_readable_mode(tmp_path: Path) -> None:
    target = tmp_path / "share.yaml"
    write_atomic(target, b"one")
    assert target.stat().st_mode & 0o044 == 0o044  # group/other can read, as git expects
    target.chmod(0o640)
    write_atomic(target, b"two")
    assert target.stat().st_mode & 0o777 == 0o640
