"""Streams that answer reads in awkward pieces, for readers that must not care."""

from __future__ import annotations


class Chunks:
    """A stream that answers each read with the next of ``sizes`` bytes (cycled), whatever
    size was asked for: a streaming parser must give the same result however reads fall."""

    def __init__(self, data: bytes, sizes: list[int]) -> None:
        self.data, self.sizes, self.at, self.turn = data, sizes, 0, 0

    def read(self, size: int = -1) -> bytes:
        step = self.sizes[self.turn % len(self.sizes)]
        self.turn += 1
        chunk = self.data[self.at:self.at + step]
        self.at += len(chunk)
        return chunk
