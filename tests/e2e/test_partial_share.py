"""`amber share --messages` and the redaction options, end to end through the CLI."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from amber.content.json_escapes import Decoded
from tests.helpers import EPOCH
from tests.helpers.cli import assert_refused, ok, run_amber
from tests.helpers.fixture_site import build, share
from tests.helpers.partial_site import AGENT, CANARIES, edit

REDACT = ("--redact", CANARIES[0], "--redact", CANARIES[1], "--redact-pattern", r"TCK-\d+")


@pytest.fixture
def agent_site(site: Path) -> Path:
    shutil.copy(AGENT, site / "content" / "conversations" / "agent.yaml")
    return site


def share_file(site: Path, share_id: str) -> Path:
    return site / "content" / "shares" / f"{share_id}.yaml"


def list_rows(site: Path) -> dict[str, dict[str, object]]:
    rows = json.loads(ok(run_amber("list", "--json", cwd=site)).stdout)
    return {row["id"]: row for row in rows}


def page(site: Path, share_id: str) -> str:
    return (site / "output" / "share" / share_id / "index.html").read_text("utf-8")


# --- ranges ---------------------------------------------------------------------


def test_a_range_freezes_those_messages_with_their_numbers(agent_site: Path) -> None:
    [share_id] = share(agent_site, "agent", "--messages", "2-4,6", "--yes")
    build(agent_site)
    text = page(agent_site, share_id)
    assert "Messages 2\u20134 and 6 of 8" in text
    for number in (2, 3, 4, 6):
        assert f'id="m-{number}"' in text
    for number in (2, 3, 6):  # message 4 holds only the result of message 3's tool call,
        assert f'href="#m-{number}"' in text  # so it is in that call's line (id="m-4")
        assert f", message {number}</span>" in text
    assert re.search(r'<details class="part part-tool"[^>]* id="m-4">', text)
    for number in (1, 5, 7, 8):
        assert f'id="m-{number}"' not in text
    assert "You help" not in text and "One more thing" not in text
    exported = json.loads((agent_site / "output" / "share" / share_id / "conversation.json")
                          .read_text("utf-8"))
    assert (exported["selection"], exported["source_messages"]) == ("2-4,6", 8)
    assert "redactions" not in exported
    markdown = (agent_site / "output" / "share" / share_id / "conversation.md").read_text("utf-8")
    assert " · Messages 2\u20134 and 6 of 8*" in markdown
    row = list_rows(agent_site)[share_id]
    assert (row["selection"], row["source_messages"], row["messages"]) == ("2-4,6", 8, 4)
    assert row["redactions"] == 0


@pytest.mark.parametrize(("ranges", "reason"), [
    ("0", "numbered from 1"), ("9", "past the end"), ("2-12", "past the end"),
    ("6-2", "reversed"), ("two", "not a message number"), ("2,,3", "not a message number"),
])
def test_a_bad_range_is_a_usage_error_and_writes_nothing(
    agent_site: Path, ranges: str, reason: str
) -> None:
    result = run_amber("share", "agent", "--messages", ranges, "--yes", cwd=agent_site)
    assert result.returncode == 2, result.stderr
    assert reason in result.stderr and "--messages" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((agent_site / "content" / "shares").glob("*.yaml")) == []


def test_a_range_applies_to_one_conversation(agent_site: Path) -> None:
    result = run_amber("share", "agent", "alpha", "--messages", "1", "--yes", cwd=agent_site)
    assert result.returncode == 2
    assert "--messages applies to one conversation" in result.stderr
    assert list((agent_site / "content" / "shares").glob("*.yaml")) == []


def test_stale_and_update_follow_the_selection(agent_site: Path) -> None:
    [share_id] = share(agent_site, "agent", "--messages", "2-3", "--yes")
    edit(agent_site, "One more thing", "A last thing")  # message 8: not shared
    assert list_rows(agent_site)[share_id]["state"] == "current"
    edit(agent_site, "Please deploy", "Kindly deploy")  # message 2: shared
    assert list_rows(agent_site)[share_id]["state"] == "stale"
    ok(run_amber("update", share_id, "--yes", cwd=agent_site,
                 env={"SOURCE_DATE_EPOCH": str(EPOCH + 60)}))
    frozen = share_file(agent_site, share_id).read_text("utf-8")
    assert "Kindly deploy" in frozen
    assert "selection:\n  messages: 2-3\n  of: 8\n" in frozen
    row = list_rows(agent_site)[share_id]
    assert (row["state"], row["selection"], row["messages"]) == ("current", "2-3", 2)


def test_update_refuses_when_the_selection_is_past_the_end(agent_site: Path) -> None:
    [share_id] = share(agent_site, "agent", "--messages", "7-8", "--yes")
    path = agent_site / "content" / "conversations" / "agent.yaml"
    text = path.read_text("utf-8")
    path.write_text(text[: text.index("  - role: user\n    content: One more thing")], "utf-8")
    assert list_rows(agent_site)[share_id]["state"] == "stale"
    before = share_file(agent_site, share_id).read_bytes()
    assert_refused(run_amber("update", share_id, "--yes", cwd=agent_site), "message 8")
    assert share_file(agent_site, share_id).read_bytes() == before


# --- redactions -------------------------------------------------------------------


def leaks(root: Path) -> list[str]:
    """Files under ``root`` that hold a canary, read raw, HTML-unescaped and JSON-decoded."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        raw = path.read_bytes().decode("utf-8", "replace")
        for text in (raw, html.unescape(raw), Decoded(raw).text, html.unescape(Decoded(raw).text)):
            if any(c in text for c in CANARIES):
                found.append(str(path.relative_to(root)))
                break
    return found


