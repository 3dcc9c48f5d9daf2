"""The redaction engine: every published field, JSON escapes, code, patterns, markers."""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.model import Conversation, Message, Part
from amber.content.nodes import parse_file
from amber.content.redaction import (
    MARKER,
    RedactionRules,
    Redactor,
    RuleError,
    check_pattern,
    literal_digest,
    missing_literals,
    new_key,
    redact,
)
from amber.content.selection import parse_selection
from amber.content.snapshot import (
    Redaction,
    freeze,
    read_snapshot,
    serialise_snapshot,
    snapshot_dict,
    source_digest,
)
from tests.helpers import REPO

NAME = "Zelda Quartermain"
SHARE_ID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"


def every_field_message() -> Message:
    """One message whose every published part field holds NAME."""
    return Message("assistant", (
        Part("text", text=f"Hello {NAME}.\n\n```python\nowner = '{NAME}'\n```\n"),
        Part("code", code=f"OWNER = '{NAME}'\n", language="python", title=f"{NAME}.py"),
        Part("reasoning", text=f"{NAME} asked.", title=f"About {NAME}"),
        Part("tool_call", name="lookup", id="c1",
             arguments='{"who": "\\u005aelda Quartermain"}'),
        Part("tool_result", text='{"by": "Zelda\\u0020Quartermain"}', name="lookup", id="c1"),
        Part("attachment", name=f"{NAME}.txt", text=f"From {NAME}"),
        Part("image", src=None, name=f"{NAME}.png", alt=f"Photo of {NAME}"),
    ), model=f"model-of-{NAME}")


def published_strings(message: Message) -> list[str]:
    out = [message.model or ""]
    for part in message.parts:
        out += [v for k, v in part.__dict__.items() if isinstance(v, str) and k != "type"]
    return out


def test_every_part_field_is_redacted_including_code_and_escaped_json() -> None:
    redactor = Redactor(RedactionRules(literals=(NAME,)))
    out = redactor.message(every_field_message())
    for text in published_strings(out):
        assert NAME not in text
        assert "\\u005aelda" not in text and "Zelda\\u0020" not in text
    assert out.parts[3].arguments == '{"who": "[redacted]"}'
    assert out.parts[4].text == '{"by": "[redacted]"}'
    assert "```python\nowner = '[redacted]'\n```" in (out.parts[0].text or "")
    assert redactor.count == 13


def test_string_content_title_and_model() -> None:
    done = redact(f"Notes for {NAME}", f"{NAME}-model", (Message("user", f"I am {NAME}"),),
                  RedactionRules(literals=(NAME,)))
    assert done.title == "Notes for [redacted]"
    assert done.model == "[redacted]-model"
    assert done.messages[0].content == "I am [redacted]"
    assert done.count == 3


def test_a_kept_title_keeps_its_count() -> None:
    rules = RedactionRules(literals=(NAME,))
    messages = (Message("user", "hi"),)
    first = redact(f"Notes for {NAME}", None, messages, rules, source_title=f"Notes for {NAME}")
    again = redact(first.title, None, messages, rules, source_title=f"Notes for {NAME}")
    assert first.count == again.count == 1


def test_patterns_and_overlaps_leave_one_marker() -> None:
    redactor = Redactor(RedactionRules(literals=("TCK-551",), patterns=(r"TCK-[0-9]+",)))
    assert redactor.text("tickets TCK-55123 and TCK-9") == "tickets [redacted] and [redacted]"
    assert redactor.count == 2


def test_a_marker_is_never_redacted_again() -> None:
    redactor = Redactor(RedactionRules(literals=("Red", "red", "act")))
    assert redactor.text("Red red") == "[redacted] [redacted]"


def test_sensitive_findings_get_typed_markers() -> None:
    redactor = Redactor(RedactionRules(sensitive=True))
    text = redactor.text("mail zelda@quartermain.dev, key AKIAZ7Q3XK2M4PLR8TWN")
    assert text == "mail [redacted email], key [redacted AWS key]"


def test_sensitive_finding_in_escaped_json() -> None:
    redactor = Redactor(RedactionRules(sensitive=True))
    assert redactor.text('{"to": "zelda\\u0040quartermain.dev"}') == '{"to": "[redacted email]"}'


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)*x", r"(ab|a)*c", r"(x)\1", r"((a)*)*"])
def test_patterns_that_could_backtrack_badly_are_refused(pattern: str) -> None:
    with pytest.raises(RuleError, match="exponential"):
        check_pattern(pattern)


@pytest.mark.parametrize(("pattern", "why"), [("a*", "empty"), ("(", "not a valid"),
                                               ("a" * 600, "longer than")])
def test_other_bad_patterns(pattern: str, why: str) -> None:
    with pytest.raises(RuleError, match=why):
        check_pattern(pattern)


@pytest.mark.parametrize("pattern", [r"TCK-[0-9]+", r"(?i)zelda\s+\w+", r"[A-Z]{3}-\d{2,5}",
                                     r"(?:ab)+c"])
def test_ordinary_patterns_pass(pattern: str) -> None:
    check_pattern(pattern)


