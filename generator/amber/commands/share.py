"""``amber share CONV...`` and ``amber update ID``: freeze conversations into share links."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from amber.commands.partial_options import (
    add_partial_options,
    redaction_for,
    rules_of,
    rules_unchanged,
    selection_of,
)
from amber.commands.prompts import PASSPHRASE_VARIABLE, confirm, passphrase
from amber.content.expiry import EXPIRES_HELP
from amber.content.ids import is_share_id
from amber.content.keys import PBKDF2_ITERATIONS
from amber.content.load import SitePaths, load_content, load_snapshot_unverified
from amber.content.model import (
    BRANCHES,
    Conversation,
    Encryption,
    Selection,
    SiteConfig,
    Snapshot,
)
from amber.content.nodes import unusable_character
from amber.content.snapshot import source_digest
from amber.errors import RefusedError, UsageError
from amber.lock import writes_site

SHARE_DESCRIPTION = """\
Freeze each CONV (a slug or a file in content/conversations/) into a new snapshot
content/shares/<id>.yaml with a fresh random ID, and print its URL.
Shares are unlisted and anonymous unless --listed / --name say otherwise.
Later edits of the conversation do not change the share; see `amber update`.

Encrypted shares (--encrypt; the default for unlisted shares when site.yaml sets
encrypt_unlisted: true) publish only ciphertext: the printed link carries the key
after '#', which browsers never send to a server, and the page decrypts itself.
With --passphrase the key comes from a passphrase instead (asked on a terminal, or
read from the AMBER_PASSPHRASE environment variable in scripts)."""

UPDATE_DESCRIPTION = """\
Re-freeze share ID from the current state of its source conversation, keeping
the same ID and URL. Title, name and visibility stay as they are."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "share", help="freeze conversations into new share links",
        description=SHARE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("conversations", nargs="+", metavar="CONV")
    p.add_argument("--title", help="title of the share (default: the conversation's title)")
    add_name_options(p)
    p.add_argument("--listed", action="store_true",
                   help="list it on the index, sitemap and feed (default: unlisted, "
                        "reachable only by its URL)")
    p.add_argument("--expires", metavar="WHEN", default=None, help=EXPIRES_HELP)
    add_encryption_options(p)
    _add_consent_options(p)
    add_partial_options(p, messages=True)
    p.add_argument("--branches", choices=BRANCHES, default="current",
                   help="current (default): the conversation as last shown; all: keep the "
                        "edited prompts and regenerated answers it holds, which the page "
                        "lets readers switch between")
    p.set_defaults(handler=cmd_share)

    p = commands.add_parser(
        "update", help="re-freeze a share from its current conversation",
        description=UPDATE_DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("id", metavar="ID", help="share ID or share URL")
    p.add_argument("--title", help="also change the share's title")
    p.add_argument("--expires", metavar="WHEN", default=None,
                   help="change when the link stops working (as for `amber share`), or "
                        "'never'; default: keep the share's expiry")
    _add_consent_options(p)
    add_partial_options(p, messages=False)
    p.set_defaults(handler=cmd_update)


def add_name_options(parser: argparse.ArgumentParser) -> None:
    """--name [NAME] or --anonymous: who the page says shared it (also `amber preview`)."""
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--name", nargs="?", const=True, default=None, metavar="NAME",
                     help="show 'Shared by NAME' (default NAME: author in site.yaml)")
    who.add_argument("--anonymous", action="store_true", help="show no name (the default)")


def add_encryption_options(parser: argparse.ArgumentParser) -> None:
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--encrypt", dest="encrypt", action="store_true", default=None,
                     help="publish only ciphertext; the link's fragment (#…) holds the key "
                          "(default for unlisted shares when site.yaml sets encrypt_unlisted)")
    how.add_argument("--no-encrypt", dest="encrypt", action="store_false",
                     help="publish a plain page even where site.yaml sets encrypt_unlisted")
    how.add_argument("--passphrase", action="store_true",
                     help="encrypt with a key derived from a passphrase (PBKDF2-SHA-256, "
                          f"{PBKDF2_ITERATIONS:,} iterations): asked on a terminal, else read "
                          f"from ${PASSPHRASE_VARIABLE}; the link alone reveals nothing")


