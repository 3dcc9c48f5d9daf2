"""Continue a shared conversation: turn a share into a new, live local conversation.

`amber fork ID|FILE|URL` reads a share from wherever the user has it: an
active share of this site (by ID), a snapshot file, a native conversation
file, a downloaded ``conversation.json``, or a share URL (whose
``conversation.json`` is fetched). What comes from a file or the network is
someone else's text, so it is parsed with the positioned parsers and read
field by field; a download is bounded in time and size.

The result is always a new file under ``content/conversations/`` with a slug
no other conversation has; an existing file is never replaced, not even by a
race between two forks. Where it came from is recorded as a comment at the top
of the file: useful to the person editing it, and never published, since a
share of the fork must not reveal the original's (possibly unlisted) URL.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import os
import re
import socket
import ssl
import tempfile
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from amber import __version__
from amber.content.ids import SLUG_RE, is_share_id
from amber.content.load import CONVERSATION_SUFFIXES, SiteContent, SitePaths, load_content
from amber.content.model import Conversation, Message, Part, Snapshot
from amber.content.nodes import Node, ParseError, parse_file, parse_json, parse_yaml
from amber.content.schema import Reader, is_language_tag, read_conversation
from amber.content.snapshot import dump_yaml, read_snapshot
from amber.errors import AmberError, ContentError, Problem, RefusedError, UsageError

MAX_DOWNLOAD = 20 * 1024 * 1024
"""Bytes accepted from a share URL: far above any real conversation, far below trouble."""
TIMEOUT = 20.0
"""Seconds a share URL may take in all: connecting, redirects, headers and body. A limit
per read would let a server sending a byte a second hold ``amber fork`` for hours."""
CHAT_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "tool": "tool",
              "developer": "system"}
"""Roles a chat-completions message may have, and the amber role each becomes."""
NATIVE_KEYS = {"title", "created", "model", "language", "messages"}


@dataclass(frozen=True)
class Origin:
    """Where a fork came from, for the comment at the top of the new file."""

    kind: str
    """``share``, ``snapshot file``, ``conversation file``, ``conversation.json`` or ``URL``."""
    location: str
    """The share ID, file path or URL as the user gave it."""
    share_id: str | None = None
    frozen: str | None = None


@dataclass(frozen=True)
class Forked:
    conversation: Conversation
    """Slug still unset (``""``): chosen when the file is written."""
    origin: Origin


# --- reading the share ----------------------------------------------------------


def read_source(root: Path, ref: str, *, timeout: float = TIMEOUT,
                max_bytes: int = MAX_DOWNLOAD,
                passphrase: Callable[[], str] | None = None) -> Forked:
    """The conversation a share reference holds, and where it came from (``passphrase``
    asks for the passphrase of an encrypted share's URL, when one needs it)."""
    ref = ref.strip()
    if not ref:
        raise UsageError("give a share ID, a file or a share URL")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", ref):
        return from_url(ref, timeout=timeout, max_bytes=max_bytes, passphrase=passphrase)
    path = Path(ref)
    if path.is_file():
        return from_file(path)
    candidate = ref.rstrip("/").rsplit("/", 1)[-1].lower()
    if is_share_id(candidate):
        return from_share_id(load_content(SitePaths(root)), candidate)
    raise RefusedError(f"{ref!r} is not a share ID, an existing file, or an http(s) URL")


def from_share_id(content: SiteContent, share_id: str) -> Forked:
    if share_id in content.revoked_ids:
        raise RefusedError(f"share {share_id} was revoked; there is nothing to continue")
    snap = content.snapshots.get(share_id)
    if snap is None:
        own = [p for p in content.problems
               if p.path.name == f"{share_id}.yaml" and p.path.parent == content.paths.shares]
        if own:
            raise ContentError(own)
        raise RefusedError(f"no active share {share_id} in content/shares/")
    return Forked(_from_snapshot(snap), Origin("share", share_id, snap.id, snap.frozen))


def _from_snapshot(snap: Snapshot) -> Conversation:
    return Conversation("", snap.title, snap.messages, snap.created, snap.model,
                        language=snap.language)


def from_file(path: Path) -> Forked:
    """A snapshot, a native conversation, or a chat-completions JSON file."""
    try:
        node = parse_file(path)
    except ParseError as exc:
        raise ContentError([exc.problem]) from None
    except OSError as exc:
        raise AmberError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return _from_node(node, path, str(path), is_download=False)


def _from_node(node: Node, path: Path, location: str, *, is_download: bool) -> Forked:
    keys = set(node.items) if node.kind == "map" else set()
    if "format" in keys and "digest" in keys:
        snap = _read_foreign_snapshot(node, path)
        kind = "URL" if is_download else "snapshot file"
        return Forked(_from_snapshot(snap), Origin(kind, location, snap.id, snap.frozen))
    if keys and keys <= NATIVE_KEYS and "title" in keys:
        conv, problems = read_conversation(node, path, "forked")
        if conv is None:
            raise ContentError(problems)
        kind = "URL" if is_download else "conversation file"
        return Forked(replace(conv, slug="", path=None), Origin(kind, location))
    conv, share_id, frozen = read_chat_json(node, path)
    return Forked(conv, Origin("URL" if is_download else "conversation.json", location,
                               share_id, frozen))


def _read_foreign_snapshot(node: Node, path: Path) -> Snapshot:
    """A snapshot file under any name: its ``id`` is checked against ``<id>.yaml``, not ``path``."""
    id_entry = node.items.get("id")
    claimed = id_entry[1].value if id_entry else None
    as_named = path
    if isinstance(claimed, str) and is_share_id(claimed):
        as_named = path.with_name(f"{claimed}.yaml")
    snap, problems = read_snapshot(node, as_named)
    if snap is None:
        raise ContentError([replace(p, path=path) for p in problems])
    return snap


def read_chat_json(node: Node, path: Path) -> tuple[Conversation, str | None, str | None]:
    """An amber ``conversation.json`` (or any chat-completions ``{"messages": [...]}``).

    Unknown keys are ignored here, unlike in content files: other tools add their
    own (``name``, ``refusal``), and nothing of this file is kept but what is read.
    """
    r = Reader(path)
    if node.kind != "map" or "messages" not in node.items:
        r.error(node, "expected a share's conversation.json: an object with \"messages\"")
        raise ContentError(r.problems)
    items = {key: value for key, (_, value) in node.items.items()}
    title = _optional_text(r, items.get("title"), "title") or "Forked conversation"
    created = r.timestamp(items["created"], "created") if "created" in items else None
    model = None
    models = items.get("models")
    if models is not None and models.kind == "seq" and models.value:
        model = _optional_text(r, models.value[0], "models[0]")
    language = _optional_text(r, items.get("language"), "language")
    if language is not None and not is_language_tag(language):
        language = None  # a tag amber would refuse in a content file is not carried over
    share_id = _optional_text(r, items.get("id"), "id")
    if share_id is not None and not is_share_id(share_id):
        share_id = None
    frozen = r.timestamp(items["frozen"], "frozen") if "frozen" in items else None
    messages_node = items["messages"]
    messages: list[Message] = []
    if messages_node.kind != "seq" or not messages_node.value:
        r.error(messages_node, "messages: expected a non-empty list")
    else:
        for i, item in enumerate(messages_node.value):
            message = _chat_message(r, item, f"messages[{i}]")
            if message is not None:
                messages.append(message)
    if r.problems:
        raise ContentError(r.problems)
    conv = Conversation("", title.strip() or "Forked conversation", tuple(messages), created,
                        model, language=language)
    return conv, share_id, frozen


def _optional_text(r: Reader, node: Node | None, what: str) -> str | None:
    if node is None or (node.kind == "scalar" and node.value is None):
        return None
    return r.string(node, what)


def _chat_message(r: Reader, node: Node, what: str) -> Message | None:
    if node.kind != "map":
        r.error(node, f"{what}: expected an object with role and content")
        return None
    items = {key: value for key, (_, value) in node.items.items()}
    if "role" not in items:
        r.error(node, f"{what}: missing \"role\"")
        return None
    role_name = r.string(items["role"], f"{what}.role")
    if role_name is None:
        return None
    role = CHAT_ROLES.get(role_name)
    if role is None:
        r.error(items["role"], f"{what}.role: expected one of {', '.join(CHAT_ROLES)}, "
                f"got {role_name!r}")
        return None
    calls = items.get("tool_calls")
    has_calls = calls is not None and not (calls.kind == "scalar" and calls.value is None)
    if "content" not in items and not has_calls:
        r.error(node, f"{what}: missing \"content\"")
        return None
    text = _chat_content(r, items.get("content"), f"{what}.content")
    if text is None:
        return None
    parts: list[Part] = []
    if role == "tool":
        call_id = _optional_text(r, items.get("tool_call_id"), f"{what}.tool_call_id")
        parts.append(Part("tool_result", text=text, id=call_id))
    else:
        if calls is not None and has_calls:
            if calls.kind != "seq":
                r.error(calls, f"{what}.tool_calls: expected a list")
                return None
            for j, call in enumerate(calls.value):
                part = _tool_call(r, call, f"{what}.tool_calls[{j}]")
                if part is not None:
                    parts.append(part)
        if parts and text.strip():
            parts.insert(0, Part("text", text=text))
    if not parts:
        return Message(role, text)
    return Message(role, tuple(parts))


def _chat_content(r: Reader, node: Node | None, what: str) -> str | None:
    """A string, null (a message that only calls tools), or a list of text parts."""
    if node is None or (node.kind == "scalar" and node.value is None):
        return ""
    if node.kind == "seq":
        texts = []
        for k, part in enumerate(node.value):
            entry = part.items.get("text") if part.kind == "map" else None
            if entry is None:
                r.error(part, f"{what}[{k}]: expected a text part {{\"type\": \"text\", "
                        "\"text\": ...}")
                return None
            text = r.string(entry[1], f"{what}[{k}].text")
            if text is None:
                return None
            texts.append(text)
        return "\n\n".join(texts)
    return r.string(node, what)


def _tool_call(r: Reader, node: Node, what: str) -> Part | None:
    function = node.items.get("function") if node.kind == "map" else None
    if function is None or function[1].kind != "map":
        r.error(node, f"{what}: expected {{\"function\": {{\"name\": ..., \"arguments\": ...}}}}")
        return None
    fields = {key: value for key, (_, value) in function[1].items.items()}
    name = r.string(fields["name"], f"{what}.function.name") if "name" in fields else None
    if name is None:
        if "name" not in fields:
            r.error(function[1], f"{what}.function: missing \"name\"")
        return None
    arguments = _optional_text(r, fields.get("arguments"), f"{what}.function.arguments")
    id_node = node.items.get("id")
    call_id = _optional_text(r, id_node[1] if id_node else None, f"{what}.id")
    return Part("tool_call", name=name, id=call_id, arguments=arguments)


# --- fetching a share URL -------------------------------------------------------


def conversation_json_url(url: str) -> str:
    """The ``conversation.json`` of a share URL (or the URL itself when it names one)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise RefusedError(f"{url!r}: only http and https share URLs can be fetched")
    path = parts.path
    if path.endswith("/conversation.json"):
        pass
    elif path.endswith("/conversation.md"):
        path = path[: -len(".md")] + ".json"
    else:
        last = path.rstrip("/").rsplit("/", 1)[-1].lower()
        if not is_share_id(last):
            raise RefusedError(f"{url!r} is not a share URL (…/share/<id>/) or the URL of a "
                               "conversation.json")
        path = path.rstrip("/") + "/conversation.json"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


def is_internal_host(host: str) -> bool:
    """Whether ``host`` is this machine or a private network: a loopback, private,
    link-local (cloud metadata lives at 169.254.169.254) or otherwise unroutable address,
    given as one or as a name that resolves to one. A name that does not resolve is not
    internal: fetching it fails anyway."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if mapped is not None:
            address = mapped
        if (address.is_loopback or address.is_private or address.is_link_local
                or address.is_unspecified or address.is_reserved or address.is_multicast):
            return True
    return False


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follow a few redirects, only to http(s) (never file:, ftp: or data:), and to this
    machine or a private network only when the user's own URL named such a host: a public
    share must not send ``amber fork`` to a service that trusts local requests."""

    max_redirections = 5

    def __init__(self, internal_allowed: bool, is_internal: Callable[[str], bool]) -> None:
        super().__init__()
        self.internal_allowed = internal_allowed
        self.is_internal = is_internal

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        target = urlsplit(newurl)
        if target.scheme.lower() not in ("http", "https"):
            raise RefusedError(f"{req.full_url}: redirected to a non-http(s) URL; not following")
        if not self.internal_allowed and self.is_internal(target.hostname or ""):
            raise RefusedError(
                f"{req.full_url}: redirected to {target.hostname}, a loopback, private or "
                "link-local address; not following (fetch that URL itself if you mean it)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Deadline:
    """One moment by which a whole download is over, however slowly the bytes come.

    Every connection made for it is recorded; when the moment passes, a timer shuts them
    down, which ends whatever read is waiting (a socket timeout bounds one read only)."""

    def __init__(self, seconds: float, peer_refused: Callable[[str], bool] | None = None
                 ) -> None:
        self.peer_refused = peer_refused
        """Addresses a connection may not reach (checked on the address connected to, so
        a name that resolves differently the second time gains nothing)."""
        self.at = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        """Seconds left; connecting may take no more (the timer cannot cut a connect)."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _cut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _cut(sock)

    def connect(self, address: tuple[str, int], timeout: float | None = None,
                source_address: tuple[str, int] | None = None) -> socket.socket:
        """``socket.create_connection``, within the time left, and watched from then on
        (before a TLS handshake, which is cut like any read)."""
        left = self.remaining()
        sock = socket.create_connection(address, min(timeout or left, left), source_address)
        peer = str(sock.getpeername()[0])
        if self.peer_refused is not None and self.peer_refused(peer):
            sock.close()
            raise RefusedError(f"{address[0]} led to {peer}, a loopback, private or link-local "
                               "address; not following")
        self.watch(sock)
        return sock

    def handlers(self) -> list[urllib.request.BaseHandler]:
        """urllib handlers whose connections this deadline watches."""
        make_socket = self.connect

        class Connection(http.client.HTTPConnection):
            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]
                self._create_connection = make_socket  # http.client's seam for the socket

        class SecureConnection(http.client.HTTPSConnection):
            def __init__(self, *args: object, **kwargs: object) -> None:
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]
                self._create_connection = make_socket

        class Plain(urllib.request.HTTPHandler):
            def http_open(self, req):  # type: ignore[no-untyped-def]
                return self.do_open(Connection, req)

        class Secure(urllib.request.HTTPSHandler):
            def https_open(self, req):  # type: ignore[no-untyped-def]
                return self.do_open(SecureConnection, req, context=context)

        context = ssl.create_default_context()
        return [Plain(), Secure(context=context)]


