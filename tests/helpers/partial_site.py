"""The conversation of the partial-share and redaction tests (``tests/fixtures/partial``).

``agent.yaml`` has eight messages and holds its canary texts in every kind of field:
title, string content, reasoning, tool call arguments (JSON-escaped), tool result,
fenced code, a code part and its title, an attachment's name and text, an image's name
and alt text.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import FIXTURES

AGENT = FIXTURES / "partial" / "agent.yaml"
CANARIES = ("Zelda Quartermain", "Nimbus-7Q", "TCK-55123")
"""Texts the agent conversation holds in every kind of field, some only JSON-escaped."""


def edit(site: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the site's agent conversation (which must hold it)."""
    path = site / "content" / "conversations" / "agent.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
