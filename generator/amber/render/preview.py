"""The link-preview image of a share: a 1200 × 630 PNG drawn at build time.

Chat apps and social sites show it when a link is pasted (``og:image``). It
holds the title, the site's name, the date, the message count and the models,
in the theme's colours (``card_style`` reads them from its ``amber.css``), so it
reads as a thumbnail. A share that must not reveal its title gets a generic
card (``preview_card`` with ``reveal=False``): the site's name only.

The text is drawn with the fonts shipped in ``fonts/`` (nothing is fetched):
each character with the first font whose ``cmap`` has it, so a title mixing
scripts draws in full, and a character no font has is left out, never drawn
as a box. Pillow's basic layout is used on every machine (its complex layout
depends on a system library), right-to-left text is ordered by ``card_text``.
The PNG holds pixels only (no time, no text chunks): the same card gives the
same bytes.
"""

from __future__ import annotations

import functools
import re
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from amber.render.card_text import join_arabic, visual_order
from amber.render.font_cmap import covered_characters
from amber.render.pages import PreviewCard

PREVIEW_NAME = "preview.png"
"""The image's file name in ``share/<id>/``."""

FONT_DIR = Path(__file__).parent / "fonts"
_BOLD_CHAIN = ("NotoSans-Bold.ttf", "NotoSansHebrew-Regular.ttf",
               "NotoSansArabic-Regular.ttf", "DroidSansFallback.ttf")
_REGULAR_CHAIN = ("NotoSans-Regular.ttf", "NotoSansHebrew-Regular.ttf",
                  "NotoSansArabic-Regular.ttf", "DroidSansFallback.ttf")
"""Fonts in the order they are asked for a character: Latin, Greek and Cyrillic;
Hebrew; Arabic; then Chinese, Japanese and Korean."""

GENERIC_HEADLINE = "A shared conversation"
GENERIC_DETAILS = "Open the link to read it."
"""What a generic card says under the site's title."""
_MARGIN = 80
_TITLE_SIZES = (72, 64, 56)
"""Tried in order until the title fits in ``_TITLE_LINES``; the last one truncates."""
_TITLE_LINES = 3
_SITE_SIZE = 34
_DETAILS_SIZE = 32
_ELLIPSIS = "…"


def preview_card(url: str, site_title: str, *, title: str, frozen_display: str,
                 message_count: int, models: Sequence[str], reveal: bool) -> PreviewCard:
    """What a share's card shows: everything when ``reveal``, else the site's name only.

    The one place that decides: a share that must not reveal its title (an
    encrypted one) passes ``reveal=False``, and its card and alt text hold
    nothing of it.
    """
    if not reveal:
        return PreviewCard(url=url, alt=f"A conversation shared on {site_title}",
                           site_title=site_title, title=None, details="")
    count = f"{message_count} message{'' if message_count == 1 else 's'}"
    details = " · ".join([frozen_display, count, *models])
    return PreviewCard(url=url, alt=f"{title}. A conversation shared on {site_title}, "
                       f"{frozen_display}, {count}.", site_title=site_title, title=title,
                       details=details)


@dataclass(frozen=True)
class CardStyle:
    """The card's colours, as ``#rrggbb``: the theme's light scheme."""

    background: str = "#ffffff"
    text: str = "#1f2328"
    muted: str = "#5b636d"
    accent: str = "#f5a524"
    border: str = "#d8dee4"


_ROOT_BLOCK = re.compile(r":root\s*\{([^}]*)\}")
_CUSTOM_PROPERTY = re.compile(r"--([a-z-]+)\s*:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\s*;")
_STYLE_PROPERTIES = {"bg": "background", "fg": "text", "muted": "muted", "accent": "accent",
                     "border": "border"}


