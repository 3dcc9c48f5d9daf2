"""The XSS corpus as a real site, and the checks every page it produces must pass.

``make_corpus_site`` writes two kinds of conversation. A *bundle* holds a run of
``BUNDLE_SIZE`` payloads, each in every message field of ``FIELDS`` (four messages per
payload), and is titled by them all; bundles keep the number of pages, and so the time
a browser needs to open them, small. A *titled* conversation is short and titled by
one payload, which is also its model: one per payload, for the fields a page holds once
(title, author, model in ``<title>``, ``<meta>``, the header, the index card).

One run of the real CLI shares every bundle and every titled conversation under its own
title, with ``--name`` set to a payload. Each titled conversation is shared again with
``--title`` and ``--name`` set to its payload: a sample through the CLI, the rest
through ``create_shares``, the function behind ``amber share`` (``--title`` takes one
conversation per run, and 200 processes would take minutes). ``amber build`` builds it
all. The browser test (``tests/browser/test_xss_execution.py``) reads the same site.

``page_problems`` parses a page with the standard library's HTML parser and lists
everything active in it that the theme did not put there: scripts, handlers, unsafe
URLs, embedding and form elements, styles. An empty list is the only pass.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares
from amber.render.mathml import _ELEMENTS as MATHML_ELEMENTS
from amber.render.templates import CSP
from tests.helpers import EPOCH
from tests.helpers.cli import ok, run_amber, source_date
from tests.helpers.fixture_site import FIXTURE_SITE
from tests.helpers.serve import SERVE_FIXTURE, AmberServer, start_server, touch_later
from tests.security.xss_payloads import PAYLOADS, Payload

IMAGE = SERVE_FIXTURE / "content" / "assets" / (
    "5644c9c617c8292e625d9e5a07a5b64d09386b8c511db19689aeef3449544492.png")
BASE_URL = "https://example.test/xss-corpus/"
"""Not the fixture's ``/chats/``: the browser tests serve the theme fixture there."""

REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids (C0 controls but tab, LF and CR; surrogates; U+FFFE, U+FFFF).
A content file may not hold them even as escapes: loading refuses it, naming the file."""
SITE_PAYLOADS: tuple[Payload, ...] = tuple(p for p in PAYLOADS if not REFUSED.search(p.text))
"""The payloads that can be content; the others are refused before any page is made."""
REFUSED_PAYLOADS: tuple[Payload, ...] = tuple(p for p in PAYLOADS if REFUSED.search(p.text))

CLI_NAME = next(p for p in PAYLOADS if p.name == "tag-close")
"""The ``--name`` of the one CLI run that shares every conversation."""
CLI_SAMPLE = ("double-quote", "title-close", "jinja-expression", "line-separators")
"""Payloads shared through the CLI with ``--title=P --name=P``, one run each."""
BUNDLE_SIZE = 12
QUERY_LIMIT = 500
"""The preview server keeps this many characters of ``?title=`` and ``?name=``."""
SEPARATOR = " ~ "
"""Between payloads in a bundle's title and in a draft's query."""

FIELDS: tuple[str, ...] = (
    "conversation title (shared under it by the CLI)",
    "share title (--title)",
    "author name (--name)",
    "conversation model",
    "message model (assistant)",
    "system message text",
    "user message text",
    "assistant text part",
    "tool message text",
    "link text",
    "image alt (Markdown)",
    "table cell",
    "task list item",
    "footnote text",
    "fence info string",
    "code part language",
    "code part title",
    "code part source",
    "image part alt",
    "image part name (with a file)",
    "image part name (not included)",
    "attachment name",
    "attachment text",
    "reasoning title",
    "reasoning text",
    "tool call name",
    "tool call id",
    "tool call arguments",
    "tool call code argument",
    "tool result name",
    "tool result text",
)
"""Where each payload goes (see ``payload_messages`` and ``titled_conversation``)."""

SERVE_FIELDS: tuple[str, ...] = (
    "draft ?title=", "draft ?name=", "a missing page's path", "error overlay (a bad role)",
)
"""Extra places the preview server shows text from a request or a broken file."""


def slug(payload: Payload) -> str:
    """The short conversation titled by ``payload``."""
    return f"xss-{payload.number:03d}"


def bundles(payloads: tuple[Payload, ...] = SITE_PAYLOADS) -> list[tuple[Payload, ...]]:
    return [payloads[i:i + BUNDLE_SIZE] for i in range(0, len(payloads), BUNDLE_SIZE)]


def bundle_slug(index: int) -> str:
    return f"xss-bundle-{index + 1:02d}"


def joined(payloads: Iterable[Payload]) -> str:
    return SEPARATOR.join(p.one_line for p in payloads)


def query_packs(payloads: tuple[Payload, ...] = SITE_PAYLOADS) -> list[tuple[Payload, ...]]:
    """Payloads packed in order into runs whose ``joined`` text fits a draft's query
    option whole; the few longer than that on their own are left out."""
    packs: list[list[Payload]] = [[]]
    for payload in payloads:
        if len(payload.one_line) > QUERY_LIMIT:
            continue
        if packs[-1] and len(joined([*packs[-1], payload])) > QUERY_LIMIT:
            packs.append([])
        packs[-1].append(payload)
    return [tuple(pack) for pack in packs if pack]


def payload_messages(payload: Payload, image_src: str) -> list[dict[str, object]]:
    """Four messages with ``payload`` in every message field of ``FIELDS``."""
    text, line = payload.text, payload.one_line
    ticks = "~~~" if "`" in line else "```"
    return [
        {"role": "system", "content": text},
        {"role": "user", "content": text},
        {"role": "assistant", "model": text, "content": [
            {"type": "text", "text": text},
            {"type": "text", "text": f"[{line}](https://example.com/) and "
                                     f"![{line}](https://example.com/a.png)"},
            {"type": "text", "text": f"| {line} |\n|---|\n| {line} |\n\n- [ ] {line}\n\n"
                                     f"A note.[^n]\n\n[^n]: {line}"},
            {"type": "text", "text": f"{ticks}{line}\ncode\n{ticks}"},
            {"type": "code", "language": text, "title": text, "code": text},
            {"type": "image", "src": image_src, "alt": text, "name": text},
            {"type": "image", "name": text},
            {"type": "attachment", "name": text, "text": text},
            {"type": "reasoning", "title": text, "text": text},
            {"type": "tool_call", "name": text, "id": text, "arguments": text},
            {"type": "tool_call", "name": text, "arguments": json.dumps({"code": text})},
            {"type": "tool_result", "name": text, "id": text, "text": text, "is_error": True},
        ]},
        {"role": "tool", "content": text},
    ]


def bundle_conversation(chunk: tuple[Payload, ...], image_src: str) -> dict[str, object]:
    return {
        "title": joined(chunk),
        "model": chunk[0].text,
        "messages": [m for p in chunk for m in payload_messages(p, image_src)],
    }


def titled_conversation(payload: Payload) -> dict[str, object]:
    """Short: titled by ``payload``, which is its model and its answer's model too."""
    return {
        "title": payload.text,
        "model": payload.text,
        "messages": [
            {"role": "user", "content": "What is this title?"},
            {"role": "assistant", "model": payload.text, "content": "Just text."},
        ],
    }


def broken_conversation(payloads: Iterable[Payload]) -> dict[str, object]:
    """A conversation that fails validation with every payload quoted in its errors."""
    return {"title": "broken on purpose",
            "messages": [{"role": p.text, "content": "x"} for p in payloads]}


# --- building -----------------------------------------------------------------------


def amber(*args: str, cwd: Path) -> str:
    """Run the CLI as a script would (no terminal, CI=true); its stdout, or fail loudly."""
    return ok(run_amber(*args, cwd=cwd, timeout=300)).stdout


def _id(url: str) -> str:
    return url.strip().rstrip("/").rsplit("/", 1)[-1]


