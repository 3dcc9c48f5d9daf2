"""The ``amber`` command line: assemble the parser, run the command, map errors to exit codes.

The CLI owns no command of its own: each is a module of ``amber.commands``, which
adds its subparser and handler. User mistakes become one clear line on stderr and
exit 1; bad usage exits 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from amber import __version__
from amber.commands import COMMAND_MODULES
from amber.errors import AmberError, ContentError, RefusedError, UsageError, display_path

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

DESCRIPTION = """\
amber publishes AI chat conversations as a static site of frozen, revocable
share links. Conversations live in content/conversations/; `share` freezes one
into content/shares/<id>.yaml; `build` writes the site to output/.
"""

EPILOG = """\
typical session:
  amber share rust-lifetimes --listed     freeze a conversation, print its URL
  amber list                              see every share and whether it is stale
  amber build                             write the site to output/
  amber revoke ID                         take a link down (at the next build)

exit codes: 0 success, 1 bad content or refused action, 2 bad usage.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"amber: error: {message}\n")


def _root_parser(
    parser_class: type[argparse.ArgumentParser],
) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:  # type: ignore[type-arg]
    """The ``amber`` parser and its (still empty) set of commands."""
    parser = parser_class(
        prog="amber", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"amber {__version__}")
    parser.add_argument("--site", metavar="DIR", type=Path, default=None,
                        help="the site folder, holding content/ (default: current directory)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    commands.required = True
    return parser, commands


def make_parser() -> argparse.ArgumentParser:
    """The full parser: every command in ``amber.commands.COMMAND_MODULES``, in order."""
    parser, commands = _root_parser(_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"amber.commands.{name}").register(commands)
    return parser


class _NotQuick(Exception):
    pass


class _QuietParser(argparse.ArgumentParser):
    """Gives up instead of printing: whatever it cannot take, the full parser reports."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotQuick(message)

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        raise _NotQuick(message)  # after --help or --version, which print nothing here

    def _print_message(self, message: str, file: object = None) -> None:
        pass


def _build_args(argv: list[str] | None) -> argparse.Namespace | None:
    """The arguments of a plain ``amber build``, parsed by a parser that knows only it.

    Building the full parser imports every command's module; a build needs none of
    them. Anything else (help, another command, a mistake) gives None and goes
    through the full parser as usual, which reports it.
    """
    words = sys.argv[1:] if argv is None else argv
    if "build" not in words:
        return None
    from amber.commands import build

    parser, commands = _root_parser(_QuietParser)
    build.register(commands)
    try:
        return parser.parse_args(words)
    except _NotQuick:
        return None


def main(argv: list[str] | None = None) -> int:
    args = _build_args(argv)
    if args is not None and not args.no_cache:
        from amber.build.quick import answer_build

        root = (args.site or Path.cwd()).resolve()
        if answer_build(args.output, args.base_url, args.shard, root, args.now):
            return 0  # nothing changed since the last build (``amber.build.quick``)
    if args is None:
        args = make_parser().parse_args(argv)
    root = (args.site or Path.cwd()).resolve() if getattr(args, "needs_site", True) else None
    try:
        return args.handler(args, root)
    except ContentError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        print(f"amber: {count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return EXIT_REFUSED
    except UsageError as exc:
        print(f"amber: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (AmberError, RefusedError) as exc:
        print(f"amber: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("amber: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a full disk, a read-only folder: one line, never a traceback
        where = f"{display_path(Path(exc.filename))}: " if exc.filename else ""
        print(f"amber: cannot read or write {where}{exc.strerror or exc}; files amber "
              "writes are replaced whole, so none was left half-written", file=sys.stderr)
        return EXIT_REFUSED

