"""``amber serve``: preview the site locally, rebuilt and reloaded as files change."""

from __future__ import annotations

import argparse
from pathlib import Path

from amber.commands.build import add_now_option, moment
from amber.errors import UsageError

DESCRIPTION = """\
Build the site in memory and serve it at http://127.0.0.1:8000 under the path of
base_url (/chats/ for https://jane.github.io/chats/), as GitHub Pages would: 404.html
for missing pages, /dir redirected to /dir/. Watches content/ and themes/, rebuilds
what a change touches and reloads open pages; a broken file is shown over every page
until it is fixed, while the last good build stays up.

Also serves, to this machine only and never into output/: a draft of every
conversation at /_preview/<slug>/ (see `amber preview`), and /_manage/, every active
share with its state. Writes nothing: run `amber build` for output/.
"""


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000,
                        help="port to listen on (default: 8000; 0 picks a free one)")
    parser.add_argument("--open", action="store_true", help="open the page in a browser")


def check_port(port: int) -> None:
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port}: expected a number from 0 to 65535")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "serve", help="preview the site locally; rebuild and reload on changes",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_options(p)
    add_now_option(p)
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace, root: Path) -> int:
    check_port(args.port)
    # A fixed moment only when asked: otherwise each rebuild judges expiry at its own time.
    at = moment(args) if args.now is not None else None
    from amber.serve.console import run

    return run(root, args.host, args.port, open_browser=args.open, now=at)
