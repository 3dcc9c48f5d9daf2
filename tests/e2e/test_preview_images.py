"""The example site's link previews: an image per share, absolute URLs, readable descriptions."""

from __future__ import annotations

import io
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from PIL import Image

from amber.build.pipeline import build
from amber.render.preview import PREVIEW_NAME
from tests.helpers.html import parse_tags

ROOT = Path(__file__).resolve().parents[2]
BASE_URL = "https://amber-demo.github.io/chats/"

EXAMPLE_DESCRIPTIONS = {
    "이항모형으로 옵션 가격 구하기":
        "금융공학 수업 과제인데, 이항모형(binomial model)을 써서 콜옵션 가격을 구하는 방법을 한 "
        "단계짜리 예시로 설명해 줄 수 있어? 주가는 100, 행사가격도 100, 한 기간 무위험이자율은 5%, "
        "주가는 20% 오르거나 내린다고 해.",
    "Parallel line counting: a worker pool in Go and in Rust":
        "I need to process a few thousand log files in parallel (for now just count lines per "
        "file). Can you show me an idiomatic worker pool in Go and in Rust, and how the two "
        "approaches compare?",
    "How long until my savings reach €10,000?":
        "If I put €250 into a savings account at the end of every month and it pays 4.5% a "
        "year, compounded monthly, how long until I have €10,000? Please actually run the "
        "numbers rather than estimating.",
    "From a whiteboard sketch to a rate limiter":
        "This is what we sketched in our design meeting for rate limiting our public API. Can "
        "you turn it into code? Our API is Node with Express.",
    "Checklist for the first release of a Python library":
        "I'm about to publish my first open-source Python library, slugkit (it turns titles "
        "into URL slugs).",
    "Grandma's cookie recipe in grams and Celsius":
        "My grandma's cookie recipe says 2 cups flour, 1 cup sugar, 1/2 cup butter, bake at "
        "350°F. I only have a kitchen scale and a Celsius oven. Help?",
    "Running totals and monthly rankings with SQL window functions":
        "I have a table. For each order I want the customer's running total so far, and "
        "separately, for every month, each customer's spend and their rank that month. Can I "
        "do that without self-joins?",
    "How does Git actually store my files?":
        "I've used Git for years but I realise I have no idea what's inside .git/. How does "
        "Git actually store files and commits? Is it storing diffs?",
}
"""Each example share's title and its description, as a link preview shows it."""


def metas(html: str) -> dict[str, str]:
    """``<meta>`` property or name -> content."""
    found = {}
    for tag, attrs in parse_tags(html):
        key = attrs.get("property") or attrs.get("name")
        if tag == "meta" and key and attrs.get("content") is not None:
            found[key] = attrs["content"] or ""
    return found


@pytest.fixture(scope="module")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("examples") / "site"
    shutil.copytree(ROOT / "content", site / "content")
    build(site, use_cache=False)
    return site / "output"


def share_pages(output: Path) -> dict[Path, dict[str, str]]:
    pages = {page.parent: metas(page.read_text("utf-8"))
             for page in sorted((output / "share").glob("*/index.html"))}
    assert pages
    return pages


def test_every_share_has_a_1200_by_630_png_by_absolute_url(example_output: Path) -> None:
    for folder, meta in share_pages(example_output).items():
        url = f"{BASE_URL}share/{folder.name}/{PREVIEW_NAME}"
        assert meta["og:image"] == url
        assert meta["twitter:image"] == url
        assert meta["twitter:card"] == "summary_large_image"
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
        assert meta["og:title"] in meta["og:image:alt"]
        with Image.open(folder / PREVIEW_NAME) as image:
            assert (image.format, image.size) == ("PNG", (1200, 630))


def test_pages_without_a_card_keep_the_small_summary(example_output: Path) -> None:
    for name in ("index.html", "404.html"):
        meta = metas((example_output / name).read_text("utf-8"))
        assert meta["twitter:card"] == "summary"
        assert "og:image" not in meta


def test_a_second_build_draws_the_same_bytes(example_output: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    build(site, use_cache=False)
    first = {p.relative_to(example_output): p.read_bytes()
             for p in example_output.rglob(PREVIEW_NAME)}
    again = {p.relative_to(site / "output"): p.read_bytes()
             for p in (site / "output").rglob(PREVIEW_NAME)}
    assert first == again and len(first) == len(EXAMPLE_DESCRIPTIONS)
    assert all(Image.open(io.BytesIO(data)).info == {} for data in first.values())


def test_the_example_descriptions_read_as_sentences(example_output: Path) -> None:
    found = {meta["og:title"]: meta["description"]
             for meta in share_pages(example_output).values()}
    assert found == EXAMPLE_DESCRIPTIONS
    for text in found.values():
        assert text == unescape(text) and text[-1] in ".?!…", text
        assert not re.search(r"\s[.,;:!?](\s|$)", text), text  # no markup left a gap
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            # A capital where the script has capitals (Hangul and Han have none).
            first = sentence[0]
            assert first.isupper() or (not first.islower() and first.isalpha()) \
                or first in "(\"'", sentence
