"""``amber revoke ID...|--all|--expired``: take share links down, for good."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from amber.commands.build import add_now_option, moment
from amber.commands.prompts import confirm
from amber.content.ids import is_share_id
from amber.content.load import SiteContent, SitePaths, load_content
from amber.errors import ContentError, UsageError
from amber.lock import revocation_journal, writes_site

DESCRIPTION = """\
Delete the snapshot of each share and record a tombstone in content/revoked.yaml.
The page and every trace of it leave the site at the next build; the ID is never reused.
--expired revokes the shares whose --expires moment has passed (at --now)."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "revoke", help="revoke share links",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("ids", nargs="*", metavar="ID", help="share IDs or share URLs")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="revoke every active share")
    which.add_argument("--expired", action="store_true",
                       help="revoke every share whose link has expired (tombstones for them)")
    add_now_option(p)
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=cmd_revoke)


@writes_site()
def cmd_revoke(args: argparse.Namespace, root: Path) -> int:
    from amber.content.shares import resolve_share_id, revoke

    if (args.all or args.expired) and args.ids:
        raise UsageError("give share IDs, --all or --expired, not more than one")
    if not (args.all or args.expired or args.ids):
        raise UsageError("give the share IDs to revoke, --all or --expired")
    at = moment(args)
    paths = SitePaths(root)
    content = load_content(paths)
    # Taking a link down must not wait for an unrelated broken draft or snapshot to be
    # fixed: only the tombstone file itself has to be sound, since it is rewritten.
    tombstone_problems = [p for p in content.problems if p.path == paths.revoked]
    if tombstone_problems:
        raise ContentError(tombstone_problems)
    on_disk = {p.stem for p in paths.shares.glob("*.yaml") if is_share_id(p.stem)}
    active = (set(content.snapshots) | on_disk) - content.revoked_ids
    if args.all:
        ids = sorted(active)
        if not ids:
            print("amber: no active shares; nothing to revoke", file=sys.stderr)
            return 0
    elif args.expired:
        ids = expired_ids(content, at)
        if not ids:
            print("amber: no share has expired; nothing to revoke", file=sys.stderr)
            return 0
    else:
        ids = []
        for ref in args.ids:
            share_id = resolve_share_id(content, ref, active=active)
            if share_id not in ids:
                ids.append(share_id)
    for share_id in ids:
        snap = content.snapshots.get(share_id)
        print(f"{share_id}  {snap.title if snap else '(unreadable snapshot)'}", file=sys.stderr)
    if not confirm(f"Revoke {len(ids)} share(s)? Their links stop working at the next build.",
                   args.yes, destructive=True):
        print("amber: nothing revoked", file=sys.stderr)
        return 1
    with revocation_journal(paths, ids):
        revoke(content, ids)
    for share_id in ids:
        print(f"revoked {share_id}")
    print("Run `amber build` (or push) to take the pages down.", file=sys.stderr)
    return 0


def expired_ids(content: SiteContent, at: datetime) -> list[str]:
    """Shares whose expiry has passed at ``at``. Only readable snapshots can tell: an
    unreadable one is reported by the load and revoked by ID if need be."""
    from amber.content.expiry import is_expired

    return sorted(i for i, snap in content.snapshots.items()
                  if i not in content.revoked_ids and is_expired(snap.expires, at))
