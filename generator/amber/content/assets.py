"""Which files in ``content/assets/`` may be published: the one rule, used everywhere.

A file there is copied to the site and served from the site's own origin, where a
browser runs whatever an SVG or HTML file holds, and the CSP of a page does not
cover a file opened on its own. So only the raster formats a page can show are
published (PNG, JPEG, GIF, WebP), recognised by their first bytes, and the name's
extension must say the same format: a static host picks the Content-Type from the
extension, so ``x.png`` holding HTML would otherwise be served as whatever the
extension claims. Import, build, the preview server, `check` and `review` all ask
``publishing_problem``; none has a copy of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path

from amber.content.model import Message, every_message
from amber.content.schema import is_safe_asset_ref
from amber.errors import Problem

FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP"}
"""The publishable formats, by the short name used below, as people write them."""

EXTENSIONS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp"}
"""File name extension (compared in lower case) -> the format it promises."""

FORMAT_EXTENSIONS = {"png": "png", "jpeg": "jpg", "gif": "gif", "webp": "webp"}
"""The extension import gives a file of each format."""

HEAD_BYTES = 12
"""Enough of a file's start to tell every publishable format apart."""

_ALLOWED = "PNG, JPEG, GIF or WebP"


def image_format(head: bytes) -> str | None:
    """The publishable format whose signature ``head`` starts with, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def publishing_problem(name: str, head: bytes) -> str | None:
    """Why a file called ``name`` that starts with ``head`` must not be published, or None.

    ``head`` needs only the first ``HEAD_BYTES`` bytes (more is fine).
    """
    promised = EXTENSIONS.get(Path(name).suffix.lower())
    found = image_format(head)
    if promised is None:
        what = f"holds {FORMAT_NAMES[found]} data but " if found else ""
        return (f"{what}its name does not end in .png, .jpg, .jpeg, .gif or .webp: only "
                f"{_ALLOWED} images are published")
    if found is None:
        return (f"is named as a {FORMAT_NAMES[promised]} image but is not a {_ALLOWED} "
                "image (by its bytes): only those are published")
    if found != promised:
        return (f"is named as a {FORMAT_NAMES[promised]} image but holds "
                f"{FORMAT_NAMES[found]} data: rename it to .{FORMAT_EXTENSIONS[found]}")
    return None


def file_problem(path: Path) -> str | None:
    """``publishing_problem`` of a file on disk, reading only its first bytes.

    Every build asks again for each image of each share (a cached page is reused only
    while its images pass as before), so the answer is kept while the file's stat
    signature stays the same: a stat instead of an open and a read.
    """
    try:
        st = path.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return _file_problem(path, (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns,
                                st.st_ctime_ns))


@functools.lru_cache(maxsize=8192)
def _file_problem(path: Path, signature: tuple[int, ...]) -> str | None:
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    return publishing_problem(path.name, head)


def folder_problems(folder: Path) -> list[Problem]:
    """One problem for each entry of ``content/assets/`` that could not be published.

    Whether or not anything refers to it yet: a file sitting there is one share away
    from the site (and a review should catch it when it is added, not later). Hidden
    files (``.gitkeep``, ``.DS_Store``) are left alone: no image reference can name one.
    """
    if folder.is_symlink():
        return [Problem(folder, "is a symbolic link; images are published only from a "
                                "plain content/assets/ folder")]
    if not folder.is_dir():
        return []
    problems = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            problems.append(Problem(entry, "is a symbolic link; images must be plain files"))
        elif entry.is_dir():
            problems.append(Problem(entry, "is a folder; content/assets/ holds image files "
                                           "only"))
        elif (why := file_problem(entry)) is not None:
            problems.append(Problem(entry, why))
    return problems


def image_refs(messages: Iterable[Message]) -> Iterator[str]:
    """The ``src`` of every image part of ``messages`` (``assets/<file>``), in order;
    alternatives included, since a share of every branch publishes them."""
    for message in every_message(messages):
        if isinstance(message.content, str):
            continue
        for part in message.content:
            if part.type == "image" and part.src:
                yield part.src


def referenced_file(assets_dir: Path, src: str) -> Path | None:
    """The plain file an image reference (``assets/<file>``) names directly inside
    ``content/assets/``, or None: never a symbolic link, nor anything outside."""
    if not is_safe_asset_ref(src):
        return None
    source = assets_dir.parent / src
    if assets_dir.is_symlink() or source.is_symlink() or not source.is_file():
        return None
    return source


def asset_refusal(assets_dir: Path, src: str) -> str | None:
    """Why the file an image reference names must not be published; None when it may,
    or when there is no such file (a page shows a placeholder for a missing image)."""
    source = referenced_file(assets_dir, src)
    return None if source is None else file_problem(source)
