"""What a rendered share leaves for the rest of the site.

Every build route (``amber build`` cold or cached, the delta after a share or a
revocation, the preview server, ``amber check``) renders a share into a
``ShareRecord`` plus its files, and assembles the site-wide files from records
alone (``amber.render.site.assemble_site``). So the index, feeds, search index and
leak check of 10,000 shares need no page bytes, and one record type serves the
cache's state, the delta and the in-memory builds alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class ShareRecord:
    """One rendered share: what the index, feeds, leak check and writer need of it.

    ``files`` holds the bytes only while they are on their way to disk; the
    state keeps everything else, so the index of 10,000 shares is rebuilt
    without reading a single page.
    """

    id: str
    key: str
    listed: bool
    frozen: str
    title: str
    author: str | None
    frozen_display: str
    description: str
    message_count: int
    search_entry: str
    """Its object in search.json (listed shares only; ``search.search_entry``)."""
    feed_entry: str
    """Its entry in feed.xml (listed shares only)."""
    hashes: dict[str, str]
    """Output path -> SHA-256 of its bytes."""
    ids: dict[str, list[str]]
    """Output path -> other share IDs found in it (for the leak check), including its
    entries in ``search.json`` and ``feed.xml`` (``amber.render.site``)."""
    assets: dict[str, bool]
    """Image reference -> whether it resolved to a file in content/assets/."""
    sealed: bool = False
    """An encrypted share: its images travel inside its sealed page, never as files."""
    files: dict[str, bytes] | None = field(default=None, repr=False)

    def state(self) -> dict[str, object]:
        """The fields kept as JSON. The hashes and the two fragments have columns of their
        own: the fragments are long text, cheaper to read back unquoted, and a small
        rebuild needs the hashes of the changed shares only. IDs are kept only for files
        that mention other shares (most mention none)."""
        data = {name: getattr(self, name) for name in RECORD_FIELDS}
        data["ids"] = {rel: ids for rel, ids in self.ids.items() if ids}
        return data

    @classmethod
    def from_state(cls, data: dict[str, object], hashes: dict[str, str], search_entry: str,
                   feed_entry: str) -> ShareRecord:
        return cls(**data, hashes=hashes, search_entry=search_entry,  # type: ignore[arg-type]
                   feed_entry=feed_entry, files=None)


RECORD_FIELDS = tuple(f.name for f in fields(ShareRecord)
                       if f.name not in ("files", "search_entry", "feed_entry", "hashes"))