def card_style(css: str) -> CardStyle:
    """The colours of the theme's first ``:root`` block (``--bg``, ``--fg``, ``--muted``,
    ``--accent``, ``--border``); a colour the theme does not set keeps the default's."""
    block = _ROOT_BLOCK.search(css)
    found: dict[str, str] = {}
    if block is not None:
        for name, value in _CUSTOM_PROPERTY.findall(block.group(1)):
            if name in _STYLE_PROPERTIES:
                if len(value) == 4:
                    value = "#" + "".join(c * 2 for c in value[1:])
                found[_STYLE_PROPERTIES[name]] = value.lower()
    return CardStyle(**found)


_TEXT_SHADES = 7
_MUTED_SHADES = 6
_MUTED = 1 + _TEXT_SHADES
_ACCENT = _MUTED + _MUTED_SHADES
_BORDER = _ACCENT + 1
"""The card is 16 colours, 4 bits a pixel (a quarter of RGB's bytes to compress): the
background (index 0), 7 shades from it to the text colour for the title's
anti-aliased edges, 6 to the muted colour for the smaller lines, the accent and the
border. At these sizes 7 and 6 levels of edge read as smooth."""
_MUTED_LEVELS = [0] + [_MUTED - 1 + max(1, round(v * _MUTED_SHADES / 255))
                       for v in range(1, 256)]
_SITE_BAND = (60, 130)
_DETAILS_BAND = (490, 570)
"""Rows the muted lines are drawn in; the title stays between them."""


def card_png(card: PreviewCard, style: CardStyle) -> bytes:
    """The card as PNG bytes: deterministic, pixels only."""
    image = Image.new("L", (card.width, card.height), 0)
    inner = card.width - 2 * _MARGIN
    mark = 26
    title = GENERIC_HEADLINE if card.title is None else (
        _clean(card.title) or _clean(card.site_title))
    _draw_block(image, _wrap_to_fit(title, inner), top=220 if card.title is None else 190)
    site_fonts = _fonts(_REGULAR_CHAIN, _SITE_SIZE)
    site_line = _fit_line(_clean(card.site_title), site_fonts, inner - mark - 20)
    _muted_line(image, _SITE_BAND, (_MARGIN + mark + 20, 110), site_line, site_fonts)
    details_fonts = _fonts(_REGULAR_CHAIN, _DETAILS_SIZE)
    details = (GENERIC_DETAILS if card.title is None   # a generic card: nothing of the share
               else _fit_line(_clean(card.details), details_fonts, inner))
    _muted_line(image, _DETAILS_BAND, (_MARGIN, card.height - 84), details, details_fonts)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, card.width - 1, 13), fill=_ACCENT)
    draw.rectangle((_MARGIN, 86, _MARGIN + mark - 1, 86 + mark - 1), fill=_ACCENT)
    draw.rectangle((_MARGIN, card.height - 151, card.width - _MARGIN - 1, card.height - 150),
                   fill=_BORDER)
    return _png(image, _palette(style))


def _muted_line(image: Image.Image, band: tuple[int, int], at: tuple[int, int], text: str,
                fonts: tuple[_Font, ...]) -> None:
    """A line in the muted colour: drawn in its band, its coverage mapped to those shades."""
    top, bottom = band
    layer = Image.new("L", (image.width, bottom - top), 0)
    _draw_line(layer, (at[0], at[1] - top), text, fonts, 255)
    image.paste(layer.point(_MUTED_LEVELS), (0, top))


def _palette(style: CardStyle) -> bytes:
    def rgb(colour: str) -> tuple[int, int, int]:
        return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)

    def shades(end: str, count: int) -> list[int]:
        a, b = rgb(style.background), rgb(end)
        return [round(a[c] + (b[c] - a[c]) * i / count)
                for i in range(1, count + 1) for c in range(3)]

    return bytes([*rgb(style.background), *shades(style.text, _TEXT_SHADES),
                  *shades(style.muted, _MUTED_SHADES), *rgb(style.accent), *rgb(style.border)])


