"""A change to a few share files is applied without reading the rest (``amber.build.delta``).

Each test checks two things: which way the build went (the delta, or the full build
when the delta must not be trusted), and that the output is byte for byte what a
``--no-cache`` build of the same content writes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from amber.build import delta
from amber.build import pipeline as incremental
from amber.build import quick as quickcheck
from amber.errors import ContentError
from tests.e2e.test_incremental import assert_same_as_cold
from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import share
from tests.helpers.trees import tree_bytes

pytestmark = pytest.mark.slow


def build_route(site: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Build in this process; say whether the delta did it ("delta") or the full build."""
    taken: list[bool] = []
    real = delta.build_delta

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = real(*args, **kwargs)
        taken.append(done is not None)
        return done

    monkeypatch.setattr(delta, "build_delta", spy)
    incremental.build(site, jobs=1)
    return "delta" if taken == [True] else "full"


def test_share_revoke_and_update_go_the_short_way(
    shared_site: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, ids = shared_site
    assert build_route(site, monkeypatch) == "full"  # nothing to start from

    new = share(site, "bravo", "--listed", "--yes", epoch=1767484800)[0]
    assert build_route(site, monkeypatch) == "delta"
    assert (site / "output" / "share" / new / "index.html").is_file()
    assert_same_as_cold(site)
    # The listing the delta wrote for the next no-op check, without walking output/,
    # is what a walk finds.
    quick = json.loads((site / ".amber-cache" / "quick.json").read_text())
    assert quick["output"] == quickcheck.output_listing((site / "output").absolute())

    hidden = share(site, "charlie", "--yes", epoch=1767571200)[0]
    assert build_route(site, monkeypatch) == "delta"
    assert hidden not in (site / "output" / "index.html").read_text()
    assert_same_as_cold(site)

    ok(run_amber("revoke", ids[0], "--yes", cwd=site))
    assert build_route(site, monkeypatch) == "delta"
    assert not (site / "output" / "share" / ids[0]).exists()
    assert_same_as_cold(site)
    holding = [rel for rel, data in tree_bytes(site / ".amber-cache").items()
               if ids[0].encode() in data]
    assert holding == [], f"revoked ID still in the cache: {holding}"

    conv = site / "content" / "conversations" / "alpha.yaml"
    conv.write_text(conv.read_text().replace("How do I sort", "Please, how do I sort", 1))
    ok(run_amber("update", ids[3], "--yes", cwd=site))
    assert build_route(site, monkeypatch) == "delta"
    page = site / "output" / "share" / ids[3] / "index.html"
    assert "Please, how do I sort" in page.read_text()
    assert_same_as_cold(site)

    # Deltas in a row leave the spare tree and the state right: a full build that checks
    # every file agrees, and the spare holds no file the site no longer has.
    os.utime(site / "content" / "site.yaml")
    assert build_route(site, monkeypatch) == "full"
    assert_same_as_cold(site)
    output = tree_bytes(site / "output")
    (spare,) = (site / ".amber-cache" / "trees").iterdir()
    assert all(output.get(rel) == data for rel, data in tree_bytes(spare).items())


def test_other_changes_take_the_full_build(
    shared_site: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, ids = shared_site
    build_route(site, monkeypatch)

    yaml_file = site / "content" / "site.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("title:", "title: New", 1))
    assert build_route(site, monkeypatch) == "full"
    assert_same_as_cold(site)

    page = site / "output" / "share" / ids[1] / "index.html"
    page.write_text("hand edit")
    share(site, "alpha", "--listed", "--yes", epoch=1767484800)
    assert build_route(site, monkeypatch) == "full"  # output/ was touched: check it all
    assert_same_as_cold(site)


def test_a_bad_changed_file_is_reported_by_the_full_build(
    shared_site: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, ids = shared_site
    build_route(site, monkeypatch)
    broken = site / "content" / "shares" / f"{ids[2]}.yaml"
    broken.write_text(broken.read_text().replace("messages:", "messagez:", 1))
    with pytest.raises(ContentError) as caught:
        build_route(site, monkeypatch)
    assert any(ids[2] in str(p.path) for p in caught.value.problems)


def test_a_conversation_naming_a_revoked_share_still_fails(
    shared_site: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, ids = shared_site
    build_route(site, monkeypatch)
    conv = site / "content" / "conversations" / "charlie.yaml"
    conv.write_text(conv.read_text() + f"# see {ids[4]}\n")
    assert build_route(site, monkeypatch) == "delta"  # a mention of a live share is fine
    ok(run_amber("revoke", ids[4], "--yes", cwd=site))
    with pytest.raises(ContentError) as caught:
        build_route(site, monkeypatch)
    assert any("mentions revoked share" in p.message and p.path == conv
               for p in caught.value.problems)


def test_plan_accepts_only_share_conversation_and_revocation_files() -> None:
    sid = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    row = ["f", 1, 2, 3, 4]
    base = {"": ["d", 0, 0, 0, 1], "shares": ["d", 0, 0, 0, 2], "site.yaml": row}
    changes = delta.plan(base, {**base, f"shares/{sid}.yaml": row})
    assert changes is not None and changes.shares == {sid: True}
    changes = delta.plan({**base, "revoked.yaml": row}, {**base, "revoked.yaml": [*row[:4], 9]})
    assert changes is not None and changes.revoked
    assert delta.plan(base, {**base, "site.yaml": ["f", 9, 9, 9, 9]}) is None
    assert delta.plan(base, {**base, "assets/a.png": row}) is None
    assert delta.plan(base, {**base, "shares/not-an-id.yaml": row}) is None
    assert delta.plan(base, {**base, f"shares/{sid}.yaml": ["l", 1, 2, 3, 4]}) is None
    many = {**base, **{f"conversations/c{n}.yaml": row for n in range(delta.DELTA_LIMIT + 1)}}
    assert delta.plan(base, many) is None


def test_the_quick_checks_reading_is_reused_only_while_content_is_untouched(
        tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content" / "shares").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: T\n")
    target = root / "output"
    assert quickcheck.up_to_date(root / ".amber-cache", root, target, "s") is None
    probe = quickcheck.probed(root, "s")
    assert probe is not None and "site.yaml" in probe[0]
    assert quickcheck.probed(root, "s") is None  # taken once

    quickcheck.up_to_date(root / ".amber-cache", root, target, "s")
    assert quickcheck.probed(root, "other settings") is None

    quickcheck.up_to_date(root / ".amber-cache", root, target, "s")
    (root / "content" / "shares" / ".new.tmp").write_text("x")
    os.replace(root / "content" / "shares" / ".new.tmp",
               root / "content" / "shares" / "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.yaml")
    assert quickcheck.probed(root, "s") is None  # a share was added since


def test_an_unlisted_id_in_a_listed_title_is_refused_both_ways(
    shared_site: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, ids = shared_site
    unlisted = ids[2]  # charlie is shared unlisted
    build_route(site, monkeypatch)
    share(site, "alpha", "--listed", "--yes", "--title", f"About {unlisted}", epoch=1767484800)
    with pytest.raises(ContentError) as caught:
        build_route(site, monkeypatch)
    where = {str(p.path) for p in caught.value.problems if unlisted in p.message}
    assert {"output/search.json", "output/feed.xml", "output/index.html"} <= where
    result = run_amber("build", "--no-cache", cwd=site)
    assert result.returncode == 1 and "output/feed.xml" in result.stderr
