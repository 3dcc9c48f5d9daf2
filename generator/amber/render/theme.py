"""Find a theme's templates and static files, falling back file by file.

Lookup order: the theme ``site.yaml`` names (under the site's ``themes/`` or a
path), then the site's own ``themes/default``, then the default theme shipped
inside the package. So a site needs no copy of the theme, and a custom theme
overrides only the files it has.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from amber.errors import AmberError


def packaged_default_theme() -> Path:
    """The default theme of this installation: inside the wheel, or the checkout's."""
    package = Path(__file__).parents[1]
    inside = package / "themes" / "default"
    if inside.is_dir():
        return inside
    return package.resolve().parents[1] / "themes" / "default"


@dataclass(frozen=True)
class Theme:
    layers: tuple[Path, ...]
    """Theme directories, most specific first; each may have templates/ and static/."""

    @property
    def template_dirs(self) -> list[str]:
        return [str(d / "templates") for d in self.layers if (d / "templates").is_dir()]

    def static_files(self) -> dict[str, Path]:
        """Static file name (POSIX, relative to static/) -> the file that wins."""
        found: dict[str, Path] = {}
        for layer in reversed(self.layers):
            static = layer / "static"
            if not static.is_dir():
                continue
            for path in sorted(static.rglob("*")):
                if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                    found[path.relative_to(static).as_posix()] = path
        return found


def resolve_theme(site_root: Path, name: str) -> Theme:
    layers: list[Path] = []
    candidate = Path(name)
    if "/" in name or candidate.is_absolute():
        chosen = candidate if candidate.is_absolute() else site_root / candidate
    else:
        chosen = site_root / "themes" / name
    if name != "default" or chosen.is_dir():
        if not chosen.is_dir():
            raise AmberError(f"content/site.yaml: theme {name!r} not found (looked in {chosen})")
        layers.append(chosen)
    local_default = site_root / "themes" / "default"
    if local_default.is_dir() and local_default.resolve() not in [p.resolve() for p in layers]:
        layers.append(local_default)
    packaged = packaged_default_theme()
    if packaged.resolve() not in [p.resolve() for p in layers]:
        layers.append(packaged)
    return Theme(tuple(layers))


def fingerprint(name: str, data: bytes) -> str:
    """``amber.css`` -> ``amber.1a2b3c4d5e.css``: safe to cache forever, changes with content."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
