"""Asking the person before a command changes what is published."""

from __future__ import annotations

import getpass
import os
import sys

from amber.errors import RefusedError, UsageError


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


PASSPHRASE_VARIABLE = "AMBER_PASSPHRASE"
"""Where scripts give an encrypted share's passphrase (``share --passphrase``, ``fork``)."""


def passphrase(question: str, *, no_terminal: str) -> str:
    """$AMBER_PASSPHRASE, else what the user types at ``question`` (not echoed); without a
    terminal to ask on, a usage error that starts with ``no_terminal``."""
    typed = os.environ.get(PASSPHRASE_VARIABLE)
    if typed is not None:
        return typed
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise UsageError(f"{no_terminal}; set {PASSPHRASE_VARIABLE} in the environment")
    return getpass.getpass(question)
