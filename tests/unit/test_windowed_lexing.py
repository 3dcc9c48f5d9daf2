"""The bounded look-ahead gives Pygments' own tokens wherever no token is longer than it,
and the pieces other lexers get put the block back together exactly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amber.render.lexer_limits import DEFAULT_LIMIT, SLOWER_LIMIT, split_for_lexing
from amber.render.markdown import _lexer, highlight, highlight_block
from amber.render.windowed_lexing import is_plain_regex_lexer, with_window

SAMPLES = {
    "python": 'def f(x: int) -> str:\n    """doc\n    string"""\n    return f"{x!r} & <y>"\n\n',
    "java": ("/** Doc. */\npublic class A {\n  // c\n  String s = \"x\";\n"
             "  int f() { return 1; }\n}\n"),
    "csharp": ("using System;\nclass P {\n  /* c */ static void Main() {\n"
               "    Console.Write(\"x\"); }\n}\n"),
    "c": "#include <stdio.h>\nint main(void) {\n  /* c */ return 0;\n}\n\n",
    "rust": "fn main() {\n    let s = \"a\"; // c\n    println!(\"{}\", s);\n}\n",
    "sql": "SELECT a, b\nFROM t -- c\nWHERE x = 'it''s';\n",
    "yaml": "key: value\nlist:\n  - a\n  - |\n    block\n",
    "groovy": "def f(x) {\n  println \"${x}\"\n}\n\n",
}


def repeated(code: str, size: int) -> str:
    return (code * (size // len(code) + 1))[:size]


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_windowed_lexing_gives_pygments_tokens_on_ordinary_code(language: str) -> None:
    lexer = _lexer(language)
    assert lexer is not None
    code = repeated(SAMPLES[language], 12_000)
    expected = highlight(code, lexer)
    for window in (SLOWER_LIMIT.window, 400, DEFAULT_LIMIT.window):
        if is_plain_regex_lexer(lexer):
            assert highlight(code, lexer, window) == expected, window
        bounded = with_window(lexer, window)
        assert bounded is not None
        assert highlight(code, bounded) == expected, window


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)),
       st.text(alphabet=st.sampled_from(list("ab \n\t<>&\"'`#/*{}()=;:.,0123456789_-\\$")),
               max_size=600))
def test_windowed_lexing_keeps_every_character(language: str, code: str) -> None:
    lexer = _lexer(language)
    assert lexer is not None
    bounded = with_window(lexer, 50)
    assert bounded is not None
    for html in (highlight(code, bounded), highlight(code, lexer, 50)):
        assert unhighlighted(html).rstrip("\n") == code.rstrip("\n")


def unhighlighted(html: str) -> str:
    text = re.sub(r"<[^>]*>", "", html)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n")), max_size=3000),
       st.integers(min_value=1, max_value=700))
def test_pieces_put_the_block_back_together(code: str, size: int) -> None:
    pieces = split_for_lexing(code, size)
    assert "".join(pieces) == code
    assert all(len(piece) <= size for piece in pieces) or len(code) <= size
    assert all(pieces) or code == ""


def test_pieces_end_at_line_ends_before_top_level_lines() -> None:
    code = "def f():\n    return 1\n\n" * 100
    pieces = split_for_lexing(code, 200)
    assert all(piece.endswith("\n") for piece in pieces)
    assert all(piece.startswith("def") for piece in pieces)


def test_a_lexer_given_pieces_keeps_the_text() -> None:
    lexer = _lexer("make")  # not a plain regex lexer: it is given pieces
    assert lexer is not None and not is_plain_regex_lexer(lexer)
    code = repeated("all: x\n\tcc -o $@ $<\n", 5_000)
    assert unhighlighted(highlight_block(code, lexer)).rstrip("\n") == code.rstrip("\n")
