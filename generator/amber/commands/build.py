"""``amber build``: write the site to output/.

``amber.cli`` registers this command alone to parse a plain ``amber build`` and
answer a no-op build before anything else is imported, so this module imports only
the standard library; the handler imports the lock and the build pipeline.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

DESCRIPTION = """\
Validate content/ and write the site to output/. Only shares whose snapshot,
theme or settings changed are rendered again; the rest come from the cache
in .amber-cache/ (safe to delete). The new site is swapped in at once at the
end, so output/ is always the old site or the new one, never a mix."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "build", help="build the static site into output/",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--base-url", metavar="URL", help="override base_url from site.yaml")
    p.add_argument("--output", metavar="DIR", type=Path, help="write here instead of output/")
    p.add_argument("--jobs", "-j", metavar="N", type=positive_int, default=None,
                   help="render on N processes (default: one per CPU core)")
    p.add_argument("--no-cache", action="store_true",
                   help="ignore and do not update .amber-cache/: render everything afresh")
    p.add_argument("--shard", metavar="I/N", default=None,
                   help="write only the share pages in bucket I of N (by share ID) plus the "
                        "site-wide files; the N output trees copied together are the site")
    add_now_option(p)
    p.set_defaults(handler=cmd_build)


def add_now_option(parser: argparse.ArgumentParser) -> None:
    """``--now TIME``: the moment expiry is judged at (also list, revoke, check, serve)."""
    parser.add_argument("--now", metavar="TIME", default=None,
                        help="act as if it were this ISO 8601 time (such as "
                             "2026-12-31T12:00:00Z) when deciding which links have "
                             "expired; default: SOURCE_DATE_EPOCH, else the clock")


def moment(args: argparse.Namespace) -> datetime:
    """The command's "now" (``amber.content.clock.now``); a bad ``--now`` is a usage error."""
    from amber.content.clock import ClockError, now
    from amber.errors import UsageError

    try:
        return now(args.now)
    except ClockError as exc:
        raise UsageError(f"--now: {exc}" if args.now is not None else str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def cmd_build(args: argparse.Namespace, root: Path) -> int:
    # Imported here, not above: a no-op build is answered before this module's
    # handler runs, and needs neither the pipeline nor amber.lock (which loads the
    # content modules). The lock is the one ``amber.lock.writes_site`` takes.
    from amber.build.pipeline import Shard, build
    from amber.lock import recover_output, site_lock

    at = moment(args)
    with site_lock(root):
        if args.output is not None:
            recover_output(args.output)  # what a killed build into that folder left beside it
        shard = Shard.parse(args.shard) if args.shard else None
        result = build(root, base_url=args.base_url, output=args.output, jobs=args.jobs,
                       use_cache=not args.no_cache, shard=shard, now=at)
        if result.changed != 0:
            from amber.build.check_cache import forget_gone_shares

            forget_gone_shares(root)  # a revoked share leaves the check's cache too
    if result.changed == 0:
        print(f"Up to date: {result.pages} share page(s), {result.files} files in "
              f"{result.output}", file=sys.stderr)
    else:
        print(f"Built {result.pages} share page(s), {result.files} files in {result.output}"
              + (f" ({result.changed} written)" if result.changed is not None else ""),
              file=sys.stderr)
    return 0
