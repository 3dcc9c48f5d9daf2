"""``amber list``: every active share and whether it is stale.

Named ``listing`` so that importing it never shadows the builtin ``list``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from amber.commands.build import add_now_option, moment
from amber.content.load import SitePaths, load_content
from amber.content.model import Snapshot
from amber.errors import UsageError

DESCRIPTION = """\
List active shares: ID, title, listed or not, author, date frozen, and state:
current, stale (the conversation changed since freezing), source gone, or
expired (its --expires moment has passed: the next build leaves it out;
`amber revoke --expired` makes that final).

An encrypted share's whole link carries its key after '#'. The links are printed
with their keys only on a terminal, or with --show-keys, and never where the CI
environment variable is set: CI logs are kept, and often public."""

TITLE_WIDTH = 40
"""Longer titles are cut to this many characters in the table (not in --json)."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "list", help="list active shares and their state",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--show-keys", action="store_true",
                   help="print encrypted shares' whole links (with their keys) even when "
                        "the output is not a terminal; refused in CI")
    add_now_option(p)
    p.set_defaults(handler=cmd_list)


def partial_columns(snap: Snapshot) -> dict[str, object]:
    """Which source messages a share holds (``3-8,12``, or null for all) of how many, and
    how many redaction markers it holds."""
    from amber.content.selection import format_ranges

    selection = snap.selection
    return {
        "selection": format_ranges(selection.numbers) if selection is not None else None,
        "source_messages": selection.total if selection is not None else None,
        "redactions": snap.redactions.count if snap.redactions is not None else 0,
    }


def keys_shown(asked: bool) -> bool:
    """Whether the owner reads this output: a terminal outside CI, or --show-keys."""
    if os.environ.get("CI"):
        if asked:
            raise UsageError("--show-keys: refused where CI is set; CI logs are kept and "
                             "often public. Run `amber list` on your own machine")
        return False
    return asked or sys.stdout.isatty()


def cmd_list(args: argparse.Namespace, root: Path) -> int:
    from amber.content.shares import reader_url, share_states, share_url

    show = keys_shown(args.show_keys)
    at = moment(args)
    content = load_content(SitePaths(root))
    if content.config is None:
        content.require_valid()
    for problem in content.problems:
        print(f"warning: {problem}", file=sys.stderr)
    states = share_states(content, at)
    rows = [{
        "id": s.snapshot.id,
        "title": s.snapshot.title,
        "listed": s.snapshot.listed,
        "author": s.snapshot.author,
        "frozen": s.snapshot.frozen,
        "source": s.snapshot.source,
        "state": s.state,
        "expires": s.snapshot.expires,
        "messages": len(s.snapshot.messages),
        "url": share_url(content.config, s.snapshot.id),  # type: ignore[arg-type]
        "encryption": s.snapshot.encryption.kind if s.snapshot.encryption else None,
        **({"reader_url": reader_url(content.config, s.snapshot)}  # type: ignore[arg-type]
           if show and s.snapshot.encryption and s.snapshot.encryption.kind == "link" else {}),
        **partial_columns(s.snapshot),
    } for s in states]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No active shares. Share a conversation with: amber share CONV", file=sys.stderr)
        return 0
    table = [("ID", "TITLE", "LISTED", "ENCRYPTED", "AUTHOR", "FROZEN", "STATE")]
    for r in rows:
        title = str(r["title"])
        table.append((
            str(r["id"]),
            title if len(title) <= TITLE_WIDTH else title[:TITLE_WIDTH - 1] + "…",
            "listed" if r["listed"] else "unlisted", str(r["encryption"] or "no"),
            str(r["author"] or "anonymous"), str(r["frozen"])[:10], str(r["state"]),
        ))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    keyed = [r for r in rows if r["encryption"] == "link"]
    if keyed and show:
        print("\nWhole links of encrypted shares (the key is after '#'; keep them private):")
        for r in keyed:
            print(f"  {r['reader_url']}")
    elif keyed:
        print(f"amber: {len(keyed)} encrypted share(s): their whole links are printed only "
              "on a terminal (or with --show-keys)", file=sys.stderr)
    return 0
