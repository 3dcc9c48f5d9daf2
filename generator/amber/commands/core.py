"""One function per CLI command: gather, decide, then act, and report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from amber.atomic import write_atomic
from amber.build.check import check_content, guard_sensitive, snapshot_findings
from amber.content.ids import is_share_id
from amber.content.load import SitePaths, load_content, load_snapshot_unverified
from amber.content.nodes import unusable_character
from amber.content.sensitive import new_findings, scan_messages
from amber.content.shares import (
    create_shares,
    find_conversation,
    refreeze,
    resolve_share_id,
    revoke,
    share_states,
    share_url,
)
from amber.content.snapshot import source_digest
from amber.errors import AmberError, ContentError, RefusedError, UsageError
from amber.lock import recover_output, revocation_journal, writes_site
from amber.scaffold import check_requirement, write_workflows


def confirm(question: str, assume_yes: bool, *, destructive: bool) -> bool:
    """Ask on a terminal; scripts must say --yes before anything destructive happens."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        if destructive:
            raise RefusedError("not a terminal, so not asking: pass --yes to confirm")
        return True
    # The question goes to stderr: stdout carries only results (URLs), for `$(amber share)`.
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    try:
        answer = input()
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes")


def refuse_unusable(option: str, value: str | None) -> None:
    """A value no content file may hold (control characters) must not reach a snapshot."""
    found = unusable_character(value) if value is not None else None
    if found is not None:
        raise UsageError(f"{option} holds the control character {found}, which a share "
                         "file cannot hold; remove it")


@writes_site()
def cmd_share(args: argparse.Namespace, root: Path) -> int:
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
    found = [(conv, scan_messages(args.title or conv.title, conv.messages,
                                  language=config.language, model=conv.model, author=author,
                                  path=conv.path)) for conv in convs]
    guard_sensitive([(conv.path or Path(conv.slug), f) for conv, f in found],
                    allow=args.allow_sensitive)
    accepted = {conv.slug for conv, f in found if f}
    visibility = "listed on the index" if args.listed else "unlisted (only people with the link)"
    shown = f"as {author}" if author else "anonymously"
    for conv in convs:
        print(f"{conv.slug}: {conv.title!r}, {len(conv.messages)} messages", file=sys.stderr)
    question = f"Share {len(convs)} conversation(s) {shown}, {visibility}?"
    if not confirm(question, args.yes, destructive=False):
        print("amber: nothing shared", file=sys.stderr)
        return 1
    snaps = create_shares(content, convs, title=args.title, author=author, listed=args.listed,
                          allow_sensitive=accepted)
    for snap in snaps:
        print(share_url(config, snap.id))
    return 0


@writes_site()
def cmd_update(args: argparse.Namespace, root: Path) -> int:
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
    allow = False
    if conv is not None:
        title = args.title if args.title is not None else old.title
        findings = scan_messages(title, conv.messages, language=config.language,
                                 model=conv.model, author=old.author, path=conv.path)
        # An earlier --allow-sensitive covers what that snapshot already held, nothing new.
        carried = old.allow_sensitive and not new_findings(
            findings, snapshot_findings(old, config.language))
        allow = guard_sensitive([(conv.path or Path(conv.slug), findings)],
                                allow=args.allow_sensitive or carried)
    if (
        not tampered
        and conv is not None
        and source_digest(conv) == old.source_digest
        and args.title is None
        and allow == old.allow_sensitive
    ):
        print(f"amber: share {share_id} is already current; nothing to update", file=sys.stderr)
        print(share_url(config, share_id))
        return 0
    question = f"Re-freeze {old.title!r} ({share_id}) from {old.source!r}?"
    if not confirm(question, args.yes, destructive=True):
        print("amber: nothing updated", file=sys.stderr)
        return 1
    refreeze(content, share_id, title=args.title, allow_sensitive=allow)
    print(share_url(config, share_id))
    return 0


@writes_site()
def cmd_revoke(args: argparse.Namespace, root: Path) -> int:
    if args.all and args.ids:
        raise UsageError("give share IDs or --all, not both")
    if not args.all and not args.ids:
        raise UsageError("give the share IDs to revoke, or --all")
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


