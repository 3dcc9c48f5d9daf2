"""The small error hierarchy the CLI turns into one line and an exit code.

Every error a user can cause carries the file and, where known, the line and
column, so the message reads ``content/shares/x.yaml:12:3: expected a string``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class AmberError(Exception):
    """A problem the user can fix; the CLI prints it without a traceback (exit 1)."""


class RefusedError(AmberError):
    """The user asked for something amber will not do (revoked ID, unknown share, ...)."""


class UsageError(AmberError):
    """Bad command-line usage (exit 2)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, with where it is."""

    path: Path
    """The file the problem is in (as given; shown relative to the working directory)."""
    message: str
    """What is wrong and, where it helps, what was expected."""
    line: int | None = None
    """1-based line, when the problem has a position."""
    col: int | None = None
    """1-based column, when the problem has a position."""

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


class ContentError(AmberError):
    """One or more problems in the content; nothing may be written while any exists."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)
