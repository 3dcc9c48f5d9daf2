"""Answer one request from one served state: the site, drafts, the management page and
the server's own files. No sockets here, so all of it is tested without a network.

Routes (everything else is the site, under the ``base_url`` path prefix):

- ``/_amber/reload.js``, ``/_amber/draft.js``, ``/_amber/serve.css``: the server's
  own script and styles, injected into the pages it sends;
- ``/_amber/events?epoch=E``: live reload, a Server-Sent Events stream that says
  ``reload`` as soon as the served state is newer than epoch E;
- ``/_amber/ping``: tells ``amber preview`` which site this server serves;
- ``/_preview/<slug>/`` (with ``conversation.json`` and ``conversation.md``) and
  ``/_amber/draft/assets/<file>``: drafts;
- ``/_manage/``: every active share and its state, conversations, tombstones.

Drafts, the management page and ping are local only: they answer requests from
this machine, addressed to a loopback name, and no one else (they show what is
not shared, and unlisted IDs). When the server listens on a loopback address,
requests naming any other host are refused outright, so a web page cannot
reach the server through DNS rebinding.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from amber import __version__
from amber.content.assets import image_refs, publishing_problem, referenced_file
from amber.content.ids import SLUG_RE
from amber.content.load import SitePaths
from amber.errors import AmberError
from amber.render.templates import CSP
from amber.serve import views
from amber.serve.draft_partial import read_partial
from amber.serve.drafts import DRAFT_ASSET_PREFIX, PREVIEW_PREFIX, DraftRenderer, read_choice
from amber.serve.inject import head_tags, inject
from amber.serve.routes import Target, content_type, parse_target, resolve_site_path
from amber.serve.state import LiveSite, ServedState

READY_TIMEOUT = 900.0
"""How long a request waits for the first build before it is told to come back."""
HEARTBEAT_SECONDS = 15.0
"""An event stream sends a comment this often, so a closed tab is noticed."""
MAX_LIVE_RELOAD = 32
"""Pages listening for live reload at once; past it, 503. Each holds a connection and a
thread for as long as it is open, so this stays well under the server's connection cap
(``server.MAX_CONNECTIONS``): pages and files can still be fetched with every slot taken."""
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
STATIC_FILES = {
    "/_amber/reload.js": ("reload.js", "text/javascript; charset=utf-8"),
    "/_amber/draft.js": ("draft.js", "text/javascript; charset=utf-8"),
    "/_amber/serve.css": ("serve.css", "text/css; charset=utf-8"),
}

Writer = Callable[[bytes], None]


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    """The request target as sent (path and query, still percent-encoded)."""
    host: str | None = None
    """The Host header, if any."""
    client: str = "127.0.0.1"
    """The client's IP address."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = TEXT
    headers: tuple[tuple[str, str], ...] = ()
    stream: Callable[[Writer], None] | None = None
    """For event streams: writes the body itself, for as long as the client listens."""


def host_name(header: str | None) -> str | None:
    """The name in a Host header, without port or IPv6 brackets, lowercased."""
    if header is None:
        return None
    host = header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_loopback(name: str | None) -> bool:
    if name is None:
        return False
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1 on a dual-stack socket
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


@functools.cache
def static_file(name: str) -> bytes:
    return (views.STATIC / name).read_bytes()