def _png(image: Image.Image, palette: bytes) -> bytes:
    """A 4-bit palette PNG of ``image`` (indices 0-15): signature, header, palette, pixels.

    Written here because it is four chunks, and because nothing else can enter
    them: no time, no text, no physical size.
    """
    width, height = image.size
    # Two columns of index 0 on the left pack into one zero byte per row: PNG's
    # "no filter" byte that starts each scanline.
    framed = Image.new("L", (width + 2, height), 0)
    framed.paste(image, (2, 0))
    framed = framed.convert("P")  # indices as they are, no palette mapping
    scanlines = framed.tobytes("raw", "P;4")

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 4, 3, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"PLTE", palette)
            + chunk(b"IDAT", zlib.compress(scanlines, _COMPRESS_LEVEL)) + chunk(b"IEND", b""))


_COMPRESS_LEVEL = 1
"""zlib's level: the card is mostly background, and level 1 already packs it to about
20 KB; higher levels save a few KB for twice the time, at every share of a cold build."""


# --- fonts ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Font:
    face: ImageFont.FreeTypeFont
    covers: frozenset[int]


@functools.cache
def _coverage(name: str) -> frozenset[int]:
    return covered_characters(FONT_DIR / name)


@functools.cache
def _fonts(chain: tuple[str, ...], size: int) -> tuple[_Font, ...]:
    """The chain's fonts at ``size``, loaded once per process."""
    return tuple(
        _Font(ImageFont.truetype(str(FONT_DIR / name), size,
                                 layout_engine=ImageFont.Layout.BASIC), _coverage(name))
        for name in chain)


def drawable(text: str, chain: tuple[str, ...] = _BOLD_CHAIN) -> str:
    """``text`` without the characters no font of the chain has (they would be boxes)."""
    covered = [_coverage(name) for name in chain]
    return "".join(c for c in text if c == " " or any(ord(c) in s for s in covered))


def _clean(text: str) -> str:
    """One line of drawable text: composed, whitespace collapsed, controls and marks
    no font has left out."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(" " if c.isspace() else c for c in text
                   if c.isspace() or unicodedata.category(c)[0] != "C")
    return " ".join(join_arabic(drawable(text)).split())


def _runs(text: str, fonts: tuple[_Font, ...]) -> list[tuple[_Font, str]]:
    """``text`` cut into runs that one font draws (a space goes with the run before it)."""
    runs: list[tuple[_Font, list[str]]] = []
    for char in text:
        font = (runs[-1][0] if runs and char == " "
                else next((f for f in fonts if ord(char) in f.covers), None))
        if font is None:
            continue
        if runs and runs[-1][0] is font:
            runs[-1][1].append(char)  # a list: a title of one long run stays linear
        else:
            runs.append((font, [char]))
    return [(font, "".join(chars)) for font, chars in runs]


@functools.lru_cache(maxsize=4096)
def _glyph(font: _Font, char: str) -> tuple[Image.Image | None, int, int, float]:
    """A character's coverage, where it sits from the pen on the baseline, and its
    advance: rasterised once per process, since a site's titles share most glyphs."""
    face = font.face
    advance = face.getlength(char)
    left, top, right, bottom = face.getbbox(char, anchor="ls")
    if right <= left or bottom <= top:
        return None, 0, 0, advance
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, font=face, fill=255, anchor="ls")
    return mask, int(left), int(top), advance


def _width(text: str, fonts: tuple[_Font, ...]) -> float:
    return sum(_glyph(font, char)[3] for font, run in _runs(text, fonts) for char in run)


def _draw_line(layer: Image.Image, at: tuple[int, int], text: str,
               fonts: tuple[_Font, ...], ink: int) -> None:
    """One line's coverage on ``layer``, glyph by glyph on the baseline (``at`` is its
    left end); the pen advances as ``_width`` measures."""
    x, baseline = float(at[0]), at[1]
    for font, run in _runs(visual_order(text), fonts):
        for char in run:
            mask, left, top, advance = _glyph(font, char)
            if mask is not None:
                layer.paste(ink, (round(x) + left, baseline + top), mask)
            x += advance


# --- wrapping ------------------------------------------------------------------------


def _breaks_anywhere(char: str) -> bool:
    """Chinese and Japanese text breaks between any two characters."""
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x20000 <= code <= 0x3FFFF)


