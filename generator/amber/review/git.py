"""Read a site's files as they are at a git revision, with plumbing only.

`amber review` compares two revisions without a checkout: ``git ls-tree``
lists the files under ``content/`` and ``themes/`` at a commit and ``git
cat-file --batch`` streams their bytes, which are written into a scratch
folder for the ordinary loaders to read. The work tree, the index and HEAD are
never touched, so a review can run in the middle of someone's editing.

Not ``git archive``: it applies ``.gitattributes`` (``export-ignore``,
``export-subst``), so a change could hide a file from its own review. Tree
entries come from the change under review and are hostile like any content:
every path is checked before it becomes a file name, and symbolic links and
submodules are reported, never followed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from amber.errors import AmberError, Problem, UsageError

SITE_FOLDERS = ("content", "themes")
"""What a review reads at each revision: the content, and the site's own themes."""

_ENV = {"LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}

MODE_FILE = ("100644", "100755")
MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    kind: str
    """blob, tree or commit (a submodule)."""
    oid: str
    path: str
    """Relative to the site folder (the folder that holds content/), POSIX separators."""


@dataclass(frozen=True)
class Revision:
    name: str
    """As the user wrote it: ``origin/main``, ``HEAD``."""
    commit: str
    """The full object ID it names."""

    @property
    def short(self) -> str:
        return self.commit[:10]


def git_output(site_root: Path, *args: str, input: bytes | None = None) -> bytes:
    """What ``git ARGS`` prints in the site's repository; a failure is an AmberError."""
    git = shutil.which("git")
    if git is None:
        raise AmberError("review needs git, and git is not installed")
    result = subprocess.run(
        [git, "-C", str(site_root), *args], input=input, capture_output=True, check=False,
        env={**os.environ, **_ENV},
    )
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AmberError(f"git {args[0]} failed: {detail[-1] if detail else 'no message'}")
    return result.stdout


def site_prefix(site_root: Path) -> str:
    """The site folder's path inside its repository (``""`` at the top, else ``sub/dir/``)."""
    try:
        out = git_output(site_root, "rev-parse", "--show-prefix")
    except AmberError:
        raise AmberError(f"{site_root} is not inside a git repository; review compares "
                         "commits") from None
    return out.decode("utf-8", "surrogateescape").strip()


def resolve(site_root: Path, rev: str) -> Revision:
    """The commit a revision names; refuses option-like names before git can misread them."""
    if not rev or rev.startswith("-") or any(ord(c) < 0x20 for c in rev):
        raise UsageError(f"{rev!r} is not a git revision")
    try:
        out = git_output(site_root, "rev-parse", "--verify", "--quiet", "--end-of-options",
                   f"{rev}^{{commit}}")
    except AmberError:
        raise AmberError(f"{rev!r} is not a commit in this repository (for a pull request's "
                         "base, fetch it first: git fetch origin BRANCH)") from None
    return Revision(rev, out.decode().strip())


def list_files(site_root: Path, commit: str, prefix: str) -> list[TreeEntry]:
    """Every entry under the site's content/ and themes/ at ``commit``, recursively."""
    paths = [f"{prefix}{folder}" for folder in SITE_FOLDERS]
    out = git_output(site_root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *paths)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, oid = meta.decode("ascii").split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")
        if not path.startswith(prefix):
            continue
        entries.append(TreeEntry(mode, kind, oid, path[len(prefix):]))
    return entries


def read_blobs(site_root: Path, oids: list[str]) -> Iterator[tuple[str, bytes]]:
    """(oid, bytes) for each object, in order, streamed through one ``cat-file --batch``.

    A thread feeds the object IDs while this reads the answers, so neither pipe
    can fill up and stall the other, and only one blob is in memory at a time.
    """
    if not oids:
        return
    git = shutil.which("git")
    if git is None:
        raise AmberError("review needs git, and git is not installed")
    proc = subprocess.Popen(
        [git, "-C", str(site_root), "cat-file", "--batch"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env={**os.environ, **_ENV},
    )
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        try:
            for oid in oids:
                proc.stdin.write(f"{oid}\n".encode())  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, ValueError):
            pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    try:
        for oid in oids:
            header = proc.stdout.readline().decode("ascii", "replace").split()
            if len(header) != 3 or header[0] != oid:
                raise AmberError(f"git cat-file: cannot read object {oid}")
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)  # the newline after each object
            if len(data) != size:
                raise AmberError(f"git cat-file: object {oid} was cut short")
            yield oid, data
    finally:
        proc.stdout.close()
        if proc.poll() is None:  # stopped early: do not wait for git to finish the list
            proc.kill()
        proc.wait()
        feeder.join()


def _safe_relative(path: str) -> PurePosixPath | None:
    parts = PurePosixPath(path).parts
    if not parts or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        return None
    if path.startswith("/"):
        return None
    return PurePosixPath(*parts)


def materialise(site_root: Path, revision: Revision, target: Path) -> list[Problem]:
    """Write the site's content/ and themes/ at ``revision`` under ``target`` (a new folder).

    Returns problems for entries a work tree would not hold as plain files
    (symbolic links, submodules, unsafe names), with paths relative to the site.
    """
    prefix = site_prefix(site_root)
    problems: list[Problem] = []
    wanted: list[tuple[str, Path]] = []
    for entry in list_files(site_root, revision.commit, prefix):
        rel = _safe_relative(entry.path)
        if rel is None:
            problems.append(Problem(Path(entry.path), "unsafe path in the git tree; skipped"))
        elif entry.mode == MODE_SYMLINK:
            problems.append(Problem(Path(entry.path), "is a symbolic link; content files must "
                                    "be regular files inside content/"))
        elif entry.mode == MODE_SUBMODULE or entry.kind != "blob":
            problems.append(Problem(Path(entry.path), "is a git submodule; amber publishes "
                                    "only files that are in this repository"))
        elif entry.mode in MODE_FILE:
            wanted.append((entry.oid, target.joinpath(*rel.parts)))
    target.mkdir(parents=True, exist_ok=False)
    by_oid: dict[str, list[Path]] = {}
    for oid, path in wanted:
        by_oid.setdefault(oid, []).append(path)
    for oid, data in read_blobs(site_root, list(by_oid)):
        for path in by_oid[oid]:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as fh:  # never over anything, not even an earlier entry
                fh.write(data)
    return problems