def test_literal_digests_are_keyed_and_checked_on_update() -> None:
    key_a, key_b = new_key(), new_key()
    assert literal_digest(key_a, NAME) != literal_digest(key_b, NAME)
    conv = Conversation("agent", "t", (Message("user", f"I am {NAME}, ask ACME"),))
    snap = freeze(conv, SHARE_ID, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z",
                  redaction=Redaction(RedactionRules(literals=(NAME, "ACME")), key_a))
    record = snap.redactions
    assert record is not None and record.count == 2
    assert missing_literals(record, (NAME,)) == 1
    assert missing_literals(record, ("ACME", NAME)) == 0


def test_snapshot_round_trip_holds_rules_but_not_the_text(tmp_path: Path) -> None:
    conv = Conversation("agent", f"Notes for {NAME}", tuple(
        Message("user" if n % 2 else "assistant", f"message {n} by {NAME}")
        for n in range(1, 9)))
    snap = freeze(conv, SHARE_ID, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z", selection=parse_selection("2-4,7", 8),
                  redaction=Redaction(RedactionRules(literals=(NAME,), patterns=(r"message \d",),
                                                     sensitive=True), new_key()))
    data = serialise_snapshot(snap)
    assert NAME.encode() not in data
    assert snapshot_dict(snap)["selection"] == {"messages": "2-4,7", "of": 8}
    path = tmp_path / f"{SHARE_ID}.yaml"
    path.write_bytes(data)
    back, problems = read_snapshot(parse_file(path), path)
    assert problems == []
    assert back == snap
    assert back is not None and back.numbers == (2, 3, 4, 7)
    assert [m.content for m in back.messages] == ["[redacted] by [redacted]"] * 4


def test_stale_looks_at_the_selected_messages_only() -> None:
    messages = tuple(Message("user", f"m{n}") for n in range(1, 6))
    conv = Conversation("c", "t", messages)
    chosen = parse_selection("2-3", 5)
    later = Conversation("c", "t", (*messages[:4], Message("user", "changed"),
                                    Message("user", "added")))
    assert source_digest(later, chosen) == source_digest(conv, chosen)
    edited = Conversation("c", "t", (messages[0], Message("user", "edited"), *messages[2:]))
    assert source_digest(edited, chosen) != source_digest(conv, chosen)
    shortened = Conversation("c", "t", messages[:2])
    assert source_digest(shortened, chosen) != source_digest(conv, chosen)


def test_existing_share_files_serialise_as_they_are() -> None:
    """Shares without the new keys write the same bytes as before those keys existed."""
    files = sorted((REPO / "content" / "shares").glob("*.yaml"))
    assert files
    for path in files:
        snap, problems = read_snapshot(parse_file(path), path)
        assert problems == [] and snap is not None
        assert snap.selection is None and snap.redactions is None
        assert serialise_snapshot(snap) == path.read_bytes()


def test_marker_constant() -> None:
    assert MARKER == "[redacted]"


def test_html_character_references_are_read_as_the_page_shows_them() -> None:
    redactor = Redactor(RedactionRules(literals=(NAME,)))
    text = redactor.text("Hi &#90;elda Quartermain &amp; Zelda&#x20;Quartermain &bogus;")
    assert text == "Hi [redacted] &amp; [redacted] &bogus;"


def test_many_markers_take_linear_time() -> None:
    """Each span is checked against the markers by bisection, not against every marker:
    20,000 markers compared pairwise would take minutes."""
    import time

    started = time.perf_counter()
    redactor = Redactor(RedactionRules(literals=("a",)))
    redactor.text("banana " * 10_000)
    assert redactor.count == 30_000
    assert time.perf_counter() - started < 5


def test_a_hand_edited_selection_is_refused_before_it_is_counted_out(tmp_path: Path) -> None:
    conv = Conversation("agent", "t", tuple(Message("user", f"m{n}") for n in range(1, 4)))
    snap = freeze(conv, SHARE_ID, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z", selection=parse_selection("2-3", 3))
    text = serialise_snapshot(snap).decode().replace(
        "messages: 2-3\n  of: 3", "messages: 1-999999999\n  of: 999999999")
    path = tmp_path / f"{SHARE_ID}.yaml"
    path.write_text(text, "utf-8")
    back, problems = read_snapshot(parse_file(path), path)
    assert back is None
    assert [p.message for p in problems] == [
        "selection.messages: names more than the 2 messages there are"]


def test_every_detector_kind_makes_a_marker_the_page_recognises() -> None:
    from amber.content import sensitive
    from amber.content.redaction import MARKER_RE, SENSITIVE_MARKERS

    kinds = {*sensitive.DETECT_SECRETS_PLUGINS.values(),
             *(kind for kind, _ in sensitive.TARGETED_PATTERNS),
             "bearer token", "credential in a URL", "AWS secret access key", "email address",
             "phone number"}
    for kind in kinds:
        assert MARKER_RE.fullmatch(f"[redacted {SENSITIVE_MARKERS.get(kind, kind)}]"), kind