@dataclass
class CorpusSite:
    root: Path
    base_url: str
    bundles: list[str] = field(default_factory=list)
    """Share IDs of the bundles, in order (``bundles()``)."""
    conversation_titled: dict[int, str] = field(default_factory=dict)
    """Payload number -> ID of the CLI share of ``slug`` under its own title."""
    share_titled: dict[int, str] = field(default_factory=dict)
    """Payload number -> ID of the share of ``slug`` with ``--title`` and ``--name`` =
    payload."""
    cli_titled: dict[int, str] = field(default_factory=dict)
    """The ``CLI_SAMPLE`` shares made by ``amber share --title=P --name=P``."""

    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def base_path(self) -> str:
        return "/" + self.base_url.split("://", 1)[1].split("/", 1)[1]

    @property
    def share_count(self) -> int:
        return len(self.bundles) + len(self.conversation_titled) + len(self.share_titled)


def make_corpus_site(root: Path, base_url: str = BASE_URL,
                     payloads: tuple[Payload, ...] = SITE_PAYLOADS) -> CorpusSite:
    """Write, share and build the corpus site in ``root`` (which must not exist)."""
    shutil.copytree(FIXTURE_SITE, root)
    assets = root / "content" / "assets"
    assets.mkdir(exist_ok=True)
    shutil.copy(IMAGE, assets / IMAGE.name)
    conversations = root / "content" / "conversations"

    def write(name: str, data: dict[str, object]) -> None:
        (conversations / f"{name}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1), "utf-8")

    site = CorpusSite(root, base_url)
    # The CLI sample runs first, while the site is small: each run loads all of content/.
    sample = [p for p in payloads if p.name in CLI_SAMPLE]
    for payload in sample:
        write(slug(payload), titled_conversation(payload))
    for payload in sample:
        url = amber("share", slug(payload), f"--title={payload.text}", f"--name={payload.text}",
                    "--listed", "--yes", "--allow-sensitive", cwd=root)
        site.cli_titled[payload.number] = _id(url)
    for payload in payloads:
        if payload not in sample:
            write(slug(payload), titled_conversation(payload))
    chunks = bundles(payloads)
    for index, chunk in enumerate(chunks):
        write(bundle_slug(index), bundle_conversation(chunk, f"assets/{IMAGE.name}"))

    names = [bundle_slug(i) for i in range(len(chunks))] + [slug(p) for p in payloads]
    urls = amber("share", *names, "--listed", f"--name={CLI_NAME.text}", "--yes",
                 "--allow-sensitive", cwd=root).split()
    assert len(urls) == len(names), urls
    site.bundles = [_id(u) for u in urls[:len(chunks)]]
    site.conversation_titled = {
        p.number: _id(u) for p, u in zip(payloads, urls[len(chunks):], strict=True)}

    content = load_content(SitePaths(root))
    content.require_valid()
    with source_date(EPOCH):
        for payload in payloads:
            if payload.number in site.cli_titled:
                site.share_titled[payload.number] = site.cli_titled[payload.number]
                continue
            [snap] = create_shares(content, [content.conversations[slug(payload)]],
                                   title=payload.text, author=payload.text.strip(),
                                   listed=True, allow_sensitive={slug(payload)})
            site.share_titled[payload.number] = snap.id

    amber("build", f"--base-url={base_url}", cwd=root)
    return site


_SHARED: dict[str, CorpusSite] = {}


def shared_corpus_site(tmp_path_factory: pytest.TempPathFactory) -> CorpusSite:
    """The corpus site, built once per test session for every test that only reads it."""
    if "site" not in _SHARED:
        _SHARED["site"] = make_corpus_site(tmp_path_factory.mktemp("xss-corpus") / "site")
    return _SHARED["site"]


@dataclass(frozen=True)
class ServedCorpus:
    server: AmberServer
    root: Path
    """A copy of the corpus site's content/ that the server watches."""


_SERVERS: dict[str, ServedCorpus] = {}


def shared_corpus_server(tmp_path_factory: pytest.TempPathFactory,
                         config: pytest.Config) -> ServedCorpus:
    """``amber serve`` on a copy of the corpus content, started once per session (its first
    build takes a while) and stopped when the session ends. Tests that break a file
    restore it (``broken_file``)."""
    if "served" not in _SERVERS:
        site = shared_corpus_site(tmp_path_factory)
        root = tmp_path_factory.mktemp("xss-serve") / "site"
        root.mkdir()
        shutil.copytree(site.root / "content", root / "content")
        server = start_server(root, "serve", "--port", "0")
        config.add_cleanup(server.stop)
        _SERVERS["served"] = ServedCorpus(server, root)
    return _SERVERS["served"]


def _wait_for_overlay(server: AmberServer, shown: bool) -> None:
    deadline = time.monotonic() + 120
    while (b"amber-serve-overlay" in server.get("/_manage/")[2]) != shown:
        assert time.monotonic() < deadline, server.stderr()[-2000:]
        time.sleep(0.1)


@contextlib.contextmanager
def broken_file(served: ServedCorpus) -> Iterator[Path]:
    """A conversation that fails validation, quoting every payload, while the block runs;
    every page of the server shows the errors meanwhile."""
    path = served.root / "content" / "conversations" / "zz-broken.json"
    touch_later(path, json.dumps(broken_conversation(SITE_PAYLOADS)))
    try:
        _wait_for_overlay(served.server, shown=True)
        yield path
    finally:
        path.unlink(missing_ok=True)
        _wait_for_overlay(served.server, shown=False)


# --- checking -----------------------------------------------------------------------

SAFE_SCHEMES = ("http", "https", "mailto")
_BROWSER_STRIP = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_BROWSER_REMOVE = re.compile(r"[\t\n\r]")
_PARANOID_REMOVE = re.compile(
    "[\x00-\x20\x7f-\x9f\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\uffa0\ufff0-\ufff8]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")

URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "srcset", "poster", "data", "cite",
    "background", "ping", "codebase", "manifest", "longdesc", "usemap", "dynsrc", "lowsrc",
    "icon", "profile", "archive", "classid", "itemtype", "imagesrcset",
})
FORBIDDEN_ATTRIBUTES = frozenset({
    "style", "srcdoc", "formaction", "action", "srcset", "imagesrcset", "background",
    "dynsrc", "lowsrc", "ping", "xlink:href", "autofocus", "is", "xmlns", "http-equiv",
    "popovertarget", "contenteditable",
})
"""Attributes no page may carry (``http-equiv`` only on the CSP ``<meta>``)."""

