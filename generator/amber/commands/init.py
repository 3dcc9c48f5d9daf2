"""``amber init [DIR]``: create a new site, with a sample conversation and CI workflows."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from amber.content.load import SitePaths
from amber.content.schema import normalise_base_url
from amber.errors import RefusedError, UsageError

DESCRIPTION = """\
Create content/site.yaml, a sample conversation, content/shares/, a .gitignore and the GitHub
workflows .github/workflows/pages.yml and review.yml in DIR (default: the current directory).

With --publish-to OWNER/REPO, the content repository stays private: publish.yml replaces
pages.yml and, on every push to main, daily and by hand, builds the site and pushes it to
the public repository OWNER/REPO as one commit without history (`amber publish`), where
GitHub Pages serves it. init prints the one-time setup that needs."""

SETUP = """\
The site publishes to {target.pages_url} from the public repository {target.name}.
Once, by hand:
  1. Create the public repository {target.name} on GitHub (it may stay empty).
  2. Make a deploy key: ssh-keygen -t ed25519 -N "" -f amber-deploy-key
     In {target.name}: Settings -> Deploy keys -> Add deploy key: paste
     amber-deploy-key.pub and tick "Allow write access".
  3. Push this site to a PRIVATE repository. There: Settings -> Secrets and variables
     -> Actions -> New repository secret AMBER_DEPLOY_KEY: paste amber-deploy-key
     (the private key). Then delete both key files.
  4. After the first run of "Publish to the site repository", in {target.name}:
     Settings -> Pages -> Source: "Deploy from a branch", branch gh-pages, / (root).
"""

SAMPLE_SITE = """\
# amber site settings. Unknown keys are errors.
title: {title}
base_url: {base_url}
# author: Your Name        # shown as "Shared by ..." with `amber share --name`
language: en
theme: default
# Unlisted shares publish only ciphertext; the key travels in the link after '#'.
# `amber share --no-encrypt` makes a plain page; listed shares are always plain.
encrypt_unlisted: true
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

DEFAULT_BASE_URL = "https://example.github.io/chats/"

GITIGNORE = b"output/\n.amber-cache/\n__pycache__/\n"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "init", help="create a new site",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", nargs="?", type=Path, default=None, metavar="DIR")
    p.add_argument("--title", default="My shared conversations", help="the site's title")
    p.add_argument("--base-url", default=None,
                   help="absolute URL the site will be served at (default: the Pages URL of "
                        "--publish-to, else https://example.github.io/chats/)")
    p.add_argument("--requirement", metavar="SPEC",
                   help="pip requirement the GitHub workflows install amber from (default: "
                        "where this amber was installed from, when CI can reach it)")
    p.add_argument("--publish-to", metavar="OWNER/REPO", default=None,
                   help="keep this repository private and publish the built site to the "
                        "public GitHub repository OWNER/REPO (writes publish.yml, not pages.yml)")
    # The site is DIR, which need not exist yet: --site and the current folder do not apply.
    p.set_defaults(handler=cmd_init, needs_site=False)


def cmd_init(args: argparse.Namespace, root: Path | None) -> int:
    from amber.atomic import write_atomic
    from amber.scaffold import check_requirement, write_workflows
    from amber.scaffold.publish_target import parse_publish_target

    folder = (args.dir or Path.cwd()).resolve()
    paths = SitePaths(folder)
    if paths.site_yaml.exists():
        raise RefusedError(f"{paths.site_yaml} already exists; not overwriting a site")
    target = parse_publish_target(args.publish_to) if args.publish_to is not None else None
    wanted = args.base_url or (target.pages_url if target else DEFAULT_BASE_URL)
    base_url = normalise_base_url(wanted)
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
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, GITIGNORE)
    write_workflows(folder, requirement, target)
    if target is not None:
        print(SETUP.format(target=target), end="", file=sys.stderr)
    print(f"Created a site in {folder}. Next: cd there, then `amber share welcome` and "
          "`amber build`.", file=sys.stderr)
    return 0
