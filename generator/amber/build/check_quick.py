"""Answer ``amber check`` at once when nothing it reads has changed since it passed.

A check is a function of content/, the themes, amber's code and libraries and
the moment it judges expiry at. When one passes, it leaves
``.amber-cache/check/quick.json``: the same signatures the build's quick check
takes (``amber.build.quick``: every entry of content/ by ``lstat``, ctime and
inode included; the theme folders and amber's code; SOURCE_DATE_EPOCH), the
window of moments its set of live shares holds for, and what it printed (its
warnings and its closing line). When all of them are the same again, the
check would find what it found, so it says it again. A failing check leaves
nothing: it is run in full until it passes. Standard library only (with
``amber.build.quick``), to keep the start fast.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import datetime
from pathlib import Path

from amber.build.quick import ContentListing, content_listing, static_digest
from amber.content.expiry import window_holds

QUICK_FILE = "quick.json"
QUICK_FORMAT = 1
SETTINGS = "amber check"


def snapshot(root: Path) -> tuple[str, ContentListing]:
    """The signatures to compare later: take them before reading anything."""
    return static_digest(root, SETTINGS, []), content_listing(root)


def answer(directory: Path, root: Path, moment: datetime
           ) -> tuple[tuple[list[str], str] | None, tuple[str, ContentListing]]:
    """The warnings and closing line of the last passing check if it still holds, and
    the signatures taken now (``snapshot``: the caller keeps them for ``remember``)."""
    taken = snapshot(root)
    try:
        data = json.loads((directory / QUICK_FILE).read_bytes())
    except (OSError, ValueError):
        return None, taken
    try:
        if not isinstance(data, dict) or data.get("format") != QUICK_FORMAT:
            return None, taken
        if taken != (data["static"], data["content"]):
            return None, taken
        if not window_holds(data["window"], moment):
            return None, taken
        return ([str(w) for w in data["warnings"]], str(data["line"])), taken
    except (KeyError, TypeError, ValueError):
        return None, taken


def remember(directory: Path, taken: tuple[str, ContentListing], window: list[int | None],
             warnings: list[str], line: str) -> None:
    """Record a passing check; ``taken`` is ``snapshot`` from before it read anything."""
    static, listing = taken
    data = {"format": QUICK_FORMAT, "static": static, "content": listing, "window": window,
            "warnings": warnings, "line": line}
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / QUICK_FILE
    tmp = path.with_name(f".{QUICK_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    os.replace(tmp, path)


def forget(directory: Path) -> None:
    with contextlib.suppress(OSError):
        (directory / QUICK_FILE).unlink()
