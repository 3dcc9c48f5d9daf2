"""amber's span writer must give exactly what Pygments' HtmlFormatter gives."""

from __future__ import annotations

import pygments
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name

from amber.render.markdown import highlight

REFERENCE = HtmlFormatter(nowrap=True)

SAMPLES = {
    "python": 'def f(x: int) -> str:\n    """doc\n    string"""\n    return f"{x!r} & <y>"\n',
    "rust": "fn main() {\n    let s = r#\"raw\n\"#; // c\n    println!(\"{}\", s);\n}",
    "javascript": "const a = `multi\nline ${b}`;\n/* block\n comment */ x => x < 2 && y > 1\n",
    "sql": "SELECT a, b\nFROM t -- c\nWHERE x = 'it''s'\n  AND y <> 2;\n",
    "bash": "for f in *.txt; do\n  echo \"$f\" >> out; done\n# end",
    "go": "package main\n\nfunc main() {\n\tfmt.Println(\"tab\\tbed\")\n}\n",
    "json": '{\n  "a": [1, 2.5, true, null],\n  "b": "<tag>"\n}\n',
    "yaml": "key: value\nlist:\n  - a\n  - |\n    block\n    text\n",
    "html": "<div class=\"x\">&amp; <b>bold</b>\n</div>",
    "typescript": "interface A { b?: string }\n\n\nlet c: A = {};",
    "c": "#include <stdio.h>\nint main(void) { return 0; }\n\n",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_same_bytes_as_pygments(language: str) -> None:
    lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    code = SAMPLES[language]
    assert highlight(code, lexer) == pygments.highlight(code, lexer, REFERENCE)
    assert highlight(code.rstrip("\n"), lexer) == pygments.highlight(code.rstrip("\n"), lexer,
                                                                     REFERENCE)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(SAMPLES)),
       st.text(alphabet=st.sampled_from(list("ab \n\t<>&\"'`#/*{}()=;:.,0123456789_-\\")),
               max_size=200))
def test_same_bytes_as_pygments_on_arbitrary_text(language: str, code: str) -> None:
    lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    assert highlight(code, lexer) == pygments.highlight(code, lexer, REFERENCE)
