"""Watch content/ and the theme with watchdog, and tell the rebuild loop when files change.

Only changes count: watchdog also reports files being opened and closed
unwritten, and the server itself opens content files on every pass, so
counting those would rebuild forever. Which folders are watched follows
``site.yaml``: a theme given by path outside the site is watched too.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from amber.content.load import SitePaths
from amber.content.model import SiteConfig
from amber.errors import AmberError
from amber.render.theme import resolve_theme

CHANGE_EVENTS = frozenset({"created", "deleted", "modified", "moved", "closed"})
"""watchdog event types that mean a file's bytes or existence changed ("closed" is
closed after writing)."""


def watched_dirs(paths: SitePaths, config: SiteConfig | None) -> list[Path]:
    """content/, themes/ and every theme layer, without folders inside another one."""
    wanted = [paths.content, paths.themes]
    if config is not None:
        # A missing theme is reported by the rebuild; watching themes/ sees the fix.
        with contextlib.suppress(AmberError):
            wanted.extend(resolve_theme(paths.root, config.theme).layers)
    resolved = sorted({p.resolve() for p in wanted if p.is_dir()}, key=lambda p: len(p.parts))
    chosen: list[Path] = []
    for path in resolved:
        if not any(path.is_relative_to(parent) for parent in chosen):
            chosen.append(path)
    return sorted(chosen)


class _Handler(FileSystemEventHandler):
    def __init__(self, notify: Callable[[], None]) -> None:
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's mtime moves whenever a file in it changes: already reported
        self.notify()


class Watcher:
    """A watchdog observer whose watched folders follow the site's settings."""

    def __init__(self, paths: SitePaths, notify: Callable[[], None]) -> None:
        self.paths = paths
        self._handler = _Handler(notify)
        self._observer = Observer()
        self._observer.daemon = True
        self._watches: dict[Path, object] = {}
        self._lock = threading.Lock()

    def start(self, config: SiteConfig | None) -> None:
        # The site folder itself, not recursively: so that a themes/ created later is seen.
        self._observer.schedule(self._handler, str(self.paths.root), recursive=False)
        self.follow(config)
        self._observer.start()

    def follow(self, config: SiteConfig | None) -> None:
        """Watch the folders ``config`` needs, and stop watching the others."""
        wanted = watched_dirs(self.paths, config)
        with self._lock:
            for path in [p for p in self._watches if p not in wanted]:
                self._observer.unschedule(self._watches.pop(path))  # type: ignore[arg-type]
            for path in wanted:
                if path not in self._watches:
                    self._watches[path] = self._observer.schedule(
                        self._handler, str(path), recursive=True)

    @property
    def watching(self) -> list[Path]:
        with self._lock:
            return sorted(self._watches)

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
