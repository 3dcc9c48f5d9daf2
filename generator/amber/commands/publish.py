"""``amber publish REMOTE``: the built site as the one commit of a branch of REMOTE.

The private-source route: the content repository stays private, and its workflow
publishes only ``output/`` to a public repository's Pages branch. Gather (the
built files, the remote, the branch, the moment), act (``amber.publish``), report:
one line on a terminal, nothing in CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Publish the site that `amber build` wrote to output/ (or --output DIR) as the only
commit of a branch of REMOTE, force-pushed: the branch's history then holds the
current site and nothing else, so a revoked page is no longer reachable from it.
REMOTE is a git URL (git@github.com:OWNER/REPO.git) or the path of a repository.
The commit is made in a temporary repository, never in output/; the same site
at the same moment (--now, else SOURCE_DATE_EPOCH, else the clock) gives the
same commit. Authentication is git's own (ssh keys, credential helpers)."""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "publish", help="push the built site to a branch of another repository, with no history",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("remote", metavar="REMOTE", help="git URL or path of the site repository")
    p.add_argument("--branch", default="gh-pages", metavar="NAME",
                   help="the branch to replace (default: gh-pages)")
    p.add_argument("--output", metavar="DIR", type=Path, default=None,
                   help="publish this built site instead of output/")
    p.add_argument("--now", metavar="TIME", default=None,
                   help="the commit's date, an ISO 8601 time with a zone; default: "
                        "SOURCE_DATE_EPOCH, else the clock")
    p.set_defaults(handler=cmd_publish)


def cmd_publish(args: argparse.Namespace, root: Path) -> int:
    from amber.commands.build import moment
    from amber.content.load import SitePaths
    from amber.lock import site_lock
    from amber.progress import wants_progress
    from amber.publish.orphan import ScratchRepository
    from amber.publish.remote import check_branch, parse_remote
    from amber.publish.site_tree import site_files

    remote = parse_remote(args.remote, Path.cwd())
    branch = check_branch(args.branch)
    at = moment(args)
    output = args.output if args.output is not None else SitePaths(root).output
    with ScratchRepository(remote, output) as repository:
        with site_lock(root):  # no build swaps output/ while its files are read
            files = site_files(output)
            commit = repository.commit(files, branch, at)
        published = repository.push(branch, commit, len(files))
    if wants_progress():
        what = "Published" if published.changed else "Already published:"
        print(f"{what} {published.files} files to {remote.shown}, branch {branch} "
              f"(commit {published.commit[:12]})", file=sys.stderr)
    return 0
