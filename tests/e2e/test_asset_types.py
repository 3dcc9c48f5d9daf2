"""Only PNG, JPEG, GIF and WebP files leave content/assets/.

An SVG with a script, an HTML page or a script file published beside the site would
run on its origin (a static host sends no CSP for a file opened on its own). A share
that shows one fails the build and `check`, naming the share file and the asset;
`check` and `review` name any such file in content/assets/, referenced or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import ok, problem_lines, run_amber
from tests.helpers.fixture_site import DELTA_IMAGE_NAME, BuiltSite, share
from tests.helpers.git import commit, git
from tests.helpers.trees import stray_build_dirs, tree_bytes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fixture"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>'
HTML = b"<!doctype html><script src=steal.js></script>"

HOSTILE_FILES = {
    "x.svg": SVG,
    "x.html": HTML,
    "x.js": b"fetch('/_manage/').then(r => r.text())",
    "x.png": HTML,  # a host would send it as image/png, but it is not one
    "x.gif": PNG,  # a real image under another format's name
}


def _picture_conversation(src: str) -> str:
    return f"""\
title: A picture
messages:
  - role: user
    content:
      - type: text
        text: Look at this
      - type: image
        src: {src}
        alt: a picture
  - role: assistant
    content: Nice.
"""


def _share_picture(site: Path, src: str, *flags: str) -> str:
    (site / "content" / "conversations" / "picture.yaml").write_text(
        _picture_conversation(src), "utf-8")
    [share_id] = share(site, "picture", *flags)
    return share_id


def _assert_refused(site: Path, command: str, *needles: str) -> list[str]:
    result = run_amber(command, cwd=site)
    assert result.returncode == 1, f"{command}: exit {result.returncode}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    for needle in needles:
        assert any(needle in line for line in lines), f"{needle!r} not in:\n{result.stderr}"
    return lines


def _published(output: Path, data: bytes) -> list[str]:
    return [rel for rel, content in tree_bytes(output).items() if content == data]


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_a_share_showing_a_non_image_fails_build_and_check(
    built_copy: BuiltSite, name: str
) -> None:
    site = built_copy.root
    (site / "content" / "assets" / name).write_bytes(HOSTILE_FILES[name])
    share_id = _share_picture(site, f"assets/{name}", "--listed")
    before = tree_bytes(built_copy.output)

    lines = _assert_refused(site, "build", f"content/shares/{share_id}.yaml", f"assets/{name}")
    assert tree_bytes(built_copy.output) == before, "a refused build changed output/"
    assert stray_build_dirs(site) == []
    assert not any(line.startswith(("Built", "amber: built")) for line in lines)

    _assert_refused(site, "check", f"content/shares/{share_id}.yaml",
                    f"content/assets/{name}")


def test_a_published_image_replaced_by_a_script_fails_the_cached_build(
    built_copy: BuiltSite,
) -> None:
    """delta's page comes from the build cache: the swap must still be seen."""
    site = built_copy.root
    (site / "content" / "assets" / DELTA_IMAGE_NAME).write_bytes(SVG)
    _assert_refused(site, "build", f"content/shares/{built_copy.ids['delta']}.yaml",
                    f"assets/{DELTA_IMAGE_NAME}")
    assert _published(built_copy.output, SVG) == []


def test_a_missing_image_that_appears_as_a_page_fails_the_build(built_copy: BuiltSite) -> None:
    site = built_copy.root
    share_id = _share_picture(site, "assets/later.png")
    ok(run_amber("build", cwd=site))  # missing: a placeholder
    (site / "content" / "assets" / "later.png").write_bytes(HTML)
    _assert_refused(site, "build", f"content/shares/{share_id}.yaml", "assets/later.png")
    assert _published(built_copy.output, HTML) == []


def test_unreferenced_files_are_never_published_and_check_names_them(
    built_copy: BuiltSite,
) -> None:
    site = built_copy.root
    assets = site / "content" / "assets"
    (assets / "steal.html").write_bytes(HTML)
    (assets / "steal.js").write_bytes(b"fetch('/_manage/')")
    (assets / "unused.png").write_bytes(PNG)
    (assets / ".gitkeep").write_bytes(b"")
    ok(run_amber("build", cwd=site))
    for data in (HTML, b"fetch('/_manage/')", PNG):
        assert _published(built_copy.output, data) == []
    lines = _assert_refused(site, "check", "content/assets/steal.html",
                            "content/assets/steal.js")
    assert not any("unused.png" in line or ".gitkeep" in line for line in lines)


def test_review_reports_a_page_added_to_content_assets(site: Path) -> None:
    git(site, "init", "-q", "-b", "main")
    share(site, "alpha", "--listed")
    commit(site, "base")
    git(site, "branch", "base")
    (site / "content" / "assets").mkdir(exist_ok=True)
    (site / "content" / "assets" / "page.html").write_bytes(HTML)
    commit(site, "add a page")
    result = run_amber("review", "base", "HEAD", cwd=site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Check at HEAD failed" in result.stdout
    assert "content/assets/page.html" in result.stdout
