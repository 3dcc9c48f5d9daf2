"""The default theme's assets: weight budget, colour contrast, scheme consistency."""

from __future__ import annotations

import re

import pytest

from amber.render.code_styles import PALETTE
from amber.render.markdown import pygments_css
from amber.render.theme import packaged_default_theme

STATIC = packaged_default_theme() / "static"
CSS = (STATIC / "amber.css").read_text(encoding="utf-8")

BUDGET = 50 * 1024
"""Theme CSS + JS, uncompressed, as issue 17 sets it (docs/performance.md has the figures)."""


def test_theme_css_and_js_stay_under_50_kb() -> None:
    sizes = {
        "amber.css": len((STATIC / "amber.css").read_bytes()),
        "amber.js": len((STATIC / "amber.js").read_bytes()),
        "pygments.css": len(pygments_css().encode("utf-8")),
    }
    assert sum(sizes.values()) < BUDGET, sizes


def _block(after: str) -> dict[str, str]:
    """Custom properties in the first ``{...}`` block after the text ``after``."""
    start = CSS.index(after)
    body = CSS[CSS.index("{", start) + 1:CSS.index("}", start)]
    return dict(re.findall(r"--([a-z-]+):\s*([^;]+);", body))


LIGHT = _block(":root {")
DARK_AUTO = _block(":root:not([data-theme=light]) {")
DARK_MANUAL = _block(":root[data-theme=dark] {")
SCHEMES = {"light": LIGHT, "dark": {**LIGHT, **DARK_MANUAL}}


def luminance(colour: str) -> float:
    hex_digits = colour.strip().lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(c * 2 for c in hex_digits)
    channels = [int(hex_digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_both_dark_blocks_are_the_same() -> None:
    """The dark scheme is written twice (media query and toggle): they must not drift."""
    assert DARK_AUTO == DARK_MANUAL
    assert set(DARK_MANUAL) <= set(LIGHT)


TEXT_PAIRS = [
    ("fg", "bg"), ("fg", "surface"), ("fg", "code-bg"), ("fg", "code-header"),
    ("fg", "user-bg"), ("fg", "target"), ("fg", "inline-code"),
    ("muted", "bg"), ("muted", "surface"), ("muted", "code-bg"), ("muted", "code-header"),
    ("muted", "user-bg"), ("muted", "inline-code"),
    ("link", "bg"), ("link", "surface"), ("link", "user-bg"), ("link", "target"),
    ("btn-fg", "btn-bg"), ("btn-fg", "btn-hover"), ("error", "bg"), ("error", "error-bg"),
]
"""Text colour on background: 4.5:1 (WCAG 1.4.3)."""

UI_PAIRS = [("focus", "bg"), ("focus", "user-bg"), ("border-strong", "bg")]
"""Focus rings and input borders: 3:1 (WCAG 1.4.11)."""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_theme_colours_meet_wcag_aa(scheme: str) -> None:
    colours = SCHEMES[scheme]
    failing = [f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"
               for fg, bg in TEXT_PAIRS if contrast(colours[fg], colours[bg]) < 4.5]
    failing += [f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"
                for fg, bg in UI_PAIRS if contrast(colours[fg], colours[bg]) < 3]
    assert failing == []


@pytest.mark.parametrize("scheme", [0, 1])
def test_code_colours_meet_wcag_aa_on_the_code_background(scheme: int) -> None:
    background = SCHEMES["light" if scheme == 0 else "dark"]["code-bg"]
    failing = {role: round(contrast(colours[scheme], background), 2)
               for role, colours in PALETTE.items()
               if contrast(colours[scheme], background) < 4.5}
    assert failing == {}


def test_pygments_css_uses_every_palette_colour() -> None:
    css = pygments_css()
    for role, (light, dark) in PALETTE.items():
        assert f"var(--code-{role})" in css
        assert f"--code-{role}: {light};" in css and f"--code-{role}: {dark};" in css


def test_print_and_screen_dark_rules_are_kept_apart() -> None:
    """Dark code colours apply on screen only; print resets the page to light."""
    css = pygments_css()
    assert "@media screen and (prefers-color-scheme: dark)" in css
    assert "@media screen {\n  :root[data-theme=dark]" in css
    print_block = CSS[CSS.index("@media print"):]
    assert "--bg: #fff" in print_block


def test_favicon_is_local_svg() -> None:
    icon = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    assert icon.startswith("<svg") and "http://www.w3.org/2000/svg" in icon
    assert "href" not in icon and "<script" not in icon
