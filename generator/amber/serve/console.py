"""Run a preview server in the foreground, as ``amber serve`` and ``amber preview`` do.

The URL goes to stdout (one line, for scripts); everything else to stderr.
Ctrl-C and SIGTERM stop it cleanly with exit code 0.
"""

from __future__ import annotations

import signal
import sys
import threading
import webbrowser
from datetime import datetime
from pathlib import Path

from amber.serve.app import is_loopback
from amber.serve.server import PreviewServer


def run(root: Path, host: str, port: int, *, open_browser: bool = False,
        path: str | None = None, now: datetime | None = None) -> int:
    """Serve the site at ``root`` until interrupted; ``path`` is the page to announce
    (default: the site's home); ``now`` fixes the moment expiry is judged at."""
    server = PreviewServer(root, host, port, now=now)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    try:
        server.start()
        origin = server.origin
        url = f"{origin}{path}" if path else f"{origin}{server.base_path()}"
        print(url, flush=True)
        err = sys.stderr
        print(f"amber serve: serving {root} at {origin}{server.base_path()}", file=err)
        print(f"  drafts of conversations: {origin}/_preview/<slug>/", file=err)
        print(f"  all shares and their state: {origin}/_manage/", file=err)
        if not is_loopback(host):
            print(f"warning: listening on {host}: other machines can read the site; drafts "
                  "and /_manage/ still answer this machine only", file=err)
        print("Building the site...", file=err, flush=True)
        _wait_until_ready(server, stop)
        if not stop.is_set():
            print("Watching content/ and themes/: pages reload when files change. "
                  "Ctrl-C stops.", file=err, flush=True)
            if open_browser:
                webbrowser.open(url)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    print("amber serve: stopped", file=sys.stderr)
    return 0


def _wait_until_ready(server: PreviewServer, stop: threading.Event) -> None:
    while not stop.is_set() and not server.wait_ready(0.5):
        pass