PAGE_ELEMENTS = frozenset({
    # the theme
    "html", "head", "meta", "title", "link", "script", "body", "a", "span", "header",
    "div", "button", "svg", "path", "circle", "main", "footer", "p", "h1", "h2", "time",
    "article", "code", "section", "ul", "ol", "li", "form", "label", "input", "nav",
    # Markdown, code and parts
    "h3", "h4", "h5", "h6", "pre", "blockquote", "em", "strong", "s", "del", "table",
    "thead", "tbody", "tr", "th", "td", "hr", "br", "img", "figure", "figcaption",
    "details", "summary", "sup", "semantics", "annotation",
    # redaction markers (``[redacted]`` in a redacted share or draft)
    "mark",
    # the preview server's banner, overlay and management page (a ``textarea`` only in the
    # draft form: ``_tag_textarea``)
    "aside", "fieldset", "legend", "textarea",
}) | MATHML_ELEMENTS
"""Every element a page may hold. Anything else came from content, and fails."""


def unsafe_scheme(url: str) -> str | None:
    """The scheme of a URL if it is not http(s)/mailto, as a browser or a lax one reads it.

    ``url`` is an attribute value with character references already decoded. A browser
    strips leading and trailing C0 controls and spaces and removes tabs and newlines
    anywhere before it reads the scheme; the paranoid reading also removes every other
    control, space, zero-width and direction character. References are not decoded a
    second time: the browser does not either (``&amp;#106;avascript:`` is a relative URL).
    """
    browser = _BROWSER_REMOVE.sub("", _BROWSER_STRIP.sub("", url))
    paranoid = _PARANOID_REMOVE.sub("", url)
    for candidate in (browser, paranoid):
        match = _SCHEME.match(candidate)
        if match and match.group(1).lower() not in SAFE_SCHEMES:
            return match.group(1)
    return None