def assert_no_canary(site: Path) -> None:
    for place in ("content/shares", "output", ".amber-cache"):
        if (site / place).exists():
            assert leaks(site / place) == [], place
    # The rules' digests and key can confirm a guess: they stay in content/, never published.
    for path in (site / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"hmac-sha256" not in data and b"source_digest" not in data, path
    for share_file_ in (site / "content" / "shares").glob("*.yaml"):
        key = share_file_.read_text("utf-8").split("  key: ", 1)[1][:32]
        assert not any(key.encode() in p.read_bytes()
                       for p in (site / "output").rglob("*") if p.is_file())


def test_canary_redacted_text_is_nowhere_before_and_after_update(agent_site: Path) -> None:
    [share_id] = share(agent_site, "agent", "--listed", *REDACT, "--yes")
    build(agent_site)
    assert (agent_site / "output" / "share" / share_id / "conversation.json").exists()
    assert (agent_site / "output" / "share" / share_id / "conversation.md").exists()
    assert_no_canary(agent_site)
    text = page(agent_site, share_id)
    assert "Deploy notes for [redacted]" in text
    assert '<mark class="redacted" role="img" aria-label="redacted">[redacted]</mark>' in text
    count = list_rows(agent_site)[share_id]["redactions"]
    assert isinstance(count, int) and count >= 20
    assert f"{count} redactions" in text

    edit(agent_site, "Please deploy", "Kindly deploy Nimbus-7Q now and")
    assert_refused(run_amber("update", share_id, "--yes", cwd=agent_site), "--redact")
    ok(run_amber("update", share_id, "--yes", "--redact", CANARIES[0], "--redact", CANARIES[1],
                 cwd=agent_site, env={"SOURCE_DATE_EPOCH": str(EPOCH + 60)}))
    build(agent_site)
    assert "Kindly deploy [redacted] now" in page(agent_site, share_id)
    assert list_rows(agent_site)[share_id]["redactions"] == count + 1
    assert_no_canary(agent_site)


def test_every_field_is_redacted_on_the_page_and_in_the_exports(agent_site: Path) -> None:
    [share_id] = share(agent_site, "agent", *REDACT, "--yes")
    build(agent_site)
    folder = agent_site / "output" / "share" / share_id
    exported = json.loads((folder / "conversation.json").read_text("utf-8"))
    assert exported["title"] == "Deploy notes for [redacted]"
    calls = [m for m in exported["messages"] if m.get("tool_calls")]
    assert calls[0]["tool_calls"][0]["function"]["arguments"] == (
        '{"owner": "[redacted]", "client": "[redacted]"}')
    assert "selection" not in exported and exported["redactions"] >= 20
    markdown = (folder / "conversation.md").read_text("utf-8")
    assert f"{exported['redactions']} redactions*" in markdown
    assert "curl https://deploy.test/status?client=[redacted]" in markdown
    assert "[redacted] invoice.txt" in markdown
    text = page(agent_site, share_id)
    assert ('Image not included: <span><mark class="redacted" role="img" '
            'aria-label="redacted">[redacted]</mark>.png</span>') in text
    frozen = share_file(agent_site, share_id).read_text("utf-8")
    assert "alt: Photo of [redacted]\n" in frozen
    assert "title: Thinking about [redacted]\n" in frozen


def test_update_without_its_literals_changes_nothing(agent_site: Path) -> None:
    [share_id] = share(agent_site, "agent", *REDACT, "--yes")
    before = share_file(agent_site, share_id).read_bytes()
    edit(agent_site, "Please deploy", "Kindly deploy")
    refused = assert_refused(run_amber("update", share_id, "--yes", "--redact", CANARIES[0],
                                       cwd=agent_site), "1 text(s)")
    assert CANARIES[1] not in refused
    assert share_file(agent_site, share_id).read_bytes() == before


def test_redact_sensitive_types_each_finding(agent_site: Path) -> None:
    edit(agent_site, "Thanks! Any questions, write to me.",
         "Thanks! Any questions, write to zelda@quartermain.dev.")
    assert_refused(run_amber("share", "agent", "--yes", cwd=agent_site), "--allow-sensitive")
    [share_id] = share(agent_site, "agent", "--redact-sensitive", "--yes")
    frozen = share_file(agent_site, share_id).read_text("utf-8")
    assert "write to [redacted email]." in frozen
    assert "zelda@quartermain.dev" not in frozen
    assert "  sensitive: true\n" in frozen


def test_a_finding_the_redactions_leave_is_still_refused(agent_site: Path) -> None:
    edit(agent_site, "Thanks! Any questions, write to me.",
         "Thanks! Any questions, write to zelda@quartermain.dev.")
    result = run_amber("share", "agent", "--redact", CANARIES[0], "--yes", cwd=agent_site)
    assert_refused(result, "--allow-sensitive")
    assert "message 6 (part 3, text)" in result.stderr and "email address" in result.stderr
    assert "zelda@quartermain.dev" not in result.stderr
    assert list((agent_site / "content" / "shares").glob("*.yaml")) == []


@pytest.mark.parametrize(("pattern", "why"), [
    (r"(a+)+$", "exponential"), ("(", "not a valid regular expression"), ("x*", "empty"),
])
def test_a_bad_pattern_is_a_usage_error(agent_site: Path, pattern: str, why: str) -> None:
    result = run_amber("share", "agent", "--redact-pattern", pattern, "--yes", cwd=agent_site)
    assert result.returncode == 2, result.stderr
    assert f"--redact-pattern {pattern!r}: " in result.stderr and why in result.stderr
    assert list((agent_site / "content" / "shares").glob("*.yaml")) == []