def key_maker(args: argparse.Namespace, config: SiteConfig) -> Callable[[], Encryption] | None:
    """How each new share gets its key, or None for plain shares; refuses a listed one."""
    from amber.content.keys import new_link_key, passphrase_key

    wanted = args.passphrase or args.encrypt
    if wanted and args.listed:
        which = "--passphrase" if args.passphrase else "--encrypt"
        raise UsageError(f"{which} and --listed: a listed share is public on purpose (index, "
                         "feed, search) and is never encrypted; drop one of them")
    if args.passphrase:
        typed = read_passphrase()
        return lambda: passphrase_key(typed)
    if wanted or (args.encrypt is None and config.encrypt_unlisted and not args.listed):
        return new_link_key
    return None


def read_passphrase() -> str:
    """The passphrase from $AMBER_PASSPHRASE, else asked twice on a terminal."""
    from amber.content.keys import MIN_PASSPHRASE

    asked = PASSPHRASE_VARIABLE not in os.environ
    typed = passphrase("Passphrase for the share: ",
                       no_terminal="--passphrase: no terminal to ask on")
    if asked and len(typed) >= MIN_PASSPHRASE and getpass.getpass("The same again: ") != typed:
        raise UsageError("--passphrase: the two passphrases differ; nothing shared")
    if len(typed) < MIN_PASSPHRASE:
        raise UsageError(f"--passphrase: use at least {MIN_PASSPHRASE} characters (a few "
                         "words are easier to type and harder to guess)")
    if typed != typed.strip():
        raise UsageError("--passphrase: it starts or ends with a space, which readers would "
                         "not see; remove it")
    return typed


def _add_consent_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--allow-sensitive", action="store_true",
                        help="publish even what looks like secrets or personal data "
                             "(recorded in the share)")


def expiry_of(text: str | None) -> str | None:
    """``--expires WHEN`` as the moment to record (None when not given); a bad value is a
    usage error, raised before anything is read or written."""
    from amber.content.clock import ClockError, now
    from amber.content.expiry import parse_expires

    if text is None:
        return None
    try:
        return parse_expires(text, now())
    except ClockError as exc:
        raise UsageError(str(exc)) from None


def refuse_unusable(option: str, value: str | None) -> None:
    """A value no content file may hold (control characters) must not reach a snapshot."""
    found = unusable_character(value) if value is not None else None
    if found is not None:
        raise UsageError(f"{option} holds the control character {found}, which a share "
                         "file cannot hold; remove it")


@writes_site()
def cmd_share(args: argparse.Namespace, root: Path) -> int:
    from amber.build.check import guard_sensitive
    from amber.content.partial import published_view
    from amber.content.sensitive import scan_messages
    from amber.content.shares import create_shares, find_conversation, reader_url

    expires = expiry_of(args.expires)
    content = load_content(SitePaths(root))
    config = content.require_valid()
    if args.title is not None and len(args.conversations) > 1:
        raise UsageError("--title applies to one conversation; share them one at a time")
    if args.title is not None and not args.title.strip():
        raise UsageError("--title must not be empty")
    refuse_unusable("--title", args.title)
    refuse_unusable("--name", args.name if isinstance(args.name, str) else None)
    convs = []
    for ref in args.conversations:
        conv = find_conversation(content, ref)
        if conv not in convs:
            convs.append(conv)
    author: str | None = None
    if args.name is True:
        if not config.author:
            raise RefusedError("--name: content/site.yaml has no author; add one, or give "
                               "the name: --name 'Jane Doe'")
        author = config.author
    elif isinstance(args.name, str):
        if not args.name.strip():
            raise UsageError("--name must not be empty")
        author = args.name.strip()
    selection = selection_of(args, convs)
    if args.branches == "all" and selection is not None:
        raise UsageError("--branches all shares every branch; --messages numbers the "
                         "current one: use one or the other")
    rules = rules_of(args, config.language)
    new_key = key_maker(args, config)
    views = {conv.slug: published_view(conv, args.title or conv.title, selection, rules,
                                       args.branches)
             for conv in convs}
    found = [(conv, scan_messages(views[conv.slug].title, views[conv.slug].messages,
                                  language=config.language, model=views[conv.slug].model,
                                  author=author, path=conv.path)) for conv in convs]
    guard_sensitive([(conv.path or Path(conv.slug), f) for conv, f in found],
                    allow=args.allow_sensitive)
    accepted = {conv.slug for conv, f in found if f}
    visibility = "listed on the index" if args.listed else "unlisted (only people with the link)"
    if new_key is not None:
        visibility = ("unlisted and encrypted with a passphrase" if args.passphrase
                      else "unlisted and encrypted (the key is in the link)")
    if expires is not None:
        visibility += f", until {expires}"
    shown = f"as {author}" if author else "anonymously"
    for conv in convs:
        print(f"{conv.slug}: {conv.title!r}, {len(conv.messages)} messages", file=sys.stderr)
        print_shape(selection, views[conv.slug].count)
    question = f"Share {len(convs)} conversation(s) {shown}, {visibility}?"
    if not confirm(question, args.yes, destructive=False):
        print("amber: nothing shared", file=sys.stderr)
        return 1
    snaps = create_shares(content, convs, title=args.title, author=author, listed=args.listed,
                          allow_sensitive=accepted, expires=expires, selection=selection,
                          redaction=redaction_for(rules), branches=args.branches,
                          new_key=new_key)
    for snap in snaps:
        print(reader_url(config, snap))
    if args.passphrase:
        print("amber: readers need the passphrase too; send it another way than the link",
              file=sys.stderr)
    if expires is not None:
        print(f"amber: expires at {expires}: the first build from then on leaves it out "
              "as if revoked", file=sys.stderr)
    return 0