@dataclass(frozen=True)
class Allowed:
    """What the theme and the server put into pages: the only scripts, styles and forms."""

    scripts: frozenset[str]
    stylesheets: frozenset[str]
    image_prefixes: tuple[str, ...]
    """Images load from these path prefixes only (the site's assets, drafts' assets)."""
    form_markers: frozenset[str] = frozenset({"data-filter", "data-amber-draft"})
    """A ``<form>`` must carry one of these attributes: the index filter, the draft banner."""
    site_hosts: frozenset[str] = frozenset({"example.test"})
    """Links to any other host must say ``rel="nofollow ..."``: a share must not lend the
    site's standing to the links people put in conversations."""


class _Checker(HTMLParser):
    def __init__(self, allowed: Allowed) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.in_script = False
        self.head_elements = 0
        self.csp_metas = 0
        self.elements = 0
        self.draft_form = False
        """Whether the latest ``<form>`` is the draft banner's."""

    def problem(self, tag: str, what: str) -> None:
        self.problems.append(f"<{tag}> at line {self.getpos()[0]}: {what}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        self._element(tag, attrs)
        if tag not in ("meta", "link", "img", "input", "br", "hr", "path", "circle"):
            self.stack.append(tag)
        self.in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problem("script", f"inline script {data.strip()[:60]!r}")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment in the page: {data[:60]!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction: {data[:60]!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration: {data[:60]!r}")

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "head" in self.stack and tag != "head":
            self.head_elements += 1
        if tag not in PAGE_ELEMENTS:
            self.problem(tag, "element no page has")
        for name, value in values.items():
            if name.startswith("on"):
                self.problem(tag, f"event handler {name}={value[:60]!r}")
            elif name in FORBIDDEN_ATTRIBUTES and not (tag == "meta" and name == "http-equiv"):
                self.problem(tag, f"attribute {name}={value[:60]!r}")
            if name in URL_ATTRIBUTES:
                scheme = unsafe_scheme(value)
                if scheme is not None:
                    self.problem(tag, f"{name} with scheme {scheme!r}: {value[:80]!r}")
        getattr(self, f"_tag_{tag}", lambda _values: None)(values)

    def _tag_script(self, values: dict[str, str]) -> None:
        if values.get("src") not in self.allowed.scripts:
            self.problem("script", f"script not of the theme or server: {values}")

    def _tag_meta(self, values: dict[str, str]) -> None:
        equiv = values.get("http-equiv")
        if equiv is None:
            return
        if equiv.lower() != "content-security-policy" or values.get("content") != CSP:
            self.problem("meta", f"http-equiv={equiv!r} content={values.get('content')!r}")
        elif self.head_elements != 1:
            self.problem("meta", "the Content-Security-Policy is not the head's first element")
        else:
            self.csp_metas += 1

    def _tag_link(self, values: dict[str, str]) -> None:
        rel = values.get("rel", "")
        if rel not in ("icon", "stylesheet", "canonical", "alternate"):
            self.problem("link", f"rel={rel!r}")
        if rel == "stylesheet" and values.get("href") not in self.allowed.stylesheets:
            self.problem("link", f"stylesheet not of the theme or server: {values.get('href')!r}")

    def _tag_form(self, values: dict[str, str]) -> None:
        if not self.allowed.form_markers & values.keys():
            self.problem("form", f"a form neither the theme's nor the server's: {values}")
        self.draft_form = "data-amber-draft" in values

    def _tag_textarea(self, values: dict[str, str]) -> None:
        """The draft banner's form asks for redaction texts in two; nothing else has one."""
        if not ("form" in self.stack and self.draft_form):
            self.problem("textarea", "element no page has outside the draft form")

    def _tag_a(self, values: dict[str, str]) -> None:
        href = _BROWSER_REMOVE.sub("", _BROWSER_STRIP.sub("", values.get("href", "")))
        host = urlsplit(href).hostname if href.startswith(("//", "http:", "https:")) else None
        if host is not None and host not in self.allowed.site_hosts and "nofollow" not in (
                values.get("rel") or "").split():
            self.problem("a", f"a link off the site without rel=nofollow: {href[:80]!r}")

    def _tag_img(self, values: dict[str, str]) -> None:
        if not values.get("src", "").startswith(self.allowed.image_prefixes):
            self.problem("img", f"image from outside the site: {values.get('src')!r}")

    def _tag_input(self, values: dict[str, str]) -> None:
        if values.get("type") not in ("search", "checkbox", "text", "radio"):
            self.problem("input", f"type={values.get('type')!r}")

    def _tag_base(self, values: dict[str, str]) -> None:
        self.problem("base", "a <base> changes where every relative link goes")


def page_problems(document: str, allowed: Allowed) -> list[str]:
    """Everything active in an HTML page that the theme or the server did not put there."""
    checker = _Checker(allowed)
    checker.feed(document)
    checker.close()
    problems = checker.problems
    if checker.csp_metas != 1:
        problems.append(f"{checker.csp_metas} Content-Security-Policy <meta> elements, not 1")
    return problems


def site_allowed(output: Path, base_path: str) -> Allowed:
    """The theme's own scripts and stylesheets, read from the built ``assets/``."""
    assets = sorted(p.name for p in (output / "assets").iterdir())
    scripts = {f"{base_path}assets/{n}" for n in assets if n.endswith(".js")}
    sheets = {f"{base_path}assets/{n}" for n in assets if n.endswith(".css")}
    assert scripts and sheets, assets
    return Allowed(frozenset(scripts), frozenset(sheets), (f"{base_path}assets/",))


def served_allowed(site: Allowed) -> Allowed:
    """What the preview server adds: its reload and draft scripts, its stylesheet."""
    return Allowed(site.scripts | {"/_amber/reload.js", "/_amber/draft.js"},
                   site.stylesheets | {"/_amber/serve.css"},
                   (*site.image_prefixes, "/_amber/draft/assets/"))


_VOID = frozenset({"meta", "link", "img", "input", "br", "hr", "source", "wbr"})


class _Texts(HTMLParser):
    """The text of every element with one of some classes (references decoded)."""

    def __init__(self, classes: Iterable[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.wanted = set(classes)
        self.open: list[list] = []  # type: ignore[type-arg]
        """[class, depth inside it, text parts] for each element being read."""
        self.texts: dict[str, list[str]] = {name: [] for name in self.wanted}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for capture in self.open:
            capture[1] += 1
        for name in (dict(attrs).get("class") or "").split():
            if name in self.wanted:
                self.open.append([name, 1, []])
        if tag in _VOID:  # no end tag comes
            self.handle_endtag(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for capture in list(self.open):
            capture[1] -= 1
            if capture[1] == 0:
                self.open.remove(capture)
                self.texts[capture[0]].append("".join(capture[2]))

    def handle_data(self, data: str) -> None:
        for capture in self.open:
            capture[2].append(data)


def texts_of(document: str, classes: Iterable[str]) -> dict[str, list[str]]:
    """The text of every element of each class, in document order."""
    parser = _Texts(classes)
    parser.feed(document)
    parser.close()
    return parser.texts


def text_of(document: str, css_class: str) -> str | None:
    """The text of the first element of a class, or None if there is none."""
    found = texts_of(document, [css_class])[css_class]
    return found[0] if found else None


def feed_problems(data: bytes, base_url: str) -> list[str]:
    """The Atom feed: well-formed, text only (no HTML content), links on the site only."""
    problems = []
    root = ET.fromstring(data)
    for element in root.iter():
        kind = element.get("type")
        if element.tag.endswith(("}title", "}summary", "}content")) and kind not in (None, "text"):
            problems.append(f"feed {element.tag} of type {kind!r}")
        href = element.get("href")
        if href is not None and not href.startswith(base_url):
            problems.append(f"feed link outside the site: {href!r}")
        if element.tag.endswith("}id") and not re.match(
                rf"({re.escape(base_url)}|urn:uuid:[0-9a-f-]{{36}}\Z)", element.text or ""):
            problems.append(f"feed id outside the site: {element.text!r}")
    return problems


def sitemap_problems(data: bytes, base_url: str) -> list[str]:
    root = ET.fromstring(data)
    return [f"sitemap loc outside the site: {loc.text!r}" for loc in root.iter()
            if loc.tag.endswith("}loc") and not (loc.text or "").startswith(base_url)]
