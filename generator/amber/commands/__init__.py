"""The ``amber`` commands, one module per command or family of commands.

Each module named in ``COMMAND_MODULES`` has ``register(commands)``, which adds its
subparser(s) to the ``amber`` parser (help, options, epilog) and sets the handler
with ``set_defaults(handler=...)``. A handler is ``handler(args, root) -> int``:
``root`` is the site folder (``--site`` or the current directory), or None for a
command that sets ``needs_site=False`` because it makes the site (``init``).

A command module gathers what the person asked for, calls the stages that do the
work (``amber.content``, ``amber.build``, ``amber.review``, ``amber.serve``,
``amber.importers``, ``amber.scaffold``, ``amber.lock``), and reports. It may import
those and ``amber.errors``, and another command module for a shared option; never
``amber.cli``, which imports the commands.

Building the parser imports every command module (for ``amber --help``, a usage
mistake, and every command but a plain build), so their own imports stay light:
what loads the renderer, the secrets scanner or the scaffold (``amber.build``,
``amber.render``, ``amber.content.shares``, ``amber.content.sensitive``,
``amber.scaffold``, ``amber.review``, ``amber.serve``) is imported by the handler
that needs it. ``build`` is imported on every ``amber build``, before the no-op
check: its module imports only the standard library.

This file imports nothing: ``amber build`` loads only the module it needs.
"""

from __future__ import annotations

COMMAND_MODULES: tuple[str, ...] = (
    "init", "share", "revoke", "listing", "build", "publish", "check",
    "review", "fork", "importing", "serve", "preview",
)
"""Modules under ``amber.commands``, in the order ``amber --help`` lists their commands."""
