"""Tool calls shown as readers of chat apps know them: one collapsed line per use.

A call and its result are often messages apart (the result is a ``tool`` message of
its own). ``pair_results`` finds each call's result, by its tool call id or else as
the next unclaimed result of the same tool, so a page can show both in one
``<details>`` whose summary reads ``calculator(6 * 7) → 42`` or ``python ✗ NameError``;
the full call and result open below it. Web search and browsing results, which
importers keep as Markdown lists of links, are shown as a compact list of links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from amber.content.model import Message, Part
from amber.render.markdown import (
    AssetResolver,
    code_argument,
    code_block,
    has_lexer,
    pretty_arguments,
    render_image,
    render_markdown,
    render_part,
)

ImageMeasure = Callable[[str], "tuple[int, int] | None"]
"""An image part's ``src`` -> its width and height, when its file says."""

SUMMARY_CHARS = 48
"""Longest argument or result shown in a tool's collapsed line, in characters."""

_WEB_TOOL = re.compile(r"search|brows|fetch|web|open_url", re.IGNORECASE)
_ERROR_NAME = re.compile(r"\b([A-Z][A-Za-z0-9_]*(?:Error|Exception|Exit|Interrupt))\b")
_LINK_ITEM = re.compile(r"^\s*[-*]\s+\[", re.MULTILINE)


@dataclass(frozen=True)
class Pairing:
    """Which result belongs to which call, across the messages of one page."""

    results: dict[tuple[int, int], Part]
    """(message index, part index) of a tool call -> its result."""
    absorbed: frozenset[tuple[int, int]]
    """(message index, part index) of every result shown with its call."""
    sources: dict[tuple[int, int], tuple[int, int]]
    """(message index, part index) of a tool call -> where its result is."""

    def absorbs(self, index: int, message: Message) -> bool:
        """Whether every part of a message is a result shown with its call elsewhere."""
        return bool(message.parts) and all((index, p) in self.absorbed
                                           for p in range(len(message.parts)))


def pair_results(messages: Sequence[Message]) -> Pairing:
    """Each tool call's result: the result with its id, else the next unclaimed result of
    the same tool (or of no named tool) before the next call of that tool."""
    calls: list[tuple[int, int, Part]] = []
    results: list[tuple[int, int, Part]] = []
    for m, message in enumerate(messages):
        for p, part in enumerate(message.parts):
            if part.type == "tool_call":
                calls.append((m, p, part))
            elif part.type == "tool_result":
                results.append((m, p, part))
    claimed: set[tuple[int, int]] = set()
    paired: dict[tuple[int, int], Part] = {}
    sources: dict[tuple[int, int], tuple[int, int]] = {}
    by_id = {}
    for m, p, part in results:
        if part.id and part.id not in by_id:
            by_id[part.id] = (m, p, part)
    for m, p, call in calls:
        found = by_id.get(call.id) if call.id else None
        if found is None:
            found = next((r for r in results if (r[0], r[1]) > (m, p)
                          and (r[0], r[1]) not in claimed and not r[2].id
                          and r[2].name in (None, call.name)), None)
        if found is None or (found[0], found[1]) in claimed or (found[0], found[1]) < (m, p):
            continue
        claimed.add((found[0], found[1]))
        paired[(m, p)] = found[2]
        sources[(m, p)] = (found[0], found[1])
    return Pairing(paired, frozenset(claimed), sources)


def render_message(message: Message, index: int, doc_id: str, pairing: Pairing,
                   resolve_asset: AssetResolver, measure: ImageMeasure | None = None,
                   anchors: dict[int, str] | None = None) -> Markup:
    """One message's parts as HTML: tool calls with their results, other parts as usual;
    results shown with their call elsewhere are left out here.

    ``anchors`` are the fragment ids of messages left out because all they held were
    results (``Pairing.absorbs``): the tool line showing a message's first result takes
    its id, so a link to that message still arrives.
    """
    html: list[str] = []
    for p, part in enumerate(message.parts):
        part_id = f"{doc_id}-{p}" if p else doc_id
        if (index, p) in pairing.absorbed:
            continue
        if part.type == "tool_call":
            source = pairing.sources.get((index, p))
            anchor = (anchors or {}).get(source[0]) if source and source[1] == 0 else None
            html.append(tool_use(part, pairing.results.get((index, p)), part_id, anchor))
        elif part.type == "tool_result":
            html.append(tool_use(None, part, part_id))
        elif part.type == "image" and part.src and measure is not None:
            html.append(render_image(part, resolve_asset, measure(part.src)))
        else:
            html.append(render_part(part, part_id, resolve_asset))
    return Markup("".join(html))


