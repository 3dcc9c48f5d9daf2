"""What `check`, `review`, `share` and `update` decide about a site's content.

``check_content`` is the one definition of "this site may be published": the
content loads cleanly, the rendered site has no broken internal link, and no
share publishes likely secrets or personal data that nobody accepted. `check`
runs it on the work tree and `review` on the tree at a git revision, so a pull
request's CI and a local `amber check` can never disagree.

Sensitive findings in a share recorded with ``allow_sensitive: true`` are
warnings: the author saw them at share time and said so in a reviewable file.
Everywhere else they are problems, so `check` (and with it CI and the Pages
workflow) fails until the text is fixed or the finding is accepted.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from amber.build.memory import render_site
from amber.content.assets import folder_problems
from amber.content.load import SiteContent
from amber.content.model import Snapshot
from amber.content.sensitive import Finding, scan_messages
from amber.errors import ContentError, Problem, RefusedError
from amber.render.links import broken_links


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    """Anything that must fail `check`."""
    warnings: list[Problem] = field(default_factory=list)
    """Accepted sensitive findings: reported, never failing."""
    files: dict[str, bytes] | None = None
    """The rendered site (relative path -> bytes), when the content was sound enough to render."""

    @property
    def ok(self) -> bool:
        return not self.problems


def snapshot_findings(snap: Snapshot, language: str) -> list[Finding]:
    return scan_messages(snap.title, snap.messages, language=language, model=snap.model,
                         author=snap.author, path=snap.path)


def sensitive_problems(snap: Snapshot, path: Path, language: str) -> list[Problem]:
    """One Problem per finding in a share, worded for `check` (never quoting the value)."""
    if snap.allow_sensitive:
        suffix = "(accepted: allow_sensitive)"
    else:
        suffix = (f"(remove it and run `amber update {snap.id}`, or accept it with "
                  f"`amber update {snap.id} --allow-sensitive`)")
    return [Problem(path, f"{finding} {suffix}") for finding in snapshot_findings(snap, language)]


def check_content(content: SiteContent) -> CheckReport:
    """Everything `check` reports about loaded content; writes nothing."""
    report = CheckReport(problems=list(content.problems))
    # Anything in content/assets/ that is not a publishable image, referenced or not yet.
    report.problems.extend(folder_problems(content.paths.assets))
    if content.config is None:
        return report
    language = content.config.language
    for share_id in sorted(content.snapshots):
        snap = content.snapshots[share_id]
        path = snap.path or content.paths.share_file(share_id)
        found = sensitive_problems(snap, path, language)
        (report.warnings if snap.allow_sensitive else report.problems).extend(found)
    if content.problems:
        return report  # rendering half-loaded content would only repeat the same problems
    try:
        files = render_site(content, content.config, jobs=None)
    except ContentError as exc:
        report.problems.extend(exc.problems)
        return report
    report.files = files
    for page, link in broken_links(files, content.config.base_url):
        report.problems.append(Problem(Path("output") / page, f"broken internal link {link}"))
    return report


def guard_sensitive(found: list[tuple[Path, list[Finding]]], *, allow: bool) -> bool:
    """Before a freeze: report findings; refuse unless ``allow``. True when any were found.

    The refusal names each file, message and line, but never the text itself: it
    may be pasted into an issue or a CI log.
    """
    total = sum(len(findings) for _, findings in found)
    if not total:
        return False
    label = "warning" if allow else "error"
    for path, findings in found:
        for finding in findings:
            print(f"{label}: {Problem(path, str(finding))}", file=sys.stderr)
    if allow:
        print(f"amber: publishing {total} likely secret(s) or personal data as asked "
              "(--allow-sensitive); the share records it", file=sys.stderr)
        return True
    raise RefusedError(
        f"refusing to publish {total} likely secret(s) or personal data (listed above): "
        "remove them from the conversation, or pass --allow-sensitive to publish them anyway"
    )
