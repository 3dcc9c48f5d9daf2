"""amber.content.assets: only PNG, JPEG, GIF and WebP files, named for what they hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.assets import (
    asset_refusal,
    file_problem,
    folder_problems,
    image_format,
    image_refs,
    publishing_problem,
    referenced_file,
)
from amber.content.model import Message, Part
from amber.importers.assets import AssetStore

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><script src=x.js></script>"


@pytest.mark.parametrize(("name", "data"), [
    ("a.png", PNG), ("a.PNG", PNG), ("a.jpg", JPEG), ("a.jpeg", JPEG), ("a.JPG", JPEG),
    ("a.gif", GIF), ("a.webp", WEBP), (f"{'0' * 64}.png", PNG + b"rest of the image"),
])
def test_images_named_for_their_format_are_published(name: str, data: bytes) -> None:
    assert publishing_problem(name, data) is None


@pytest.mark.parametrize(("name", "data", "words"), [
    ("x.svg", SVG, "does not end in .png"),
    ("x.html", HTML, "does not end in .png"),
    ("x.js", b"fetch('/_manage/')", "does not end in .png"),
    ("x.svg", PNG, "holds PNG data"),  # right bytes, a name a host would serve as SVG
    ("x", PNG, "does not end in"),
    ("x.png", SVG, "named as a PNG image"),
    ("x.png", HTML, "not a PNG, JPEG, GIF or WebP image"),
    ("x.gif", b"", "not a PNG, JPEG, GIF or WebP image"),
    ("x.jpg", PNG, "holds PNG data: rename it to .png"),
    ("x.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", "not a PNG"),
    ("x.png.html", PNG, "does not end in"),
])
def test_everything_else_is_refused_with_a_reason(name: str, data: bytes, words: str) -> None:
    problem = publishing_problem(name, data)
    assert problem is not None and words in problem


def test_image_format_reads_only_the_signature() -> None:
    assert [image_format(d) for d in (PNG, JPEG, GIF, WEBP, SVG, b"")] == [
        "png", "jpeg", "gif", "webp", None, None]


def test_file_problem_reads_the_file(tmp_path: Path) -> None:
    (tmp_path / "ok.png").write_bytes(PNG + b"x" * 10_000)
    (tmp_path / "bad.png").write_bytes(SVG)
    assert file_problem(tmp_path / "ok.png") is None
    assert "named as a PNG image" in (file_problem(tmp_path / "bad.png") or "")
    assert "cannot be read" in (file_problem(tmp_path / "gone.png") or "")


def _assets(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "assets"
    folder.mkdir(parents=True)
    return folder


def test_folder_problems_name_each_unpublishable_entry(tmp_path: Path) -> None:
    folder = _assets(tmp_path)
    (folder / "good.png").write_bytes(PNG)
    (folder / "page.html").write_bytes(HTML)
    (folder / "evil.svg").write_bytes(SVG)
    (folder / "fake.png").write_bytes(HTML)
    (folder / ".gitkeep").write_bytes(b"")
    (folder / "sub").mkdir()
    (folder / "link.png").symlink_to(folder / "good.png")
    problems = {p.path.name: p.message for p in folder_problems(folder)}
    assert sorted(problems) == ["evil.svg", "fake.png", "link.png", "page.html", "sub"]
    assert all(p.path.parent == folder for p in folder_problems(folder))


def test_folder_problems_of_a_linked_or_missing_folder(tmp_path: Path) -> None:
    assert folder_problems(tmp_path / "content" / "assets") == []
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "assets").symlink_to(elsewhere, target_is_directory=True)
    [problem] = folder_problems(tmp_path / "content" / "assets")
    assert "symbolic link" in problem.message


def test_a_reference_resolves_only_to_a_plain_file_inside_assets(tmp_path: Path) -> None:
    folder = _assets(tmp_path)
    (folder / "good.png").write_bytes(PNG)
    (folder / "evil.svg").write_bytes(SVG)
    (tmp_path / "content" / "site.yaml").write_text("title: x\n")
    assert referenced_file(folder, "assets/good.png") == folder / "good.png"
    for src in ("assets/../site.yaml", "site.yaml", "assets/missing.png", "/etc/passwd"):
        assert referenced_file(folder, src) is None
    assert asset_refusal(folder, "assets/good.png") is None
    assert asset_refusal(folder, "assets/missing.png") is None  # a placeholder, not an error
    assert "does not end in" in (asset_refusal(folder, "assets/evil.svg") or "")


def test_image_refs_lists_every_image_part() -> None:
    messages = [
        Message("user", "text only, ![x](assets/not-a-part.png)"),
        Message("assistant", (Part("text", text="hi"), Part("image", src="assets/a.png"),
                              Part("image", name="not exported"),
                              Part("image", src="assets/b.svg"))),
    ]
    assert list(image_refs(messages)) == ["assets/a.png", "assets/b.svg"]


def test_import_stores_only_what_the_rule_publishes(tmp_path: Path) -> None:
    store = AssetStore(tmp_path / "assets", tmp_path / "staging")
    for data in (PNG, JPEG, GIF, WEBP):
        src, note = store.add(data, "picture")
        assert note is None and src is not None
        assert publishing_problem(src, data) is None
    for data in (SVG, HTML):
        assert store.add(data, "picture") == (
            None, "image picture is not a PNG, JPEG, GIF or WebP file")
