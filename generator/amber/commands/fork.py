"""`amber fork ID|FILE|URL`: continue a shared conversation as a new local one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amber.commands.prompts import passphrase
from amber.content.load import SitePaths
from amber.errors import AmberError, UsageError, display_path
from amber.fork import MAX_DOWNLOAD, TIMEOUT, read_source, write_fork
from amber.lock import site_lock

DESCRIPTION = f"""\
Continue a shared conversation: write it as a new, live conversation under
content/conversations/ with a new slug, to edit and extend and share again.

ID|FILE|URL is one of:
  a share ID of this site             1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed
  a file                              a snapshot (content/shares/<id>.yaml), a
                                      conversation file, or a downloaded conversation.json
  a share URL                         https://jane.github.io/chats/share/<id>/
                                      (its conversation.json is fetched over HTTP(S), at
                                      most {MAX_DOWNLOAD // (1024 * 1024)} MiB; redirects from
                                      a public host to this machine or a private
                                      network are refused); an encrypted
                                      share's whole link, key after '#', is
                                      opened here (a passphrase share asks for
                                      its passphrase, or reads AMBER_PASSPHRASE)

The new file records its origin in a comment at its top, which is never published.
An existing conversation is never replaced.
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "fork", help="continue a shared conversation as a new local one",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", metavar="ID|FILE|URL", help="share ID, file, or share URL")
    p.add_argument("--slug", metavar="NAME",
                   help="slug of the new conversation (default: from its title, + '-fork')")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=TIMEOUT,
                   help=f"give up on a share URL after this many seconds in all: "
                        f"connecting, redirects and download (default: {TIMEOUT:g})")
    p.set_defaults(handler=cmd_fork)


def ask_passphrase() -> str:
    """An encrypted share's passphrase: $AMBER_PASSPHRASE, else asked on a terminal."""
    return passphrase("Passphrase of the share: ",
                      no_terminal="this share needs its passphrase and there is no terminal "
                                  "to ask on")


def cmd_fork(args: argparse.Namespace, root: Path) -> int:
    if not 0 < args.timeout <= 600:
        raise UsageError("--timeout: expected a number of seconds between 0 and 600")
    paths = SitePaths(root)
    if not paths.content.is_dir():
        raise AmberError(f"{display_path(paths.content)}: no content/ directory here; run "
                         "`amber init` or pass --site DIR")
    forked = read_source(root, args.source, timeout=args.timeout, passphrase=ask_passphrase)
    with site_lock(root):  # not while fetching a URL: only the write needs it
        path = write_fork(paths.conversations, forked, args.slug)
    conv = forked.conversation
    print(f"Forked {conv.title!r} ({len(conv.messages)} messages) from {forked.origin.kind} "
          f"into {display_path(path)}. Add messages, then `amber share {path.stem}`.",
          file=sys.stderr)
    print(display_path(path))
    return 0
