"""``amber check``: validate the whole site and list every problem, changing nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amber.commands.build import add_now_option, moment
from amber.content.load import SitePaths, load_content
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
    from amber.build.check import check_content
    from amber.content.expiry import withdraw

    at = moment(args)
    content = load_content(SitePaths(root))
    withdraw(content, at)  # checked as the build at this moment would publish it
    report = check_content(content)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.problems:
        raise ContentError(report.problems)
    print(f"ok: {len(content.conversations)} conversation(s), {len(content.snapshots)} "
          f"share(s), {len(content.tombstones)} revoked"
          + (f", {len(content.expired)} expired" if content.expired else ""), file=sys.stderr)
    return 0
