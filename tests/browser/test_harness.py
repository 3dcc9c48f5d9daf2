"""The browser harness can fail: each of its detectors reports what it is meant to."""

from __future__ import annotations

from tests.helpers.browser import Site, axe_violations


def test_trap_records_alert_and_friends(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("short-note"))
    seen.page.evaluate("() => { alert('one'); confirm('two'); print(); }")
    assert seen.trapped()["calls"] == ["alert(one)", "confirm(two)", "print()"]


def test_csp_violations_and_console_errors_are_recorded(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("short-note"))
    seen.page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = 'https://elsewhere.test/pixel.png';
        document.body.append(img);
        const s = document.createElement('script');
        s.textContent = 'window.ran = true';
        document.body.append(s);
    }""")
    seen.page.wait_for_timeout(200)
    violations = seen.trapped()["violations"]
    assert any(v.startswith("img-src blocked https://elsewhere.test/pixel.png") for v in violations)
    assert any(v.startswith("script-src-elem blocked inline") for v in violations)
    assert seen.page.evaluate("() => window.ran === undefined")
    assert seen.console_errors  # Chromium logs each refusal


def test_axe_reports_a_real_violation(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("short-note"))
    seen.page.evaluate("""() => {
        const img = document.createElement('img');
        img.src = document.querySelector('link[rel=icon]').href;
        document.querySelector('main').append(img);
    }""")
    found = axe_violations(seen)
    assert len(found) == 1 and found[0].startswith("image-alt (critical)")


def test_foreign_requests_are_recorded(theme_site: Site, visit) -> None:
    seen = visit(theme_site.share_url("short-note"))
    seen.page.evaluate("() => { navigator.sendBeacon('https://elsewhere.test/beacon'); }")
    seen.page.wait_for_timeout(200)
    assert seen.trapped()["violations"] or seen.foreign_requests
