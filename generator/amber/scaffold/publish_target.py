"""``amber init --publish-to OWNER/REPO``: the public repository a private site publishes to.

The name ends up in a workflow (a YAML value and a shell argument) and in URLs,
so it is held to GitHub's own rules for account and repository names, which
leave no character that YAML, a shell or a URL would read specially.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amber.errors import UsageError

_OWNER = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")
"""A GitHub account or organisation: 1-39 letters, digits and single inner hyphens."""

_REPO = re.compile(r"\A[A-Za-z0-9._-]{1,100}\Z")
"""A GitHub repository name: letters, digits, ``.``, ``_`` and ``-``, at most 100."""


@dataclass(frozen=True)
class PublishTarget:
    owner: str
    repo: str

    @property
    def name(self) -> str:
        """``OWNER/REPO``."""
        return f"{self.owner}/{self.repo}"

    @property
    def ssh_url(self) -> str:
        """What the workflow pushes to, with the deploy key."""
        return f"git@github.com:{self.owner}/{self.repo}.git"

    @property
    def pages_url(self) -> str:
        """Where GitHub Pages serves the repository's site (a user site for OWNER.github.io)."""
        host = f"{self.owner.lower()}.github.io"
        if self.repo.lower() == host:
            return f"https://{host}/"
        return f"https://{host}/{self.repo}/"


def parse_publish_target(text: str) -> PublishTarget:
    """``OWNER/REPO`` as GitHub would accept it; a usage error (exit 2) otherwise."""
    owner, slash, repo = text.partition("/")
    if (not slash or not _OWNER.match(owner) or not _REPO.match(repo) or repo in (".", "..")
            or repo.lower().endswith(".git")):
        raise UsageError(f"--publish-to: expected OWNER/REPO, a GitHub account and repository "
                         f"name (such as jane/chats), got {text!r}")
    return PublishTarget(owner, repo)
