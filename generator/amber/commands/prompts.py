"""Asking the person before a command changes what is published."""

from __future__ import annotations

import sys

from amber.errors import RefusedError


def confirm(question: str, assume_yes: bool, *, destructive: bool) -> bool:
    """Ask on a terminal; scripts must say --yes before anything destructive happens."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        if destructive:
            raise RefusedError("not a terminal, so not asking: pass --yes to confirm")
        return True
    # The question goes to stderr: stdout carries only results (URLs), for `$(amber share)`.
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")
