"""Add the server's own tags to an HTML page as it is sent, never to the built site.

Every page gets a stylesheet link and the live-reload script, both external
files of this server (the pages' Content-Security-Policy allows scripts,
styles and connections from the page's own origin only, so nothing inline).
Pages may also get markup right after ``<body>``: the error overlay, a draft's
banner. The built site's bytes are never changed; ``output/`` never sees any
of this.
"""

from __future__ import annotations

import re

from markupsafe import escape

RELOAD_SCRIPT = "/_amber/reload.js"
DRAFT_SCRIPT = "/_amber/draft.js"
STYLESHEET = "/_amber/serve.css"

_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
_BODY_START = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)


def head_tags(epoch: str, *, draft: bool = False) -> bytes:
    tags = (
        f'<link rel="stylesheet" href="{STYLESHEET}">'
        f'<script src="{RELOAD_SCRIPT}" data-amber-epoch="{escape(epoch)}" defer></script>'
    )
    if draft:
        tags += f'<script src="{DRAFT_SCRIPT}" defer></script>'
    return tags.encode()


def inject(html: bytes, head: bytes, body: bytes = b"") -> bytes:
    """``head`` just before ``</head>``, ``body`` just after the ``<body>`` tag.

    Conversation text is escaped in every page, so the first ``</head>`` and the
    first ``<body`` tag are the document's own.
    """
    head_end = _HEAD_END.search(html)
    if head_end is None:
        return head + body + html
    out = html[: head_end.start()] + head + html[head_end.start():]
    if body:
        body_start = _BODY_START.search(out, head_end.start() + len(head))
        at = body_start.end() if body_start else head_end.start() + len(head)
        out = out[:at] + body + out[at:]
    return out
