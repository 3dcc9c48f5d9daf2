"""What a change does to the published site, as Markdown for a pull request.

`amber review BASE [HEAD]` reads ``content/`` (and the site's ``themes/``) at
both revisions through git plumbing (``gitrev``), loads each with the ordinary
loaders, and compares the shares: added, re-frozen, revoked, made listed or
unlisted, shown under another name or title; conversations changed so that
their shares are now stale; likely secrets or personal data in new content.
HEAD is then checked exactly as `amber check` would check it (``checks``), and
a failing check makes the review fail too. The check renders HEAD's own theme,
in Jinja2's sandbox like every render, so a template in the change cannot run
code on the reviewer's machine. Every other changed file that shapes the site
(templates, scripts, ``site.yaml``, workflows: ``site_files``) is listed in a
section of its own, above the share tables.

HEAD means the commit, not the work tree: a review describes what would be
merged, and uncommitted edits are not part of that (`amber check` covers the
work tree). The summary may land in a public job log, so it never quotes a
finding's text, and every piece of content in it is escaped so that a title
cannot add links, images or HTML to the page it is shown on.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from amber.build.check import CheckReport, check_content, snapshot_findings
from amber.content.clock import now as clock_now
from amber.content.expiry import live_view
from amber.content.ids import is_share_id
from amber.content.load import SiteContent, SitePaths, load_content, load_snapshot_unverified
from amber.content.model import SiteConfig, Snapshot
from amber.content.shares import share_url
from amber.content.snapshot import source_digest
from amber.errors import AmberError, ContentError, Problem
from amber.review.git import Revision, materialise, resolve, site_prefix
from amber.review.site_files import FileChange, changed_files

MAX_ROWS = 200
"""Rows shown per section; a job summary has a size limit, and a reviewer a patience one."""


@dataclass(frozen=True)
class ShareRow:
    id: str
    title: str
    listed: bool
    author: str | None
    messages: int
    size: int | None
    """Bytes of the share file at the revision it is reported from."""
    url: str | None
    """The link without any key: a review is read in CI logs and pull requests."""
    changes: tuple[str, ...] = ()
    """For updated and changed shares: what changed, in words."""
    encryption: str | None = None
    """``link``, ``passphrase``, or None for a plain page."""


@dataclass(frozen=True)
class StaleRow:
    conversation: str
    share: ShareRow
    state: str
    """``stale`` (the conversation changed after freezing) or ``source gone``."""


@dataclass
class Review:
    base: Revision
    head: Revision
    added: list[ShareRow] = field(default_factory=list)
    updated: list[ShareRow] = field(default_factory=list)
    revoked: list[ShareRow] = field(default_factory=list)
    changed: list[ShareRow] = field(default_factory=list)
    """Visibility, author display or title changed without a re-freeze."""
    stale: list[StaleRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    check: CheckReport = field(default_factory=CheckReport)
    """`amber check` at HEAD."""
    files: list[FileChange] = field(default_factory=list)
    """Changed files outside the share data: theme, settings, workflows and the rest."""

    @property
    def ok(self) -> bool:
        return self.check.ok

    @property
    def unchanged(self) -> bool:
        """No share is added, changed or revoked (site-wide files may still change)."""
        return not (self.added or self.updated or self.revoked or self.changed or self.stale)

    @property
    def site_files(self) -> list[FileChange]:
        return [f for f in self.files if f.alters_site]

    @property
    def other_files(self) -> list[FileChange]:
        return [f for f in self.files if not f.alters_site]


@dataclass
class _Tree:
    root: Path
    content: SiteContent
    problems: list[Problem]
    """Entries of the git tree that are not plain files (reported by the check at HEAD)."""
    shares: dict[str, Snapshot] = field(default_factory=dict)
    """Every share file that reads as a snapshot, hand-edited ones included, so that a broken
    file shows as a changed share (and a failing check), not as a share added or deleted."""
    hand_edited: set[str] = field(default_factory=set)
    """IDs whose frozen messages no longer match their digest."""

    def share_size(self, share_id: str) -> int | None:
        path = self.content.paths.shares / f"{share_id}.yaml"
        return path.stat().st_size if path.is_file() else None


def _relative(problem: Problem, root: Path) -> Problem:
    """Show a problem of the scratch copy as the site-relative path it has in the repository."""
    try:
        return replace(problem, path=problem.path.relative_to(root))
    except ValueError:
        return problem


def _load(site_root: Path, revision: Revision, scratch: Path) -> _Tree:
    problems = materialise(site_root, revision, scratch)
    paths = SitePaths(scratch)
    tree = _Tree(scratch, load_content(paths), problems)
    tree.shares = dict(tree.content.snapshots)
    files = sorted(paths.shares.glob("*.yaml")) if paths.shares.is_dir() else []
    for path in files:
        share_id = path.stem
        if share_id in tree.shares or not is_share_id(share_id):
            continue
        if share_id in tree.content.revoked_ids:
            continue  # a resurrected share: the check at HEAD names it
        try:
            tree.shares[share_id] = load_snapshot_unverified(paths, share_id)
        except ContentError:
            continue  # unreadable: only the check can say more
        tree.hand_edited.add(share_id)
    return tree


def review(site_root: Path, base_ref: str, head_ref: str = "HEAD") -> Review:
    """Compare the site at two revisions; nothing in the repository or work tree changes."""
    site_prefix(site_root)  # "not a repository" before "not a commit"
    base_rev, head_rev = resolve(site_root, base_ref), resolve(site_root, head_ref)
    with tempfile.TemporaryDirectory(prefix="amber-review-") as scratch:
        base = _load(site_root, base_rev, Path(scratch) / "base")
        head = _load(site_root, head_rev, Path(scratch) / "head")
        result = Review(base_rev, head_rev)
        _compare(base, head, result)
        result.files = changed_files(site_root, base_rev, head_rev)
        result.check = _check(head)
    return result


_LOCATED = re.compile(r"(?P<path>[^:\n]+):(?P<line>\d+): (?P<message>.*)", re.DOTALL)


def _error_problem(exc: AmberError, root: Path) -> Problem:
    """A render error as a problem of the file it names (a template of HEAD's theme, say),
    with the scratch copy's folder taken out of the text; else one of ``site.yaml``."""
    text = str(exc)
    located = _LOCATED.fullmatch(text)
    if located:
        path = Path(located["path"])
        for scratch in (root, root.resolve()):
            if path.is_relative_to(scratch):
                return Problem(path.relative_to(scratch), located["message"],
                               int(located["line"]))
    for scratch in (str(root.resolve()), str(root)):
        text = text.replace(scratch + "/", "")
    return Problem(Path("content/site.yaml"), text)


def _check(head: _Tree) -> CheckReport:
    try:
        # The site a build at this moment publishes, as `amber check` sees it.
        report = check_content(live_view(head.content, clock_now()))
    except AmberError as exc:  # a theme that is missing or refused at HEAD, say
        report = CheckReport(problems=list(head.content.problems))
        report.problems.append(_error_problem(exc, head.root))
    report.problems[:0] = head.problems
    report.problems = [_relative(p, head.root) for p in report.problems]
    report.warnings = [_relative(p, head.root) for p in report.warnings]
    return report


def _row(snap: Snapshot, tree: _Tree, config: SiteConfig | None,
         changes: tuple[str, ...] = ()) -> ShareRow:
    return ShareRow(
        id=snap.id, title=snap.title, listed=snap.listed, author=snap.author,
        messages=len(snap.messages), size=tree.share_size(snap.id),
        url=share_url(config, snap.id) if config else None, changes=changes,
        encryption=_encryption(snap),
    )


def _encryption(snap: Snapshot) -> str | None:
    return snap.encryption.kind if snap.encryption is not None else None


def _compare(base: _Tree, head: _Tree, out: Review) -> None:
    old, new = base.shares, head.shares
    config = head.content.config
    language = config.language if config else "en"
    for share_id in sorted(new.keys() - old.keys(), key=lambda i: (new[i].title, i)):
        snap = new[share_id]
        out.added.append(_row(snap, head, config))
        _warn_sensitive(out, snap, language)
    for share_id in sorted(new.keys() & old.keys(), key=lambda i: (new[i].title, i)):
        before, after = old[share_id], new[share_id]
        refrozen = (before.digest, before.source_digest, before.frozen) != (
            after.digest, after.source_digest, after.frozen)
        shown = _display_changes(before, after)
        if share_id in head.hand_edited:
            shown = ("frozen messages edited by hand (the check fails)", *shown)
        if refrozen:
            out.updated.append(_row(after, head, config, (*_content_changes(before, after),
                                                          *shown)))
            _warn_sensitive(out, after, language)
        elif shown:
            out.changed.append(_row(after, head, config, shown))
        if after.allow_sensitive and not before.allow_sensitive and not refrozen:
            _warn_sensitive(out, after, language)
    tombstoned = head.content.revoked_ids - base.content.revoked_ids
    for share_id in sorted(old.keys() - new.keys(), key=lambda i: (old[i].title, i)):
        row = _row(old[share_id], base, base.content.config)
        if share_id in tombstoned:
            out.revoked.append(row)
        elif share_id in head.content.revoked_ids:
            continue  # already revoked at BASE; its file was a leftover
        else:
            out.revoked.append(replace(row, changes=("deleted without a tombstone",)))
            out.warnings.append(
                f"share `{share_id}` ({md(row.title)}) was deleted by hand, not revoked: "
                "its ID is not in content/revoked.yaml, so nothing stops it from coming "
                f"back. Use `amber revoke {share_id}`."
            )
    for share_id in sorted(tombstoned - old.keys()):
        out.revoked.append(ShareRow(share_id, "(not active at the base)", False, None, 0, None,
                                    None, ("tombstone added",)))
    _stale(base, head, out)


def _content_changes(before: Snapshot, after: Snapshot) -> tuple[str, ...]:
    if before.digest == after.digest:
        return ("re-frozen, messages unchanged",)
    if len(before.messages) != len(after.messages):
        return (f"messages {len(before.messages)} → {len(after.messages)}",)
    return ("messages edited",)


def _display_changes(before: Snapshot, after: Snapshot) -> tuple[str, ...]:
    changes = []
    if before.listed != after.listed:
        changes.append("now **listed**: on the index, sitemap and feed" if after.listed
                       else "now unlisted: only people with the link")
    if before.author != after.author:
        changes.append(f"shown as {_who(before.author)} → {_who(after.author)}")
    if before.title != after.title:
        changes.append(f"title was “{md(before.title)}”")
    if _encryption(before) != _encryption(after):
        changes.append({None: "now **plain**: anyone with the link reads it, and the host "
                              "holds its text",
                        "link": "now encrypted, the key in the link",
                        "passphrase": "now encrypted with a passphrase"}[_encryption(after)])
    elif before.encryption != after.encryption:
        changes.append("encryption key changed: links handed out before no longer open it")
    if before.allow_sensitive != after.allow_sensitive:
        changes.append("sensitive findings now accepted (allow_sensitive)" if
                       after.allow_sensitive else "no longer accepts sensitive findings")
    return tuple(changes)


def _visibility(row: ShareRow) -> str:
    if row.listed:
        return "listed"
    return {None: "unlisted", "link": "unlisted, encrypted",
            "passphrase": "unlisted, passphrase"}[row.encryption]


def _who(author: str | None) -> str:
    return md(author) if author else "anonymous"


def _warn_sensitive(out: Review, snap: Snapshot, language: str) -> None:
    for finding in snapshot_findings(snap, language):
        verdict = ("accepted with allow_sensitive" if snap.allow_sensitive
                   else "not accepted, so the check fails")
        out.warnings.append(f"`{snap.id}` ({md(snap.title)}), {md(str(finding), 200)}: {verdict}")


def _stale(base: _Tree, head: _Tree, out: Review) -> None:
    """Shares whose conversation this change edited or deleted, and that still show the old one."""
    touched = {row.id for row in (*out.added, *out.updated)}
    old_convs, new_convs = base.content.conversations, head.content.conversations
    config = head.content.config
    head_problem_files = {p.path for p in head.content.problems}
    for snap in sorted(head.content.snapshots.values(), key=lambda s: (s.source, s.title, s.id)):
        if snap.id in touched:
            continue
        before, after = old_convs.get(snap.source), new_convs.get(snap.source)
        if after is not None:
            sel, kept = snap.selection, snap.branches
            changed = before is None or (source_digest(before, sel, kept)
                                         != source_digest(after, sel, kept))
            if changed and source_digest(after, sel, kept) != snap.source_digest:
                out.stale.append(StaleRow(snap.source, _row(snap, head, config), "stale"))
        elif before is not None and not any(
            p.parent == head.content.paths.conversations and p.stem == snap.source
            for p in head_problem_files
        ):
            out.stale.append(StaleRow(snap.source, _row(snap, head, config), "source gone"))


# --- Markdown -----------------------------------------------------------------

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def md(text: str, limit: int = 80) -> str:
    """Content as inert Markdown text: one line, every ASCII punctuation mark escaped."""
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return _PUNCTUATION.sub(r"\\\1", text)


def code(text: str, limit: int = 400) -> str:
    """Text as a Markdown code span: shown as written, never read as markup.

    The fence is one backtick longer than any run inside, so the text cannot close it.
    Not for table cells, where GFM would still split a span at '|'.
    """
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str, limit: int = 400) -> str:
    """Text as a code span that is safe in a table cell: GFM splits cells at every '|'
    that is not escaped, inside code spans too, and shows an escaped one as '|'."""
    return code(text, limit).replace("|", "\\|")


