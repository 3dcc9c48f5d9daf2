"""Paths from hostile content: traversal, symlinks, and file names that are not IDs.

Anything read from disk that becomes a path is validated before use (DESIGN.md). Here
the real CLI meets: image references that try to leave ``content/assets/`` in every
spelling (``..``, absolute paths, ``file:`` URLs, percent-encoding, backslashes, NUL);
symbolic links for each kind of file and folder under ``content/``; share files whose
names are not lowercase UUID4s; IDs given on the command line. Each is refused with a
line naming the file, or left out, and a build's output never holds a symbolic link
or a byte of a file from outside the site: every entry of ``output/`` is checked with
``os.lstat``.

``tests/unit`` covers the reference check itself and ``tests/e2e/test_privacy.py`` a
symlinked asset file and assets folder; this extends both to the rest of ``content/``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from amber.content.model import Conversation, Message
from amber.content.snapshot import freeze, serialise_snapshot
from tests.helpers.cli import ok, problem_lines, run_amber
from tests.helpers.fixture_site import FIXTURE_SITE, build, share
from tests.helpers.trees import tree_bytes

SECRET = b"SECRET-OUTSIDE-THE-SITE-31337"
"""The content of every file planted outside the site: it must never reach output/."""

SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


def new_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    for folder in ("shares", "assets"):
        (site / "content" / folder).mkdir(exist_ok=True)
    return site


def outside(tmp_path: Path, name: str = "secret.yaml", data: bytes | None = None) -> Path:
    """A file outside the site, holding SECRET (or valid content that mentions it)."""
    path = tmp_path / "outside" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data if data is not None else SECRET)
    return path


def share_text(share_id: str, slug: str = "alpha", title: str = "A share") -> str:
    conv = Conversation(slug, title, (Message("user", "hi"),))
    snap = freeze(conv, share_id, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z")
    return serialise_snapshot(snap).decode("utf-8")


def refused(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return problem_lines(result.stderr)


def assert_output_is_only_the_site(output: Path) -> None:
    """No symbolic link anywhere in output/, only plain files and folders, and no byte
    of SECRET in any file."""
    for root, dirs, files in os.walk(output):
        for name in dirs + files:
            mode = os.lstat(Path(root) / name).st_mode
            assert not stat.S_ISLNK(mode), f"symbolic link in output: {Path(root) / name}"
            assert stat.S_ISDIR(mode) or stat.S_ISREG(mode), f"odd file: {Path(root) / name}"
    leaked = [rel for rel, data in tree_bytes(output).items() if SECRET in data]
    assert leaked == [], f"outside content published in {leaked}"


# --- image references --------------------------------------------------------------------


ESCAPING_REFS = [
    "../../etc/passwd",
    "../outside/secret.png",
    "assets/../../outside/secret.png",
    "assets/../site.yaml",
    "/etc/passwd",
    "file:///etc/passwd",
    "file:assets/x.png",
    "https://evil.example/x.png",
    "//evil.example/x.png",
    "assets/%2e%2e/%2e%2e/outside/secret.png",
    "assets/%2e%2e%2fsecret.png",
    "assets/..%2f..%2fsecret.png",
    "assets\\..\\..\\secret.png",
    "assets/..\\secret.png",
    "assets//etc/passwd",
    "assets/./x.png",
    "assets/.x.png",
    "assets/sub/x.png",
    "./assets/x.png",
    "ASSETS/x.png",
    "assets/x.png?raw",
    "assets/x.png#top",
    "assets/x.png/..",
    "assets/..",
    "assets/ x.png",
    "assets/x.png\t",
    "content/assets/x.png",
]
"""Image ``src`` values that name something other than a plain file in content/assets/."""


def test_image_references_that_leave_assets_are_refused_everywhere(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    content = site / "content"
    parts = "".join(f"      - type: image\n        src: {json.dumps(src)}\n"
                    for src in ESCAPING_REFS)
    conv = ("title: Escapes\nmessages:\n  - role: user\n    content:\n" + parts)
    (content / "conversations" / "escapes.yaml").write_text(conv, "utf-8")
    share = share_text(SID)
    share = share.replace("  content: hi\n", "  content:\n" + parts.replace("      ", "  "))
    (content / "shares" / f"{SID}.yaml").write_text(share, "utf-8")
    lines = refused(run_amber("check", cwd=site))
    for where, text in (("content/conversations/escapes.yaml", conv),
                        (f"content/shares/{SID}.yaml", share)):
        for src in ESCAPING_REFS:
            line = text[: text.index(f"src: {json.dumps(src)}")].count("\n") + 1
            hits = [entry for entry in lines if entry.startswith(f"error: {where}:{line}:")]
            assert hits and "expected a file under assets/" in hits[0], (src, hits)


def test_image_reference_with_a_nul_is_refused(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    conv = ('title: Nul\nmessages:\n  - role: user\n    content:\n      - type: image\n'
            '        src: "assets/x.png\\0../../etc/passwd"\n')
    (site / "content" / "conversations" / "nul.yaml").write_text(conv, "utf-8")
    [line] = refused(run_amber("check", cwd=site))
    assert line.startswith("error: content/conversations/nul.yaml:6:")
    assert "control character U+0000" in line


def test_traversal_in_message_text_and_names_never_reads_a_file(tmp_path: Path) -> None:
    """Markdown links and images, raw HTML and attachment names are text or links: none
    of them makes amber read a file, whatever path it names."""
    site = new_site(tmp_path)
    secret = outside(tmp_path, "secret.png")
    relative = os.path.relpath(secret, site / "content" / "assets")
    conv = f"""\
