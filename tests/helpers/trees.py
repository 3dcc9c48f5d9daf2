"""What a folder holds, for comparing builds and finding the debris of interrupted ones."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
"""The temporary file of an atomic write (``.NAME.RANDOM8.tmp``)."""
_BUILD_DIR = re.compile(r"^\.output\.(new|old)\.")
"""A staging or swap folder of a build, beside output/."""


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes), hidden files included."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def text_files(output: Path) -> dict[str, str]:
    return {rel: data.decode("utf-8", errors="replace") for rel, data in tree_bytes(output).items()}


def tree_digest(root: Path) -> str | None:
    """One digest of every file and folder under ``root`` (None if it does not exist)."""
    if not root.exists():
        return None
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest.update(f"L {rel} {os.readlink(path)}\n".encode())
        elif path.is_dir():
            digest.update(f"D {rel}\n".encode())
        else:
            digest.update(f"F {rel} {hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def stray_build_dirs(site: Path) -> list[str]:
    """Leftover staging or swap directories of an interrupted or failed build."""
    return sorted(p.name for p in site.iterdir() if _BUILD_DIR.match(p.name))


def leftovers(root: Path) -> list[str]:
    """Debris of an interrupted write: build staging or swap folders beside output/,
    temporary files of atomic writes, import staging folders."""
    found = []
    for folder in (root, root / "content", root / "content" / "shares",
                   root / "content" / "conversations", root / "content" / "assets"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            name = entry.name
            if (_BUILD_DIR.match(name) or _TEMP_FILE.match(name)
                    or name.startswith(".amber-import-")):
                found.append(entry.relative_to(root).as_posix())
    return sorted(found)


def visible_entries(root: Path) -> list[str]:
    """What a person sees in the site folder (``ls``): no hidden files."""
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
