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

from amber.build.check_cache import CheckStore
from amber.build.check_site import checked_links, share_ids_of
from amber.build.memory import render_site
from amber.build.pool import snapshot_to_render
from amber.content.assets import folder_problems
from amber.content.load import SiteContent, SitePaths, load_content, load_site_yaml
from amber.content.model import Snapshot
from amber.content.sensitive import Finding, scan_messages
from amber.errors import ContentError, Problem, RefusedError
from amber.render.links import broken_links

KEEP_PARSED = 1000
"""Share files a check keeps in memory after parsing them (as the build keeps)."""


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


def sensitive_record(snap: Snapshot, path: Path, language: str) -> dict[str, object]:
    """``sensitive_problems`` of a share as data a check can keep: the messages, and
    whether they are warnings (accepted) or problems."""
    return {"accepted": snap.allow_sensitive,
            "messages": [p.message for p in sensitive_problems(snap, path, language)]}


def check_content(content: SiteContent, store: CheckStore | None = None) -> CheckReport:
    """Everything `check` reports about loaded content; writes nothing but ``store``.

    With ``store`` (``amber check``; content loaded with its memo, see
    ``load_for_check``), what the last check vouched for is reused: unchanged shares
    are not scanned or rendered again, and the report is the same. Without one
    (``review``), every share is rendered and ``files`` holds the site.
    """
    report = CheckReport(problems=list(content.problems))
    # Anything in content/assets/ that is not a publishable image, referenced or not yet.
    report.problems.extend(folder_problems(content.paths.assets))
    if content.config is None:
        return report
    language = content.config.language
    if store is None:
        for share_id in sorted(content.snapshots):
            snap = content.snapshots[share_id]
            path = snap.path or content.paths.share_file(share_id)
            found = sensitive_problems(snap, path, language)
            (report.warnings if snap.allow_sensitive else report.problems).extend(found)
    else:
        for share_id in sorted(share_ids_of(content)):
            snap = content.snapshots.get(share_id)
            path = snap.path if snap is not None and snap.path else (
                content.unread_shares[share_id].path if share_id in content.unread_shares
                else content.paths.share_file(share_id))
            data = _findings(store, content, path, share_id, language)
            found = [Problem(path, str(m)) for m in data["messages"]]  # type: ignore[attr-defined]
            (report.warnings if data["accepted"] else report.problems).extend(found)
    if content.problems:
        return report  # rendering half-loaded content would only repeat the same problems
    try:
        if store is None:
            files = render_site(content, content.config, jobs=None)
            broken = broken_links(files, content.config.base_url)
            report.files = files
        else:
            broken = checked_links(content, content.config, store)
    except ContentError as exc:
        report.problems.extend(exc.problems)
        return report
    for page, link in broken:
        report.problems.append(Problem(Path("output") / page, f"broken internal link {link}"))
    return report


def _findings(store: CheckStore, content: SiteContent, path: Path, share_id: str,
              language: str) -> dict[str, object]:
    """A share's findings: scanned during the load (``load_for_check``), else kept from
    an earlier check of the same bytes, else scanned now."""
    key = store.finding_key(path, language)
    scanned = store.scanned.get(share_id)
    if scanned is not None and scanned[0] == path:
        data = scanned[1]
    else:
        known = store.known_findings(path, key) if key is not None else None
        if known is not None:
            return known
        snap = content.snapshots.get(share_id) or snapshot_to_render(path)
        data = sensitive_record(snap, path, language)
    if key is not None:
        store.keep_findings(path, key, data)
    return data


def load_for_check(paths: SitePaths, store: CheckStore) -> SiteContent:
    """Load the site with the check's memo: unchanged files are not parsed, and each share
    file that is parsed is scanned for secrets while it is in memory (``light`` keeps no
    more than ``KEEP_PARSED`` of them, so 10,000 shares fit in little memory)."""
    config = load_site_yaml(paths.site_yaml, []) if paths.site_yaml.is_file() else None
    language = config.language if config is not None else None

    def scan(snap: Snapshot) -> None:
        if language is not None:
            path = snap.path or paths.share_file(snap.id)
            store.scanned[snap.id] = (path, sensitive_record(snap, path, language))

    return load_content(paths, memo=store.memo, light=True, keep=KEEP_PARSED,
                        on_snapshot=scan)


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