def _units(text: str) -> list[str]:
    """The pieces a line may break between: words with the space after them, and
    single Chinese or Japanese characters."""
    units: list[str] = []
    for word in re.findall(r"\S+ ?", text):
        current = ""
        for char in word:
            if _breaks_anywhere(char):
                if current:
                    units.append(current)
                units.append(char)
                current = ""
            else:
                current += char
        if current:
            units.append(current)
        elif word.endswith(" ") and units:
            units[-1] += " "
    return units


def _wrap(text: str, fonts: tuple[_Font, ...], width: int, most: int) -> list[str]:
    """Greedy lines of at most ``width`` pixels; a word longer than a line is cut.

    Each piece is measured once and a line's width is the sum of its pieces', so
    a long title costs a pass, not a pass per piece. It stops past ``most`` lines:
    a card shows no more, and a title of a million characters must cost no more
    than one that just overflows.
    """
    lines: list[str] = []
    line, used = "", 0.0
    # No line holds more than _most_chars(width) characters: what lies past the first
    # most + 1 lines' worth is never drawn, so it is never measured either.
    for unit in _units(text[:(most + 1) * _most_chars(width)]):
        if len(lines) > most:
            return lines
        bare = unit.rstrip()
        if used + _width(bare, fonts) <= width:
            line, used = line + unit, used + _width(unit, fonts)
            continue
        if line:
            lines.append(line.rstrip())
        while len(lines) <= most and _width(unit.rstrip(), fonts) > width:  # a word wider
            cut = _longest_prefix(unit, fonts, width)
            lines.append(unit[:cut])
            unit = unit[cut:]
        line, used = unit, _width(unit, fonts)
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _most_chars(width: int) -> int:
    """More characters than a line of ``width`` pixels can hold, since only invisible
    marks are narrower than a pixel."""
    return width + 1


def _longest_prefix(text: str, fonts: tuple[_Font, ...], width: int) -> int:
    """How many characters of ``text`` fit ``width`` (at least one), by bisection."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _width(text[:middle], fonts) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _wrap_to_fit(text: str, width: int) -> tuple[int, list[str]]:
    """The largest title size whose lines fit, or the smallest one cut to
    ``_TITLE_LINES`` lines with an ellipsis after the last whole word."""
    for size in _TITLE_SIZES:
        lines = _wrap(text, _fonts(_BOLD_CHAIN, size), width, _TITLE_LINES)
        if len(lines) <= _TITLE_LINES:
            return size, lines
    size = _TITLE_SIZES[-1]
    fonts = _fonts(_BOLD_CHAIN, size)
    lines = _wrap(text, fonts, width, _TITLE_LINES)
    kept = lines[:_TITLE_LINES]
    kept[-1] = _with_ellipsis(kept[-1], fonts, width)
    return size, kept


def _fit_line(text: str, fonts: tuple[_Font, ...], width: int) -> str:
    """``text`` on one line, cut after a whole word with an ellipsis when too wide."""
    if _width(text, fonts) <= width:
        return text
    line = _wrap(text, fonts, width, 1)[0]
    return _with_ellipsis(line, fonts, width)


def _with_ellipsis(line: str, fonts: tuple[_Font, ...], width: int) -> str:
    """``line`` shortened by whole units until it and an ellipsis fit ``width``."""
    units = _units(line)
    if len(units) == 1:  # one word cut to the line's width: no boundary to cut at
        return line[:_longest_prefix(line + _ELLIPSIS, fonts, width) - 1] + _ELLIPSIS
    while units:
        candidate = "".join(units).rstrip(" ,.;:-–—") + _ELLIPSIS
        if _width(candidate, fonts) <= width:
            return candidate
        units.pop()
    return _ELLIPSIS


def _draw_block(layer: Image.Image, fitted: tuple[int, list[str]], *, top: int) -> None:
    size, lines = fitted
    fonts = _fonts(_BOLD_CHAIN, size)
    leading = round(size * 1.22)
    for number, line in enumerate(lines):
        _draw_line(layer, (_MARGIN, top + size + number * leading), line, fonts, _TEXT_SHADES)