def cmd_list(args: argparse.Namespace, root: Path) -> int:
    content = load_content(SitePaths(root))
    if content.config is None:
        content.require_valid()
    for problem in content.problems:
        print(f"warning: {problem}", file=sys.stderr)
    states = share_states(content)
    rows = [{
        "id": s.snapshot.id,
        "title": s.snapshot.title,
        "listed": s.snapshot.listed,
        "author": s.snapshot.author,
        "frozen": s.snapshot.frozen,
        "source": s.snapshot.source,
        "state": s.state,
        "messages": len(s.snapshot.messages),
        "url": share_url(content.config, s.snapshot.id),  # type: ignore[arg-type]
    } for s in states]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No active shares. Share a conversation with: amber share CONV", file=sys.stderr)
        return 0
    table = [("ID", "TITLE", "LISTED", "AUTHOR", "FROZEN", "STATE")]
    for r in rows:
        title = str(r["title"])
        table.append((
            str(r["id"]), title if len(title) <= 40 else title[:39] + "…",
            "listed" if r["listed"] else "unlisted", str(r["author"] or "anonymous"),
            str(r["frozen"])[:10], str(r["state"]),
        ))
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


@writes_site()
def cmd_build(args: argparse.Namespace, root: Path) -> int:
    if args.output is not None:
        recover_output(args.output)  # what a killed build into that folder left beside it
    from amber.build.pipeline import Shard, build

    shard = Shard.parse(args.shard) if args.shard else None
    result = build(root, base_url=args.base_url, output=args.output, jobs=args.jobs,
                   use_cache=not args.no_cache, shard=shard)
    if result.changed == 0:
        print(f"Up to date: {result.pages} share page(s), {result.files} files in "
              f"{result.output}", file=sys.stderr)
    else:
        print(f"Built {result.pages} share page(s), {result.files} files in {result.output}"
              + (f" ({result.changed} written)" if result.changed is not None else ""),
              file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace, root: Path) -> int:
    content = load_content(SitePaths(root))
    report = check_content(content)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.problems:
        raise ContentError(report.problems)
    print(f"ok: {len(content.conversations)} conversation(s), {len(content.snapshots)} "
          f"share(s), {len(content.tombstones)} revoked", file=sys.stderr)
    return 0


SAMPLE_SITE = """\
# amber site settings. Unknown keys are errors.
title: {title}
base_url: {base_url}
# author: Your Name        # shown as "Shared by ..." with `amber share --name`
language: en
theme: default
"""

SAMPLE_CONVERSATION = """\
title: Welcome to amber
created: 2026-01-01T12:00:00Z
messages:
  - role: user
    content: What does amber do with this file?
  - role: assistant
    content: |
      This is a **live conversation**: edit it as you like. When you are ready,
      freeze it into a share link:

      ```bash
      amber share welcome
      amber build
      ```

      The share is a snapshot; later edits here do not change it until you run
      `amber update ID`.
"""


def cmd_init(args: argparse.Namespace, root: Path | None) -> int:
    target = (args.dir or Path.cwd()).resolve()
    paths = SitePaths(target)
    if paths.site_yaml.exists():
        raise RefusedError(f"{paths.site_yaml} already exists; not overwriting a site")
    from amber.content.schema import normalise_base_url

    base_url = normalise_base_url(args.base_url)
    if base_url is None:
        raise UsageError(f"--base-url: {args.base_url!r} is not an absolute http(s) URL")
    requirement = check_requirement(args.requirement) if args.requirement is not None else None
    title = json.dumps(args.title, ensure_ascii=False)
    write_atomic(paths.site_yaml, SAMPLE_SITE.format(title=title, base_url=base_url).encode())
    sample = paths.conversations / "welcome.yaml"
    if not sample.exists():
        write_atomic(sample, SAMPLE_CONVERSATION.encode())
    paths.shares.mkdir(parents=True, exist_ok=True)
    (paths.shares / ".gitkeep").touch()
    gitignore = target / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, b"output/\n.amber-cache/\n__pycache__/\n")
    write_workflows(target, requirement)
    print(f"Created a site in {target}. Next: cd there, then `amber share welcome` and "
          "`amber build`.", file=sys.stderr)
    return 0


__all__ = ["AmberError"]
