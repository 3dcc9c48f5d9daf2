"""The incremental loader must see exactly what ``load_content`` sees, and parse only
what changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amber.content.load import SiteContent, SitePaths, load_content
from amber.serve.loader import ContentLoader
from tests.helpers.serve import revoke_now, share_now, touch_later


def summary(content: SiteContent) -> dict[str, object]:
    return {
        "config": content.config,
        "conversations": list(content.conversations.items()),
        "snapshots": list(content.snapshots.items()),
        "tombstones": content.tombstones,
        "problems": [str(p) for p in content.problems],
        "problem_paths": [p.path for p in content.problems],
    }


def assert_same(root: Path, loader: ContentLoader | None = None) -> ContentLoader:
    loader = loader or ContentLoader(SitePaths(root))
    assert summary(loader.load().content) == summary(load_content(SitePaths(root)))
    return loader


def break_things(root: Path) -> None:
    """Every kind of problem load_content reports, at once."""
    conv = root / "content" / "conversations"
    shares = root / "content" / "shares"
    (conv / "bad.yaml").write_text("title: [unclosed\nmessages: []\n", "utf-8")
    (conv / "alpha.json").write_text('{"title": "twin", "messages": []}', "utf-8")
    (conv / "Bad Name.yaml").write_text("title: x\n", "utf-8")
    (conv / "notes.txt").write_text("ignored", "utf-8")
    (conv / ".hidden.yaml").write_text("not: read", "utf-8")
    os.symlink(conv / "bravo.yaml", conv / "linked.yaml")
    (shares / "not-a-share.yaml").write_text("x: 1\n", "utf-8")


def test_same_as_load_content_on_a_good_site(serve_site: Path) -> None:
    share_now(serve_site, "alpha", listed=True)
    share_now(serve_site, "bravo")
    assert_same(serve_site)


def test_same_as_load_content_on_a_broken_site(serve_site: Path) -> None:
    share_now(serve_site, "alpha")
    break_things(serve_site)
    loader = assert_same(serve_site)
    assert loader.load().content.problems  # the site really is broken


def test_same_problems_for_a_hand_edited_share(serve_site: Path) -> None:
    share_id = share_now(serve_site, "alpha")
    path = serve_site / "content" / "shares" / f"{share_id}.yaml"
    path.write_text(path.read_text("utf-8").replace("MARK-ALPHA-1", "EDITED"), "utf-8")
    loader = assert_same(serve_site)
    assert any("digest" in str(p) for p in loader.load().content.problems)


def test_same_revocation_problems(serve_site: Path) -> None:
    kept = share_now(serve_site, "alpha")
    gone = share_now(serve_site, "bravo", epoch=1767225700)
    saved = (serve_site / "content" / "shares" / f"{gone}.yaml").read_bytes()
    revoke_now(serve_site, gone)
    loader = assert_same(serve_site)
    # A conversation that mentions the revoked ID (second mention of another ID first),
    # and the revoked snapshot coming back through a bad merge.
    conv = serve_site / "content" / "conversations" / "bravo.yaml"
    touch_later(conv, conv.read_text("utf-8").replace(
        "MARK-BRAVO-2", f"see {kept} and\n      then {gone}"))
    (serve_site / "content" / "shares" / f"{gone}.yaml").write_bytes(saved)
    loader = assert_same(serve_site, loader)
    problems = [str(p) for p in loader.load().content.problems]
    assert any("bravo.yaml:5:" in p and f"mentions revoked share {gone}" in p
               for p in problems), problems
    assert any("its snapshot is back" in p for p in problems)


def test_symlinked_folders_are_problems_as_in_load_content(serve_site: Path) -> None:
    assets = serve_site / "content" / "assets"
    outside = serve_site / "elsewhere"
    assets.rename(outside)
    os.symlink(outside, assets)
    assert_same(serve_site)


def test_only_changed_files_are_parsed_again(serve_site: Path) -> None:
    share_now(serve_site, "alpha")
    loader = ContentLoader(SitePaths(serve_site))
    first = loader.load()
    assert first.parsed == 5  # four conversations and one share
    again = loader.load()
    assert again.parsed == 0
    assert again.inputs == first.inputs
    assert again.content.conversations["bravo"] is first.content.conversations["bravo"]

    bravo = serve_site / "content" / "conversations" / "bravo.yaml"
    touch_later(bravo, bravo.read_text("utf-8").replace("MARK-BRAVO-2", "MARK-BRAVO-NEW"))
    changed = loader.load()
    assert changed.parsed == 1
    assert "MARK-BRAVO-NEW" in str(changed.content.conversations["bravo"].messages)
    assert changed.inputs["conversations"] != first.inputs["conversations"]
    assert changed.inputs["shares"] == first.inputs["shares"]
    assert_same(serve_site, loader)


def test_a_deleted_file_is_gone_from_the_next_load(serve_site: Path) -> None:
    loader = ContentLoader(SitePaths(serve_site))
    assert "bravo" in loader.load().content.conversations
    (serve_site / "content" / "conversations" / "bravo.yaml").unlink()
    assert "bravo" not in loader.load().content.conversations
    assert_same(serve_site, loader)


@pytest.mark.parametrize("kind", ["site", "revoked", "assets", "shares"])
def test_each_kind_of_input_has_its_own_signature(serve_site: Path, kind: str) -> None:
    loader = ContentLoader(SitePaths(serve_site))
    before = loader.load().inputs
    content = serve_site / "content"
    if kind == "site":
        site_yaml = content / "site.yaml"
        touch_later(site_yaml, site_yaml.read_text("utf-8").replace("Serve Fixture", "Other"))
    elif kind == "revoked":
        share_id = share_now(serve_site, "alpha")
        before = loader.load().inputs
        revoke_now(serve_site, share_id)
    elif kind == "assets":
        (content / "assets" / "new.png").write_bytes(b"png")
    else:
        share_now(serve_site, "bravo")
    after = loader.load().inputs
    changed = {k for k in after if after[k] != before[k]}
    assert kind in changed
    assert "conversations" not in changed