def is_web_tool(name: str | None) -> bool:
    return bool(name and _WEB_TOOL.search(name))


def tool_use(call: Part | None, result: Part | None, doc_id: str,
             anchor: str | None = None) -> str:
    """A collapsed line for one tool use (a call, its result, or both), opening to both."""
    source = call or result
    assert source is not None
    name = source.name or (result.name if result else None) or "tool"
    web = is_web_tool(name)
    failed = bool(result and result.is_error)
    summary = f'<code class="tool-name">{escape(name)}</code>'
    if call is not None and (args := short_arguments(call.arguments)):
        summary += f'<span class="tool-args">({escape(args)})</span>'
    if result is not None:
        outcome = short_result(result.text or "", failed, web)
        if failed:
            summary += (' <span class="tool-outcome tool-failed"><span aria-hidden="true">✗'
                        f'</span><span class="visually-hidden">failed:</span> {escape(outcome)}'
                        "</span>")
        elif outcome:
            summary += (' <span class="tool-outcome"><span aria-hidden="true">→</span>'
                        f'<span class="visually-hidden">gave</span> {escape(outcome)}</span>')
    body = []
    if call is not None:
        body.append(_call_body(call))
    if result is not None:
        body.append(_result_body(result, doc_id, web))
    error = " tool-error" if failed else ""
    ident = f' id="{escape(anchor)}"' if anchor else ""
    return (f'<details class="part part-tool{error}"{ident}><summary>{summary}</summary>'
            f'<div class="tool-body">{"".join(body)}</div></details>\n')


def _call_body(call: Part) -> str:
    args, language = pretty_arguments(call.arguments)
    code = code_argument(call.arguments)
    if code is not None and call.name and has_lexer(call.name):
        args, language = code, call.name  # python(code=...): shown as Python
    if not args:
        return ""
    block = code_block(args, language)
    return f'<div class="tool-section"><p class="part-label">Call</p>{block}</div>'


def _result_body(result: Part, doc_id: str, web: bool) -> str:
    text = result.text or ""
    label = "Error" if result.is_error else "Result"
    if web and _LINK_ITEM.search(text):
        inner = f'<div class="tool-links">{render_markdown(text, doc_id)}</div>'
    elif text.strip():
        inner = code_block(text)
    else:
        inner = '<p class="tool-empty">No output.</p>'
    return f'<div class="tool-section"><p class="part-label">{label}</p>{inner}</div>'


def short_arguments(arguments: str | None) -> str:
    """A call's arguments in one short line: the values of a small JSON object, or the
    first line of code; empty when nothing short says it (code of several lines)."""
    if not arguments:
        return ""
    if (code := code_argument(arguments)) is not None:
        lines = [line for line in code.splitlines() if line.strip()]
        return shorten(lines[0]) if len(lines) == 1 else ""
    try:
        value = json.loads(arguments)
    except (ValueError, RecursionError):
        return shorten(" ".join(arguments.split()))
    if isinstance(value, dict):
        scalars = [v for v in value.values() if isinstance(v, str | int | float | bool)]
        if not scalars:
            return "…" if value else ""
        more = ", …" if len(scalars) < len(value) else ""
        return shorten(", ".join(_scalar(v) for v in scalars)) + more
    return shorten(_scalar(value)) if isinstance(value, str | int | float | bool) else "…"


def _scalar(value: object) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    return json.dumps(value)


def short_result(text: str, failed: bool, web: bool) -> str:
    """What a result says in a few words: the error's name, the number of links found,
    or its first line."""
    if failed:
        names = _ERROR_NAME.findall(text)
        if names:
            return names[-1]
    if web:
        links = len(_LINK_ITEM.findall(text))
        if links:
            return f"{links} result{'' if links == 1 else 's'}"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return shorten(first) if first else ("error" if failed else "")


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` cut at a word boundary near ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
