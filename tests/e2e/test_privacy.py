"""Guarantees about what the output reveals: unlisted shares, revoked shares,
resurrected snapshots and hand-edited frozen content."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.helpers.cli import ok, problem_lines, run_amber
from tests.helpers.fixture_site import (
    ALL_CONVERSATIONS,
    CONVERSATIONS,
    DELTA_IMAGE,
    DELTA_IMAGE_NAME,
    BuiltSite,
    build,
)
from tests.helpers.html import parse_tags
from tests.helpers.trees import stray_build_dirs, text_files, tree_bytes


def mentions(output: Path, *needles: str, outside: str | None = None) -> list[tuple[str, str]]:
    """(file, needle) for every output file mentioning a needle, optionally skipping a folder."""
    found = []
    for rel, text in text_files(output).items():
        if outside is not None and rel.startswith(outside):
            continue
        found.extend((rel, n) for n in needles if n in text)
    return found


# --- 5. unlisted shares -------------------------------------------------------------


def test_unlisted_share_appears_only_under_its_own_folder(built_site: BuiltSite) -> None:
    out = built_site.output
    for slug in built_site.unlisted:
        share_id = built_site.ids[slug]
        title, phrase = ALL_CONVERSATIONS[slug]
        # It is published at its URL...
        own = text_files(out / "share" / share_id)
        assert phrase in own["index.html"] and title in own["index.html"]
        # ...and nowhere else: not its ID, nor its title, nor its text.
        leaks = mentions(out, share_id, title, phrase, outside=f"share/{share_id}/")
        assert leaks == [], f"unlisted share {slug} leaks into {leaks}"
        for rel in ("index.html", "sitemap.xml", "feed.xml", "404.html", "robots.txt"):
            text = (out / rel).read_text("utf-8")
            assert share_id not in text and title not in text, rel


def test_unlisted_share_page_is_noindex(built_site: BuiltSite) -> None:
    for slug in built_site.unlisted:
        page = (built_site.output / "share" / built_site.ids[slug] / "index.html").read_text()
        robots = [attrs for tag, attrs in parse_tags(page)
                  if tag == "meta" and attrs.get("name") == "robots"]
        assert robots, f"{slug}: no robots meta"
        assert any(attrs.get("content") == "noindex" for attrs in robots), robots


def test_share_made_unlisted_by_hand_disappears_from_listings(built_copy: BuiltSite) -> None:
    """Flipping `listed: true` to false by hand (as the snapshot header allows) hides it."""
    alpha_id = built_copy.ids["alpha"]
    assert alpha_id in (built_copy.output / "index.html").read_text()
    path = built_copy.snapshot("alpha")
    path.write_text(path.read_text().replace("listed: true", "listed: false"))
    out = build(built_copy.root)
    title, phrase = CONVERSATIONS["alpha"]
    assert mentions(out, alpha_id, title, phrase, outside=f"share/{alpha_id}/") == []


# --- 6. revoked shares leave no trace -----------------------------------------------


def test_revoked_listed_share_leaves_no_trace_in_output(built_copy: BuiltSite) -> None:
    alpha_id = built_copy.ids["alpha"]
    title, phrase = CONVERSATIONS["alpha"]
    published = {rel for rel, _ in mentions(built_copy.output, alpha_id, title, phrase)}
    assert {"index.html", "feed.xml", "sitemap.xml"} <= published, "precondition"

    ok(run_amber("revoke", alpha_id, "--yes", cwd=built_copy.root))
    out = build(built_copy.root)
    assert mentions(out, alpha_id, title, phrase) == []
    assert not (out / "share" / alpha_id).exists()
    # The other shares are still there.
    bravo_id = built_copy.ids["bravo"]
    assert (out / "share" / bravo_id / "index.html").is_file()
    assert bravo_id in (out / "index.html").read_text()


def test_revoked_unlisted_share_takes_its_only_image_asset_with_it(
    built_copy: BuiltSite,
) -> None:
    def published_image() -> list[str]:
        return [rel for rel, data in tree_bytes(built_copy.output).items() if data == DELTA_IMAGE]

    assert published_image(), "precondition: the image is published with its share"
    delta_id = built_copy.ids["delta"]
    ok(run_amber("revoke", delta_id, "--yes", cwd=built_copy.root))
    out = build(built_copy.root)
    assert published_image() == []
    title, phrase = ALL_CONVERSATIONS["delta"]
    assert mentions(out, delta_id, DELTA_IMAGE_NAME, phrase, title) == []


# --- 7. a resurrected snapshot (bad merge) is caught --------------------------------


def test_resurrected_revoked_snapshot_fails_check_and_build(built_copy: BuiltSite) -> None:
    site, alpha_id = built_copy.root, built_copy.ids["alpha"]
    snap = built_copy.snapshot("alpha")
    saved = snap.read_bytes()
    ok(run_amber("revoke", alpha_id, "--yes", cwd=site))
    out = built_copy.output
    before = tree_bytes(out)
    assert before, "precondition: a previous build exists"

    snap.write_bytes(saved)  # the bad merge brings the revoked snapshot back

    check = run_amber("check", cwd=site)
    assert check.returncode == 1
    assert "Traceback" not in check.stderr
    assert f"content/shares/{alpha_id}.yaml" in check.stderr
    assert "revoked" in check.stderr

    result = run_amber("build", cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"content/shares/{alpha_id}.yaml" in result.stderr
    assert tree_bytes(out) == before, "a refused build changed output/"
    assert stray_build_dirs(site) == []


def test_revoked_id_mentioned_in_a_conversation_fails_check(built_copy: BuiltSite) -> None:
    alpha_id = built_copy.ids["alpha"]
    ok(run_amber("revoke", alpha_id, "--yes", cwd=built_copy.root))
    conv = built_copy.root / "content" / "conversations" / "bravo.json"
    conv.write_text(conv.read_text().replace("PHRASE-BRAVO-4242",
                                             f"see https://example.test/chats/share/{alpha_id}/"))
    result = run_amber("check", cwd=built_copy.root)
    assert result.returncode == 1
    assert "content/conversations/bravo.json" in result.stderr
    assert alpha_id in result.stderr


# --- 8. hand edits of frozen content are caught -------------------------------------


def test_hand_edited_frozen_message_fails_check_with_file_and_line(
    built_copy: BuiltSite,
) -> None:
    rel = f"content/shares/{built_copy.ids['alpha']}.yaml"
    path = built_copy.root / rel
    text = path.read_text("utf-8")
    assert "PHRASE-ALPHA-7731" in text
    path.write_text(text.replace("PHRASE-ALPHA-7731", "PHRASE-ALPHA-EDITED"), "utf-8")

    result = run_amber("check", cwd=built_copy.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert any(re.match(rf"^(error: )?{re.escape(rel)}:\d+(:\d+)?: ", line) for line in lines), (
        result.stderr)

    before = tree_bytes(built_copy.output)
    build_result = run_amber("build", cwd=built_copy.root)
    assert build_result.returncode == 1
    assert rel in build_result.stderr
    assert tree_bytes(built_copy.output) == before
    assert "PHRASE-ALPHA-EDITED" not in "".join(text_files(built_copy.output).values())


def test_hand_edit_of_title_is_allowed(built_copy: BuiltSite) -> None:
    """The snapshot header says title, author and listed may be edited by hand."""
    path = built_copy.snapshot("alpha")
    path.write_text(path.read_text().replace("title: Alpha sorting notes",
                                             "title: Renamed by hand"))
    out = build(built_copy.root)
    assert "Renamed by hand" in (out / "share" / built_copy.ids["alpha"] / "index.html").read_text()


def test_copied_snapshot_under_another_name_fails_check(built_copy: BuiltSite) -> None:
    shares = built_copy.root / "content" / "shares"
    other = "2c9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    shutil.copy(built_copy.snapshot("alpha"), shares / f"{other}.yaml")
    result = run_amber("check", cwd=built_copy.root)
    assert result.returncode == 1
    assert f"content/shares/{other}.yaml" in result.stderr


def test_hand_edited_snapshot_can_be_refrozen_as_the_error_advises(
    built_copy: BuiltSite,
) -> None:
    path = built_copy.snapshot("alpha")
    path.write_text(path.read_text().replace("PHRASE-ALPHA-7731", "PHRASE-ALPHA-EDITED"))
    check = run_amber("check", cwd=built_copy.root)
    assert check.returncode == 1
    assert f"amber update {built_copy.ids['alpha']}" in check.stderr  # the advice given

    result = run_amber("update", built_copy.ids["alpha"], "--yes", cwd=built_copy.root)
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert "PHRASE-ALPHA-7731" in text and "PHRASE-ALPHA-EDITED" not in text
    ok(run_amber("check", cwd=built_copy.root))


# --- nothing from outside the site is published -------------------------------------

SECRET = b"TOP-SECRET-TOKEN-0451 from outside the site"


def assert_nothing_from_outside_published(site: Path) -> None:
    """Whether the build refuses or leaves the image out, the outside file must not
    reach output/."""
    result = run_amber("build", cwd=site)
    assert "Traceback" not in result.stderr
    published = [rel for rel, data in tree_bytes(site / "output").items() if SECRET in data]
    assert published == [], f"a file from outside the site was published: {published}"


def test_symlinked_asset_file_is_not_published(built_copy: BuiltSite, tmp_path: Path) -> None:
    """delta's image, replaced by a symlink to a file outside the site."""
    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(SECRET)
    image = built_copy.root / "content" / "assets" / DELTA_IMAGE_NAME
    image.unlink()
    image.symlink_to(secret)
    assert_nothing_from_outside_published(built_copy.root)


