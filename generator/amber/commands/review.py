"""`amber review BASE [HEAD]`: the Markdown summary of a change, for pull requests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Print, as Markdown, what the change from BASE to HEAD does to the published site:
shares added, updated (re-frozen), revoked, made listed or unlisted or shown under
another name, conversations changed whose shares are now stale, and warnings (likely
secrets or personal data in new content). Each share comes with its title, ID,
message count, size and URL. Every other changed file that shapes the site (theme
templates, scripts and stylesheets, content/site.yaml, workflows, packaging) is
listed in a section above the shares, and the rest of the change below them.
Nothing in the change runs: HEAD's templates are rendered in Jinja2's sandbox.

BASE and HEAD are git revisions (HEAD defaults to the HEAD commit: uncommitted edits
are not reviewed). content/ and themes/ are read from git objects; the work tree is
not touched.
Exits 1 when `amber check` fails at HEAD, after printing the summary.
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "review", help="summarise a change to the published shares as Markdown",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("base", metavar="BASE", help="the revision before, such as origin/main")
    p.add_argument("head", metavar="HEAD", nargs="?", default="HEAD",
                   help="the revision after (default: HEAD)")
    p.set_defaults(handler=cmd_review)


def cmd_review(args: argparse.Namespace, root: Path) -> int:
    from amber.review.summary import render_markdown, review  # heavy: loaded only when used

    result = review(root, args.base, args.head)
    sys.stdout.write(render_markdown(result))
    sys.stdout.flush()
    if not result.ok:
        count = len(result.check.problems)
        print(f"amber: check fails at {args.head}: {count} problem{'s' if count != 1 else ''} "
              "(listed in the summary)", file=sys.stderr)
        return 1
    return 0
