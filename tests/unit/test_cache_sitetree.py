"""The build cache's file memo and record store, and the spare-tree swap."""

from __future__ import annotations

import os
from pathlib import Path

from amber.build.cache import BuildCache, pack_files, unpack_files
from amber.build.swap import exchange, mirror, put, scan, tree_signature
from amber.content.load import ShareMeta
from amber.render.record import ShareRecord


def test_pack_round_trip_and_damage_is_detected() -> None:
    files = {"share/x/index.html": b"<p>hi</p>", "share/x/conversation.md": b"", "z": b"\x00\xff"}
    blob = pack_files(files, {"k": "<pre>code</pre>"})
    assert unpack_files(blob) == (files, {"k": "<pre>code</pre>"})
    try:
        unpack_files(blob[:-3])
    except Exception as exc:
        assert exc
    else:
        raise AssertionError("a truncated blob must not unpack")


def test_memo_vouches_only_for_unchanged_files(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    conv = tmp_path / "content" / "a.yaml"
    conv.write_text("title: A\n")
    store = BuildCache(tmp_path / ".amber-cache")
    assert store.unchanged(conv) is None
    store.remember(conv, "a", tree_sig(conv))
    store.save([])
    again = BuildCache(tmp_path / ".amber-cache")
    assert again.unchanged(conv) == "a"
    os.utime(conv, ns=(1, 1))  # touched, same bytes (a fresh checkout): still known
    assert again.unchanged(conv) == "a"
    conv.write_text("title: B\n")
    assert again.unchanged(conv) is None


def test_remember_refuses_a_file_that_changed_while_read(tmp_path: Path) -> None:
    conv = tmp_path / "a.yaml"
    conv.write_text("one\n")
    before = tree_sig(conv)
    conv.write_text("two, longer\n")
    store = BuildCache(tmp_path / ".amber-cache")
    store.remember(conv, "a", before)
    assert store.unchanged(conv) is None


def test_share_meta_round_trips_through_the_state(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    share = tmp_path / "content" / "s.yaml"
    share.write_text("x")
    meta = ShareMeta("id-1", True, "2026-01-01T00:00:00Z", "T", None, share)
    store = BuildCache(tmp_path / ".amber-cache")
    store.remember(share, meta, tree_sig(share))
    store.save(["id-1"])
    assert BuildCache(tmp_path / ".amber-cache").unchanged(share) == meta


def test_a_damaged_state_file_means_an_empty_cache(tmp_path: Path) -> None:
    (tmp_path / ".amber-cache").mkdir()
    (tmp_path / ".amber-cache" / "state.db").write_text("not a database at all")
    store = BuildCache(tmp_path / ".amber-cache")
    assert store.files == {} and store.records == {}
    conv = tmp_path / "a.yaml"
    conv.write_text("one\n")
    store.remember(conv, "a", tree_sig(conv))
    store.save([])  # replaces the damaged file with a good one
    assert BuildCache(tmp_path / ".amber-cache").unchanged(conv) == "a"


def test_a_save_writes_only_what_changed_and_drops_revoked_shares(tmp_path: Path) -> None:
    cache = tmp_path / ".amber-cache"
    store = BuildCache(cache)
    for n in range(3):
        store.records[f"id-{n}"] = _record(f"id-{n}", f"secret title {n}")
    store.trees["out"] = {"output": {"a.html": {"hash": "h", "sig": [1, 2, 3]}},
                          "spare": {}, "fingerprint": "f"}
    store.save(["id-0", "id-1", "id-2"])
    again = BuildCache(cache)
    assert sorted(again.records) == ["id-0", "id-1", "id-2"]
    assert again.trees["out"]["output"] == {"a.html": {"hash": "h", "sig": [1, 2, 3]}}
    before = (cache / "state.db").stat().st_mtime_ns
    again.save(["id-0", "id-1", "id-2"])
    assert (cache / "state.db").stat().st_mtime_ns == before  # nothing changed, nothing written
    again.save(["id-0", "id-2"])  # id-1 revoked
    assert sorted(BuildCache(cache).records) == ["id-0", "id-2"]
    assert b"secret title 1" not in (cache / "state.db").read_bytes()


def _record(share_id: str, title: str) -> ShareRecord:
    return ShareRecord(id=share_id, key=f"k-{share_id}", listed=True, frozen="2026", title=title,
                       author=None, frozen_display="2026", description="d", message_count=1,
                       search_entry="{}", feed_entry="<entry/>", hashes={}, ids={}, assets={})


def test_scan_trusts_only_files_whose_signature_matches(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    sig_a = put(tree, "a/x.html", b"x")
    put(tree, "b.html", b"b")
    (tree / "link").symlink_to(tree / "b.html")
    manifest = {"a/x.html": {"hash": "h1", "sig": sig_a},
                "b.html": {"hash": "h2", "sig": [0, 0, 0]},
                "link": {"hash": "h3", "sig": tree_signature(tree / "link")}}
    good, stray = scan(tree, manifest)
    assert good == {"a/x.html": ("h1", sig_a)}
    assert sorted(stray) == ["b.html", "link"]


def test_put_never_writes_through_a_hard_link(tmp_path: Path) -> None:
    tree, other = tmp_path / "t", tmp_path / "o"
    put(tree, "f", b"old")
    other.mkdir()
    os.link(tree / "f", other / "f")
    put(tree, "f", b"new")
    assert (other / "f").read_bytes() == b"old"


def test_exchange_swaps_two_trees(tmp_path: Path) -> None:
    new, target = tmp_path / "new", tmp_path / "out"
    put(new, "index.html", b"new")
    put(target, "index.html", b"old")
    exchange(new, target)
    assert (target / "index.html").read_bytes() == b"new"
    assert (new / "index.html").read_bytes() == b"old"
    fresh = tmp_path / "fresh"
    put(fresh, "i", b"1")
    exchange(fresh, tmp_path / "absent")
    assert (tmp_path / "absent" / "i").read_bytes() == b"1" and fresh.is_dir()


def test_mirror_links_files_with_the_same_signature(tmp_path: Path) -> None:
    source, tree = tmp_path / "s", tmp_path / "t"
    manifest = {"a/b": {"hash": "h", "sig": put(source, "a/b", b"data")}}
    tree.mkdir()
    assert mirror(source, manifest, tree) == manifest
    assert (tree / "a" / "b").read_bytes() == b"data"


def tree_sig(path: Path) -> tuple[int, int, int, int]:
    st = path.lstat()
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
