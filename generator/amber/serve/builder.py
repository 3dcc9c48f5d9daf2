"""Render the whole site again after a change, re-rendering only what the change touched.

The preview server runs the build's own steps with memory as their sink
(``amber.build.memory.render_site``: each share rendered into its record and
files, then the one site-wide assembly and leak check that ``amber build``
runs), so what it serves is what a build would write. It hands them a share
renderer with two caches:

- share pages, in two layers: the page model (Markdown and code highlighted:
  the costly part) is keyed by the snapshot itself, the site settings and
  whether each image it shows exists; the page's files are keyed by that plus
  the theme (template sources and the fingerprinted asset names). So a new or
  updated share renders only its own page, while the index, feeds and 404 page
  (cheap) are rendered every time; a template change renders every page through
  the template again without touching Markdown. A page's record (what the
  index, feeds and leak check need of it) is kept with its files.

Entries not used by the latest build are dropped, so memory follows the site.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, fields
from pathlib import Path

import jinja2

from amber.build.memory import render_site
from amber.content.assets import file_problem, image_refs
from amber.content.load import SiteContent, SitePaths
from amber.content.model import SiteConfig, Snapshot
from amber.content.schema import is_safe_asset_ref
from amber.errors import AmberError
from amber.render.pages import SharePage, SiteView
from amber.render.record import ShareRecord
from amber.render.site import SiteFrame, share_files, share_output, share_page, theme_site_view
from amber.render.templates import make_environment
from amber.render.theme import Theme, resolve_theme

PRELOADED_TEMPLATES = ("base.html", "share.html")
"""Templates drafts need, compiled right after a good build: a broken template saved
later shows up as an error, while drafts keep rendering with the last good one."""


class ThemeChanged(Exception):
    """Theme files changed while the site was being rendered; render again."""


@dataclass(frozen=True)
class Build:
    """One complete rendering of the site: served as a unit, replaced as a unit."""

    files: dict[str, bytes]
    """Output path (as under output/) -> bytes, exactly what ``amber build`` would write."""
    config: SiteConfig
    site_view: SiteView
    """The ``site`` template context of this build (drafts render with it too)."""
    env: jinja2.Environment
    """The theme's templates as they were at this build (drafts render with them)."""
    theme_key: str
    """Digest of the theme's templates and of the site view: part of every cache key."""
    rendered: int
    """Share pages rendered for this build (the rest came from the cache)."""
    seconds: float


def templates_digest(theme: Theme) -> str:
    """Digest of every template file of every theme layer (names and bytes)."""
    digest = hashlib.sha256()
    for number, directory in enumerate(theme.template_dirs):
        root = Path(directory)
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(f"{number}\0{path.relative_to(root).as_posix()}\0".encode())
                try:
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
                except OSError:
                    digest.update(b"unreadable")
    return digest.hexdigest()


_SNAPSHOT_FIELDS = tuple(f.name for f in fields(Snapshot) if f.compare and f.name != "messages")


def snapshot_key(snap: Snapshot) -> tuple[object, ...]:
    """Everything a share page shows of its snapshot, cheaply: every field but the messages,
    which ``digest`` stands for (a loaded snapshot's digest is verified against them)."""
    return tuple(getattr(snap, name) for name in _SNAPSHOT_FIELDS)


def image_sources(snap: Snapshot) -> tuple[str, ...]:
    """The ``src`` of every image a snapshot shows, its alternatives' included."""
    return tuple(image_refs(snap.messages))


def image_states(
    sources: tuple[str, ...], paths: SitePaths, assets_linked: bool
) -> tuple[tuple[str, bool, bool], ...]:
    """Whether each image is there, and whether it may not be published (as ``share_page``
    decides): part of the key of its page, so adding, deleting or replacing an image file
    renders the pages that show it."""
    states = []
    for src in sources:
        source = paths.content / src
        present = (is_safe_asset_ref(src) and not assets_linked and not source.is_symlink()
                   and source.is_file())
        # A file there that may not be published renders as an error, not as the image.
        states.append((src, present, present and file_problem(source) is not None))
    return tuple(states)