title: Traversal in text
messages:
  - role: user
    content: |
      ![leak](../../outside/secret.png) ![abs]({secret}) ![rel]({relative})
      [file](file://{secret}) <img src="{secret}"> <a href="file:///etc/passwd">x</a>
      ![enc](assets/%2e%2e/%2e%2e/outside/secret.png) ![bs](assets\\..\\..\\secret.png)
  - role: assistant
    content:
      - type: attachment
        name: {relative}
        text: the attachment's own text
      - type: image
        name: {secret}
        alt: an image that was not exported
"""
    (site / "content" / "conversations" / "traversal.yaml").write_text(conv, "utf-8")
    [share_id] = share(site, "traversal")
    output = build(site)
    assert_output_is_only_the_site(output)
    page = (output / "share" / share_id / "index.html").read_text("utf-8")
    assert 'href="file:' not in page and 'src="file:' not in page
    assert f'src="{secret}"' not in page
    assert "Image not included" in page
    assets = sorted(p.name for p in (output / "assets").iterdir())
    assert "secret.png" not in assets


# --- symbolic links under content/ -----------------------------------------------------------


def link(path: Path, target: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target, target_is_directory=target.is_dir())


def outside_site_yaml(tmp_path: Path) -> Path:
    return outside(tmp_path, "site.yaml", b"title: SECRET-OUTSIDE-THE-SITE-31337\n"
                   b"base_url: https://example.test/chats/\n")


def outside_folder(tmp_path: Path, name: str, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "outside" / name
    folder.mkdir(parents=True)
    for file_name, data in files.items():
        (folder / file_name).write_bytes(data)
    return folder


CONV_OUTSIDE = (b"title: SECRET-OUTSIDE-THE-SITE-31337\nmessages:\n  - role: user\n"
                b"    content: SECRET-OUTSIDE-THE-SITE-31337\n")

SYMLINKS: dict[str, tuple[str, object]] = {
    # name: (the path under the site that becomes a link, what it points at)
    "a conversation file": ("content/conversations/linked.yaml",
                            lambda t: outside(t, "conv.yaml", CONV_OUTSIDE)),
    "the conversations folder": ("content/conversations",
                                 lambda t: outside_folder(t, "convs", {"x.yaml": CONV_OUTSIDE})),
    "a share file": (f"content/shares/{SID}.yaml",
                     lambda t: outside(t, "share.yaml", share_text(SID).encode())),
    "the shares folder": ("content/shares",
                          lambda t: outside_folder(t, "shares",
                                                   {f"{SID}.yaml": share_text(SID).encode()})),
    "the assets folder": ("content/assets", lambda t: outside_folder(t, "assets",
                                                                     {"x.png": SECRET})),
    "site.yaml": ("content/site.yaml", outside_site_yaml),
    "revoked.yaml": ("content/revoked.yaml",
                     lambda t: outside(t, "revoked.yaml", b"[]\n")),
    "a dangling revoked.yaml": ("content/revoked.yaml", lambda t: t / "outside" / "nowhere"),
}


@pytest.mark.parametrize("name", list(SYMLINKS))
def test_symlinks_in_content_are_refused_and_leave_the_old_site(tmp_path: Path,
                                                                 name: str) -> None:
    site = new_site(tmp_path)
    output = build(site)
    before = tree_bytes(output)
    rel, make_target = SYMLINKS[name]
    (tmp_path / "outside").mkdir(exist_ok=True)
    link(site / rel, make_target(tmp_path))  # type: ignore[operator]
    lines = refused(run_amber("build", cwd=site))
    # The file is named as given (absolute here: the link's target is outside the site).
    assert any(line.startswith("error: ") and f"{rel}: is a symbolic link" in line
               for line in lines), lines
    assert tree_bytes(output) == before, "a refused build leaves the old site"
    assert_output_is_only_the_site(output)


def test_symlinked_asset_file_is_left_out_and_output_has_no_link(tmp_path: Path) -> None:
    """The asset file itself a link (test_privacy checks the bytes; this checks lstat)."""
    site = new_site(tmp_path)
    name = "0" * 64 + ".png"
    link(site / "content" / "assets" / name, outside(tmp_path, "secret.png"))
    conv = ("title: Linked image\nmessages:\n  - role: user\n    content:\n"
            f"      - type: image\n        src: assets/{name}\n")
    (site / "content" / "conversations" / "linked-image.yaml").write_text(conv, "utf-8")
    [share_id] = share(site, "linked-image")
    output = build(site)
    assert_output_is_only_the_site(output)
    assert "Image not included" in (output / "share" / share_id / "index.html").read_text()


# --- share file names and IDs ------------------------------------------------------------


BAD_SHARE_NAMES = [
    SID.upper() + ".yaml",                                   # uppercase UUID
    "c232ab00-9414-11ec-b3c8-9f6bdeced846.yaml",             # UUID version 1
    "1b9d6bcd-bbfd-4b2d-1b5d-ab8dfbbd4bed.yaml",             # a bad variant nibble
    "1b9d6bcdbbfd4b2d9b5dab8dfbbd4bed.yaml",                 # no dashes
    "{" + SID + "}.yaml",                                    # braces
    SID + ".yml",
    SID + ".YAML",
    SID + ".yaml.bak",
    SID + ".json",
    "x.yaml",
    "%2e%2e%2fsite.yaml",
    "a\\..\\site.yaml",
]


def test_share_files_named_other_than_uuid4_are_refused(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    shares = site / "content" / "shares"
    for name in BAD_SHARE_NAMES:
        (shares / name).write_text(share_text(SID), "utf-8")
    lines = refused(run_amber("check", cwd=site))
    for name in BAD_SHARE_NAMES:
        assert any(line.startswith(f"error: content/shares/{name}: not a share file")
                   for line in lines), name
    assert len(lines) == len(BAD_SHARE_NAMES)


def test_hidden_and_folder_entries_in_shares_are_not_published(tmp_path: Path) -> None:
    """Editors leave hidden files (``.x.swp``); amber skips them, and a folder named like a
    share file is not one. Neither reaches output/."""
    site = new_site(tmp_path)
    shares = site / "content" / "shares"
    hidden_id = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"
    (shares / f".{hidden_id}.yaml").write_text(share_text(hidden_id), "utf-8")
    for name in ("..yaml", "..%2f..%2fsite.yaml", "..\\..\\site.yaml"):
        (shares / name).write_text(share_text(hidden_id), "utf-8")
    (shares / f"{SID}.yaml").mkdir()
    (shares / f"{SID}.yaml" / "inside.yaml").write_text(share_text(SID), "utf-8")
    output = build(site)
    assert_output_is_only_the_site(output)
    published = b"".join(tree_bytes(output).values())
    assert hidden_id.encode() not in published and SID.encode() not in published


COMMAND_LINE_REFS = ["../../content/site", f"{SID}\\..\\x", "%2e%2e%2fsite",
                     "c232ab00-9414-11ec-b3c8-9f6bdeced846"]


def test_share_ids_on_the_command_line_are_validated(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    [real] = share(site, "alpha")
    before = tree_bytes(site)
    for ref in COMMAND_LINE_REFS:
        for command in (("revoke", ref, "--yes"), ("update", ref, "--yes")):
            result = run_amber(*command, cwd=site)
            assert result.returncode == 1, (command, result.stderr)
            assert "Traceback" not in result.stderr
            assert "share ID" in result.stderr or "no active share" in result.stderr, (
                command, result.stderr)
    assert tree_bytes(site) == before, "nothing written"
    assert real in (site / "content" / "shares" / f"{real}.yaml").read_text()


def test_ids_and_slugs_inside_files_cannot_name_paths(tmp_path: Path) -> None:
    site = new_site(tmp_path)
    shares = site / "content" / "shares"
    text = share_text(SID)
    (shares / f"{SID}.yaml").write_text(text.replace(f"id: {SID}", "id: ../../x"), "utf-8")
    conversations = site / "content" / "conversations"
    (conversations / "Bad Name.yaml").write_text("title: x\nmessages: []\n", "utf-8")
    (conversations / "..hidden-looking.yaml").write_text("not: [valid", "utf-8")
    lines = refused(run_amber("check", cwd=site))
    assert any(f"content/shares/{SID}.yaml:" in line and "not a lowercase UUID4" in line
               for line in lines), lines
    assert any("content/conversations/Bad Name.yaml: file name must be a slug" in line
               for line in lines), lines


def test_output_of_a_full_site_has_only_plain_files(tmp_path: Path) -> None:
    """The fixture site with shares, images and the default theme: lstat every entry."""
    site = new_site(tmp_path)
    image = b"\x89PNG\r\n\x1a\n image bytes"
    name = hashlib.sha256(image).hexdigest() + ".png"
    (site / "content" / "assets" / name).write_bytes(image)
    conv = ("title: With image\nmessages:\n  - role: user\n    content:\n"
            f"      - type: image\n        src: assets/{name}\n")
    (site / "content" / "conversations" / "with-image.yaml").write_text(conv, "utf-8")
    share(site, "alpha", "bravo", "with-image", "--listed")
    output = build(site)
    assert_output_is_only_the_site(output)
    assert (output / "assets" / name).read_bytes() == image
    ok(run_amber("check", cwd=site))