class App:
    """The preview server's request handling; one instance per server."""

    def __init__(self, paths: SitePaths, live: LiveSite, *, bind_host: str = "127.0.0.1",
                 ready_timeout: float = READY_TIMEOUT,
                 max_live_reload: int = MAX_LIVE_RELOAD) -> None:
        self.paths = paths
        self.live = live
        self.max_live_reload = max_live_reload
        self.listening = 0
        """Event streams open now."""
        self._listening_lock = threading.Lock()
        self.bind_loopback = is_loopback(bind_host)
        self.ready_timeout = ready_timeout
        self.drafts = DraftRenderer(paths)
        self._manage: tuple[str, bytes] | None = None
        self._images: tuple[str, frozenset[str]] | None = None

    # --- entry point --------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response(405, b"amber serve answers GET and HEAD only\n",
                            headers=(("Allow", "GET, HEAD"),))
        name = host_name(request.host)
        if self.bind_loopback and request.host is not None and not is_loopback(name):
            # A page elsewhere that rebinds its own name to 127.0.0.1 lands here.
            return Response(403, f"amber serve: requests for host {name!r} are refused; "
                            "use http://127.0.0.1 or http://localhost\n".encode())
        target = parse_target(request.target)
        if target is None:
            return self._not_found(self._state())
        path = target.path
        local = (is_loopback(request.client) and (request.host is None or is_loopback(name)))
        if path in STATIC_FILES:
            file_name, kind = STATIC_FILES[path]
            return Response(200, static_file(file_name), kind)
        if path == "/_amber/events":
            return self._events(target)
        if path in ("/_amber/ping", "/_manage", "/_manage/", "/_preview") or path.startswith(
            (PREVIEW_PREFIX, DRAFT_ASSET_PREFIX)
        ):
            if not local:
                return self._not_found(self._state())
            return _private(self._local(path, target))
        return self._site(self._state(), target)

    def _state(self) -> ServedState:
        state = self.live.state
        return state if state.ready else self.live.wait_ready(self.ready_timeout)

    # --- the site ------------------------------------------------------------------

    def _site(self, state: ServedState, target: Target) -> Response:
        build = state.build
        if build is None:
            return self._unavailable(state)
        resolved = resolve_site_path(target.path, build.config.base_path, build.files)
        if resolved.status == 301:
            return _redirect(resolved.location or "/", target.query)
        if resolved.status == 404 or resolved.rel is None:
            rel = target.path[len(build.config.base_path):]
            if target.path.startswith(build.config.base_path) and rel in state.retired_assets:
                return Response(200, state.retired_assets[rel], content_type(rel))
            return self._not_found(state)
        data = build.files[resolved.rel]
        kind = content_type(resolved.rel)
        if kind == HTML:
            return self._html(state, 200, data)
        return Response(200, data, kind)

    def _not_found(self, state: ServedState) -> Response:
        build = state.build
        if build is not None and "404.html" in build.files:
            return self._html(state, 404, build.files["404.html"])
        if not state.ready:
            return self._unavailable(state)
        page = views.error_page("Not found", "There is nothing at this address.")
        return self._html(state, 404, page)

    def _unavailable(self, state: ServedState) -> Response:
        if not state.ready:
            page = views.error_page("Still building", "The first build is not finished yet; "
                                    "this page reloads when it is.")
        else:
            page = views.error_page("The site could not be built",
                                    "Fix the problems shown above and save: this page reloads "
                                    "by itself.")
        return self._html(state, 503, page, headers=(("Retry-After", "5"),))

    def _html(self, state: ServedState, status: int, html: bytes, *, body: bytes = b"",
              draft: bool = False, headers: tuple[tuple[str, str], ...] = ()) -> Response:
        if state.problems:
            body = views.overlay(state.problems, state.build is not None) + body
        page = inject(html, head_tags(state.epoch, draft=draft), body)
        return Response(status, page, HTML, headers)

    # --- live reload -----------------------------------------------------------------

    def _events(self, target: Target) -> Response:
        values = [v for k, _, v in (p.partition("=") for p in target.query.split("&"))
                  if k == "epoch"]
        seen = values[-1] if values else self.live.state.epoch
        live = self.live
        if self.listening >= self.max_live_reload:
            return Response(503, f"amber serve: {self.max_live_reload} pages are already "
                            "listening for live reload; close some tabs (this page will not "
                            "reload by itself)\n".encode(),
                            headers=(("Retry-After", "30"), ("Connection", "close")))

        def stream(write: Writer) -> None:
            # Counted here, where it cannot be left uncounted: a stream that never starts
            # (HEAD, a client gone before the headers) holds nothing. Two pages that pass
            # the check above together can go one over, never more than the connections.
            with self._listening_lock:
                self.listening += 1
            try:
                write(b"retry: 1000\n\n")
                while not live.closed:
                    state = live.wait_for_change(seen, HEARTBEAT_SECONDS)
                    if live.closed:
                        return
                    if state.epoch != seen:
                        write(f"event: reload\ndata: {state.epoch}\n\n".encode())
                        return
                    write(b": still here\n\n")
            finally:
                with self._listening_lock:
                    self.listening -= 1

        return Response(200, content_type="text/event-stream; charset=utf-8",
                        headers=(("Cache-Control", "no-store"),), stream=stream)

    # --- local only: drafts, management, ping --------------------------------------------

    def _local(self, path: str, target: Target) -> Response:
        if path == "/_amber/ping":
            body = json.dumps({"amber": __version__, "site": str(self.paths.root)}).encode()
            return Response(200, body, "application/json; charset=utf-8")
        if path == "/_manage":
            return _redirect("/_manage/", target.query)
        if path in ("/_preview", PREVIEW_PREFIX):
            return _redirect("/_manage/#conversations", "")
        state = self._state()
        if path == "/_manage/":
            return self._html(state, 200, self._manage_page(state))
        if path.startswith(DRAFT_ASSET_PREFIX):
            return self._draft_asset(path[len(DRAFT_ASSET_PREFIX):], state)
        return self._draft(state, target)

    def _manage_page(self, state: ServedState) -> bytes:
        cached = self._manage
        if cached is not None and cached[0] == state.epoch:
            return cached[1]
        page = views.manage_page(state)
        self._manage = (state.epoch, page)
        return page

    def _draft(self, state: ServedState, target: Target) -> Response:
        slug, slash, tail = target.path[len(PREVIEW_PREFIX):].partition("/")
        if not SLUG_RE.match(slug):
            return self._not_found(state)
        if not slash:
            return _redirect(f"{PREVIEW_PREFIX}{slug}/", target.query)
        if tail not in ("", "conversation.json", "conversation.md"):
            return self._not_found(state)
        conv = state.conversations.get(slug)
        if conv is None:
            page = views.error_page(
                "No such conversation", f"There is no conversation {slug!r} in "
                "content/conversations/ (its file name without extension is its name).",
                state.build.config.base_path if state.build else None)
            return self._html(state, 404, page)
        build = state.build
        if build is None:
            return self._unavailable(state)
        choice = read_partial(target.query, read_choice(target.query, build.config), conv,
                              build.config.language)
        try:
            draft = self.drafts.render(conv, choice, build)
        except AmberError as exc:
            page = views.error_page("This draft could not be rendered", str(exc),
                                    build.config.base_path)
            return self._html(state, 500, page)
        if tail == "conversation.json":
            return Response(200, draft.json, content_type(tail))
        if tail == "conversation.md":
            return Response(200, draft.markdown, content_type(tail))
        banner = views.draft_banner(conv, choice, build.config, state)
        return self._html(state, 200, draft.html, body=banner, draft=True)

    def _draft_asset(self, rel: str, state: ServedState) -> Response:
        """An image a draft or a share shows: a plain file directly in content/assets/ that
        some conversation or share refers to, of a type the image rule accepts.

        Anything else there (an HTML page, a script, an SVG) would run on this origin,
        next to the management page and every draft; so would an image nothing refers to,
        if the rule let it through: neither is served.
        """
        if rel not in self._referenced_images(state):
            return self._not_found(state)
        source = referenced_file(self.paths.assets, rel)
        if source is None:
            return self._not_found(state)
        try:
            data = source.read_bytes()
        except OSError:
            return self._not_found(state)
        if publishing_problem(source.name, data) is not None:
            return self._not_found(state)
        return Response(200, data, content_type(rel))

    def _referenced_images(self, state: ServedState) -> frozenset[str]:
        """Every image reference of the drafts and shares of ``state`` (kept per epoch)."""
        cached = self._images
        if cached is not None and cached[0] == state.epoch:
            return cached[1]
        snapshots = state.content.snapshots.values() if state.content else ()
        images = frozenset(src for item in (*state.conversations.values(), *snapshots)
                           for src in image_refs(item.messages))
        self._images = (state.epoch, images)
        return images


def _redirect(location: str, query: str) -> Response:
    location = quote(location, safe="/#")  # decoded paths may hold any character
    where = f"{location}?{query}" if query else location
    return Response(301, f"Moved to {where}\n".encode(), headers=(("Location", where),))


def _private(response: Response) -> Response:
    """Local-only answers: never indexed, never framed."""
    return Response(
        response.status, response.body, response.content_type,
        (*response.headers, ("X-Robots-Tag", "noindex, nofollow"),
         ("X-Frame-Options", "DENY")),
        response.stream,
    )


COMMON_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)
"""Sent with every response, on top of each page's own policy."""
