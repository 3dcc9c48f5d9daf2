"""The parse + highlight floor: markdown-it-py and Pygments alone, one core.

Whatever amber does, it has to turn every message's Markdown into HTML and lex
every fenced code block; that is the floor under its build time. This script
does only that, over the same messages: markdown-it-py with the syntax amber
formats (tables, strikethrough, linkify, footnotes, task lists and ``$`` math,
the last three from mdit-py-plugins) renders each message, and each fenced
block is highlighted by Pygments' ``HtmlFormatter`` with the lexer named by its
fence (never guessed; an unknown language is escaped as plain text). No
templates, no files written, one process. Reading the YAML is not timed: only
rendering is.

Usage: ``python bench/floor.py SITE [--exclude SLUG ...]``; prints one JSON
object (messages, blocks, seconds) on stdout. ``bench_scale.py`` runs it as a
child process so that its peak memory can be read too.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from hugo_site import message_markdown
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound


@functools.cache
def _lexer(language: str) -> Lexer | None:
    """One lexer per language for the whole run, as any sensible generator keeps them."""
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


class Floor:
    """A markdown-it renderer whose fences go through Pygments, with time counters."""

    def __init__(self) -> None:
        self.formatter = HtmlFormatter(nowrap=True)
        self.blocks = 0
        self.highlight_s = 0.0
        # The plugins amber runs: a floor without them would leave their cost in amber's
        # overhead, though any generator formatting the same syntax pays it.
        self.md = (MarkdownIt("commonmark", {"highlight": self._highlight, "linkify": True})
                   .enable(["table", "strikethrough", "linkify"])
                   .use(footnote_plugin).use(tasklists_plugin).use(dollarmath_plugin))

    def _highlight(self, code: str, language: str, _attrs: str) -> str:
        start = time.perf_counter()
        self.blocks += 1
        lexer = _lexer(language.strip().lower()) if language.strip() else None
        body = highlight(code, lexer, self.formatter) if lexer else html.escape(code)
        self.highlight_s += time.perf_counter() - start
        return f'<pre class="highlight"><code>{body}</code></pre>\n'

    def render(self, markdown: str) -> str:
        return self.md.render(markdown)


def conversation_files(site: Path, exclude: set[str]) -> list[Path]:
    folder = site / "content" / "conversations"
    return sorted(p for p in folder.iterdir()
                  if p.suffix in (".yaml", ".yml", ".json") and not p.name.startswith(".")
                  and p.stem not in exclude)


def load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def run(site: Path, exclude: set[str]) -> dict[str, object]:
    """Render every message of every conversation; time the rendering only.

    Conversations are read one at a time, so memory stays that of one
    conversation plus the renderer, as in a streaming build.
    """
    floor = Floor()
    wall = cpu = 0.0
    messages = conversations = out_bytes = 0
    for path in conversation_files(site, exclude):
        texts = [t for m in load(path).get("messages") or []
                 for t in message_markdown(m.get("content"))]
        conversations += 1
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        for text in texts:
            out_bytes += len(floor.render(text))
        wall += time.perf_counter() - start_wall
        cpu += time.process_time() - start_cpu
        messages += len(texts)
    return {"conversations": conversations, "messages": messages, "blocks": floor.blocks,
            "wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
            "highlight_s": round(floor.highlight_s, 3), "html_mb": round(out_bytes / 1e6, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time markdown-it-py + Pygments alone over "
                                                 "a site's conversations (one core).")
    parser.add_argument("site", type=Path)
    parser.add_argument("--exclude", nargs="*", default=[], metavar="SLUG",
                        help="conversations to leave out (those not shared)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.site, set(args.exclude))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
