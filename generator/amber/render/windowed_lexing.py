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

import copy
import re
from collections.abc import Callable, Iterator

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType


def is_plain_regex_lexer(lexer: object) -> bool:
    """A RegexLexer that uses Pygments' own loop, and nothing around it (filters, its own
    ``get_tokens``), so ``windowed_tokens`` lexes it the same."""
    return (isinstance(lexer, RegexLexer)
            and type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
            and type(lexer).get_tokens is Lexer.get_tokens and not lexer.filters)


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


class _Window:
    """Where the window ends for a position, found again only once the position moves a
    window on (finding the line end for every rule tried would cost a line each)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.text: str | None = None
        self.start = 0
        self.end = 0

    def end_for(self, text: str, pos: int) -> int:
        if text is not self.text or not self.start <= pos <= self.end - self.size:
            self.text, self.start = text, pos
            self.end = _window_end(text, pos, 2 * self.size)
        return self.end if self.end - pos >= self.size else len(text)


def _bounded(rexmatch: Callable[..., re.Match[str] | None],
             window: _Window) -> Callable[..., re.Match[str] | None]:
    def match(text: str, pos: int, endpos: int | None = None) -> re.Match[str] | None:
        end = window.end_for(text, pos)
        return rexmatch(text, pos, end if endpos is None else min(end, endpos))
    return match


def with_window(lexer: Lexer, window: int) -> Lexer | None:
    """A copy of a regex lexer whose rules look about ``window`` characters ahead at most,
    whatever loop drives them (its own override, ExtendedRegexLexer's, a callback's); the
    regex lexers it holds are bounded too. None for a lexer that is not a regex lexer."""
    if not isinstance(lexer, RegexLexer):
        return None
    clone = copy.copy(lexer)
    bounds = _Window(window)
    clone._tokens = {  # type: ignore[attr-defined]
        state: [(_bounded(rexmatch, bounds), action, new_state)
                for rexmatch, action, new_state in rules]
        for state, rules in lexer._tokens.items()
    }
    for name, value in vars(lexer).items():
        if isinstance(value, RegexLexer):
            setattr(clone, name, with_window(value, window))
    return clone
