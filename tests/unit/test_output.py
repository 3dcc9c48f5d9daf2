"""amber.atomic: atomic file writes and whole-tree swaps."""

from __future__ import annotations

from pathlib import Path

import pytest
from amber import atomic as output
from amber.atomic import write_atomic, write_tree


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


def test_write_tree_creates_a_new_tree(tmp_path: Path) -> None:
    target = tmp_path / "output"
    files = {"index.html": b"<p>i</p>", "share/a/index.html": b"a", ".nojekyll": b""}
    write_tree(target, files)
    assert listing(target) == files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_write_tree_swaps_in_new_tree_and_removes_stale_files(tmp_path: Path) -> None:
    target = tmp_path / "output"
    write_tree(target, {"index.html": b"old", "share/gone/index.html": b"revoked page",
                        "assets/old.css": b"x", ".nojekyll": b""})
    write_tree(target, {"index.html": b"new", "assets/new.css": b"y", ".nojekyll": b""})
    assert listing(target) == {"index.html": b"new", "assets/new.css": b"y", ".nojekyll": b""}
    assert not (target / "share").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]  # no staging/old dirs


def test_write_tree_output_is_readable_directory(tmp_path: Path) -> None:
    target = tmp_path / "output"
    write_tree(target, {"index.html": b"x"})
    assert target.stat().st_mode & 0o755 == 0o755


def test_write_tree_failure_midway_leaves_old_tree_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "output"
    old = {"index.html": b"old index", "share/a/index.html": b"old a", ".nojekyll": b""}
    write_tree(target, old)

    real_write_bytes = Path.write_bytes
    calls = {"n": 0}

    def flaky_write_bytes(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError("No space left on device")
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", flaky_write_bytes)
    new = {f"share/{i}/index.html": b"new" for i in range(10)}
    with pytest.raises(OSError, match="No space left"):
        write_tree(target, new)
    monkeypatch.undo()

    assert calls["n"] == 4
    assert listing(target) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_write_tree_refuses_to_replace_a_file(tmp_path: Path) -> None:
    target = tmp_path / "output"
    target.write_bytes(b"not a directory")
    with pytest.raises(OSError):
        write_tree(target, {"index.html": b"x"})
    assert target.read_bytes() == b"not a directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]



def test_write_tree_refuses_a_folder_amber_did_not_build(tmp_path: Path) -> None:
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.txt").write_bytes(b"years of work")
    with pytest.raises(OSError, match="not built by amber"):
        write_tree(target, {"index.html": b"x", ".nojekyll": b""})
    assert (target / "thesis.txt").read_bytes() == b"years of work"


def test_write_tree_refuses_a_symlinked_output(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".nojekyll").write_bytes(b"")
    (elsewhere / "keep.txt").write_bytes(b"keep")
    target = tmp_path / "output"
    target.symlink_to(elsewhere)
    with pytest.raises(OSError, match="symbolic link"):
        write_tree(target, {"index.html": b"x", ".nojekyll": b""})
    assert (elsewhere / "keep.txt").read_bytes() == b"keep"


def test_write_atomic_keeps_a_readable_mode(tmp_path: Path) -> None:
    target = tmp_path / "share.yaml"
    write_atomic(target, b"one")
    assert target.stat().st_mode & 0o044 == 0o044  # group/other can read, as git expects
    target.chmod(0o640)
    write_atomic(target, b"two")
    assert target.stat().st_mode & 0o777 == 0o640