class SiteBuilder:
    """Renders one site again and again, reusing every share page that did not change."""

    def __init__(self, paths: SitePaths) -> None:
        self.paths = paths
        self._pages: dict[object, tuple[SharePage, dict[str, bool], dict[str, Path]]] = {}
        self._files: dict[object, tuple[ShareRecord, dict[str, bytes]]] = {}
        self._images: dict[tuple[object, ...], tuple[str, ...]] = {}
        self._env: tuple[tuple[Path, ...], jinja2.Environment] | None = None
        self._draft_env: tuple[str, jinja2.Environment] | None = None

    def build(self, content: SiteContent, config: SiteConfig) -> Build:
        """Render the site; raises ContentError/AmberError as ``render_site`` does."""
        for _attempt in range(3):
            try:
                return self._build_once(content, config)
            except ThemeChanged:
                continue
        return self._build_once(content, config)

    def _build_once(self, content: SiteContent, config: SiteConfig) -> Build:
        started = time.perf_counter()
        theme = resolve_theme(self.paths.root, config.theme)
        before = templates_digest(theme)
        site_view, _assets = theme_site_view(config, theme)
        theme_key = hashlib.sha256(f"{before}\0{site_view!r}".encode()).hexdigest()
        assets_linked = self.paths.assets.is_symlink()
        used_pages: set[object] = set()
        used_files: set[object] = set()
        images: dict[tuple[object, ...], tuple[str, ...]] = {}
        views: dict[int, str] = {}
        rendered = 0

        def render_share(snap: Snapshot, frame: SiteFrame) -> tuple[ShareRecord,
                                                                    dict[str, bytes]]:
            nonlocal rendered
            snap_key = snapshot_key(snap)
            sources = self._images.get(snap_key)
            if sources is None:
                sources = image_sources(snap)
            images[snap_key] = sources
            page_key = (snap_key, frame.config, image_states(sources, frame.paths, assets_linked)
                        if sources else ())
            hit = self._pages.get(page_key)
            if hit is None:
                refs: dict[str, bool] = {}
                page, assets = share_page(snap, frame.config, frame.paths, refs=refs)
                hit = self._pages[page_key] = (page, refs, assets)
            page, refs, assets = hit
            view_key = views.get(id(frame.view))
            if view_key is None:  # one view per build: its repr is worked out once
                view_key = views[id(frame.view)] = repr(frame.view)
            files_key = (page_key, theme_key, view_key)
            done = self._files.get(files_key)
            if done is None:
                files = share_files(snap, page, frame.view, frame.env, frame.card, assets)
                done = self._files[files_key] = (
                    share_output(snap, page, frame.config, files, refs), files)
                rendered += 1
            used_pages.add(page_key)
            used_files.add(files_key)
            return done

        files = render_site(content, config, renderer=render_share,
                            env=self._environment(theme))
        env = self._drafts_environment(theme, before)
        if templates_digest(theme) != before:
            # Pages rendered from a template that changed mid-build: drop them, go again.
            for key in used_files:
                self._files.pop(key, None)
            raise ThemeChanged
        # Forget what this build did not use (the cache holds nothing else when the sizes
        # match, which is every build that removed nothing).
        if len(self._pages) != len(used_pages):
            self._pages = {k: v for k, v in self._pages.items() if k in used_pages}
        if len(self._files) != len(used_files):
            self._files = {k: v for k, v in self._files.items() if k in used_files}
        self._images = images
        return Build(files, config, site_view, env, theme_key, rendered,
                     time.perf_counter() - started)

    def _environment(self, theme: Theme) -> jinja2.Environment:
        """The build's environment, kept while the theme's folders stay the same: Jinja
        recompiles a template only when its file changes."""
        if self._env is None or self._env[0] != theme.layers:
            self._env = (theme.layers, make_environment(theme))
        return self._env[1]

    def _drafts_environment(self, theme: Theme, digest: str) -> jinja2.Environment:
        """The theme's environment for drafts, with the templates they need compiled now.

        Auto-reload is off: drafts keep the templates of the last good build until the
        next good build replaces the whole environment.
        """
        key = f"{digest}\0{theme.layers!r}"
        if self._draft_env is not None and self._draft_env[0] == key:
            return self._draft_env[1]
        env = make_environment(theme)
        for name in PRELOADED_TEMPLATES:
            try:
                env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                raise AmberError(f"{exc.filename or name}:{exc.lineno}: template error: "
                                 f"{exc.message}") from None
            except jinja2.TemplateNotFound as exc:
                raise AmberError(f"theme has no template {exc.name!r}") from None
        env.auto_reload = False
        self._draft_env = (key, env)
        return env
