"""amber.render.cjk_emphasis: bold and italic next to Chinese, Japanese and Korean text."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from amber.render.cjk_emphasis import cjk_emphasis_plugin, is_cjk
from amber.render.markdown import render_markdown


@functools.cache
def plain() -> MarkdownIt:
    return MarkdownIt("js-default").enable("strikethrough")


@functools.cache
def amended() -> MarkdownIt:
    return MarkdownIt("js-default").enable("strikethrough").use(cjk_emphasis_plugin)


@pytest.mark.parametrize(("text", "html"), [
    # Korean particles follow the closing run directly; CommonMark leaves the asterisks.
    ("**이항모형(binomial model)**을 씁니다", "<strong>이항모형(binomial model)</strong>을 씁니다"),
    ("**중요.**다음", "<strong>중요.</strong>다음"),
    ("값은 **20(원)**입니다", "값은 <strong>20(원)</strong>입니다"),
    # Chinese and Japanese: no spaces, full-width punctuation inside or outside the run.
    ("这是**重要**的", "这是<strong>重要</strong>的"),
    ("价格是**100元（含税）**。", "价格是<strong>100元（含税）</strong>。"),
    ("*強調*です", "<em>強調</em>です"),
    ("これは**「重要」**です", "これは<strong>「重要」</strong>です"),
    ("**「重要」**です", "<strong>「重要」</strong>です"),
    ("~~취소(cancel)~~됨", "<s>취소(cancel)</s>됨"),
    # An ideograph with a variation selector counts as the ideograph.
    ("葛\U000e0100**「x」**", "葛\U000e0100<strong>「x」</strong>"),
])
def test_emphasis_next_to_cjk_renders_as_the_chat_apps_do(text: str, html: str) -> None:
    assert render_markdown(text) == f"<p>{html}</p>\n"
    assert "*" not in amended().render(text)


@pytest.mark.parametrize("text", ["**이항모형(binomial model)**을", "これは**「重要」**です",
                                  "值是**20（元）**吗"])
def test_commonmark_alone_leaves_these_asterisks(text: str) -> None:
    assert "**" in plain().render(text)
    assert "**" not in amended().render(text)


@pytest.mark.parametrize("text", [
    "**foo(bar)**baz",        # CommonMark: not bold, and no CJK character is involved
    "a**(b)**c",
    "这是__重要__的",          # underscores inside a word never open, in any script
    "** 空白 **",             # whitespace inside the run still forbids it
    "中文 ** 中文",
])
def test_cjk_rules_leave_what_commonmark_refuses_for_other_reasons(text: str) -> None:
    assert amended().render(text) == plain().render(text)
    assert "<strong>" not in render_markdown(text) and "<em>" not in render_markdown(text)


@pytest.mark.parametrize("text", ["*強調*", "**一**二**三**", "`**코드**`을", "***강조(x)***를"])
def test_well_formed_runs_pair_as_before(text: str) -> None:
    html = amended().render(text)
    assert html.count("<strong>") == html.count("</strong>")
    assert html.count("<em>") == html.count("</em>")


def test_cjk_character_classes() -> None:
    for char in "한글ㄱ漢字ひらがなカタカナｶﾀ（）「」。，𠀋":
        assert is_cjk(char), char
    for char in "aZé(). \u00a0Ωж😀":
        assert not is_cjk(char), char


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="*_~ab (.)!\n\"'-", max_size=24))
def test_text_without_cjk_parses_exactly_as_commonmark(text: str) -> None:
    assert amended().render(text) == plain().render(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="*_~한字(.)」 a", max_size=20))
def test_cjk_text_keeps_tags_balanced(text: str) -> None:
    html = amended().render(text)
    for tag in ("strong", "em", "s"):
        assert html.count(f"<{tag}>") == html.count(f"</{tag}>")