def _cut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def fetch(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_DOWNLOAD,
          is_internal: Callable[[str], bool] = is_internal_host) -> bytes:
    """GET ``url``; refuse more than ``max_bytes`` and give up after ``timeout`` seconds in
    all. ``is_internal`` tells which hosts a redirect may not lead to (unless ``url``'s own
    host is one); tests replace it to play a public share host on 127.0.0.1."""
    internal_allowed = is_internal(urlsplit(url).hostname or "")
    request = urllib.request.Request(url, headers={
        "Accept": "application/json", "User-Agent": f"amber/{__version__} (fork)",
    })
    # Through a proxy, the address connected to is the proxy's: only names are checked.
    check_peers = not internal_allowed and not urllib.request.getproxies()
    with _Deadline(timeout, is_internal if check_peers else None) as deadline:
        opener = urllib.request.build_opener(_Redirects(internal_allowed, is_internal),
                                             *deadline.handlers())
        try:
            data = _download(opener, request, url, timeout, max_bytes)
        except AmberError:
            if not deadline.expired:
                raise
            data = b""
        if deadline.expired:  # a cut connection may also look like the end of the body
            raise AmberError(f"{url}: no answer within {timeout:g} s")
    return data


def _download(opener: urllib.request.OpenerDirector, request: urllib.request.Request,
              url: str, timeout: float, max_bytes: int) -> bytes:
    try:
        with opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise RefusedError(f"{url}: {int(declared)} bytes is more than the "
                                   f"{max_bytes}-byte limit; not downloading it")
            chunks: list[bytes] = []
            total = 0
            while chunk := response.read(64 * 1024):
                total += len(chunk)
                if total > max_bytes:
                    raise RefusedError(f"{url}: more than the {max_bytes}-byte limit; stopped "
                                       "downloading")
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        hint = " (the share may have been revoked)" if exc.code in (404, 410) else ""
        raise AmberError(f"{url}: HTTP {exc.code} {exc.reason}{hint}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise AmberError(f"{url}: no answer within {timeout:g} s") from None
        raise AmberError(f"{url}: cannot fetch: {reason}") from None
    except TimeoutError:
        raise AmberError(f"{url}: no answer within {timeout:g} s") from None
    except http.client.HTTPException as exc:
        raise AmberError(f"{url}: not a valid HTTP answer ({type(exc).__name__})") from None
    except OSError as exc:
        raise AmberError(f"{url}: cannot fetch: {exc.strerror or exc}") from None
    return b"".join(chunks)


def from_url(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_DOWNLOAD,
             passphrase: Callable[[], str] | None = None) -> Forked:
    """The conversation of a share URL: its ``conversation.json``, or for an encrypted
    share the one sealed in its page, opened with the key in the URL's fragment or with
    the passphrase ``passphrase`` asks for."""
    json_url = conversation_json_url(url)
    key = _fragment_key(url)
    if key is not None:
        text = _sealed_json(url, key, passphrase, timeout=timeout, max_bytes=max_bytes)
        if text is None:
            raise RefusedError(f"{url}: the link has a key, but its page is not an encrypted "
                               "share")
    else:
        try:
            data = fetch(json_url, timeout=timeout, max_bytes=max_bytes)
        except AmberError:
            sealed = _sealed_json(url, None, passphrase, timeout=timeout, max_bytes=max_bytes)
            if sealed is None:
                raise
            data = sealed.encode()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise AmberError(f"{json_url}: not UTF-8 text; not a share's conversation.json"
                             ) from None
    shown = Path("conversation.json")  # positions in messages refer to the downloaded text
    try:
        node = parse_json(text.removeprefix("\ufeff"), shown)
    except ParseError as exc:
        raise AmberError(f"{json_url}: {_position(exc.problem)}not valid JSON: "
                         f"{exc.problem.message}") from None
    try:
        forked = _from_node(node, shown, url, is_download=True)
    except ContentError as exc:
        first = exc.problems[0]
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        raise AmberError(f"{json_url}: {_position(first)}{first.message}{more}") from None
    return forked


MAX_ITERATIONS = 10_000_000
"""A page asking for more PBKDF2 rounds than this is refused, not derived for minutes."""


def _fragment_key(url: str) -> bytes | None:
    """The key an encrypted share's link carries after '#', if it carries one."""
    from amber.content.keys import KEY_BYTES, decode

    fragment = urlsplit(url).fragment
    try:
        key = decode(fragment) if fragment else b""
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def _sealed_json(url: str, key: bytes | None, passphrase: Callable[[], str] | None, *,
                 timeout: float, max_bytes: int) -> str | None:
    """The conversation.json sealed in an encrypted share's page; None when the page at
    ``url`` is not a sealed page."""
    from cryptography.exceptions import InvalidTag

    from amber.content.keys import decode, key_bytes, passphrase_key
    from amber.render.seal import open_sealed, sealed_in_page

    page_url = conversation_json_url(url).removesuffix("conversation.json")
    try:
        page = fetch(page_url, timeout=timeout, max_bytes=max_bytes).decode("utf-8", "replace")
    except AmberError:
        return None
    sealed = sealed_in_page(page)
    if sealed is None:
        return None
    if sealed.salt is not None:
        if passphrase is None:
            raise RefusedError(f"{page_url}: this share is encrypted with a passphrase; run "
                               "on a terminal to type it, or set AMBER_PASSPHRASE")
        if not sealed.iterations or sealed.iterations > MAX_ITERATIONS:
            raise RefusedError(f"{page_url}: the page asks for {sealed.iterations} key "
                               "derivation rounds; refusing")
        try:
            key = key_bytes(passphrase_key(passphrase(), salt=decode(sealed.salt),
                                           iterations=sealed.iterations))
        except ValueError as exc:
            raise RefusedError(f"{page_url}: {exc}") from None
    elif key is None:
        raise RefusedError(f"{page_url}: this share is encrypted; give its whole link, with "
                           "the key after '#'")
    try:
        payload = open_sealed(sealed, key)
    except (InvalidTag, ValueError, TypeError):
        what = "passphrase" if sealed.salt is not None else "key in the link"
        raise RefusedError(f"{page_url}: the {what} does not open this share") from None
    for item in payload.get("files") or []:
        if isinstance(item, dict) and item.get("name") == "conversation.json":
            return str(item.get("text", ""))
    raise RefusedError(f"{page_url}: the opened page holds no conversation.json")


def _position(problem: Problem) -> str:
    if problem.line is None:
        return ""
    return f"line {problem.line}" + (f", column {problem.col}: " if problem.col else ": ")


# --- writing the new conversation ---------------------------------------------------


def slugify(title: str, limit: int = 60) -> str:
    """A slug from a title: ASCII letters and digits joined by '-', or ``conversation``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:limit].rstrip("-")
    return slug or "conversation"


def _taken(conversations: Path, slug: str) -> bool:
    return any((conversations / f"{slug}{ext}").exists() for ext in CONVERSATION_SUFFIXES)


def _comment(text: str, limit: int = 200) -> str:
    """One line of user-supplied text, safe inside a YAML comment."""
    text = re.sub(r"[\x00-\x1f\x7f\x85\u2028\u2029]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_fork(forked: Forked) -> str:
    conv, origin = forked.conversation, forked.origin
    lines = ["# Continued from a shared conversation with `amber fork`.",
             f"#   from {origin.kind}: {_comment(origin.location)}"]
    if origin.share_id and origin.share_id != origin.location:
        lines.append(f"#   share ID: {origin.share_id}")
    if origin.frozen:
        lines.append(f"#   frozen: {origin.frozen}")
    lines += [
        "# This is a live conversation: edit it and add messages freely. The lines above are",
        "# a comment, so sharing this conversation never publishes where it came from.",
    ]
    body: dict[str, object] = {"title": conv.title}
    if conv.created is not None:
        body["created"] = conv.created
    if conv.model is not None:
        body["model"] = conv.model
    if conv.language is not None:
        body["language"] = conv.language
    body["messages"] = [m.as_dict() for m in conv.messages]
    return "\n".join(lines) + "\n" + dump_yaml(body)


def write_fork(conversations: Path, forked: Forked, slug: str | None = None) -> Path:
    """Write the fork under a free slug (``slug`` if given) and return its path.

    The text is read back through the conversation loader before it is written,
    and the file appears with ``link()``, which fails rather than replace a file
    that some other process created in the meantime.
    """
    if slug is not None and not SLUG_RE.match(slug):
        raise UsageError(f"--slug: {slug!r} is not a slug (lowercase letters, digits, '-', '_')")
    text = render_fork(forked)
    check_path = conversations / "fork-check.yaml"
    conv, problems = read_conversation(parse_yaml(text, check_path), check_path, "fork-check")
    if conv is None or conv.messages != forked.conversation.messages:
        raise ContentError(problems or [Problem(check_path, "the fork does not read back as "
                                                "the conversation it came from")])
    conversations.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".fork.", suffix=".tmp", dir=conversations)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        for candidate in _candidates(forked.conversation.title, slug):
            if _taken(conversations, candidate):
                if slug is not None:
                    raise RefusedError(f"a conversation {slug!r} already exists; choose "
                                       "another --slug")
                continue
            target = conversations / f"{candidate}.yaml"
            try:
                os.link(tmp, target)
            except FileExistsError:
                continue
            return target
    finally:
        os.unlink(tmp)
    raise RefusedError("no free slug for the fork; pass --slug NAME")


def _candidates(title: str, slug: str | None) -> list[str]:
    if slug is not None:
        return [slug]
    base = slugify(title, limit=100)
    return [f"{base}-fork"] + [f"{base}-fork-{n}" for n in range(2, 1000)]
