"""Text blocks of one Anthropic message that continue one sentence around a citation.

Claude answers with web search or documents split their text at each cited
passage: ``"The tallest is "``, ``"Mount Everest"`` (with its citations),
``", at 8,849 m."``. Each block is a piece of the same sentence, so the API's
own clients, and Claude.ai, show them run together. Imported as they come, each
would be a paragraph of its own; ``joined_text_blocks`` runs them together first,
each cited piece followed by its sources, as the importer writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

CitationText = Callable[[object], str]
"""An importer's writing of a block's ``citations`` (`` ([title](url))``), "" if none."""


def _cited(block: object) -> bool:
    return isinstance(block, dict) and block.get("type") == "text" \
        and isinstance(block.get("citations"), list) and bool(block["citations"])


def _text(block: object) -> bool:
    return isinstance(block, dict) and block.get("type") == "text" \
        and isinstance(block.get("text"), str)


def joined_text_blocks(blocks: Sequence[object], citations: CitationText) -> list[object]:
    """``blocks`` with text blocks joined where a cited block meets a text neighbour: one
    text block of the pieces in order, each piece's citations written after it by
    ``citations``. Other blocks, and text blocks that meet no cited one, stay as they are."""
    out: list[object] = []
    run: list[dict[str, object]] = []  # text blocks to join, each meeting a cited one

    def flush() -> None:
        if len(run) == 1:
            out.append(run[0])
        elif run:
            text = "".join(str(piece["text"]) + citations(piece.get("citations"))
                           for piece in run)
            out.append({"type": "text", "text": text})
        run.clear()

    for block in blocks:
        if not _text(block):
            flush()
            out.append(block)
            continue
        assert isinstance(block, dict)
        if run and not (_cited(run[-1]) or _cited(block)):
            flush()
        run.append(block)
    flush()
    return out
