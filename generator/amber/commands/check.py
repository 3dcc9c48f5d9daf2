"""``amber check``: validate the whole site and list every problem, changing nothing."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from pathlib import Path

from amber.commands.build import add_now_option, moment
from amber.content.load import SitePaths
from amber.errors import ContentError

DESCRIPTION = """\
Validate site.yaml, conversations, snapshots and their digests, share IDs,
revocations and the links of the rendered site. Lists every problem."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "check", help="validate everything; exit 1 on any problem",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_now_option(p)
    p.set_defaults(handler=cmd_check)


def cmd_check(args: argparse.Namespace, root: Path) -> int:
    from amber.build import check_quick
    from amber.build.check_cache import check_dir

    at = moment(args)
    directory = check_dir(root)
    known, taken = check_quick.answer(directory, root, at)  # signatures taken before reading
    if known is not None:  # nothing it reads changed since it last passed
        warnings, line = known
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        print(line, file=sys.stderr)
        return 0
    check_quick.forget(directory)

    from amber.build.check import check_content, load_for_check
    from amber.build.check_cache import CheckStore
    from amber.build.check_site import share_ids_of
    from amber.content.expiry import withdraw

    store = CheckStore(root)
    try:
        content = load_for_check(SitePaths(root), store)
        window = withdraw(content, at)  # checked as the build at this moment would publish it
        report = check_content(content, store)
        if not content.problems:
            with contextlib.suppress(OSError, sqlite3.Error):  # a read-only site still checks
                store.save(share_ids_of(content) - content.revoked_ids)
    finally:
        store.close()
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.problems:
        raise ContentError(report.problems)
    line = (f"ok: {len(content.conversations) + len(content.unread_conversations)} "
            f"conversation(s), {len(share_ids_of(content))} share(s), "
            f"{len(content.tombstones)} revoked"
            + (f", {len(content.expired)} expired" if content.expired else ""))
    print(line, file=sys.stderr)
    if content.config is not None and _theme_watched(content.config.theme):
        with contextlib.suppress(OSError):
            check_quick.remember(directory, taken, window.state(),
                                 [str(w) for w in report.warnings], line)
    return 0


def _theme_watched(theme: str) -> bool:
    """A theme named by a path may be outside the folders the quick answer watches."""
    return "/" not in theme and not Path(theme).is_absolute()
