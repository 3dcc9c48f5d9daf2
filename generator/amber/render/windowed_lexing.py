"""Pygments' regex lexing loop with a bounded look-ahead, so no token costs more than a window.

A regex lexer tries its rules at each position on the whole rest of the text. A rule
such as Java's ``((?:name\\s+)+?)(name)(\\s*)(\\()`` (a method declaration) reads
ahead over every following word looking for ``(``; at every word it does that again,
so lines of bare words cost the square of their length. This is
``RegexLexer.get_tokens_unprocessed`` (Pygments 2.x) with one change: each rule sees
the text only up to a line end between ``window`` and twice as many characters ahead. Lexing
keeps its state across the whole block, so the result differs from Pygments' only
where one token would be longer than the window; the cost of each rule is bounded by
the window and one line.
"""

from __future__ import annotations

from collections.abc import Iterator

from pygments.lexer import RegexLexer
from pygments.token import Error, Whitespace, _TokenType


def is_plain_regex_lexer(lexer: object) -> bool:
    """A RegexLexer that uses Pygments' own loop, so ``windowed_tokens`` lexes it the same."""
    return (isinstance(lexer, RegexLexer)
            and type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed)


def windowed_tokens(lexer: RegexLexer, text: str,
                    window: int) -> Iterator[tuple[int, _TokenType, str]]:
    """(offset, token type, value) of ``text``, each rule matched within a bounded window."""
    pos = 0
    end = _window_end(text, pos, window)
    tokendefs = lexer._tokens
    statestack = ["root"]
    statetokens = tokendefs["root"]
    while True:
        if end - pos < window and end < len(text):
            end = _window_end(text, pos, 2 * window)  # found again once per window, not per token
        for rexmatch, action, new_state in statetokens:
            m = rexmatch(text, pos, end)
            if m:
                if action is not None:
                    if type(action) is _TokenType:
                        yield pos, action, m.group()
                    else:
                        yield from action(lexer, m)
                pos = m.end()
                if new_state is not None:
                    if isinstance(new_state, tuple):
                        for state in new_state:
                            if state == "#pop":
                                if len(statestack) > 1:
                                    statestack.pop()
                            elif state == "#push":
                                statestack.append(statestack[-1])
                            else:
                                statestack.append(state)
                    elif isinstance(new_state, int):
                        if abs(new_state) >= len(statestack):
                            del statestack[1:]
                        else:
                            del statestack[new_state:]
                    elif new_state == "#push":
                        statestack.append(statestack[-1])
                    else:
                        raise ValueError(f"wrong state definition: {new_state!r}")
                    statetokens = tokendefs[statestack[-1]]
                break
        else:
            if pos >= len(text):
                break
            if text[pos] == "\n":
                statestack = ["root"]
                statetokens = tokendefs["root"]
                yield pos, Whitespace, "\n"
                pos += 1
                continue
            yield pos, Error, text[pos]
            pos += 1


def _window_end(text: str, pos: int, window: int) -> int:
    """Just past the first line end at least ``window`` characters after ``pos``."""
    if pos + window >= len(text):
        return len(text)
    newline = text.find("\n", pos + window)
    return len(text) if newline == -1 else newline + 1
