"""The line of a conversation or snapshot file that holds a given line of one of its texts.

A finding is only useful if the editor can jump to it. The schema parser keeps the
position of every value (``amber.content.nodes``), so the file is parsed again, only
when there is something to point at, and each text is found by its place: the title,
``messages[i].content``, ``messages[i].content[j].code``... A YAML block scalar
(``|``) starts on the line after its indicator and keeps its lines, so line k of the
text is k lines below it. Any other scalar (JSON strings, quoted or plain YAML) is
placed at the line it starts on: its lines are escapes or folded together.
"""

from __future__ import annotations

from pathlib import Path

from amber.content.nodes import Node, ParseError, parse_file, read_text


class FileLines:
    """Positions of the texts in one content file."""

    def __init__(self, path: Path) -> None:
        self.root: Node | None
        self.lines: list[str] = []
        try:
            self.root = parse_file(path)
            self.lines = read_text(path).split("\n")
        except (OSError, ParseError):
            self.root = None  # nothing to point at: findings keep their place in the text

    def line_of(self, message: int, part: int, field: str, text: str,
                line_in_text: int) -> int | None:
        """The file line holding ``line_in_text`` of ``text``, or None when the file does not
        hold that text at that place (a title given with ``--title``, a file changed since)."""
        node = self._node(message, part, field)
        if node is None or node.kind != "scalar" or not _holds(node, text):
            return None
        source = self.lines[node.line - 1] if 0 < node.line <= len(self.lines) else ""
        if source[node.col - 1: node.col] in ("|", ">"):
            return node.line + line_in_text
        return node.line

    def _node(self, message: int, part: int, field: str) -> Node | None:
        if self.root is None or self.root.kind != "map":
            return None
        if message == 0:
            return _child(self.root, field)
        messages = _child(self.root, "messages")
        if messages is None or messages.kind != "seq":
            return None
        items = messages.value
        if not isinstance(items, list) or not 0 < message <= len(items):
            return None
        node = items[message - 1]
        if part == 0:
            return _child(node, field)
        content = _child(node, "content")
        if content is None or content.kind != "seq" or not isinstance(content.value, list):
            return None
        if not 0 < part <= len(content.value):
            return None
        return _child(content.value[part - 1], field)


def _child(node: Node, key: str) -> Node | None:
    if node.kind != "map" or key not in node.items:
        return None
    return node.items[key][1]


def _holds(node: Node, text: str) -> bool:
    return node.value == text or node.raw == text
