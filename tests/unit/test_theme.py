"""amber.render.theme: theme lookup with file-by-file fallback, fingerprints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from amber.errors import AmberError
from amber.render.templates import make_environment
from amber.render.theme import fingerprint, packaged_default_theme, resolve_theme


def test_fingerprint_changes_with_content_and_keeps_suffix() -> None:
    a = fingerprint("amber.css", b"body { color: black }")
    b = fingerprint("amber.css", b"body { color: white }")
    assert re.fullmatch(r"amber\.[0-9a-f]{10}\.css", a)
    assert re.fullmatch(r"amber\.[0-9a-f]{10}\.css", b)
    assert a != b
    assert fingerprint("amber.css", b"body { color: black }") == a  # stable
    assert re.fullmatch(r"app\.min\.[0-9a-f]{10}\.js", fingerprint("app.min.js", b"x"))
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{10}", fingerprint("LICENSE", b"x"))
    assert re.fullmatch(r"img/logo\.[0-9a-f]{10}\.svg", fingerprint("img/logo.svg", b"x"))


def test_packaged_default_theme_has_templates_and_static() -> None:
    default = packaged_default_theme()
    assert (default / "templates" / "base.html").is_file()
    assert (default / "static" / "amber.css").is_file()


def test_site_without_themes_uses_packaged_default(tmp_path: Path) -> None:
    theme = resolve_theme(tmp_path, "default")
    assert [p.resolve() for p in theme.layers] == [packaged_default_theme().resolve()]
    statics = theme.static_files()
    assert {"amber.css", "amber.js"} <= set(statics)


def test_site_default_theme_overrides_one_file_and_falls_back_for_the_rest(
    tmp_path: Path,
) -> None:
    local = tmp_path / "themes" / "default"
    (local / "static").mkdir(parents=True)
    (local / "templates").mkdir()
    (local / "static" / "amber.css").write_text("/* mine */")
    (local / "static" / "extra.txt").write_text("extra")
    (local / "static" / ".hidden").write_text("no")
    (local / "templates" / "404.html").write_text("custom 404 {{ 1 + 1 }}")

    theme = resolve_theme(tmp_path, "default")
    packaged = packaged_default_theme()
    assert theme.layers[0] == local
    assert theme.layers[-1].resolve() == packaged.resolve()

    statics = theme.static_files()
    assert statics["amber.css"] == local / "static" / "amber.css"
    assert statics["extra.txt"] == local / "static" / "extra.txt"
    assert statics["amber.js"].resolve() == (packaged / "static" / "amber.js").resolve()
    assert ".hidden" not in statics

    env = make_environment(theme)
    assert env.get_template("404.html").render() == "custom 404 2"
    base = env.get_template("base.html")
    assert base.filename is not None
    assert Path(base.filename).resolve() == (packaged / "templates" / "base.html").resolve()


def test_named_theme_overrides_then_falls_back(tmp_path: Path) -> None:
    mine = tmp_path / "themes" / "mine"
    (mine / "static" / "img").mkdir(parents=True)
    (mine / "static" / "amber.js").write_text("// mine")
    (mine / "static" / "img" / "logo.svg").write_text("<svg/>")
    theme = resolve_theme(tmp_path, "mine")
    assert theme.layers[0] == mine
    statics = theme.static_files()
    assert statics["amber.js"] == mine / "static" / "amber.js"
    assert statics["img/logo.svg"] == mine / "static" / "img" / "logo.svg"
    assert statics["amber.css"].resolve() == (
        packaged_default_theme() / "static" / "amber.css").resolve()
    # no templates/ in the custom theme: the packaged ones are used
    assert theme.template_dirs == [str(packaged_default_theme() / "templates")]


def test_theme_given_as_path(tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared" / "fancy"
    (elsewhere / "templates").mkdir(parents=True)
    site_root = tmp_path / "site"
    site_root.mkdir()
    theme = resolve_theme(site_root, "../shared/fancy")
    assert theme.layers[0].resolve() == elsewhere.resolve()
    assert theme.template_dirs[0] == str(theme.layers[0] / "templates")
    absolute = resolve_theme(site_root, str(elsewhere))
    assert absolute.layers[0] == elsewhere


def test_static_symlinks_are_not_published(tmp_path: Path) -> None:
    local = tmp_path / "themes" / "default" / "static"
    local.mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (local / "leak.txt").symlink_to(secret)
    assert "leak.txt" not in resolve_theme(tmp_path, "default").static_files()


def test_missing_theme_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AmberError, match="theme 'nope' not found"):
        resolve_theme(tmp_path, "nope")
