"""The XSS corpus in Chromium: nothing runs on any page, built or served.

The corpus site of ``tests/security`` (every payload in every field, built by the CLI)
is served under ``/xss-corpus/`` and opened: the index (every title and name), the 404
page, every bundle page (every payload in every message field) and the pages titled by
the attribute-breakout payloads. ``amber serve`` then serves the same content, and its
management page, drafts with every payload in ``?title=`` and ``?name=``, a third of
the bundles' drafts and its error overlay are opened. (``tests/security`` parses every
one of these pages and more without a browser.)

Before any script of a page runs, ``alert`` and friends, string timers and ``__xss``
(which every payload calls) are trapped, and CSP violations are recorded. On
each page every ``<details>`` is opened (``ontoggle``), every element gets the events a
pointer and the keyboard would send (``onmouseover``, ``onfocus``, ...), every link that
is not http(s), mailto or on the page is clicked (there must be none), and the live DOM,
as Chromium's own parser built it, is searched for handlers, unsafe URLs and elements
content must not make. The index and a third of the bundles are opened a second time
with the Content-Security-Policy switched off, to show the markup itself is inert and
that the policy is a second wall, not the only one.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers.browser import TRAP_SCRIPT
from tests.helpers.static_host import StaticHost
from tests.security.xss_site import (
    SITE_PAYLOADS,
    CorpusSite,
    ServedCorpus,
    broken_file,
    bundle_slug,
    bundles,
    joined,
    query_packs,
    shared_corpus_server,
    shared_corpus_site,
    slug,
)

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
    + 'template, textarea:not(.copy-buffer):not(form[data-amber-draft] textarea), select, '
    + 'video, audio, source, track, portal, '
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
  // Synthetic events run inline handlers as real ones would; focus() itself is not
  // called, since focusing a thousand links one by one costs seconds of layout.
  const events = ['mouseover', 'pointerenter', 'focus', 'focusin', 'animationstart'];
  let fired = 0;
  // (Not into code and formulas: thousands of token spans that only repeat their block.)
  const targets = 'main *:not(pre *):not(math *), aside *, .amber-serve-overlay *';
  for (const el of document.querySelectorAll(targets)) {
    for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
    fired += events.length;
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
        self.navigated: list[str] = []
        self.page.on("request", lambda r: self.foreign.append(r.url)
                     if not r.url.startswith(origin + "/") else None)
        self.page.on("dialog", lambda d: (self.foreign.append(f"dialog {d.message}"),
                                          d.dismiss()))
        self.page.on("framenavigated", self._navigated)
        self.tally = Tally()

    def _navigated(self, frame) -> None:  # type: ignore[no-untyped-def]
        if frame == self.page.main_frame:
            self.navigated.append(frame.url)

    def check(self, path: str, status: int = 200) -> None:
        url = self.origin + path
        self.navigated.clear()
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.status == status, (path, response)
        for _ in range(3):  # the keyboard, for real: focus moves through the first stops
            self.page.keyboard.press("Tab")
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
        # Only the page itself: the preview server's live reload may load it again.
        elsewhere = [u for u in self.navigated if u != url]
        if elsewhere:
            problems.append(f"navigated to {elsewhere}")
        self.tally.pages += 1
        self.tally.events += found["fired"]
        self.tally.executions += [f"{path}: {c}" for c in trapped["calls"]]
        if problems:
            self.tally.problems[path[:120]] = problems[:8]
        self.foreign.clear()

    def close(self) -> None:
        # Leave the server's pages first: a live reload racing the close can hang it.
        try:
            self.page.goto("about:blank", timeout=10_000)
        finally:
            self.context.close()


def _script_paths(output: Path, base_path: str) -> list[str]:
    return [f"{base_path}assets/{p.name}" for p in sorted((output / "assets").glob("*.js"))]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> CorpusSite:
    site = shared_corpus_site(tmp_path_factory)
    server.mount(PREFIX, site.output)
    return site


def _report(name: str, tally: Tally) -> None:
    print(f"\n{name}: {tally.pages} pages opened in Chromium, {tally.events} events sent, "
          f"{len(tally.executions)} executions, {len(tally.problems)} pages with problems")


def test_nothing_runs_on_the_built_pages(browser, corpus: CorpusSite, server: StaticHost) -> None:  # type: ignore[no-untyped-def]
    base = corpus.base_path
    assert base == PREFIX
    inspector = Inspector(browser, server.origin, _script_paths(corpus.output, base))
    try:
        inspector.check(base)  # every title, author and first question
        inspector.check(f"{base}404.html")
        inspector.check(f"{base}share/no-such-share/", status=404)
        for share_id in corpus.bundles:  # every payload in every message field
            inspector.check(f"{base}share/{share_id}/")
        for payload in SITE_PAYLOADS:  # one title, name and model per page, in <head> too
            if payload.kind == "breakout":
                inspector.check(f"{base}share/{corpus.share_titled[payload.number]}/")
    finally:
        inspector.close()
    _report("built pages", inspector.tally)
    assert inspector.tally.executions == []
    assert inspector.tally.problems == {}
    assert inspector.tally.pages > 3 + len(corpus.bundles)


def test_the_markup_is_inert_without_the_policy(browser, corpus: CorpusSite,  # type: ignore[no-untyped-def]
                                                server: StaticHost) -> None:
    """The Content-Security-Policy is a second wall: with it off, still nothing runs."""
    base = corpus.base_path
    inspector = Inspector(browser, server.origin, _script_paths(corpus.output, base),
                          bypass_csp=True)
    try:
        inspector.check(base)
        for share_id in corpus.bundles[::3]:
            inspector.check(f"{base}share/{share_id}/")
    finally:
        inspector.close()
    _report("built pages without CSP", inspector.tally)
    assert inspector.tally.executions == []
    assert inspector.tally.problems == {}


@pytest.fixture(scope="module")
def served(corpus: CorpusSite, tmp_path_factory: pytest.TempPathFactory,
           pytestconfig: pytest.Config) -> ServedCorpus:
    return shared_corpus_server(tmp_path_factory, pytestconfig)


def test_nothing_runs_on_the_preview_servers_pages(browser, served: ServedCorpus,  # type: ignore[no-untyped-def]
                                                   corpus: CorpusSite) -> None:
    scripts = [*_script_paths(corpus.output, "/chats/"), "/_amber/reload.js", "/_amber/draft.js"]
    inspector = Inspector(browser, served.server.origin, scripts)
    try:
        inspector.check("/_manage/")
        for pack in query_packs():  # the payloads in ?title= and ?name=
            query = urllib.parse.urlencode({"title": joined(pack), "name": joined(pack)})
            inspector.check(f"/_preview/{slug(pack[0])}/?{query}")
        # Drafts render like share pages: two bundles here (tests/security parses them all).
        inspector.check(f"/_preview/{bundle_slug(0)}/")
        inspector.check(f"/_preview/{bundle_slug(len(bundles()) // 2)}/")
        # A broken file: every page shows the errors, which quote the bad values.
        inspector.page.goto("about:blank")  # no open page reloads meanwhile
        with broken_file(served):
            inspector.check("/_manage/")
            inspector.check("/chats/")
            inspector.check(f"/_preview/{bundle_slug(0)}/")
            inspector.page.goto("about:blank")  # before the fix, which reloads open pages
    finally:
        inspector.close()
    _report("preview server pages", inspector.tally)
    assert inspector.tally.executions == []
    assert inspector.tally.problems == {}