def _lines(change: FileChange) -> str:
    if change.lines is None:
        return "binary" if change.status != "deleted" else "—"
    added, removed = change.lines
    return f"+{added} −{removed}"


def _site_files_section(result: Review) -> list[str]:
    """The changed files that shape every page or the build: above the share tables, since
    nothing in those tables shows what a template, a script or a workflow now does."""
    changes = result.site_files
    if not changes:
        return []
    lines = [
        f"### ⚠️ Site files changed ({len(changes)}): read their diff", "",
        "These are not shares, but they change every published page or how the site is "
        "built and deployed (theme templates and scripts, `site.yaml`, workflows). The "
        "tables below cannot show what they do.", "",
        "| File | Change | What it is | Lines |", "|---|---|---|---|",
    ]
    for change in changes[:MAX_ROWS]:
        lines.append(f"| {cell(change.path)} | {change.status} | {change.kind} | "
                     f"{_lines(change)} |")
    if len(changes) > MAX_ROWS:
        lines += ["", f"… and {len(changes) - MAX_ROWS} more."]
    return [*lines, ""]


def _other_files_section(result: Review) -> list[str]:
    others = result.other_files
    if not others:
        return []
    lines = [f"### Other files in this change ({len(others)})", "",
             "Not read by `amber build` (documentation, tests, tools): listed so that "
             "nothing in the change goes unmentioned.", ""]
    lines += [f"- {code(change.path)} ({change.status})" for change in others[:MAX_ROWS]]
    if len(others) > MAX_ROWS:
        lines.append(f"- … and {len(others) - MAX_ROWS} more.")
    return [*lines, ""]


