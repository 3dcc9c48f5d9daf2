"""The rebuild loop: what each kind of change re-renders, that the served site is exactly
what ``amber build`` writes, and that broken content never replaces a good build."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import amber.serve.builder as builder_module
from amber.build.memory import render_site
from amber.build.pipeline import build
from amber.content.load import SitePaths, load_content
from amber.serve.rebuild import MAX_WAIT_SECONDS, QUIET_SECONDS, Rebuilder, draft_sources
from amber.serve.state import LiveSite
from tests.helpers import EPOCH, REPO
from tests.helpers.serve import revoke_now, share_now, touch_later


def fresh_render(root: Path) -> dict[str, bytes]:
    content = load_content(SitePaths(root))
    return render_site(content, content.require_valid())


def started_rebuilder(serve_site: Path,
                      clock: Callable[[], float] = time.monotonic) -> Rebuilder:
    """A rebuilder of the site with two shares, after its first pass."""
    share_now(serve_site, "alpha", listed=True, epoch=EPOCH + 10)
    share_now(serve_site, "bravo", epoch=EPOCH + 20)
    lines: list[str] = []
    rebuilder = Rebuilder(SitePaths(serve_site), LiveSite(), log=lines.append, clock=clock)
    rebuilder.lines = lines  # type: ignore[attr-defined]
    report = rebuilder.rebuild()
    assert report.published and report.rendered and report.pages == 2
    return rebuilder


@pytest.fixture
def rebuilder(serve_site: Path) -> Rebuilder:
    return started_rebuilder(serve_site)


def test_the_served_site_is_what_amber_build_writes(rebuilder: Rebuilder, serve_site: Path,
                                                    tmp_path: Path) -> None:
    served = rebuilder.live.state.build
    assert served is not None
    out = tmp_path / "out"
    build(serve_site, output=out, use_cache=False)
    written = {p.relative_to(out).as_posix(): p.read_bytes()
               for p in out.rglob("*") if p.is_file()}
    assert served.files == written
    assert not (serve_site / "output").exists()  # serving writes nothing


def test_a_pass_with_no_change_publishes_nothing(rebuilder: Rebuilder) -> None:
    epoch = rebuilder.live.state.epoch
    report = rebuilder.rebuild()
    assert not report.published and report.parsed == 0
    assert rebuilder.live.state.epoch == epoch


def test_a_conversation_change_refreshes_drafts_only(rebuilder: Rebuilder,
                                                     serve_site: Path) -> None:
    before = rebuilder.live.state
    path = serve_site / "content" / "conversations" / "bravo.yaml"
    touch_later(path, path.read_text("utf-8").replace("MARK-BRAVO-2", "MARK-BRAVO-EDITED"))
    report = rebuilder.rebuild()
    after = rebuilder.live.state
    assert report.published and not report.rendered and report.parsed == 1
    assert after.build is before.build  # the site did not change, so it was not rendered
    assert after.epoch != before.epoch  # but drafts did, so pages reload
    assert "MARK-BRAVO-EDITED" in str(after.conversations["bravo"].messages)


def test_a_new_share_renders_its_page_the_index_and_feeds(rebuilder: Rebuilder,
                                                          serve_site: Path) -> None:
    before = rebuilder.live.state.build
    assert before is not None
    new_id = share_now(serve_site, "picture", listed=True, epoch=EPOCH + 30)
    report = rebuilder.rebuild()
    after = rebuilder.live.state.build
    assert after is not None and report.rendered and report.pages == 1
    changed = {rel for rel, data in after.files.items() if before.files.get(rel) != data}
    assert {f"share/{new_id}/index.html", f"share/{new_id}/conversation.json",
            f"share/{new_id}/conversation.md", "index.html", "feed.xml",
            "sitemap.xml"} <= changed
    assert not any(rel.startswith("share/") and new_id not in rel for rel in changed)
    # Unchanged pages are the very same bytes objects: reused, not rendered again.
    for rel, data in before.files.items():
        if rel.startswith("share/"):
            assert after.files[rel] is data
    assert after.files == fresh_render(serve_site)


def test_an_updated_share_renders_only_its_own_page(rebuilder: Rebuilder,
                                                    serve_site: Path) -> None:
    build = rebuilder.live.state.build
    assert build is not None
    share = next((serve_site / "content" / "shares").glob("*.yaml"))
    touch_later(share, share.read_text("utf-8").replace("\ntitle: ", "\ntitle: Renamed ", 1))
    report = rebuilder.rebuild()
    assert report.rendered and report.pages == 1 and report.parsed == 1
    assert rebuilder.live.state.build.files == fresh_render(serve_site)  # type: ignore[union-attr]


def test_a_revoked_share_leaves_the_served_site(rebuilder: Rebuilder, serve_site: Path) -> None:
    build = rebuilder.live.state.build
    assert build is not None
    share_id = next(rel.split("/")[1] for rel in build.files if rel.startswith("share/"))
    revoke_now(serve_site, share_id)
    rebuilder.rebuild()
    files = rebuilder.live.state.build.files  # type: ignore[union-attr]
    assert not any(share_id in rel or share_id.encode() in data for rel, data in files.items())


def test_a_template_change_renders_every_page_again_without_markdown(
    rebuilder: Rebuilder, serve_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = builder_module.share_page

    def counting(snap, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(snap.id)
        return real(snap, *args, **kwargs)

    monkeypatch.setattr(builder_module, "share_page", counting)
    templates = serve_site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    packaged = REPO / "themes" / "default" / "templates"
    share_html = (packaged / "share.html").read_text("utf-8")
    (templates / "share.html").write_text(
        share_html.replace("{% block content %}", "{% block content %}<p>THEME-MARK</p>", 1),
        "utf-8")
    report = rebuilder.rebuild()
    build = rebuilder.live.state.build
    assert build is not None and report.rendered and report.pages == 2
    assert calls == []  # page models (rendered Markdown) came from the cache
    pages = [data for rel, data in build.files.items() if rel.endswith("/index.html")
             and rel.startswith("share/")]
    assert len(pages) == 2 and all(b"THEME-MARK" in page for page in pages)
    assert build.files == fresh_render(serve_site)


def test_broken_content_keeps_the_last_good_build_and_recovers(rebuilder: Rebuilder,
                                                               serve_site: Path) -> None:
    good = rebuilder.live.state.build
    share = next((serve_site / "content" / "shares").glob("*.yaml"))
    text = share.read_text("utf-8")
    touch_later(share, text.replace("\ntitle: ", "\ntitle: [broken\n", 1))
    report = rebuilder.rebuild()
    state = rebuilder.live.state
    assert report.published and report.problems
    assert state.build is good  # still serving the last good build
    assert state.problems == report.problems
    assert any(f"{share.name}:" in p for p in state.problems)
    assert any(line.startswith("error: ") and share.name in line
               for line in rebuilder.lines)  # type: ignore[attr-defined]
    # The same broken state again: nothing new to show, no reload.
    assert not rebuilder.rebuild().published
    touch_later(share, text)
    fixed = rebuilder.rebuild()
    assert fixed.published and not fixed.problems and not rebuilder.live.state.problems
    assert "fixed: no problems left" in rebuilder.lines[-2]  # type: ignore[attr-defined]


def test_a_leak_is_a_problem_not_a_build(rebuilder: Rebuilder, serve_site: Path) -> None:
    """An unlisted ID in a listed share's title would be published on the index."""
    build = rebuilder.live.state.build
    assert build is not None
    content = load_content(SitePaths(serve_site))
    unlisted = next(s.id for s in content.snapshots.values() if not s.listed)
    listed_file = next(s.path for s in content.snapshots.values() if s.listed)
    assert listed_file is not None
    touch_later(listed_file, listed_file.read_text("utf-8").replace(
        "\ntitle: ", f"\ntitle: see {unlisted} ", 1))
    report = rebuilder.rebuild()
    assert any("would publish unlisted share ID" in p for p in report.problems)
    assert rebuilder.live.state.build is build


