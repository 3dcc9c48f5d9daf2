"""`share` and `update` refuse likely secrets and personal data unless --allow-sensitive, which
the snapshot records; `check` then reports the same findings, as warnings or as problems."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.helpers.cli import assert_refused, ok, run_amber
from tests.helpers.fixture_site import share

EMAIL = "ann.smith@proton.me"
KEY = "AKIA" + "2E0A8F3B244C9986"  # assembled, so this file holds no key-shaped literal


def add_conversation(site: Path, slug: str, *texts: str) -> None:
    lines = [f"title: {slug.title()}", "messages:"]
    for i, text in enumerate(texts):
        lines += [f"  - role: {'user' if i % 2 == 0 else 'assistant'}", "    content: |"]
        lines += [f"      {line}" for line in text.splitlines()]
    (site / "content" / "conversations" / f"{slug}.yaml").write_text("\n".join(lines) + "\n")


def line_holding(path: Path, text: str) -> int:
    """The 1-based line of ``path`` that holds ``text``: findings name the file's line."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def shares_dir(site: Path) -> list[Path]:
    return sorted((site / "content" / "shares").glob("*.yaml"))


def test_share_refuses_naming_message_and_line_and_writes_nothing(site: Path) -> None:
    add_conversation(site, "leaky", "hello", f"sure\nuse this key: {KEY}\nand mail {EMAIL}")
    result = run_amber("share", "leaky", "--yes", cwd=site)
    last = assert_refused(result, "--allow-sensitive", "2 likely secret(s) or personal data")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    conv = site / "content" / "conversations" / "leaky.yaml"
    key_line, email_line = line_holding(conv, KEY), line_holding(conv, EMAIL)
    assert (key_line, email_line) == (9, 10)  # lines 2 and 3 of message 2
    assert errors == [
        f"error: content/conversations/leaky.yaml: message 2, line {key_line}: looks like an "
        "AWS access key",
        f"error: content/conversations/leaky.yaml: message 2, line {email_line}: looks like an "
        "email address",
    ]
    assert KEY not in result.stderr and EMAIL not in result.stderr and KEY not in last
    assert result.stdout == "" and shares_dir(site) == []


def test_share_with_allow_sensitive_records_it_and_check_only_warns(site: Path) -> None:
    add_conversation(site, "leaky", f"write to {EMAIL}")
    [share_id] = share(site, "leaky", "--allow-sensitive")
    data = yaml.safe_load((site / "content" / "shares" / f"{share_id}.yaml").read_text())
    assert data["allow_sensitive"] is True
    result = ok(run_amber("check", cwd=site))
    line = line_holding(site / "content" / "shares" / f"{share_id}.yaml", EMAIL)
    assert (f"warning: content/shares/{share_id}.yaml: message 1, line {line}: looks like an "
            "email address (accepted: allow_sensitive)") in result.stderr.splitlines()
    # Only the conversations with findings carry the flag.
    [clean_id] = share(site, "alpha", "--allow-sensitive")
    assert "allow_sensitive" not in (site / "content" / "shares" / f"{clean_id}.yaml").read_text()


def test_the_title_to_be_published_is_scanned_too(site: Path) -> None:
    result = run_amber("share", "alpha", "--title", f"Notes for {EMAIL}", "--yes", cwd=site)
    assert_refused(result, "--allow-sensitive")
    assert "error: content/conversations/alpha.yaml: title: looks like an email address" in (
        result.stderr.splitlines())


def test_check_fails_on_a_finding_nobody_accepted(site: Path) -> None:
    add_conversation(site, "leaky", f"write to {EMAIL}")
    [leaky] = share(site, "leaky", "--allow-sensitive")
    leaky_path = site / "content" / "shares" / f"{leaky}.yaml"
    leaky_path.write_text(leaky_path.read_text().replace("allow_sensitive: true\n", ""))
    result = run_amber("check", cwd=site)
    assert result.returncode == 1
    line = line_holding(leaky_path, EMAIL)
    assert (f"error: content/shares/{leaky}.yaml: message 1, line {line}: looks like an email "
            f"address (remove it and run `amber update {leaky}`, or accept it with "
            f"`amber update {leaky} --allow-sensitive`)") in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1] == "amber: 1 problem found"
    ok(run_amber("update", leaky, "--allow-sensitive", "--yes", cwd=site))
    ok(run_amber("check", cwd=site))
    assert "allow_sensitive: true" in leaky_path.read_text()


def test_update_keeps_an_allowance_for_old_findings_but_not_for_new_ones(site: Path) -> None:
    add_conversation(site, "leaky", f"write to {EMAIL}")
    [share_id] = share(site, "leaky", "--allow-sensitive")
    path = site / "content" / "shares" / f"{share_id}.yaml"
    add_conversation(site, "leaky", f"write to {EMAIL}", "noted")
    ok(run_amber("update", share_id, "--yes", cwd=site))  # same finding, already accepted
    assert "allow_sensitive: true" in path.read_text() and "noted" in path.read_text()
    add_conversation(site, "leaky", f"write to {EMAIL}", "noted", f"key {KEY}")
    before = path.read_bytes()
    result = run_amber("update", share_id, "--yes", cwd=site)
    assert_refused(result, "--allow-sensitive")
    line = line_holding(site / "content" / "conversations" / "leaky.yaml", KEY)
    assert f"message 3, line {line}: looks like an AWS access key" in result.stderr
    assert path.read_bytes() == before
    ok(run_amber("update", share_id, "--yes", "--allow-sensitive", cwd=site))
    assert KEY in path.read_text()


def test_update_without_findings_drops_the_allowance(site: Path) -> None:
    add_conversation(site, "leaky", f"write to {EMAIL}")
    [share_id] = share(site, "leaky", "--allow-sensitive")
    add_conversation(site, "leaky", "write to me through the site")
    ok(run_amber("update", share_id, "--yes", cwd=site))
    assert "allow_sensitive" not in (site / "content" / "shares" / f"{share_id}.yaml").read_text()
