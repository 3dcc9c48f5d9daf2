"""Turn amber conversations into a Hugo site that does the same work as an amber build.

The comparison with Hugo is only fair if Hugo renders the same Markdown with the
same code blocks: one page per conversation, each message under a heading
(``## User``, ``## Assistant``) followed by its Markdown, fenced code keeping its
language so that Hugo highlights it with Chroma exactly where amber highlights
with Pygments. The layouts are minimal (a base template, a page that renders
``.Content``, a list of pages) so that templates cost Hugo as little as amber's
cost amber; Hugo's defaults stay on otherwise: code highlighting (with CSS
classes, like amber, not inline styles), the RSS feed and the sitemap, which
amber writes too. Taxonomies are off: the conversations have none.

The helpers here are pure (text in, text out) except ``write_site``, so the
conversion can be tested without Hugo.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROLE_HEADINGS = {"user": "User", "assistant": "Assistant", "system": "System", "tool": "Tool"}

CONFIG = """\
baseURL = "https://bench.example/chats/"
title = "amber benchmark corpus"
languageCode = "en"
disableKinds = ["taxonomy", "term"]

[markup.highlight]
# Class names, as amber writes them (its Content-Security-Policy forbids style
# attributes); the language comes from the fence and is never guessed.
noClasses = false
guessSyntax = false
"""

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="{{ site.Language.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
</head>
<body>
<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">
{{- .Date.Format "2 January 2006" }}</time></p>
{{ .Content }}
</article>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ol>
{{ range site.RegularPages.ByDate.Reverse }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}
</ol>
{{ end }}
""",
}

_BACKTICKS = re.compile(r"`+")


def fence(code: str, language: str | None) -> str:
    """A fenced block that no backtick run inside ``code`` can close early."""
    longest = max((len(m) for m in _BACKTICKS.findall(code)), default=0)
    ticks = "`" * max(3, longest + 1)
    body = code if code.endswith("\n") else code + "\n"
    return f"{ticks}{language or ''}\n{body}{ticks}\n"


def message_markdown(content: str | Iterable[Mapping[str, Any]] | None) -> list[str]:
    """The Markdown of one message: its string, or its parts in order.

    Text and reasoning parts are Markdown already; code parts become fenced
    blocks with their language; tool calls and results become plain fenced
    blocks (amber shows them as preformatted text). Images carry no text.
    """
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    texts: list[str] = []
    for part in content:
        kind = part.get("type")
        if kind in ("text", "reasoning") and part.get("text"):
            texts.append(str(part["text"]))
        elif kind == "code" and part.get("code") is not None:
            texts.append(fence(str(part["code"]), part.get("language")))
        elif kind == "tool_call" and part.get("arguments"):
            texts.append(fence(str(part["arguments"]), None))
        elif kind in ("tool_result", "attachment") and part.get("text"):
            texts.append(fence(str(part["text"]), None))
    return texts


def hugo_page(conversation: Mapping[str, Any]) -> str:
    """One conversation as a Hugo content file: YAML front matter, then every message.

    The title is written as a JSON string, which YAML reads as a double-quoted
    scalar, so quotes, colons and non-ASCII characters survive as they are.
    """
    lines = ["---", f"title: {json.dumps(str(conversation.get('title') or 'Untitled'))}"]
    created = conversation.get("created")
    if created:
        lines.append(f"date: {json.dumps(str(created))}")
    lines += ["---", ""]
    body: list[str] = []
    for message in conversation.get("messages") or []:
        role = str(message.get("role", ""))
        body.append(f"## {ROLE_HEADINGS.get(role, role.title() or 'Message')}\n")
        for text in message_markdown(message.get("content")):
            body.append(text if text.endswith("\n") else text + "\n")
    return "\n".join(lines) + "\n".join(body)


def write_site(folder: Path, conversations: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Write hugo.toml, the layouts and one page per (slug, conversation); return the count."""
    (folder / "layouts").mkdir(parents=True, exist_ok=True)
    (folder / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (folder / "layouts" / name).write_text(text, encoding="utf-8")
    pages = folder / "content" / "conversations"
    pages.mkdir(parents=True, exist_ok=True)
    (folder / "content" / "_index.md").write_text('---\ntitle: "Conversations"\n---\n',
                                                  encoding="utf-8")
    count = 0
    for slug, conversation in conversations:
        (pages / f"{slug}.md").write_text(hugo_page(conversation), encoding="utf-8")
        count += 1
    return count
