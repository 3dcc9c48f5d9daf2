"""What the watcher watches, and which file events count as changes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from amber.content.load import SitePaths
from amber.content.model import SiteConfig
from amber.render.theme import packaged_default_theme
from amber.serve.watcher import Watcher, _Handler, watched_dirs


def config(theme: str = "default") -> SiteConfig:
    return SiteConfig("T", "https://x.example/", theme=theme)


def test_content_themes_and_a_theme_elsewhere_are_watched(serve_site: Path,
                                                          tmp_path: Path) -> None:
    paths = SitePaths(serve_site)
    (serve_site / "themes" / "default").mkdir(parents=True)
    elsewhere = tmp_path / "my-theme"
    (elsewhere / "templates").mkdir(parents=True)
    dirs = watched_dirs(paths, config(str(elsewhere)))
    assert paths.content.resolve() in dirs
    assert paths.themes.resolve() in dirs
    assert elsewhere.resolve() in dirs
    # themes/default is inside themes/, already watched: no second watch of it.
    assert (serve_site / "themes" / "default").resolve() not in dirs
    assert packaged_default_theme().resolve() in dirs or any(
        packaged_default_theme().resolve().is_relative_to(d) for d in dirs)


def test_a_missing_theme_still_watches_content(serve_site: Path) -> None:
    dirs = watched_dirs(SitePaths(serve_site), config("nope"))
    assert dirs == [(serve_site / "content").resolve()]


@pytest.mark.parametrize(("event", "counts"), [
    (FileCreatedEvent("/s/content/a.yaml"), True),
    (FileModifiedEvent("/s/content/a.yaml"), True),
    (FileDeletedEvent("/s/content/a.yaml"), True),
    (FileMovedEvent("/s/content/.a.yaml.x.tmp", "/s/content/a.yaml"), True),
    (FileClosedEvent("/s/content/a.yaml"), True),
    (FileOpenedEvent("/s/content/a.yaml"), False),  # the server's own reads
    (FileClosedNoWriteEvent("/s/content/a.yaml"), False),
    (DirModifiedEvent("/s/content"), False),
])
def test_only_changes_count(event: object, counts: bool) -> None:
    seen: list[int] = []
    _Handler(lambda: seen.append(1)).on_any_event(event)  # type: ignore[arg-type]
    assert bool(seen) is counts


def test_a_saved_file_is_noticed(serve_site: Path) -> None:
    noticed = threading.Event()
    watcher = Watcher(SitePaths(serve_site), noticed.set)
    watcher.start(config())
    try:
        path = serve_site / "content" / "conversations" / "alpha.yaml"
        path.write_text(path.read_text("utf-8") + "\n", "utf-8")
        assert noticed.wait(10)
    finally:
        watcher.stop()
