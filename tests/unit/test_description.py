"""Descriptions: a message's rendered HTML to sentences a link preview can show."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from amber.render.description import description_text
from amber.render.markdown import render_markdown

CODE = ('<div class="code-block"><div class="code-header"><span>sql</span></div>'
        '<pre><code>CREATE TABLE orders (id int);</code></pre></div>')


def test_a_code_block_ends_the_sentence_that_announced_it() -> None:
    html = f"<p>I have a table:</p>{CODE}<p>For each order I want a total.</p>"
    assert description_text(html) == "I have a table. For each order I want a total."


def test_list_items_follow_their_lead_in_as_one_sentence() -> None:
    html = ("<p>My plan so far:</p><ul><li>write a <strong>CHANGELOG</strong></li>"
            "<li>bump the version</li><li><input type=checkbox> upload.</li></ul>"
            "<p>Is that all</p>")
    assert description_text(html) == (
        "My plan so far: write a CHANGELOG; bump the version; upload. Is that all.")


def test_inline_markup_stays_inside_its_sentence() -> None:
    html = "<p>What is inside <code>.git/</code>? And <em>why</em>, <a href='#'>really</a>.</p>"
    assert description_text(html) == "What is inside .git/? And why, really."


def test_images_attachments_reasoning_and_tools_are_left_out() -> None:
    html = ('<p>Here is the sketch:</p><figure class="part part-image"><img src="a.png" alt="x">'
            '<figcaption>sketch.png</figcaption></figure>'
            '<details class="part part-reasoning"><summary>Reasoning</summary><p>hmm</p></details>'
            '<div class="part part-tool-call"><div class="part-label">Tool call: f</div></div>'
            "<p>Turn it into code</p>")
    assert description_text(html) == "Here is the sketch. Turn it into code."


def test_text_is_cut_after_a_sentence_or_a_whole_word() -> None:
    first = "This first sentence is long enough to count as a whole description in its own right."
    long = f"<p>{first} " + "and more words " * 30 + "</p>"
    assert description_text(long) == first
    words = "<p>" + "lengthy " * 60 + "</p>"
    cut = description_text(words)
    assert cut.endswith("lengthy…") and len(cut) <= 200


def test_entities_become_text_and_markdown_renders_the_same_way() -> None:
    assert description_text("<p>a &lt;b&gt; &amp; c</p>") == "a <b> & c."
    html = render_markdown("Steps:\n\n- one\n- two\n\n```python\nx = 1\n```\n\nWhy?")
    assert description_text(html) == "Steps: one; two. Why?"


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=14),
                min_size=1, max_size=60))
def test_never_cut_inside_a_word(words: list[str]) -> None:
    text = description_text("<p>" + " ".join(words) + "</p>", limit=80)
    assert len(text) <= 80
    kept = text.rstrip(".…").split(" ")
    assert kept == words[:len(kept)]
