"""Where ``amber publish`` pushes: a git URL or the path of a repository.

The remote is one argument of ``git push``: a value beginning with ``-`` would be
read as an option (``--receive-pack=...`` runs a command), so it is refused, and a
path is made absolute (git runs in a temporary folder). URLs may carry
credentials (``https://TOKEN@host/...``): every message shows ``shown``, never the
value itself, and ``scrub`` takes them out of whatever git says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from amber.errors import UsageError

_SCP_LIKE = re.compile(r"\A(?:(?P<user>[^@/:]+)@)?(?P<host>[^@/:]+):(?P<path>.*)\Z", re.S)
"""``[user@]host:path``, git's short form of an ssh URL: no slash before the first colon."""

_BRANCH = re.compile(r"\A[A-Za-z0-9._][A-Za-z0-9._/-]*\Z")


@dataclass(frozen=True)
class Remote:
    target: str
    """What git is given: the URL as typed, or an absolute path."""
    shown: str
    """What messages show: the URL without its credentials, or the path as typed."""
    secrets: tuple[str, ...]
    """Credential texts that must never be printed (the URL's user information)."""

    def scrub(self, text: str) -> str:
        """``text`` (say, git's stderr) with the remote and its credentials masked."""
        text = text.replace(self.target, self.shown)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def parse_remote(value: str, cwd: Path) -> Remote:
    """A remote from the command line; a usage error when git could mistake it."""
    if not value or value != value.strip() or any(ord(c) < 0x20 or ord(c) == 0x7F
                                                   for c in value):
        raise UsageError("REMOTE: expected a git URL or the path of a repository")
    if value.startswith("-"):
        raise UsageError(f"REMOTE: {value!r} looks like an option, not a git URL or path")
    if "://" in value:
        return _url_remote(value)
    scp = _SCP_LIKE.match(value)
    if scp and not Path(value).exists():
        user = scp.group("user")
        if user is None or ":" not in user:
            return Remote(value, value, ())
    path = (cwd / value).absolute()
    return Remote(str(path), value, ())


def _url_remote(value: str) -> Remote:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise UsageError("REMOTE: not a valid URL") from None
    if "@" not in parts.netloc:
        return Remote(value, value, ())
    userinfo, host = parts.netloc.rsplit("@", 1)
    secrets = {userinfo, unquote(userinfo)}
    if ":" in userinfo:
        secrets |= {userinfo.split(":", 1)[1], unquote(userinfo.split(":", 1)[1])}
    if parts.scheme in ("http", "https") or ":" in userinfo:
        shown_netloc = f"***@{host}"
    else:
        shown_netloc = parts.netloc  # ssh://git@host: a user name, no secret
        secrets = set()
    shown = parts._replace(netloc=shown_netloc).geturl()
    return Remote(value, shown, tuple(sorted((s for s in secrets if s), key=len, reverse=True)))


def check_branch(value: str) -> str:
    """A branch name git accepts and no one could take for an option."""
    parts = value.split("/")
    if (not _BRANCH.match(value) or ".." in value or value.endswith((".", "/", ".lock"))
            or any(not p or p.startswith(".") or p.endswith(".lock") for p in parts)):
        raise UsageError(f"--branch: {value!r} is not a branch name git accepts")
    return value
