"""Reproducible builds, and failed builds that leave the previous site exactly as it was."""

from __future__ import annotations

import time
from pathlib import Path

from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import BuiltSite, build
from tests.helpers.trees import stray_build_dirs, tree_bytes

BROKEN_SHARE_TEMPLATE = """\
{% extends "base.html" %}
{% block content %}<h1>{{ page.title }}</h1><p>{{ page.nonexistent }}</p>{% endblock %}
"""


# --- 9. reproducible output ---------------------------------------------------------


def assert_same_files(first: dict[str, bytes], second: dict[str, bytes]) -> None:
    assert sorted(first) == sorted(second), "the two builds wrote different files"
    for rel in first:
        assert first[rel] == second[rel], f"{rel} differs between two builds"


def test_two_builds_are_byte_identical(built_copy: BuiltSite, built_site: BuiltSite) -> None:
    """Rebuilding gives the same bytes, in the same folder and in another one (so no
    absolute path of the build machine ends up in the site)."""
    first = tree_bytes(built_site.output)
    assert len(first) > 15
    # built_copy is the same content in another folder, with built_site's output copied in.
    assert_same_files(first, tree_bytes(build(built_copy.root)))
    # Another hash seed, time zone and locale change nothing either.
    other_machine = {"PYTHONHASHSEED": "12345", "TZ": "Pacific/Kiritimati",
                     "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"}
    assert_same_files(first, tree_bytes(build(built_copy.root, env=other_machine)))


def test_two_builds_are_byte_identical_without_source_date_epoch(
    built_copy: BuiltSite, site: Path,
) -> None:
    no_epoch = {"SOURCE_DATE_EPOCH": None}
    # A site with listed shares, and one with none (whose feed has no share to date it).
    empty = site
    first = tree_bytes(build(built_copy.root, env=no_epoch))
    first_empty = tree_bytes(build(empty, env=no_epoch))
    time.sleep(1.1)  # a build that stamped the current time would now differ
    assert_same_files(first, tree_bytes(build(built_copy.root, env=no_epoch)))
    assert_same_files(first_empty, tree_bytes(build(empty, env=no_epoch)))


# --- 10. a failed build changes nothing ---------------------------------------------


def assert_failed_build_left_site_alone(site: Path, before: dict[str, bytes], *needles: str):
    assert before, "precondition: a previous build exists"
    result = run_amber("build", cwd=site)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    after = tree_bytes(site / "output")
    assert sorted(after) == sorted(before), "a failed build added or removed files"
    assert after == before, "a failed build changed output/"
    assert stray_build_dirs(site) == []


def test_broken_template_leaves_previous_output(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.output)
    templates = built_copy.root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "share.html").write_text(BROKEN_SHARE_TEMPLATE)
    # Changed content, so the failing build would have had something new to write.
    path = built_copy.snapshot("alpha")
    path.write_text(path.read_text().replace("title: Alpha sorting notes", "title: Changed"))
    assert_failed_build_left_site_alone(built_copy.root, before, "share.html", "nonexistent")


def test_template_syntax_error_leaves_previous_output(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.output)
    templates = built_copy.root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "index.html").write_text('{% extends "base.html" %}{% block content %}{% if %}')
    assert_failed_build_left_site_alone(built_copy.root, before, "index.html")


def test_yaml_syntax_error_leaves_previous_output(built_copy: BuiltSite) -> None:
    before = tree_bytes(built_copy.output)
    (built_copy.root / "content" / "conversations" / "broken.yaml").write_text(
        "title: Broken\nmessages:\n  - role: user\n    content: a: b\n")
    assert_failed_build_left_site_alone(built_copy.root, before,
                                        "content/conversations/broken.yaml:4:")


def test_failed_first_build_creates_no_output(site: Path) -> None:
    (site / "content" / "conversations" / "broken.yaml").write_text("title: [unclosed\n")
    result = run_amber("build", cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not (site / "output").exists()
    assert stray_build_dirs(site) == []


def test_rebuild_replaces_output_whole_and_leaves_no_stray_dirs(built_copy: BuiltSite) -> None:
    stale = built_copy.output / "share" / "left-over.html"
    stale.write_text("a file from an older build")
    build(built_copy.root)
    assert not stale.exists(), "output/ must be replaced whole"
    assert stray_build_dirs(built_copy.root) == []
    # .amber-cache/ holds the render cache and the spare tree (documented, git-ignored)
    assert sorted(p.name for p in built_copy.root.iterdir()) == [
        ".amber-cache", "content", "output"]


# --- build never destroys what it did not build -------------------------------------


def test_output_into_a_foreign_folder_is_refused_and_keeps_its_files(site: Path) -> None:
    notes = site / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("my precious notes")
    for target in ("notes", "content"):
        before = user_files(site)
        result = run_amber("build", "--output", target, cwd=site)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert target in result.stderr
        assert user_files(site) == before, f"build --output {target} changed files"
        assert stray_build_dirs(site) == []


def test_output_through_a_symlink_is_refused(site: Path, tmp_path: Path) -> None:
    real = tmp_path / "real-output"
    real.mkdir()
    (real / "keep.txt").write_text("keep me")
    (site / "output").symlink_to(real, target_is_directory=True)
    result = run_amber("build", cwd=site)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (real / "keep.txt").read_text() == "keep me"
    assert (site / "output").is_symlink()


def user_files(site: Path) -> dict[str, bytes]:
    """Every file of the site but amber's own cache and lock (``.amber-cache/``)."""
    return {rel: data for rel, data in tree_bytes(site).items()
            if not rel.startswith(".amber-cache/")}


def test_a_revoked_id_written_in_upper_case_in_a_conversation_is_reported(
        built_copy: BuiltSite) -> None:
    site = built_copy.root
    gone = built_copy.ids[built_copy.unlisted[0]]
    ok(run_amber("revoke", gone, "--yes", cwd=site))
    conversation = next((site / "content" / "conversations").glob("*.yaml"))
    conversation.write_text(conversation.read_text("utf-8").replace(
        "messages:", f"# see {gone.upper()}\nmessages:", 1), "utf-8")
    for command in ("check", "build"):
        result = run_amber(command, cwd=site)
        assert result.returncode == 1, result.stderr
        assert f"mentions revoked share {gone}" in result.stderr, result.stderr

