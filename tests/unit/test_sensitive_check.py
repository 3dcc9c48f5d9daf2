"""Sensitive findings in `check`: problems unless the share recorded allow_sensitive.

Also the snapshot side of ``allow_sensitive``: written only when set, read back,
and absent from every share file written before it existed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from amber.build.check import check_content
from amber.content.load import SiteContent, SitePaths, load_content
from amber.content.shares import create_shares, refreeze
from amber.content.snapshot import serialise_snapshot

REPO = Path(__file__).resolve().parents[2]
EMAIL = "ann.smith@proton.me"


@pytest.fixture
def paths(tmp_path: Path, source_date_epoch: Callable[[int], None]) -> SitePaths:
    source_date_epoch(1767268800)
    p = SitePaths(tmp_path)
    p.conversations.mkdir(parents=True)
    p.shares.mkdir()
    p.site_yaml.write_text("title: Chats\nbase_url: https://jane.github.io/chats/\n")
    (p.conversations / "clean.yaml").write_text(
        "title: Clean\nmessages:\n  - role: user\n    content: nothing to see\n")
    (p.conversations / "mail.yaml").write_text(
        f"title: Mail\nmessages:\n  - role: user\n    content: |\n      hi\n      {EMAIL}\n")
    return p


def line_holding(path: Path, text: str) -> int:
    """The 1-based line of ``path`` that holds ``text``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def load(paths: SitePaths) -> SiteContent:
    content = load_content(paths)
    assert content.problems == []
    return content


def test_an_unaccepted_finding_fails_check_naming_file_message_and_line(paths: SitePaths) -> None:
    content = load(paths)
    [snap] = create_shares(content, [content.conversations["mail"]], title=None, author=None,
                           listed=False)
    report = check_content(load(paths))
    assert not report.ok
    [problem] = report.problems
    assert problem.path == paths.share_file(snap.id)
    line = line_holding(problem.path, EMAIL)  # the file's line, not the message's
    assert line > 2
    assert problem.message.startswith(f"message 1, line {line}: looks like an email address")
    assert f"amber update {snap.id} --allow-sensitive" in problem.message
    assert EMAIL not in str(problem)
    assert report.warnings == []


def test_an_accepted_finding_is_a_warning_and_check_passes(paths: SitePaths) -> None:
    content = load(paths)
    [snap] = create_shares(content, [content.conversations["mail"]], title=None, author=None,
                           listed=False, allow_sensitive={"mail"})
    text = paths.share_file(snap.id).read_text()
    assert "\nallow_sensitive: true\n" in text
    reloaded = load(paths).snapshots[snap.id]
    assert reloaded.allow_sensitive is True
    report = check_content(load(paths))
    assert report.ok, report.problems
    line = line_holding(paths.share_file(snap.id), EMAIL)
    assert [w.message for w in report.warnings] == [
        f"message 1, line {line}: looks like an email address (accepted: allow_sensitive)"]
    assert report.files is not None and f"share/{snap.id}/index.html" in report.files


def test_allow_sensitive_is_per_conversation_and_absent_when_false(paths: SitePaths) -> None:
    content = load(paths)
    clean, mail = create_shares(
        content, [content.conversations["clean"], content.conversations["mail"]], title=None,
        author=None, listed=False, allow_sensitive={"mail"})
    assert "allow_sensitive" not in paths.share_file(clean.id).read_text()
    assert not clean.allow_sensitive and mail.allow_sensitive


def test_refreeze_records_what_it_is_told(paths: SitePaths) -> None:
    content = load(paths)
    [snap] = create_shares(content, [content.conversations["mail"]], title=None, author=None,
                           listed=False, allow_sensitive={"mail"})
    again = refreeze(load(paths), snap.id)
    assert again.allow_sensitive is False
    assert "allow_sensitive" not in paths.share_file(snap.id).read_text()


def test_allow_sensitive_must_be_a_boolean(paths: SitePaths) -> None:
    content = load(paths)
    [snap] = create_shares(content, [content.conversations["clean"]], title=None, author=None,
                           listed=False)
    path = paths.share_file(snap.id)
    path.write_text(path.read_text().replace("listed: false\n",
                                             "listed: false\nallow_sensitive: yes please\n"))
    problems = load_content(paths).problems
    assert [p.message for p in problems] == ["allow_sensitive: expected true or false, "
                                             "got a string"]


def test_existing_share_files_are_unchanged_by_the_new_key() -> None:
    """Every share file of the example site serialises to exactly its bytes on disk."""
    content = load_content(SitePaths(REPO))
    assert content.snapshots
    for snap in content.snapshots.values():
        assert snap.allow_sensitive is False
        assert snap.path is not None
        assert serialise_snapshot(snap) == snap.path.read_bytes()


def test_the_example_site_passes_check_with_no_warning() -> None:
    report = check_content(load_content(SitePaths(REPO)))
    assert report.problems == [] and report.warnings == []
