"""Answer "is output/ already this build?" before loading anything heavy.

A build that changes nothing must be near-instant even at 10,000 shares, where
loading the cache state and checking every file the usual way takes seconds.
So a successful build leaves ``.amber-cache/quick.json``: a digest of the
``lstat`` signature of every file the build could read (content/, the theme
folders, amber's own code and library versions, the command-line settings and
SOURCE_DATE_EPOCH), the signature of every file and folder it left in the
output, and the window of moments for which its set of live shares holds
(``amber.content.expiry.Window``: a share expiring since is a change no file
signature shows). When all of them are the same again, nothing a build reads has been
touched and nothing it wrote has been changed, added or removed, so the output
is already what a build would write. Any difference, or any doubt, falls
through to the real build. Standard library only, to keep the start fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from amber.content.clock import ClockError
from amber.content.clock import now as clock_now
from amber.content.expiry import window_holds

QUICK_FILE = "quick.json"
QUICK_FORMAT = 3
LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "Pygments",
             "latex2mathml", "Jinja2", "MarkupSafe", "PyYAML",
             "Pillow")
"""Libraries whose version changes what a build reads or writes (also in the cache key)."""


def _walk_signatures(top: Path, digest: hashlib._Hash) -> None:
    """Every entry below ``top`` with its type and signature (ctime included), in order."""
    if not os.path.lexists(top):
        digest.update(f"absent {top}\n".encode())
        return
    stack = [str(top)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            digest.update(f"unreadable {folder}\n".encode())
            continue
        for entry in entries:
            if entry.name == "__pycache__":
                continue  # written by Python itself while amber runs
            kind = "d" if entry.is_dir(follow_symlinks=False) else (
                "l" if entry.is_symlink() else "f")
            if kind == "d":
                # By name only: its files are walked, and Python's first import of a
                # package writes __pycache__ into it, which would change its times.
                digest.update(f"d {entry.path}\n".encode("utf-8", "surrogateescape"))
                stack.append(entry.path)
                continue
            st = entry.stat(follow_symlinks=False)
            digest.update(f"{kind} {entry.path} {st.st_size} {st.st_mtime_ns} "
                          f"{st.st_ctime_ns} {st.st_ino}\n".encode("utf-8", "surrogateescape"))


def _normal_name(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503): ``Jinja2`` = ``jinja2``,
    ``markdown-it-py`` = ``markdown_it_py``."""
    return "-".join(name.replace("_", "-").replace(".", "-").lower().split("-"))


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Each installed library of ``names`` and its version, as ``importlib.metadata``
    finds it: the first ``<name>-<version>.dist-info`` (or ``.egg-info``) on ``sys.path``.

    Importing ``importlib.metadata`` (it brings the ``email`` package) took a tenth of a
    no-op build; installers name these folders after the distribution and its version
    (the wheel spec), so the folder names say the same.
    """
    wanted = {_normal_name(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                folders = [e.name for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue  # a zip file or a missing folder
        for folder in sorted(folders):
            dist, _, version = folder.rpartition(".")[0].partition("-")
            key = _normal_name(dist)
            if key in wanted and wanted[key] not in found and version:
                found[wanted[key]] = version.split("-py")[0]
    return found


def static_digest(root: Path, settings: str, theme_layers: list[str]) -> str:
    """Everything a build reads outside content/, by signature: the same digest means
    untouched code, themes, libraries and settings."""
    digest = hashlib.sha256(settings.encode())
    digest.update(f"epoch={os.environ.get('SOURCE_DATE_EPOCH')}\n".encode())
    digest.update(f"python={sys.version_info[:3]}\n".encode())
    versions = library_versions()
    for name in LIBRARIES:
        if name in versions:
            digest.update(f"{name}={versions[name]}\n".encode())
    package = Path(__file__).resolve().parents[1]
    _walk_signatures(package, digest)
    _walk_signatures(package.parents[1] / "themes", digest)  # the checkout's default theme
    _walk_signatures(root / "themes", digest)
    for layer in theme_layers:
        _walk_signatures(Path(layer), digest)
    return digest.hexdigest()


ContentListing = dict[str, list[object]]
"""Path inside content/ -> [kind ("f", "d" or "l"), size, mtime_ns, ctime_ns, inode]."""


def content_listing(root: Path) -> ContentListing:
    """Every entry below content/ with its signature: which files a later build must read.

    An unchanged signature (ctime and inode included) means an untouched file; the
    list also tells the next build *which* files changed (``amber.build.delta``).
    """
    top = os.fspath(root / "content")
    listing: ContentListing = {}
    try:
        st = os.lstat(top)
    except OSError:
        return listing
    listing[""] = ["d" if os.path.isdir(top) and not os.path.islink(top) else "l",
                   st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    if listing[""][0] != "d":
        return listing
    stack = [""]
    while stack:
        prefix = stack.pop()
        try:
            with os.scandir(top + "/" + prefix if prefix else top) as it:
                entries = list(it)
        except OSError:
            listing[prefix.rstrip("/") or ""] = ["unreadable", 0, 0, 0, 0]
            continue
        for entry in entries:
            st = entry.stat(follow_symlinks=False)
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                kind = "d"
                stack.append(rel + "/")
            else:
                kind = "l" if entry.is_symlink() else "f"
            listing[rel] = [kind, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    return listing


def output_listing(target: Path) -> list[list[object]]:
    """Each folder and file of the built site with (size, mtime, inode), in order.

    A folder's mtime changes whenever an entry is added, removed or renamed in it,
    and a file's whenever it is written: together they show any change to the tree.
    """
    rows: list[list[object]] = []
    stack = [""]
    while stack:
        prefix = stack.pop()
        folder = target / prefix if prefix else target
        st = os.lstat(folder)
        rows.append([prefix, "d", st.st_mtime_ns, st.st_ino])
        with os.scandir(folder) as it:
            for entry in it:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel + "/")
                else:
                    est = entry.stat(follow_symlinks=False)
                    rows.append([rel, "f", est.st_size, est.st_mtime_ns, est.st_ino])
    rows.sort(key=lambda row: str(row[0]))
    return rows


def _listing_holds(target: Path, rows: list[list[object]]) -> bool:
    """The recorded tree is still there, checked with one ``lstat`` per entry."""
    top = os.fspath(target)
    prefix = top + os.sep
    lstat = os.lstat
    try:
        for row in rows:
            st = lstat(prefix + row[0] if row[0] else top)  # strings: 40,000 rows at 10k shares
            if row[1] == "d":
                if st.st_mtime_ns != row[2] or st.st_ino != row[3]:
                    return False
            elif st.st_size != row[2] or st.st_mtime_ns != row[3] or st.st_ino != row[4]:
                return False
    except (OSError, IndexError, TypeError):
        return False
    return True


def settings_key(target: Path, base_url: str | None, shard: str | None) -> str:
    return json.dumps({"target": str(target), "base_url": base_url, "shard": shard})


def load(cache_dir: Path) -> dict[str, object] | None:
    """What the last successful build left in quick.json, if anything usable."""
    try:
        quick = json.loads((cache_dir / QUICK_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(quick, dict) or quick.get("format") != QUICK_FORMAT:
        return None
    return quick


def output_holds(quick: dict[str, object], target: Path) -> bool:
    rows = quick.get("output")
    return isinstance(rows, list) and _listing_holds(target, rows)


_PROBE: dict[str, object] = {}
"""What the quick check read, kept for the build that follows it in the same process."""

_WATCHED = ("", "shares", "conversations", "assets", "site.yaml", "revoked.yaml")
"""Entries whose signatures change whenever a command adds, replaces or removes content."""


def _watched_rows(root: Path) -> list[object]:
    rows: list[object] = []
    for rel in _WATCHED:
        try:
            st = os.lstat(root / "content" / rel if rel else root / "content")
        except OSError:
            rows.append(None)
            continue
        rows.append([st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return rows


def probed(root: Path, settings: str) -> tuple[ContentListing, dict[str, object] | None] | None:
    """The content listing and quick.json the quick check read, if nothing was added,
    replaced or removed in content/ since (every amber command writes by renaming, which
    changes its folder's signature); else None, and the caller reads them again."""
    probe = dict(_PROBE)
    _PROBE.clear()
    if probe.get("root") != str(root) or probe.get("settings") != settings:
        return None
    if _watched_rows(root) != probe["watched"]:
        return None
    return probe["listing"], probe["quick"]  # type: ignore[return-value]


def up_to_date(cache_dir: Path, root: Path, target: Path, settings: str,
               moment: datetime | None = None) -> dict[str, int] | None:
    """The last build's counts if the output is certainly that build and still current
    at ``moment`` (default: ``amber.content.clock.now()``)."""
    quick = load(cache_dir)
    watched = _watched_rows(root)
    listing = content_listing(root)
    _PROBE.update(root=str(root), settings=settings, watched=watched, listing=listing,
                  quick=quick)
    if quick is None:
        return None
    try:
        if quick["settings"] != settings:
            return None
        if static_digest(root, settings, list(quick["layers"])) != quick["static"]:  # type: ignore[call-overload]
            return None
        if listing != quick["content"]:
            return None
        if not output_holds(quick, target):
            return None
        if not window_holds(quick.get("window"), moment or clock_now()):
            return None  # a share expired since (or a build for an earlier moment)
        return {"pages": int(quick["pages"]), "files": int(quick["files"])}  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        return None


def answer_build(output: Path | None, base_url: str | None, shard: str | None,
                 root: Path, now: str | None = None) -> bool:
    """``amber build`` with nothing to do: say so and succeed, before any heavy import.

    It takes no lock: it only reads, and any writer that changed something since the
    last build changed what it compares, which sends the build down the full path.
    """
    target = (output if output is not None else root / "output").absolute()
    settings = settings_key(target, base_url, shard)
    try:
        moment = clock_now(now)
    except ClockError:
        return False  # the full parser and build report it
    known = up_to_date(root / ".amber-cache", root, target, settings, moment)
    if known is None:
        return False
    print(f"Up to date: {known['pages']} share page(s), {known['files']} files in {target}",
          file=sys.stderr)
    return True


def remember(cache_dir: Path, target: Path, settings: str, static: str, content: ContentListing,
             layers: list[str], pages: int, files: int, revoked: list[str],
             output: list[list[object]] | None = None, *,
             window: list[int | None]) -> None:
    """Record a finished build. ``static`` and ``content`` were taken before it read anything.

    ``output`` is the output listing when the caller knows it without a walk;
    ``window`` the moments its live shares hold for (``amber.content.expiry.Window``).
    """
    data = {"format": QUICK_FORMAT, "settings": settings, "static": static, "content": content,
            "layers": layers, "pages": pages, "files": files,
            "window": window,
            "revoked": sorted(revocation_token(i) for i in revoked),
            "output": output if output is not None else output_listing(target)}
    path = cache_dir / QUICK_FILE
    tmp = path.with_name(f".{QUICK_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    os.replace(tmp, path)


def revocation_token(share_id: str) -> str:
    """Stands for a revoked ID in quick.json: the cache never holds a revoked ID itself."""
    return hashlib.sha256(f"revoked\0{share_id}".encode()).hexdigest()[:32]


def forget(cache_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (cache_dir / QUICK_FILE).unlink()