def test_a_broken_conversation_keeps_its_last_good_draft(rebuilder: Rebuilder,
                                                         serve_site: Path) -> None:
    path = serve_site / "content" / "conversations" / "bravo.yaml"
    good = rebuilder.live.state.conversations["bravo"]
    touch_later(path, "title: [unclosed\n")
    rebuilder.rebuild()
    assert rebuilder.live.state.conversations["bravo"] is good
    assert rebuilder.live.state.problems
    path.unlink()
    rebuilder.rebuild()
    assert "bravo" not in rebuilder.live.state.conversations


def test_draft_sources_keep_broken_ones_while_their_file_exists() -> None:
    old = {"a": "A1", "b": "B1"}
    assert draft_sources(old, {"a": "A2"}, {"a", "b"}) == {"a": "A2", "b": "B1"}  # type: ignore[arg-type]
    assert draft_sources(old, {"a": "A2"}, {"a"}) == {"a": "A2"}  # type: ignore[arg-type]


class HandClock:
    """A clock that moves only when the test moves it: the loop's idea of "quiet for long
    enough" then no longer depends on how busy the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def counted_loop(rebuilder: Rebuilder, clock: HandClock) -> tuple[list[float], threading.Event,
                                                                    threading.Thread]:
    """Start ``rebuilder.run`` in a thread; the returned list gets the clock's time of each
    pass."""
    passes: list[float] = []
    real = rebuilder.rebuild

    def counted():  # type: ignore[no-untyped-def]
        passes.append(clock())
        return real()

    rebuilder.rebuild = counted  # type: ignore[method-assign]
    stop = threading.Event()
    loop = threading.Thread(target=rebuilder.run, args=(stop,), daemon=True)
    loop.start()
    return passes, stop, loop


def wait_for_pass(passes: list[float], timeout: float = 10) -> None:
    """Wait (in real time) until the loop has run a pass; the clock is not moved."""
    deadline = time.monotonic() + timeout
    while not passes and time.monotonic() < deadline:
        time.sleep(0.002)


def test_the_loop_turns_a_burst_of_events_into_one_pass(serve_site: Path) -> None:
    clock = HandClock()
    rebuilder = started_rebuilder(serve_site, clock)
    passes, stop, loop = counted_loop(rebuilder, clock)
    try:
        path = serve_site / "content" / "conversations" / "alpha.yaml"
        text = path.read_text("utf-8")
        for number in range(5):  # an editor's save: several events in a few milliseconds
            touch_later(path, text.replace("MARK-ALPHA-1", f"MARK-BURST-{number}"))
            rebuilder.notify()
            clock.advance(QUIET_SECONDS / 10)
        assert passes == []  # however long that took in real time, the burst goes on
        clock.advance(QUIET_SECONDS)
        wait_for_pass(passes)
    finally:
        stop.set()
        loop.join(timeout=5)
    assert len(passes) == 1
    assert "MARK-BURST-4" in str(rebuilder.live.state.conversations["alpha"].messages)


def test_the_loop_rebuilds_anyway_when_events_never_stop(serve_site: Path) -> None:
    clock = HandClock()
    rebuilder = started_rebuilder(serve_site, clock)
    passes, stop, loop = counted_loop(rebuilder, clock)
    first_event = clock()
    deadline = time.monotonic() + 10
    try:
        rebuilder.notify()
        while not passes and time.monotonic() < deadline:
            # Never quiet for QUIET_SECONDS: each step is half of it, then a new event.
            clock.advance(QUIET_SECONDS / 2)
            rebuilder.notify()
            time.sleep(0.001)
    finally:
        stop.set()
        loop.join(timeout=5)
    assert passes, "events that never stop must not hold the rebuild back forever"
    assert passes[0] - first_event >= MAX_WAIT_SECONDS
