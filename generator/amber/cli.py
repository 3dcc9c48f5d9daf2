"""The ``amber`` command line: parse arguments, call one stage, report.

The CLI owns no logic of its own. User mistakes become one clear line on
stderr and exit 1; bad usage exits 2 (argparse's convention).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from amber import __version__
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


COMMAND_MODULES: tuple[str, ...] = ("amber.commands.review", "amber.commands.fork",
                                    "amber.commands.importing", "amber.commands.serve",
                                    "amber.commands.preview")
"""Modules that add a command of their own: each has ``register(commands)``, which adds a
subparser and sets its ``handler(args, root) -> int`` with ``set_defaults``."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"amber: error: {message}\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-url", metavar="URL", help="override base_url from site.yaml")
    p.add_argument("--output", metavar="DIR", type=Path, help="write here instead of output/")
    p.add_argument("--jobs", "-j", metavar="N", type=_positive_int, default=None,
                   help="render on N processes (default: one per CPU core)")
    p.add_argument("--no-cache", action="store_true",
                   help="ignore and do not update .amber-cache/: render everything afresh")
    p.add_argument("--shard", metavar="I/N", default=None,
                   help="write only the share pages in bucket I of N (by share ID) plus the "
                        "site-wide files; the N output trees copied together are the site")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="amber", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"amber {__version__}")
    parser.add_argument("--site", metavar="DIR", type=Path, default=None,
                        help="the site folder, holding content/ (default: current directory)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=summary, description=description,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    p = command("init", "create a new site", "Create content/site.yaml, a sample conversation, "
                "content/shares/, a .gitignore and the GitHub\nworkflows "
                ".github/workflows/pages.yml and review.yml in DIR (default: the current "
                "directory).")
    p.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR")
    p.add_argument("--title", default="My shared conversations", help="the site's title")
    p.add_argument("--base-url", default="https://example.github.io/chats/",
                   help="absolute URL the site will be served at")
    p.add_argument("--requirement", metavar="SPEC",
                   help="pip requirement the GitHub workflows install amber from (default: "
                        "where this amber was installed from, when CI can reach it)")

    p = command("share", "freeze conversations into new share links",
                "Freeze each CONV (a slug or a file in content/conversations/) into a new "
                "snapshot\ncontent/shares/<id>.yaml with a fresh random ID, and print its URL.\n"
                "Shares are unlisted and anonymous unless --listed / --name say otherwise.\n"
                "Later edits of the conversation do not change the share; see `amber update`.")
    p.add_argument("conversations", nargs="+", metavar="CONV")
    p.add_argument("--title", help="title of the share (default: the conversation's title)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--name", nargs="?", const=True, default=None, metavar="NAME",
                     help="show 'Shared by NAME' (default NAME: author in site.yaml)")
    who.add_argument("--anonymous", action="store_true",
                     help="show no name (the default)")
    p.add_argument("--listed", action="store_true",
                   help="list it on the index, sitemap and feed (default: unlisted, "
                        "reachable only by its URL)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--allow-sensitive", action="store_true",
                   help="publish even what looks like secrets or personal data (recorded in "
                        "the share)")

    p = command("update", "re-freeze a share from its current conversation",
                "Re-freeze share ID from the current state of its source conversation, keeping\n"
                "the same ID and URL. Title, name and visibility stay as they are.")
    p.add_argument("id", metavar="ID", help="share ID or share URL")
    p.add_argument("--title", help="also change the share's title")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--allow-sensitive", action="store_true",
                   help="publish even what looks like secrets or personal data (recorded in "
                        "the share)")

    p = command("revoke", "revoke share links",
                "Delete the snapshot of each share and record a tombstone in "
                "content/revoked.yaml.\nThe page and every trace of it leave the site at the "
                "next build; the ID is never reused.")
    p.add_argument("ids", nargs="*", metavar="ID", help="share IDs or share URLs")
    p.add_argument("--all", action="store_true", help="revoke every active share")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")

    p = command("list", "list active shares and their state",
                "List active shares: ID, title, listed or not, author, date frozen, and state:\n"
                "current, stale (the conversation changed since freezing) or source gone.")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command("build", "build the static site into output/",
                "Validate content/ and write the site to output/. Only shares whose snapshot,\n"
                "theme or settings changed are rendered again; the rest come from the cache\n"
                "in .amber-cache/ (safe to delete). The new site is swapped in at once at the\n"
                "end, so output/ is always the old site or the new one, never a mix.")
    _build_options(p)

    command("check", "validate everything; exit 1 on any problem",
            "Validate site.yaml, conversations, snapshots and their digests, share IDs,\n"
            "revocations and the links of the rendered site. Lists every problem.")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    return parser


class _NotQuick(Exception):
    pass


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NotQuick(message)


def _build_args(argv: list[str] | None) -> argparse.Namespace | None:
    """The arguments of a plain ``amber build``, parsed without the full parser.

    Building the full parser imports every command's module; a build needs none of
    them. Anything else (help, another command, a mistake) gives None and goes
    through the full parser as usual, which reports it.
    """
    words = sys.argv[1:] if argv is None else argv
    if "build" not in words or "-h" in words or "--help" in words:
        return None
    parser = _QuietParser(add_help=False)
    parser.add_argument("--site", type=Path, default=None)
    commands = parser.add_subparsers(dest="command", parser_class=_QuietParser)
    _build_options(commands.add_parser("build", add_help=False))
    try:
        args = parser.parse_args(words)
    except (_NotQuick, SystemExit):
        return None
    return args if args.command == "build" else None


def main(argv: list[str] | None = None) -> int:
    args = _build_args(argv)
    if args is not None and not args.no_cache:
        from amber.build.quick import answer_build

        root = (args.site or Path.cwd()).resolve()
        if answer_build(args.output, args.base_url, args.shard, root):
            return 0  # nothing changed since the last build (``amber.build.quick``)
    if args is None:
        args = make_parser().parse_args(argv)
    root = (args.site or Path.cwd()).resolve() if args.command != "init" else None
    from amber.commands import core as commands

    handler = getattr(args, "handler", None) or getattr(commands, f"cmd_{args.command}")
    try:
        return handler(args, root)
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


def print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))