def _size(size: int | None) -> str:
    if size is None:
        return "—"
    if size < 1000:
        return f"{size} B"
    return f"{size / 1000:.1f} kB"


def _table(rows: list[ShareRow], *, changes: bool = False) -> list[str]:
    head = ["Title", "ID", "Visibility", "Shown as", "Messages", "Size", "URL"]
    if changes:
        head.append("What changed")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows[:MAX_ROWS]:
        cells = [
            md(row.title), cell(row.id), _visibility(row),
            _who(row.author), str(row.messages) if row.messages else "—", _size(row.size),
            cell(row.url) if row.url else "—",
        ]
        if changes:
            cells.append("; ".join(row.changes) or "—")
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > MAX_ROWS:
        lines += ["", f"… and {len(rows) - MAX_ROWS} more."]
    return lines


def render_markdown(result: Review) -> str:
    """The summary a reviewer reads: counts first, then one section per kind of change."""
    base, head = result.base, result.head
    lines = [
        "## amber review",
        "",
        f"{code(base.name)} ({base.short}) → {code(head.name)} ({head.short})",
        "",
    ]
    counts = [
        (len(result.added), "added"), (len(result.updated), "updated"),
        (len(result.revoked), "revoked"), (len(result.changed), "visibility/author/title changed"),
        (len(result.stale), "stale"),
    ]
    site_files = len(result.site_files)
    if result.unchanged and site_files:
        lines += [f"No share is added, updated or revoked, but **{site_files} file(s) that "
                  "shape the whole site changed** (listed below).", ""]
    elif result.unchanged:
        lines += ["No change to the published shares.", ""]
    else:
        counts.append((site_files, "site file(s) changed"))
        lines += [" · ".join(f"**{n}** {label}" for n, label in counts if n), ""]
    lines += _site_files_section(result)
    problems = result.check.problems
    if problems:
        lines += [f"### ❌ Check at HEAD failed: {len(problems)} problem(s)", ""]
        lines += [f"- {code(str(p))}" for p in problems[:MAX_ROWS]]
        if len(problems) > MAX_ROWS:
            lines.append(f"- … and {len(problems) - MAX_ROWS} more (run `amber check`)")
    else:
        lines.append("### ✅ Check at HEAD passed")
    lines.append("")
    sections = [
        ("Added", result.added, False,
         "New pages, published at the next deploy."),
        ("Updated (re-frozen)", result.updated, True,
         "Same ID and URL; the page shows the new snapshot after the next deploy."),
        ("Revoked", result.revoked, True,
         "The page and every trace of it leave the site at the next deploy (plus up to ~10 "
         "minutes of CDN cache). The snapshot stays in git history."),
        ("Visibility, author or title changed", result.changed, True,
         "Not re-frozen: the messages are as before."),
    ]
    for title, rows, changes, note in sections:
        if rows:
            lines += [f"### {title} ({len(rows)})", "", note, ""]
            lines += [*_table(rows, changes=changes), ""]
    if result.stale:
        lines += [
            f"### Stale shares ({len(result.stale)})", "",
            "Their conversation changed in this change, but the published snapshot did not. "
            "`amber update ID` publishes the new version under the same URL.", "",
            "| Conversation | Share | Title | State | URL |", "|---|---|---|---|---|",
        ]
        for stale in result.stale[:MAX_ROWS]:
            url = cell(stale.share.url) if stale.share.url else "—"
            lines.append(f"| {md(stale.conversation)} | {cell(stale.share.id)} | "
                         f"{md(stale.share.title)} | {stale.state} | {url} |")
        lines.append("")
    # Only what this change brings: accepted findings of untouched shares were reviewed before.
    warnings = list(dict.fromkeys(result.warnings))
    if warnings:
        lines += [f"### ⚠️ Warnings ({len(warnings)})", ""]
        lines += [f"- {w}" for w in warnings]
        lines.append("")
    lines += _other_files_section(result)
    return "\n".join(lines)
