"""Partial and redacted shares on a page: the notice, and markers shown as what they are.

Redaction markers shown as what they are: an element screen readers announce.

The frozen text holds ``[redacted]`` (``[redacted email]``) where a rule removed
something. On a page each marker becomes ``<mark class="redacted" role="img"
aria-label="redacted">``: ``mark`` so that it stands out in every theme and color
scheme without a stylesheet change (browsers give it its own colors), and
``role="img"`` with a label so that a screen reader reads it as one thing,
"redacted", rather than spelling out brackets. Only text between tags is touched:
a marker inside an attribute (an image's alt text) stays as it is.
"""

from __future__ import annotations

import re

from markupsafe import Markup

from amber.content.model import Snapshot
from amber.content.redaction import MARKER_RE

_TAG = re.compile(r"(<[^>]*>)")


def _element(match: re.Match[str]) -> str:
    label = match.group(0)[1:-1]
    return f'<mark class="redacted" role="img" aria-label="{label}">{match.group(0)}</mark>'


def mark_redactions(html: Markup) -> Markup:
    """``html`` with each marker in its text wrapped in the announced element."""
    pieces = _TAG.split(str(html))
    for i in range(0, len(pieces), 2):  # even pieces are text, odd ones tags
        if "[redacted" in pieces[i]:
            pieces[i] = MARKER_RE.sub(_element, pieces[i])
    return Markup("".join(pieces))


def partial_fields(snap: Snapshot) -> dict[str, object]:
    """``SharePage.selection`` and ``SharePage.redactions`` of a share."""
    from amber.content.selection import describe

    return {
        "selection": describe(snap.selection) if snap.selection is not None else None,
        "redactions": snap.redactions.count if snap.redactions is not None else 0,
    }
