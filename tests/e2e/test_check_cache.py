"""``amber check`` with its cache (``.amber-cache/check/``) is exactly as strict as without.

Each test warms the cache with passing checks (the second one answered at once from
``quick.json``), makes one kind of problem, and compares the cached check with a check
of a copy of the site that has no cache: same exit code, same lines. No check writes
``output/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import ALL_CONVERSATIONS, DELTA_IMAGE_NAME, BuiltSite, share
from tests.helpers.trees import tree_bytes


def _warm(site: Path) -> None:
    first = ok(run_amber("check", cwd=site))
    again = ok(run_amber("check", cwd=site))
    assert again.stderr == first.stderr
    assert (site / ".amber-cache" / "check" / "quick.json").is_file()


def _uncached(site: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    """``amber check`` on a copy of the site without any cache."""
    copy = scratch / "uncached"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site, copy, symlinks=True,
                    ignore=shutil.ignore_patterns(".amber-cache", "output"))
    return run_amber("check", cwd=copy)


def _same_as_uncached(site: Path, scratch: Path) -> subprocess.CompletedProcess[str]:
    before = tree_bytes(site / "output") if (site / "output").exists() else None
    cached = run_amber("check", cwd=site)
    reference = _uncached(site, scratch)
    assert (cached.returncode, cached.stderr.replace(str(site), "SITE")) == \
        (reference.returncode, reference.stderr.replace(str(scratch / "uncached"), "SITE"))
    assert "Traceback" not in cached.stderr
    after = tree_bytes(site / "output") if (site / "output").exists() else None
    assert after == before, "a check changed output/"
    return cached


def test_a_warm_check_passes_as_the_first_did_and_writes_no_output(
        site: Path, tmp_path: Path) -> None:
    share(site, "alpha", "--listed")
    _warm(site)
    assert not (site / "output").exists()
    for path in (site / "content").rglob("*"):  # touched, not changed: read again, same bytes
        os.utime(path)
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 0
    assert not (site / "output").exists()


def test_a_hand_edited_snapshot_digest_is_caught(built_copy: BuiltSite, tmp_path: Path) -> None:
    _warm(built_copy.root)
    path = built_copy.snapshot("alpha")
    text = path.read_text("utf-8")
    stat = path.stat()
    digest = re.search(r"^digest: *['\"]?(?:sha256:)?([0-9a-f]{64})", text, re.M)
    assert digest is not None, text[:400]
    old = digest.group(1)
    path.write_text(text.replace(old, old[::-1], 1), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same mtime
    result = _same_as_uncached(built_copy.root, tmp_path)
    assert result.returncode == 1
    assert f"shares/{built_copy.ids['alpha']}.yaml" in result.stderr


def test_a_revoked_id_brought_back_is_caught(built_copy: BuiltSite, tmp_path: Path) -> None:
    site = built_copy.root
    revoked = built_copy.ids["charlie"]
    saved = built_copy.snapshot("charlie").read_bytes()
    ok(run_amber("revoke", revoked, "--yes", cwd=site))
    _warm(site)
    conversation = site / "content" / "conversations" / "alpha.yaml"
    conversation.write_text(conversation.read_text("utf-8") + f"# see {revoked}\n", "utf-8")
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 1 and revoked in result.stderr
    built_copy.snapshot("charlie").write_bytes(saved)  # the snapshot itself, back
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 1 and "was revoked" in result.stderr


def test_an_unlisted_id_leaking_through_a_listed_share_is_caught(
        built_copy: BuiltSite, tmp_path: Path) -> None:
    site = built_copy.root
    _warm(site)
    unlisted = built_copy.ids["charlie"]
    conversation = site / "content" / "conversations" / "echo.yaml"
    conversation.write_text(
        "title: Echo\nmessages:\n  - role: user\n    content: what is at "
        f"https://example.org/share/{unlisted}/ ?\n  - role: assistant\n    content: a page.\n",
        "utf-8")
    made = run_amber("share", "echo", "--listed", "--yes", cwd=site)
    assert made.returncode == 0, made.stderr
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 1 and unlisted in result.stderr


def test_a_broken_theme_template_is_caught(built_copy: BuiltSite, tmp_path: Path) -> None:
    site = built_copy.root
    from amber.render.theme import packaged_default_theme

    shutil.copytree(packaged_default_theme(), site / "themes" / "default")
    _warm(site)
    template = next((site / "themes" / "default" / "templates").glob("share*.html"))
    template.write_text(template.read_text("utf-8") + "{% if %}\n", "utf-8")
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 1


def test_a_missing_image_is_seen(built_copy: BuiltSite, tmp_path: Path) -> None:
    site = built_copy.root
    _warm(site)
    (site / "content" / "assets" / DELTA_IMAGE_NAME).unlink()
    _same_as_uncached(site, tmp_path)
    (site / "content" / "assets" / DELTA_IMAGE_NAME).write_bytes(b"<svg onload=alert(1)>")
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 1


def test_a_new_share_and_a_broken_link_after_a_warm_check(
        built_copy: BuiltSite, tmp_path: Path) -> None:
    site = built_copy.root
    _warm(site)
    conversation = site / "content" / "conversations" / "foxtrot.yaml"
    conversation.write_text(
        "title: Foxtrot\nmessages:\n  - role: user\n    content: see [the index](../../) and "
        "[nothing](../../nowhere.html) and [a part](#m-99)\n"
        "  - role: assistant\n    content: fine.\n", "utf-8")
    ok(run_amber("share", "foxtrot", "--listed", "--yes", cwd=site))
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 1 and "broken internal link" in result.stderr
    again = _same_as_uncached(site, tmp_path)  # from the cache this time
    assert again.stderr == result.stderr


def test_the_build_that_takes_a_revoked_share_down_drops_it_from_the_checks_cache(
        built_copy: BuiltSite) -> None:
    site = built_copy.root
    _warm(site)
    revoked = built_copy.ids["bravo"]
    title = ALL_CONVERSATIONS["bravo"][0].encode()
    cache = site / ".amber-cache" / "check"

    def holding() -> list[str]:
        return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()
                      and (revoked.encode() in p.read_bytes() or title in p.read_bytes()))

    assert holding(), "the warm check must have kept the share, or this proves nothing"
    ok(run_amber("revoke", revoked, "--yes", cwd=site))
    ok(run_amber("build", cwd=site))
    assert holding() == []
    ok(run_amber("check", cwd=site))
    assert holding() == []


def test_a_first_check_after_a_build_starts_from_the_builds_cache(
        built_copy: BuiltSite, tmp_path: Path) -> None:
    """Files and rendered shares the build vouched for are taken, each checked again:
    a stored page swapped for another share's bytes is not trusted."""
    site = built_copy.root
    assert (site / ".amber-cache" / "state.db").is_file()
    blobs = sorted((site / ".amber-cache" / "pages").rglob("*.bin"))
    assert len(blobs) >= 2
    first = blobs[0].read_bytes()
    blobs[0].write_bytes(blobs[1].read_bytes())
    blobs[1].write_bytes(first)
    result = _same_as_uncached(site, tmp_path)
    assert result.returncode == 0
    conversation = site / "content" / "conversations" / "alpha.yaml"
    conversation.write_text(conversation.read_text("utf-8") + "# edited\n", "utf-8")
    shutil.rmtree(site / ".amber-cache" / "check")
    _same_as_uncached(site, tmp_path)


def test_a_share_that_expired_since_the_last_check_is_left_out(
        site: Path, tmp_path: Path) -> None:
    """Nothing on disk changes when a link expires: the quick answer must not hold."""
    [alpha] = share(site, "alpha", "--listed", "--expires", "2026-01-10")
    share(site, "bravo", "--listed")
    before = ok(run_amber("check", "--now", "2026-01-09T00:00:00Z", cwd=site))
    assert "expired" not in before.stderr
    after = run_amber("check", "--now", "2026-01-12T00:00:00Z", cwd=site)
    reference = run_amber("check", "--now", "2026-01-12T00:00:00Z",
                          cwd=_copy_without_cache(site, tmp_path))
    assert (after.returncode, after.stderr) == (reference.returncode, reference.stderr)
    assert "1 expired" in after.stderr and alpha not in after.stderr


def _copy_without_cache(site: Path, scratch: Path) -> Path:
    copy = scratch / "expiry-copy"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".amber-cache", "output"))
    return copy
