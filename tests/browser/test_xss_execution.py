"""The XSS corpus in Chromium: nothing runs on any page, built or served.

The corpus site of ``tests/security`` (every payload in every field, built by the CLI)
is served under ``/xss-corpus/`` and every page of it is opened: the index, the 404
page and each share page. ``amber serve`` then serves the same content, and its
management page, every draft (with the payload in ``?title=`` and ``?name=`` too) and
its error overlay are opened.

Before any script of a page runs, ``alert`` and friends, string timers and ``__xss``
(which every payload calls) are trapped, and CSP violations are recorded. On
each page every ``<details>`` is opened (``ontoggle``), every element gets the events a
pointer and the keyboard would send (``onmouseover``, ``onfocus``, ...), every link that
is not http(s), mailto or on the page is clicked (there must be none), and the live DOM,
as Chromium's own parser built it, is searched for handlers, unsafe URLs and elements
content must not make. Share pages are opened a second time with the
Content-Security-Policy switched off, to show the markup itself is inert and that the
policy is a second wall, not the only one.
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from security.xss_payloads import PAYLOADS
from security.xss_site import CorpusSite, broken_conversation, shared_corpus_site, slug
from serve.conftest import AmberServer, start_server, touch_later

from .conftest import TRAP_SCRIPT, Server

PREFIX = "/xss-corpus/"

EXTRA_TRAPS = """
(() => {
  // Hooks a payload could reach: the marker every payload calls, and code from strings.
  const calls = window.__amberTrap.calls;
  const record = (name) => function () {
    calls.push(name + '(' + Array.prototype.map.call(arguments, String).join(', ') + ')');
  };
  Object.defineProperty(window, '__xss', {value: record('__xss'), writable: false});
  // (eval itself stays: Playwright evaluates its own expressions with it.)
  for (const name of ['setTimeout', 'setInterval']) {
    const original = window[name];
    window[name] = function (handler) {
      if (typeof handler !== 'function') return record(name).apply(null, arguments);
      return original.apply(window, arguments);
    };
  }
})();
"""

INSPECT = """
async (allowedScripts) => {
  const problems = [];
  const where = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
  const scheme = (url) => { try { return new URL(url, location.href).protocol; }
                             catch (e) { return 'unparsable:'; } };
  const safe = (url) => ['http:', 'https:', 'mailto:'].includes(scheme(url));
  const forbidden = 'iframe, frame, frameset, object, embed, applet, base, style, noscript, '
    + 'template, textarea:not(.copy-buffer), select, video, audio, source, track, portal, '
    + 'foreignObject, use, animate, set, image, maction, annotation-xml, mglyph, '
    + 'link:not([rel=stylesheet]):not([rel=icon]):not([rel=canonical]):not([rel=alternate]), '
    + 'meta[http-equiv]:not([http-equiv=Content-Security-Policy]), '
    + 'form:not([data-filter]):not([data-amber-draft])';
  for (const el of document.querySelectorAll(forbidden)) problems.push('element ' + where(el));
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || ['style', 'srcdoc', 'formaction', 'action', 'srcset',
          'xlink:href', 'autofocus', 'background', 'ping'].includes(name)) {
        problems.push(where(el) + ' ' + name + '=' + attr.value.slice(0, 60));
      }
    }
    for (const name of ['href', 'src', 'data', 'poster', 'cite']) {
      const value = el.getAttribute(name);
      if (value !== null && !safe(value)) {
        problems.push(where(el) + ' ' + name + ' ' + scheme(value) + ' ' + value.slice(0, 60));
      }
    }
  }
  for (const script of document.scripts) {
    const path = script.src ? new URL(script.src).pathname : '(inline)';
    if (!allowedScripts.includes(path)) problems.push('script ' + path);
  }
  for (const img of document.images) {
    if (new URL(img.src, location.href).origin !== location.origin) {
      problems.push('image from ' + img.src);
    }
  }
  // What a reader would do: open collapsed parts, point at and focus everything.
  for (const details of document.querySelectorAll('details')) details.open = true;
  const events = ['mouseover', 'pointerenter', 'focusin', 'animationstart'];
  let fired = 0;
  for (const el of document.querySelectorAll('main *, aside *, .amber-serve-overlay *')) {
    for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
    fired += events.length;
  }
  for (const el of document.querySelectorAll('a[href], button, input, summary, [tabindex]')) {
    el.focus();
  }
  const unsafeLinks = [...document.querySelectorAll('a[href]')]
    .filter((a) => !safe(a.getAttribute('href')))
    .map((a) => a.getAttribute('href'));
  // One task later: toggle events and anything else queued by the above have run.
  await new Promise((resolve) => setTimeout(resolve, 0));
  return {problems, unsafeLinks, fired, calls: [...window.__amberTrap.calls],
          violations: [...window.__amberTrap.violations]};
}
"""


@dataclass
class Tally:
    pages: int = 0
    events: int = 0
    executions: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)


class Inspector:
    """One browser context with the traps installed; opens pages one after another."""

    def __init__(self, browser, origin: str, allowed_scripts: list[str], *,  # type: ignore[no-untyped-def]
                 bypass_csp: bool = False) -> None:
        self.context = browser.new_context(bypass_csp=bypass_csp, java_script_enabled=True,
                                           viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(TRAP_SCRIPT + EXTRA_TRAPS)
        self.page = self.context.new_page()
        self.origin = origin
        self.allowed_scripts = allowed_scripts
        self.foreign: list[str] = []
        self.navigations = 0
        self.page.on("request", lambda r: self.foreign.append(r.url)
                     if not r.url.startswith(origin + "/") else None)
        self.page.on("dialog", lambda d: (self.foreign.append(f"dialog {d.message}"),
                                          d.dismiss()))
        self.page.on("framenavigated", self._navigated)
        self.tally = Tally()

    def _navigated(self, frame) -> None:  # type: ignore[no-untyped-def]
        if frame == self.page.main_frame:
            self.navigations += 1

    def check(self, path: str, status: int = 200) -> None:
        url = self.origin + path
        self.navigations = 0
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == status, (path, response)
        found = self.page.evaluate(INSPECT, self.allowed_scripts)
        trapped = {"calls": found["calls"], "violations": found["violations"]}
        for href in found["unsafeLinks"]:  # there must be none; if there is, try it
            self.page.locator(f'a[href="{href}"]').first.click(timeout=2_000,
                                                              no_wait_after=True)
            trapped = self.page.evaluate(
                "() => ({calls: [...window.__amberTrap.calls],"
                " violations: [...window.__amberTrap.violations]})")
        problems = found["problems"] + [f"unsafe link {h}" for h in found["unsafeLinks"]]
        problems += [f"CSP violation: {v}" for v in trapped["violations"]]
        problems += [f"request to {u}" for u in self.foreign]
        if self.page.url != url:
            problems.append(f"navigated to {self.page.url}")
        if self.navigations != 1:
            problems.append(f"{self.navigations} navigations")
        self.tally.pages += 1
        self.tally.events += found["fired"]
        self.tally.executions += [f"{path}: {c}" for c in trapped["calls"]]
        if problems:
            self.tally.problems[path[:120]] = problems[:8]
        self.foreign.clear()

    def close(self) -> None:
        self.context.close()


def _script_paths(output: Path, base_path: str) -> list[str]:
    return [f"{base_path}assets/{p.name}" for p in sorted((output / "assets").glob("*.js"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, server: Server) -> CorpusSite:
    site = shared_corpus_site(tmp_path_factory)
    server.mounts[PREFIX] = site.output
    return site


def _report(name: str, tally: Tally) -> None:
    print(f"\n{name}: {tally.pages} pages opened in Chromium, "
          f"{len(tally.executions)} executions, {len(tally.problems)} pages with problems")


def test_nothing_runs_on_the_built_pages(browser, corpus: CorpusSite, server: Server) -> None:  # type: ignore[no-untyped-def]
    base = corpus.base_path
    assert base == PREFIX
    inspector = Inspector(browser, server.origin, _script_paths(corpus.output, base))
    try:
        inspector.check(base)
        inspector.check(f"{base}404.html")
        inspector.check(f"{base}share/no-such-share/", status=404)
        for payload in PAYLOADS:
            inspector.check(f"{base}share/{corpus.share_titled[payload.number]}/")
    finally:
        inspector.close()
    _report("built pages", inspector.tally)
    assert inspector.tally.executions == []
    assert inspector.tally.problems == {}
    assert inspector.tally.pages == 3 + len(PAYLOADS)


def test_the_markup_is_inert_without_the_policy(browser, corpus: CorpusSite,  # type: ignore[no-untyped-def]
                                                server: Server) -> None:
    """The Content-Security-Policy is a second wall: with it off, still nothing runs."""
    base = corpus.base_path
    inspector = Inspector(browser, server.origin, _script_paths(corpus.output, base),
                          bypass_csp=True)
    try:
        inspector.check(base)
        for payload in PAYLOADS:
            inspector.check(f"{base}share/{corpus.share_titled[payload.number]}/")
    finally:
        inspector.close()
    _report("built pages without CSP", inspector.tally)
    assert inspector.tally.executions == []
    assert inspector.tally.problems == {}


@pytest.fixture(scope="module")
def served(corpus: CorpusSite, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[tuple[AmberServer, Path]]:
    """``amber serve`` on a copy of the corpus content (a test breaks a file in it)."""
    root = tmp_path_factory.mktemp("xss-serve-browser") / "site"
    root.mkdir()
    shutil.copytree(corpus.root / "content", root / "content")
    running = start_server(root, "serve", "--port", "0")
    try:
        yield running, root
    finally:
        running.stop()


def test_nothing_runs_on_the_preview_servers_pages(browser, served: tuple[AmberServer, Path],  # type: ignore[no-untyped-def]
                                                   corpus: CorpusSite) -> None:
    running, root = served
    scripts = [*_script_paths(corpus.output, "/chats/"), "/_amber/reload.js", "/_amber/draft.js"]
    inspector = Inspector(browser, running.origin, scripts)
    try:
        inspector.check("/_manage/")
        for payload in PAYLOADS:
            query = urllib.parse.urlencode({"title": payload.text, "name": payload.text})
            inspector.check(f"/_preview/{slug(payload)}/?{query}")
        # A broken file: every page shows the errors, which quote the bad values.
        broken = root / "content" / "conversations" / "zz-broken.json"
        touch_later(broken, json.dumps(broken_conversation(PAYLOADS)))
        deadline = time.monotonic() + 60
        while b"amber-serve-overlay" not in running.get("/_manage/")[2]:
            assert time.monotonic() < deadline, running.stderr()[-2000:]
            time.sleep(0.1)
        inspector.check("/_manage/")
        inspector.check("/chats/")
        inspector.check(f"/_preview/{slug(PAYLOADS[0])}/")
    finally:
        inspector.close()
    _report("preview server pages", inspector.tally)
    assert inspector.tally.executions == []
    assert inspector.tally.problems == {}
