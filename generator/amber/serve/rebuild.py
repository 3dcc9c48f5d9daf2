"""The rebuild loop: collect bursts of file events into one pass; load, decide, render, swap.

One pass reloads content/ (only changed files are parsed), then decides what the
change touched. A change to conversations alone leaves the built site as it is
(no share page depends on a live conversation) and only refreshes drafts and
the management page. A change to shares, revocations, site.yaml, assets or the
theme renders the site again through the caches of ``SiteBuilder``. A pass that
changes nothing (an editor's swap file, a touch) publishes nothing, so no page
reloads for it.

Broken content never replaces a good build: the state keeps the last good build
and carries the problems, which the server shows over every page and which are
printed here, once per change.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from amber.content.clock import now as clock_now
from amber.content.expiry import live_view
from amber.content.load import SitePaths
from amber.content.model import Conversation, SiteConfig
from amber.errors import AmberError, ContentError
from amber.render.theme import resolve_theme
from amber.serve.builder import Build, SiteBuilder
from amber.serve.loader import ContentLoader, tree_signature
from amber.serve.state import LiveSite, ServedState

QUIET_SECONDS = 0.025
"""A burst of events ends when none came for this long (an editor's save is a burst)."""
MAX_WAIT_SECONDS = 1.0
"""Rebuild anyway when events keep coming for this long."""


@dataclass(frozen=True)
class PassReport:
    """What one pass did, for the terminal and for tests."""

    published: bool
    """A new state was swapped in (open pages reload)."""
    rendered: bool
    """The site was rendered again (else only content was reloaded, or nothing changed)."""
    problems: tuple[str, ...]
    seconds: float
    parsed: int
    """Files parsed again."""
    pages: int = 0
    """Share pages rendered (not taken from the cache)."""
    changed_files: int = 0
    """Output files whose bytes differ from the previous build."""


def theme_signature(root: Path, config: SiteConfig | None) -> object:
    """Stat signature of every file of every theme layer (templates and static files)."""
    if config is None:
        return None
    theme = resolve_theme(root, config.theme)
    return tuple((str(layer), tree_signature(layer)) for layer in theme.layers)


def draft_sources(
    previous: dict[str, Conversation], loaded: dict[str, Conversation], present: set[str]
) -> dict[str, Conversation]:
    """Each conversation as loaded now; one that is broken now keeps its last good version
    (its draft stays up under the error overlay) until its file is deleted."""
    out = dict(loaded)
    for slug, conv in previous.items():
        if slug not in out and slug in present:
            out[slug] = conv
    return dict(sorted(out.items()))


def changed_files(old: Build | None, new: Build) -> int:
    if old is None:
        return len(new.files)
    count = sum(1 for rel, data in new.files.items() if old.files.get(rel) != data)
    return count + sum(1 for rel in old.files if rel not in new.files)


class Rebuilder:
    """Owns the loader and builder caches; only its thread (or the caller) runs passes."""

    def __init__(self, paths: SitePaths, live: LiveSite,
                 log: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 now: datetime | None = None) -> None:
        self.paths = paths
        self.now = now
        """``amber serve --now``: the moment every pass judges expiry at (None: its own)."""
        self.live = live
        self.loader = ContentLoader(paths)
        self.builder = SiteBuilder(paths)
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.on_config: Callable[[SiteConfig | None], None] | None = None
        """Called after every pass with the current config (the watcher follows the theme)."""
        self._render_inputs: dict[str, object] | None = None
        self._inputs: dict[str, object] | None = None
        self._clock = clock
        """Seconds, only ever compared with itself: when a burst of changes is over.
        Injected so that tests can move time by hand instead of sleeping."""
        self._changed = threading.Event()
        self._last_change = 0.0
        self._lock = threading.Lock()

    # --- one pass -------------------------------------------------------------

    def rebuild(self) -> PassReport:
        with self._lock:
            try:
                return self._rebuild()
            except Exception as exc:  # a bug outside rendering must not take the site down
                return self._crashed(exc)

    def _crashed(self, exc: Exception) -> PassReport:
        """Keep serving the last good build, and show the error over it like a problem.

        Also ends the first pass when that is the one that failed: pages would otherwise
        wait for a build that never comes. The next change runs a full pass again.
        """
        traceback.print_exc(file=sys.stderr)
        current = self.live.state
        kept = "; the last good build stays up" if current.build is not None else ""
        problems = (f"internal error while rebuilding: {exc!r} (see the terminal){kept}",)
        self._inputs = self._render_inputs = None
        published = not current.ready or current.problems != problems
        if published:
            self.live.publish(ServedState(current.build, current.content, current.conversations,
                                          problems, moment=current.moment,
                                          retired_assets=current.retired_assets))
            self.log(f"error: {problems[0]}")
        return PassReport(published, False, problems, 0.0, 0)

    def _rebuild(self) -> PassReport:
        started = time.perf_counter()
        current = self.live.state
        loaded = self.loader.load()
        content = loaded.content
        config = content.config
        problems = [str(p) for p in content.problems]
        inputs = dict(loaded.inputs)
        try:
            inputs["theme"] = theme_signature(self.paths.root, config)
        except AmberError as exc:
            inputs["theme"] = None
            problems.append(str(exc))
        present = {name.rsplit(".", 1)[0] for name, _ in loaded.inputs["conversations"]}  # type: ignore[attr-defined]
        conversations = draft_sources(current.conversations, content.conversations, present)

        build = current.build
        rendered = False
        moment = self.now or clock_now()
        if not problems and config is not None:
            live = live_view(content, moment)  # expired shares are served as revoked
            inputs["expired"] = sorted(live.expired)
            render_inputs = {k: v for k, v in inputs.items() if k != "conversations"}
            if build is None or render_inputs != self._render_inputs:
                try:
                    build = self.builder.build(live, config)
                except ContentError as exc:
                    problems = [str(p) for p in exc.problems]
                except AmberError as exc:
                    problems = [str(exc)]
                except Exception as exc:  # a bug must not take the server down
                    traceback.print_exc(file=sys.stderr)
                    problems = [f"internal error while rendering: {exc!r} (see the terminal)"]
                else:
                    self._render_inputs = render_inputs
                    rendered = True
        if self.on_config is not None:
            self.on_config(config)

        unchanged = (
            current.ready and not rendered and inputs == self._inputs
            and tuple(problems) == current.problems
        )
        self._inputs = inputs
        seconds = time.perf_counter() - started
        if unchanged:
            return PassReport(False, False, tuple(problems), seconds, loaded.parsed)
        retired = current.retired_assets
        if (rendered and current.build is not None and build is not None
                and current.build.theme_key != build.theme_key):
            retired = {rel: data for rel, data in current.build.files.items()
                       if rel.startswith("assets/") and rel not in build.files}
        self.live.publish(ServedState(build, content, conversations, tuple(problems),
                                      moment=moment if rendered else current.moment,
                                      retired_assets=retired))
        report = PassReport(
            True, rendered, tuple(problems), seconds, loaded.parsed,
            pages=build.rendered if rendered and build else 0,
            changed_files=changed_files(current.build, build) if rendered and build else 0,
        )
        self._report(report, current)
        return report

    def _report(self, report: PassReport, previous: ServedState) -> None:
        stamp = time.strftime("%H:%M:%S")
        if report.problems:
            for problem in report.problems:
                self.log(f"error: {problem}")
            count = len(report.problems)
            kept = ("the last good build stays up" if self.live.state.build is not None
                    else "nothing to serve until it is fixed")
            self.log(f"[{stamp}] {count} problem{'s' if count != 1 else ''}; {kept}. "
                     "Fix and save: the pages reload by themselves.")
            return
        if previous.problems:
            self.log(f"[{stamp}] fixed: no problems left")
        if report.rendered:
            verb = "built" if previous.build is None else "rebuilt"
            self.log(f"[{stamp}] {verb} in {report.seconds:.2f} s: {report.pages} share "
                     f"page{'s' if report.pages != 1 else ''} rendered, "
                     f"{report.changed_files} file{'s' if report.changed_files != 1 else ''} "
                     "changed")
        else:
            self.log(f"[{stamp}] reloaded content in {report.seconds:.2f} s (drafts and "
                     "the management page)")

    # --- the loop ---------------------------------------------------------------

    def notify(self) -> None:
        """A file changed (called from the watcher's thread)."""
        self._last_change = self._clock()
        self._changed.set()

    def run(self, stop: threading.Event) -> None:
        """Wait for changes and rebuild once per burst, until ``stop`` is set."""
        while not stop.is_set():
            if not self._changed.wait(0.2):
                continue
            first = self._clock()
            while not stop.is_set():
                now = self._clock()
                quiet = now - self._last_change
                if quiet >= QUIET_SECONDS or now - first >= MAX_WAIT_SECONDS:
                    break
                stop.wait(QUIET_SECONDS - quiet)
            # Clear before loading: a change made from here on sets the flag again.
            self._changed.clear()
            if stop.is_set():
                return
            try:
                self.rebuild()
            except Exception:  # keep serving the last state; say why in the terminal
                traceback.print_exc(file=sys.stderr)