def test_symlinked_assets_folder_is_not_published(built_copy: BuiltSite, tmp_path: Path) -> None:
    """content/assets/ replaced by a symlink to a folder outside the site."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / DELTA_IMAGE_NAME).write_bytes(SECRET)
    assets = built_copy.root / "content" / "assets"
    shutil.rmtree(assets)
    assets.symlink_to(outside, target_is_directory=True)
    assert_nothing_from_outside_published(built_copy.root)


# --- paths and IDs read from disk are validated -------------------------------------


def test_snapshot_source_cannot_point_outside_conversations(built_copy: BuiltSite) -> None:
    rel = f"content/shares/{built_copy.ids['alpha']}.yaml"
    path = built_copy.root / rel
    path.write_text(path.read_text().replace("source: alpha", "source: ../../../etc/passwd"))
    result = run_amber("check", cwd=built_copy.root)
    assert result.returncode == 1
    assert re.search(rf"{re.escape(rel)}:\d+:\d+: .*source", result.stderr), result.stderr
    before = tree_bytes(built_copy.root)
    result = run_amber("update", built_copy.ids["alpha"], "--yes", cwd=built_copy.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert tree_bytes(built_copy.root) == before


def test_revoked_yaml_ids_are_validated(built_copy: BuiltSite) -> None:
    (built_copy.root / "content" / "revoked.yaml").write_text(
        "- id: ../../content/site\n  revoked: 2026-01-01T00:00:00Z\n")
    result = run_amber("check", cwd=built_copy.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert re.search(r"content/revoked\.yaml:1:\d+: ", result.stderr), result.stderr
    assert (built_copy.root / "content" / "site.yaml").is_file()
