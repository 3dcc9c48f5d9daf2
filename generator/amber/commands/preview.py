"""``amber preview CONV``: show a conversation as its share page would look, before sharing.

Uses the preview server: if one already serves this site on the port, it only
prints (or opens) the draft's address; otherwise it starts one in the foreground.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from amber.commands.partial_options import add_partial_options, partial_query
from amber.commands.serve import add_server_options, check_port
from amber.commands.share import add_name_options
from amber.content.ids import SLUG_RE
from amber.content.load import CONVERSATION_SUFFIXES, SitePaths
from amber.errors import RefusedError, UsageError

DESCRIPTION = """\
Show CONV (a slug or a file in content/conversations/) at /_preview/<slug>/ of the
preview server, exactly as its share page would look if it were shared now, with the
title and name chosen here. Reuses a server already serving this site on --host and
--port (see `amber serve`); otherwise starts one and keeps it running until Ctrl-C.
Nothing is frozen or written: when the draft looks right, run `amber share` with the
same options (the draft page shows the command).
"""

PING_TIMEOUT = 2.0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "preview", help="show a conversation as it would look shared (a local draft)",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("conversation", metavar="CONV")
    p.add_argument("--title", help="try another title (as `amber share --title`)")
    add_name_options(p)
    add_partial_options(p, messages=True)
    add_server_options(p)
    p.set_defaults(handler=cmd_preview)


def conversation_slug(paths: SitePaths, ref: str) -> str:
    """The slug CONV names, checked against the files in content/conversations/ (only
    that folder is listed: no need to load a whole site to find one file)."""
    slug = ref
    if "/" in ref or ref.endswith(CONVERSATION_SUFFIXES):
        path = Path(ref)
        try:
            inside = path.resolve().parent == paths.conversations.resolve()
        except OSError:
            inside = False
        if not inside:
            raise RefusedError(f"{ref}: not a file in content/conversations/")
        slug = path.stem
    found = SLUG_RE.match(slug) and any(
        (paths.conversations / f"{slug}{suffix}").is_file() for suffix in CONVERSATION_SUFFIXES)
    if not found:
        listing = paths.conversations.glob("*") if paths.conversations.is_dir() else []
        known = sorted({p.stem for p in listing if p.suffix in CONVERSATION_SUFFIXES})
        shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "") if known else "none"
        raise RefusedError(f"no conversation {ref!r} in content/conversations/ (known: {shown})")
    return slug


def draft_path(slug: str, args: argparse.Namespace) -> str:
    params: list[tuple[str, str]] = []
    if args.title is not None:
        if not args.title.strip():
            raise UsageError("--title must not be empty")
        params.append(("title", args.title.strip()))
    if args.name is True:
        params.append(("name", ""))
    elif isinstance(args.name, str):
        if not args.name.strip():
            raise UsageError("--name must not be empty")
        params.append(("name", args.name.strip()))
    params += partial_query(args)
    query = f"?{urlencode(params)}" if params else ""
    return f"/_preview/{slug}/{query}"


def running_server(host: str, port: int) -> dict[str, object] | None:
    """What answers on host:port: an amber server's ping, or None if nothing listens."""
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/_amber/ping"
    try:
        with urllib.request.urlopen(url, timeout=PING_TIMEOUT) as response:
            data = json.loads(response.read(4096).decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise RefusedError(f"port {port} on {host} is used by another program (it answered "
                           f"{exc.code}); pass --port N") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError):
        return None
    except ValueError:
        raise RefusedError(f"port {port} on {host} is used by another program; pass "
                           "--port N") from None
    if not isinstance(data, dict) or "amber" not in data:
        raise RefusedError(f"port {port} on {host} is used by another program; pass "
                           "--port N")
    return data


def cmd_preview(args: argparse.Namespace, root: Path) -> int:
    check_port(args.port)
    paths = SitePaths(root)
    if not paths.content.is_dir():
        raise RefusedError(f"no content/ directory in {root}; run `amber init` or pass "
                           "--site DIR")
    path = draft_path(conversation_slug(paths, args.conversation), args)
    found = running_server(args.host, args.port) if args.port else None
    if found is not None:
        if found.get("site") != str(root):
            raise RefusedError(f"port {args.port} serves another site ({found.get('site')}); "
                               "stop that server or pass --port N")
        shown = f"[{args.host}]" if ":" in args.host else args.host
        url = f"http://{shown}:{args.port}{path}"
        print(url)
        if args.open:
            import webbrowser

            webbrowser.open(url)
        return 0
    from amber.serve.console import run

    return run(root, args.host, args.port, open_browser=args.open, path=path)
