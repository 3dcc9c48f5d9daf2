"""The link-preview card: its size, its bytes, its fonts, and what a generic card hides."""

from __future__ import annotations

import io
import struct

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from amber.render.card_text import join_arabic, visual_order
from amber.render.font_cmap import covered_characters
from amber.render.pages import PreviewCard
from amber.render.preview import FONT_DIR, CardStyle, card_png, card_style, drawable, preview_card

SITE = "Jane's chats"
STYLE = CardStyle()
TITLE_BAND = (80, 190, 1120, 470)
"""Where the title is drawn (left, top, right, bottom)."""


def card(title: str, *, reveal: bool = True, models: tuple[str, ...] = ("gpt-4o",)) -> PreviewCard:
    return preview_card("https://example.org/chats/share/x/preview.png", SITE, title=title,
                        frozen_display="28 November 2026", message_count=4, models=models,
                        reveal=reveal)


def image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def ink(data: bytes, box: tuple[int, int, int, int] = TITLE_BAND) -> int:
    """Pixels of the box that are not the background colour."""
    region = image(data).convert("RGB").crop(box)
    background = tuple(int(STYLE.background[i:i + 2], 16) for i in (1, 3, 5))
    diff = ImageChops.difference(region, Image.new("RGB", region.size, background))
    return region.width * region.height - diff.convert("L").histogram()[0]


def chunks(data: bytes) -> list[bytes]:
    """The PNG's chunk types in order."""
    found, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        found.append(kind)
        at += 12 + length
    return found


def test_a_card_is_a_1200_by_630_png_of_pixels_only() -> None:
    data = card_png(card("How does Git store files?"), STYLE)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert image(data).size == (1200, 630)
    # No time, no text, no gamma or physical-size chunks: nothing but the picture.
    assert set(chunks(data)) == {b"IHDR", b"PLTE", b"IDAT", b"IEND"}


def test_the_same_card_gives_the_same_bytes() -> None:
    first = card_png(card("Running totals in SQL, and ranks per month"), STYLE)
    assert card_png(card("Running totals in SQL, and ranks per month"), STYLE) == first
    assert card_png(card("Running totals in SQL, and ranks per day"), STYLE) != first


def test_chinese_japanese_and_korean_titles_draw_their_glyphs() -> None:
    for title in ("이항모형", "中文标题", "二項モデル", "Ελληνικά", "Русский", "שלום", "مرحبا"):
        assert drawable(title) == title, title
        drawn = ink(card_png(card(title), STYLE))
        assert drawn > 1500, title


def test_a_character_no_font_has_is_left_out_never_drawn_as_a_box() -> None:
    fonts = sorted(FONT_DIR.glob("*.ttf"))
    covered = set().union(*(covered_characters(path) for path in fonts))
    missing = "\U0001F389\uE000\U00013000"  # an emoji, private use, a hieroglyph
    assert not {ord(c) for c in missing} & covered
    assert drawable(f"Party{missing} time") == "Party time"
    # A title of nothing drawable shows the site's name instead of boxes.
    assert card_png(card(missing), STYLE) == card_png(card(SITE), STYLE)


def test_the_fonts_cover_the_scripts_pages_support() -> None:
    covered = set().union(*(covered_characters(p) for p in FONT_DIR.glob("*.ttf")))
    samples = "Aé ß Ωά Жё 中文 ひらがな カタカナ 한국어 שלום مرحبا \uFEFB ０１"
    assert {ord(c) for c in samples if c != " "} <= covered
    assert (FONT_DIR / "LICENSE-OFL-1.1.txt").is_file()
    assert (FONT_DIR / "LICENSE-Apache-2.0.txt").is_file()


def test_a_generic_card_shows_nothing_of_the_share() -> None:
    secret = card("Our merger plans with Initech", reveal=False, models=("secret-model",))
    assert secret.title is None and secret.details == ""
    assert "Initech" not in secret.alt and "merger" not in secret.alt
    assert "secret-model" not in repr(secret)
    other = card("Something else entirely", reveal=False)
    # The title cannot be in the pixels: another title gives the same image.
    assert card_png(secret, STYLE) == card_png(other, STYLE)
    assert card_png(secret, STYLE) != card_png(card("Our merger plans with Initech"), STYLE)


def test_the_card_shows_the_details_and_the_alt_text_says_them() -> None:
    shown = card("Cookie recipe in grams", models=("gpt-4o", "claude-3-5-sonnet"))
    assert shown.details == "28 November 2026 · 4 messages · gpt-4o · claude-3-5-sonnet"
    assert shown.alt.startswith("Cookie recipe in grams. A conversation shared on Jane's chats")
    assert card("One", models=()).details == "28 November 2026 · 4 messages"


def test_long_titles_stay_inside_the_card() -> None:
    for title in ("word " * 200, "Supercalifragilistic" * 40, "中文" * 300):
        data = card_png(card(title), STYLE)
        assert ink(data, (0, 462, 1200, 478)) == 0  # nothing runs into the rule below
        assert ink(data, (1121, 150, 1200, 470)) == 0  # nor past the right margin


def test_colours_come_from_the_themes_root_block() -> None:
    css = ":root {\n  --bg: #fafafa;\n  --fg: #111;\n  --accent: #0a7;\n}\n.dark { --bg: #000000; }"
    style = card_style(css)
    assert (style.background, style.text, style.accent) == ("#fafafa", "#111111", "#00aa77")
    assert style.muted == CardStyle().muted
    data = card_png(card("Colours"), style)
    assert image(data).convert("RGB").getpixel((600, 600)) == (0xFA, 0xFA, 0xFA)
    assert image(data).convert("RGB").getpixel((600, 5)) == (0x00, 0xAA, 0x77)


def test_right_to_left_text_is_put_in_visual_order_and_arabic_is_joined() -> None:
    assert visual_order("Git in עברית") == "Git in תירבע"
    assert visual_order("שלום עולם!") == "!םלוע םולש"
    assert visual_order("plain text") == "plain text"
    assert join_arabic("لا") == "\uFEFB"  # lam-alef ligature
    assert join_arabic("بب") == "\uFE91\uFE90"  # initial beh, final beh
    assert join_arabic("ر") == "ر"  # alone: the letter itself


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_any_title_draws_inside_the_card(title: str) -> None:
    data = card_png(card(title), STYLE)
    assert image(data).size == (1200, 630)
    assert ink(data, (0, 462, 1200, 478)) == 0
    assert ink(data, (1121, 150, 1200, 470)) == 0


def test_a_huge_title_costs_what_an_overflowing_one_does(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Hostile titles: a million characters in one word or in many are wrapped only as far
    as a card shows. Counted in characters measured, not in seconds."""
    import amber.render.preview as preview

    measured = {"chars": 0}
    real_width = preview._width

    def counting(text: str, fonts) -> float:  # type: ignore[no-untyped-def]
        measured["chars"] += len(text)
        return real_width(text, fonts)

    monkeypatch.setattr(preview, "_width", counting)
    costs = []
    for title in ("W" * 1_000_000, "word " * 200_000, "x" * 400):
        measured["chars"] = 0
        data = card_png(card(title), card_style(""))
        assert image(data).size == (1200, 630)
        costs.append(measured["chars"])
    assert max(costs) < 40 * costs[2], costs