@writes_site()
def cmd_update(args: argparse.Namespace, root: Path) -> int:
    from amber.build.check import guard_sensitive, snapshot_findings
    from amber.content.partial import published_view
    from amber.content.sensitive import new_findings, scan_messages
    from amber.content.shares import KEEP, reader_url, refreeze, resolve_share_id

    never = args.expires is not None and args.expires.strip().lower() == "never"
    expires = None if never else expiry_of(args.expires)
    if args.title is not None and not args.title.strip():
        raise UsageError("--title must not be empty")
    refuse_unusable("--title", args.title)
    paths = SitePaths(root)
    content = load_content(paths)
    # The share being updated may itself be hand-edited: that is what update repairs.
    # Everything else must be sound before anything is written.
    target = args.id.strip().rstrip("/").rsplit("/", 1)[-1].lower()
    own_file = paths.share_file(target) if is_share_id(target) else None
    own_problems = [p for p in content.problems if own_file is not None and p.path == own_file]
    content.problems = [p for p in content.problems if p not in own_problems]
    config = content.require_valid()
    tampered = False
    if own_problems and target not in content.revoked_ids:
        content.snapshots[target] = load_snapshot_unverified(paths, target)
        tampered = True
    share_id = resolve_share_id(content, args.id)
    old = content.snapshots[share_id]
    conv = content.conversations.get(old.source)
    rules = rules_of(args, config.language, kept=old)
    redaction = redaction_for(rules, kept=old)
    allow = False
    if conv is not None:
        title = args.title if args.title is not None else old.title
        view = published_view(conv, title, refuse_past_end(old, conv), rules, old.branches)
        findings = scan_messages(view.title, view.messages, language=config.language,
                                 model=view.model, author=old.author, path=conv.path)
        # An earlier --allow-sensitive covers what that snapshot already held, nothing new.
        carried = old.allow_sensitive and not new_findings(
            findings, snapshot_findings(old, config.language))
        allow = guard_sensitive([(conv.path or Path(conv.slug), findings)],
                                allow=args.allow_sensitive or carried)
    if (
        not tampered
        and conv is not None
        and source_digest(conv, old.selection, old.branches) == old.source_digest
        and args.title is None
        and rules_unchanged(rules, old)
        and allow == old.allow_sensitive
        and args.expires is None
    ):
        print(f"amber: share {share_id} is already current; nothing to update", file=sys.stderr)
        print(reader_url(config, old))
        return 0
    question = f"Re-freeze {old.title!r} ({share_id}) from {old.source!r}?"
    if not confirm(question, args.yes, destructive=True):
        print("amber: nothing updated", file=sys.stderr)
        return 1
    new_expiry = KEEP if args.expires is None else expires
    snap = refreeze(content, share_id, title=args.title, allow_sensitive=allow,
                    expires=new_expiry, redaction=redaction)
    print(reader_url(config, snap))
    return 0


def print_shape(selection: Selection | None, redactions: int) -> None:
    """Say what a partial or redacted share will hold before asking to confirm it."""
    from amber.content.selection import describe

    if selection is not None:
        print(f"  {describe(selection)}", file=sys.stderr)
    if redactions:
        print(f"  {redactions} redaction{'' if redactions == 1 else 's'}", file=sys.stderr)


def refuse_past_end(snap: Snapshot, conv: Conversation) -> Selection | None:
    """The share's selection, or a refusal when its source no longer has those messages."""
    from amber.content.selection import covers

    if not covers(conv.messages, snap.selection):
        assert snap.selection is not None
        raise RefusedError(
            f"share {snap.id} holds message {snap.selection.numbers[-1]}, but "
            f"{snap.source!r} now has {len(conv.messages)}; share the messages you mean "
            "anew with `amber share --messages`")
    return snap.selection
