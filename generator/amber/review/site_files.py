"""Files a change touches besides the shares: the theme, settings, workflows, the rest.

The share tables of `amber review` say what a change does to each published page
through its snapshot. Many other files shape every page at once: a template can
drop the Content-Security-Policy or add a script, ``amber.js`` can post the page
somewhere, ``site.yaml`` can move the site, a workflow can build something else
entirely, and a ``.gitattributes`` line can make the CI checkout hold other bytes
than the ones reviewed. None of that shows in the share tables, so this module
lists every changed file outside the share data (``content/conversations/``,
``content/shares/``, ``content/revoked.yaml``), sorted into those that alter the
published site and the others, straight from ``git diff-tree`` between the two
commits. The list is data from the change and is escaped by the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from amber.review.git import Revision, git_output, site_prefix

SHARE_DATA = ("content/conversations/", "content/shares/", "content/revoked.yaml")
"""Site-relative paths the share tables already describe, page by page."""

_STATUS = {"A": "added", "M": "modified", "D": "deleted", "T": "type changed"}
_PACKAGING = re.compile(
    r"(pyproject\.toml|setup\.py|setup\.cfg|(requirements|constraints)[\w.-]*\.txt"
    r"|uv\.lock|poetry\.lock|Pipfile(\.lock)?)")
"""What ``pip install .`` or a requirements file in a workflow installs amber from."""


@dataclass(frozen=True)
class FileChange:
    path: str
    """Relative to the top of the repository, as the pull request's diff shows it."""
    status: str
    """added, modified, deleted or type changed."""
    kind: str
    """What the file is to the site, in words."""
    alters_site: bool
    """True when the build, or the workflow that runs it, reads this file."""
    lines: tuple[int, int] | None
    """Lines added and removed; None for a binary file."""


def _theme_kind(rest: PurePosixPath) -> str:
    parts = rest.parts
    if len(parts) >= 2 and parts[1] == "templates":
        return "theme template (HTML of every page, its Content-Security-Policy)"
    if len(parts) >= 2 and parts[1] == "static":
        suffix = rest.suffix.lower()
        if suffix in (".js", ".mjs"):
            return "theme script (runs in every reader's browser)"
        if suffix == ".css":
            return "theme stylesheet"
        return "theme static file"
    return "theme file"


def classify(repo_path: str, prefix: str) -> tuple[str, bool] | None:
    """(kind, alters the site) of a changed file; None for share data, which the tables
    cover. ``prefix`` is the site folder's path in the repository (``""`` or ``sub/``)."""
    path = PurePosixPath(repo_path)
    if path.name in (".gitattributes", ".gitmodules"):
        return "git checkout settings (can change the bytes CI builds from)", True
    if repo_path.startswith((".github/workflows/", ".github/actions/")):
        return "GitHub Actions workflow (how the site is checked, built and deployed)", True
    if repo_path.startswith(prefix):
        site_path = repo_path[len(prefix):]
        if site_path.startswith(SHARE_DATA):
            return None
        if site_path == "content/site.yaml":
            return "site settings (URL, title, theme, author)", True
        if site_path.startswith("content/assets/"):
            return "image or attachment that pages show", True
        if site_path.startswith("content/"):
            return "file in content/", True
        if site_path.startswith("themes/"):
            return _theme_kind(PurePosixPath(site_path).relative_to("themes")), True
        if "/" not in site_path and _PACKAGING.fullmatch(site_path):
            return "Python packaging (what CI installs to build the site)", True
    if "/" not in repo_path and _PACKAGING.fullmatch(repo_path):
        return "Python packaging (what CI installs to build the site)", True
    return "not read by `amber build`", False


def _diff_tree(site_root: Path, base: Revision, head: Revision, *options: str) -> bytes:
    return git_output(site_root, "diff-tree", "-r", "-z", "--no-renames", "--no-commit-id",
                      *options, base.commit, head.commit)


def changed_files(site_root: Path, base: Revision, head: Revision) -> list[FileChange]:
    """Every file that differs between the commits, except the share data; sorted, those
    that alter the site first. Renames count as a deletion and an addition, so both paths
    show."""
    prefix = site_prefix(site_root)
    fields = _diff_tree(site_root, base, head, "--name-status").split(b"\0")
    # Names are decoded for display only; a list, so two names that decode alike both show.
    statuses = [(fields[i + 1].decode("utf-8", "replace"), fields[i].decode("ascii"))
                for i in range(0, len(fields) - 1, 2)]
    lines: dict[str, tuple[int, int] | None] = {}
    for record in _diff_tree(site_root, base, head, "--numstat").split(b"\0"):
        added, _, rest = record.partition(b"\t")
        removed, _, raw_path = rest.partition(b"\t")
        if raw_path:
            counts = (int(added), int(removed)) if added.isdigit() and removed.isdigit() else None
            lines[raw_path.decode("utf-8", "replace")] = counts
    changes = []
    for path, status in statuses:
        sorted_as = classify(path, prefix)
        if sorted_as is None:
            continue
        kind, alters = sorted_as
        changes.append(FileChange(path, _STATUS.get(status[:1], status), kind, alters,
                                  lines.get(path)))
    return sorted(changes, key=lambda c: (not c.alters_site, c.path))
