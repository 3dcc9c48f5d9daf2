"""What a build reports when it is done."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildResult:
    output: Path
    pages: int
    """Share pages written."""
    files: int
    """All files in the built site."""
    changed: int | None = None
    """Files that had to be written (the rest were already there); None if not known."""
