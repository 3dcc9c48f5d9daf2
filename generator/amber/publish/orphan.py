"""One commit without parents, holding exactly the built site, force-pushed to a branch.

Why an orphan commit: a site repository's Pages branch is public, and a page once
published there stays in its history for anyone to check out. A commit without
parents, force-pushed, replaces the branch's whole history with the current
site, so a revoked page is no longer reachable from any branch there (what the
host keeps of unreachable objects, and what clones made before keep, is outside
anyone's reach; the docs say so).

Why ``git fast-import`` in a temporary bare repository: the commit is written
from the files' bytes alone, with no index or work tree, so nothing is ever
written into the site folder (no ``.git`` left in ``output/``), no ignore rule,
attribute or line-ending setting of the user's git can change a byte, and files
are streamed, not held in memory. The commit's author, committer, date and
message are fixed but for the moment (``amber.content.clock``), so the same
site published at the same moment gives the same commit ID, and pushing it
again changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from amber.errors import RefusedError
from amber.publish.remote import Remote
from amber.publish.site_tree import SiteFile

IDENTITY = "amber <publish@amber.invalid>"
"""Author and committer of every published commit (``.invalid`` is reserved: no one's
address, so no forge ties the commit to a person)."""

MESSAGE = b"Publish the site built by amber\n"

_REPOSITORY_VARIABLES = (
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
)
"""Variables that would point git at another repository than the temporary one (set
when amber runs inside a git hook, say). Everything else stays: ssh and credential
settings are how the push authenticates."""

_SAFETY = ("-c", "core.hooksPath=/dev/null", "-c", "protocol.ext.allow=never")
"""No hook runs, and the ``ext::`` transport (which runs a command) is never used."""


@dataclass(frozen=True)
class Published:
    commit: str
    """The ID of the commit the branch now points at."""
    files: int
    """How many files it holds."""
    changed: bool
    """False when the branch held this very commit already."""


class ScratchRepository:
    """A temporary bare repository outside the site: commit the files, push, then gone.

    ``with ScratchRepository(remote, output) as repo: repo.commit(...); repo.push(...)``. The
    commit is written first (the caller holds the site's lock while files are read),
    the push after, so a slow network never holds up a build.
    """

    def __init__(self, remote: Remote, site: Path) -> None:
        self.remote = remote
        self.site = site
        """The folder published: the temporary repository must not be inside it."""
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._run: GitRunner | None = None

    def __enter__(self) -> ScratchRepository:
        git = shutil.which("git")
        if git is None:
            raise RefusedError("publishing needs git, and git is not on PATH")
        env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
        if Path(tempfile.gettempdir()).resolve().is_relative_to(self.site.resolve()):
            raise RefusedError(f"the temporary folder {tempfile.gettempdir()} is inside "
                               f"{self.site}, which is published: set TMPDIR elsewhere")
        self._scratch = tempfile.TemporaryDirectory(prefix="amber-publish-")
        repo = Path(self._scratch.name) / "site.git"
        self._run = GitRunner(git, repo, env, self.remote)
        try:
            self._run("init", "--quiet", "--bare", "--template=", "--object-format=sha1",
                      str(repo), what="make a temporary repository", in_repo=False)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    @property
    def run(self) -> GitRunner:
        if self._run is None:
            raise RuntimeError("ScratchRepository used outside its with block")
        return self._run

    def commit(self, files: Sequence[SiteFile], branch: str, moment: datetime) -> str:
        """Write ``files`` as the parentless commit of ``branch``; its ID."""
        return _fast_import(self.run, files, branch, moment)

    def push(self, branch: str, commit: str, files: int) -> Published:
        """Force ``branch`` of the remote to this repository's ``branch``."""
        status = self.run("push", "--porcelain", "--force", self.remote.target,
                          f"refs/heads/{branch}:refs/heads/{branch}", what="push")
        flags = [line.split("\t", 1)[0] for line in status.splitlines() if "\t" in line]
        return Published(commit, files, changed=flags != ["="])


class GitRunner:
    """git in the temporary repository; a failure names the remote and what failed."""

    def __init__(self, git: str, repo: Path, env: dict[str, str], remote: Remote) -> None:
        self.git, self.repo, self.env, self.remote = git, repo, env, remote

    def command(self, *args: str, in_repo: bool = True) -> list[str]:
        where = ["--git-dir", str(self.repo)] if in_repo else []
        return [self.git, *_SAFETY, *where, *args]

    def __call__(self, *args: str, what: str, in_repo: bool = True) -> str:
        result = subprocess.run(self.command(*args, in_repo=in_repo), env=self.env,
                                cwd=self.repo.parent, capture_output=True, text=True,
                                errors="replace", check=False)
        if result.returncode != 0:
            self.fail(what, result.stderr)
        return result.stdout

    def fail(self, what: str, stderr: str) -> None:
        said = "; ".join(line.strip() for line in self.remote.scrub(stderr).splitlines()
                         if line.strip() and not line.startswith("hint:"))
        raise RefusedError(f"publishing to {self.remote.shown} failed: git could not {what}"
                           + (f": {said}" if said else ""))


def _fast_import(run: GitRunner, files: Sequence[SiteFile], branch: str,
                 moment: datetime) -> str:
    """Write the commit with ``git fast-import``; its ID."""
    ref = f"refs/heads/{branch}"
    with tempfile.TemporaryFile(dir=run.repo.parent) as errors:
        process = subprocess.Popen(
            run.command("fast-import", "--quiet", "--done"), env=run.env, cwd=run.repo.parent,
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
        )
        assert process.stdin is not None
        try:
            _write_stream(process.stdin, files, ref, int(moment.timestamp()))
            process.stdin.close()
        except BrokenPipeError:
            pass  # fast-import stopped; its message is in ``errors``
        if process.wait() != 0:
            errors.seek(0)
            run.fail("write the commit", errors.read().decode("utf-8", "replace"))
    return run("rev-parse", "--verify", f"{ref}^{{commit}}", what="read the commit").strip()


def _write_stream(out: BinaryIO, files: Sequence[SiteFile], ref: str, when: int) -> None:
    identity = f"{IDENTITY} {when} +0000\n".encode()
    out.write(b"commit " + ref.encode() + b"\n")
    out.write(b"author " + identity + b"committer " + identity)
    out.write(b"data %d\n" % len(MESSAGE) + MESSAGE)
    for item in files:
        data = item.source.read_bytes()
        out.write(b"M 100644 inline " + quote_path(item.path) + b"\n")
        out.write(b"data %d\n" % len(data))
        out.write(data)
        out.write(b"\n")
    out.write(b"\ndone\n")


def quote_path(path: str) -> bytes:
    """A path in fast-import's C-style quotes: always accepted, and safe for any name."""
    out = bytearray(b'"')
    for byte in path.encode("utf-8", "surrogateescape"):
        if byte in (0x22, 0x5C):
            out += b"\\" + bytes([byte])
        elif byte < 0x20 or byte == 0x7F:
            out += b"\\%03o" % byte
        else:
            out.append(byte)
    return bytes(out + b'"')
