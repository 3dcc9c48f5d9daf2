"""The files ``amber publish`` reads: an amber build, exactly as it is on disk.

Only a folder that ``amber build`` wrote is published (its marker is there), and
only regular files: a symbolic link could pull in something outside the site, and
a ``.git`` entry is not a path a git tree may hold. Paths are sorted so the
commit's stream is the same on every machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from amber.build.swap import BUILD_MARKER
from amber.errors import RefusedError, display_path


@dataclass(frozen=True)
class SiteFile:
    path: str
    """Relative to the site folder, with ``/`` separators."""
    source: Path
    """Where its bytes are on disk."""


def site_files(output: Path) -> list[SiteFile]:
    """Every file of the built site in ``output``, sorted by path; refuse anything else."""
    shown = display_path(output)
    if not output.exists():
        raise RefusedError(f"{shown} does not exist: run `amber build` first")
    if output.is_symlink() or not output.is_dir():
        raise RefusedError(f"{shown} is not a folder built by amber")
    if not (output / BUILD_MARKER).is_file():
        raise RefusedError(f"{shown} was not built by amber (no {BUILD_MARKER}): run "
                           "`amber build`, or give the folder it wrote with --output")
    files: list[SiteFile] = []
    stack = [""]
    while stack:
        prefix = stack.pop()
        with os.scandir(output / prefix if prefix else output) as entries:
            for entry in entries:
                rel = f"{prefix}{entry.name}"
                if entry.name.lower() == ".git":
                    raise RefusedError(f"{shown}/{rel} is a git repository's folder, which no "
                                       "amber build holds: remove it and build again")
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel + "/")
                elif entry.is_file(follow_symlinks=False):
                    files.append(SiteFile(rel, Path(entry.path)))
                else:
                    raise RefusedError(f"{shown}/{rel} is not a regular file (a symbolic link "
                                       "or a special file), which no amber build holds")
    files.sort(key=lambda f: f.path.encode("utf-8", "surrogateescape"))
    return files
