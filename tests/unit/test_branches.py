"""Alternatives (edited prompts, regenerated answers): read from a conversation file,
frozen into a format-2 snapshot by a share of every branch and read back, covered by
the digests, redacted and scanned like every other published text; a share of the
current branch and every older snapshot stay as they were."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from amber.content.assets import image_refs
from amber.content.model import Message, Part, every_message, has_alternatives, shared_path
from amber.content.nodes import parse_yaml
from amber.content.redaction import RedactionRules, redact
from amber.content.schema import MAX_BRANCH_DEPTH, read_conversation
from amber.content.sensitive import scan_messages
from amber.content.snapshot import (
    freeze,
    messages_digest,
    read_snapshot,
    serialise_snapshot,
    source_digest,
)
from tests.helpers import REPO

FIXTURE = REPO / "tests" / "fixtures" / "branches" / "cat-names.yaml"
SID = "3f8a2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b"
FROZEN = "2026-03-02T00:00:00Z"


def load(text: str, name: str = "c.yaml"):  # type: ignore[no-untyped-def]
    path = Path(name)
    return read_conversation(parse_yaml(text, path), path, "c")


def conversation():  # type: ignore[no-untyped-def]
    conv, problems = read_conversation(parse_yaml(FIXTURE.read_text(), FIXTURE), FIXTURE,
                                       "cat-names")
    assert problems == [] and conv is not None
    return conv


def reread(snap):  # type: ignore[no-untyped-def]
    path = Path(f"{snap.id}.yaml")
    data = serialise_snapshot(snap)
    back, problems = read_snapshot(parse_yaml(data.decode(), path), path)
    return data, back, problems


def test_the_fixture_reads_with_its_versions() -> None:
    conv = conversation()
    first, second = conv.messages[0], conv.messages[1]
    assert (first.version, len(first.alternatives)) == (2, 1)
    assert first.alternatives[0][1].content == "How about **Whiskers**?"
    assert (second.version, len(second.alternatives)) == (1, 2)
    nested = second.alternatives[0][2]
    assert (nested.version, nested.alternatives[0][0].content) == (2, "**Fog**: three letters.")
    assert len(list(every_message(conv.messages))) == 4 + 2 + 3 + 1 + 1


def test_the_shared_path_drops_alternatives_only() -> None:
    conv = conversation()
    path = shared_path(conv.messages)
    assert [m.content for m in path] == [m.content for m in conv.messages]
    assert not has_alternatives(path)
    plain = (Message("user", "hi"),)
    assert shared_path(plain) is plain


@pytest.mark.parametrize(("extra", "complaint"), [
    ("  version: 2\n", "only a message with alternatives has a version"),
    ("  alternatives: []\n", "expected a list of branches"),
    ("  alternatives:\n  - []\n", "expected a list of at least one message"),
    ("  alternatives:\n  - - role: robot\n      content: x\n", "expected one of"),
    ("  version: 3\n  alternatives:\n  - - role: user\n      content: x\n",
     "expected a whole number from 1 to 2"),
    ("  version: true\n  alternatives:\n  - - role: user\n      content: x\n",
     "expected a whole number from 1 to 2"),
])
def test_bad_alternatives_are_named(extra: str, complaint: str) -> None:
    conv, problems = load("title: t\nmessages:\n- role: user\n  content: hi\n" + extra)
    assert conv is None
    assert any(complaint in p.message for p in problems), problems


def test_alternatives_nested_too_deep_are_refused() -> None:
    def nest(depth: int) -> Message:
        if depth == 0:
            return Message("user", "leaf")
        return Message("user", f"level {depth}", alternatives=((nest(depth - 1),),))

    import yaml

    def text_of(depth: int) -> str:
        return yaml.safe_dump({"title": "t", "messages": [nest(depth).as_dict()]})

    ok, problems = load(text_of(MAX_BRANCH_DEPTH))
    assert ok is not None, problems
    refused, problems = load(text_of(MAX_BRANCH_DEPTH + 1))
    assert refused is None
    assert any("nested more than" in p.message for p in problems)


def test_a_share_of_the_current_branch_is_format_1_without_alternatives() -> None:
    conv = conversation()
    snap = freeze(conv, SID, title=None, author=None, listed=False, frozen=FROZEN)
    assert snap.branches == "current" and not has_alternatives(snap.messages)
    data, back, problems = reread(snap)
    assert problems == [] and back == replace(snap, path=back.path)
    assert b"\nformat: 1\n" in data and b"alternatives" not in data and b"branches" not in data
    # Its source digest ignores the alternatives: editing one does not make it stale.
    edited = replace(conv, messages=(replace(conv.messages[0], alternatives=(
        (Message("user", "another edit"),),)), *conv.messages[1:]))
    assert source_digest(edited) == snap.source_digest


def test_a_share_of_every_branch_round_trips_as_format_2() -> None:
    conv = conversation()
    snap = freeze(conv, SID, title=None, author=None, listed=False, frozen=FROZEN,
                  branches="all")
    assert snap.messages == conv.messages
    data, back, problems = reread(snap)
    assert problems == []
    assert back == replace(snap, path=back.path)
    assert b"\nformat: 2\n" in data and b"\nbranches: all\n" in data
    assert serialise_snapshot(back) == data
    # The digests cover the alternatives.
    assert snap.digest != messages_digest(shared_path(snap.messages))
    assert snap.source_digest != source_digest(conv)
    assert snap.source_digest == source_digest(conv, None, "all")


def test_a_hand_edited_alternative_breaks_the_digest() -> None:
    snap = freeze(conversation(), SID, title=None, author=None, listed=False, frozen=FROZEN,
                  branches="all")
    data = serialise_snapshot(snap).decode().replace("**Fog**: three letters.", "**Mist**.")
    path = Path(f"{SID}.yaml")
    back, problems = read_snapshot(parse_yaml(data, path), path)
    assert back is None
    assert any("changed by hand" in p.message for p in problems)


@pytest.mark.parametrize(("old", "new", "complaint"), [
    ("format: 2", "format: 1", "a share of every branch is snapshot format 2"),
    ("branches: all\n", "", "format: 2 is for a share of every branch"),
    ("branches: all", "branches: some", "expected 'all'"),
    ("format: 2", "format: 3", "reads snapshot formats 1, 2"),
])
def test_formats_and_branches_must_agree(old: str, new: str, complaint: str) -> None:
    snap = freeze(conversation(), SID, title=None, author=None, listed=False, frozen=FROZEN,
                  branches="all")
    data = serialise_snapshot(snap).decode()
    assert old in data
    path = Path(f"{SID}.yaml")
    back, problems = read_snapshot(parse_yaml(data.replace(old, new, 1), path), path)
    assert back is None
    assert any(complaint in p.message for p in problems), problems


def test_a_format_1_file_with_alternatives_is_refused() -> None:
    """An older amber would read such a file as less than it publishes."""
    snap = freeze(conversation(), SID, title=None, author=None, listed=False, frozen=FROZEN,
                  branches="all")
    data = serialise_snapshot(snap).decode().replace("format: 2", "format: 1", 1)
    data = data.replace("branches: all\n", "")
    path = Path(f"{SID}.yaml")
    back, problems = read_snapshot(parse_yaml(data, path), path)
    assert back is None
    assert any("alternatives are kept only by a share of every branch" in p.message
               for p in problems)


def test_every_branch_cannot_be_a_selection() -> None:
    from amber.content.model import Selection

    with pytest.raises(ValueError, match="cannot also be a selection"):
        freeze(conversation(), SID, title=None, author=None, listed=False, frozen=FROZEN,
               branches="all", selection=Selection((1,), 4))


def test_redaction_reaches_into_alternatives() -> None:
    conv = conversation()
    done = redact(conv.title, None, conv.messages,
                  RedactionRules(literals=("Fog",), patterns=(), sensitive=False),
                  source_title=conv.title)
    flat = [m.content for m in every_message(done.messages)]
    assert "**[redacted]**: three letters." in flat
    assert not any("Fog" in str(c) for c in flat)
    assert done.count == 1


def test_the_secrets_scan_reads_alternatives() -> None:
    key = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    messages = (Message("user", "hi", alternatives=((Message("user", f"token {key}"),),)),)
    findings = scan_messages("t", messages)
    assert [f.message for f in findings] == [1]
    assert scan_messages("t", shared_path(messages)) == []


def test_images_in_alternatives_are_published_assets() -> None:
    image = Part("image", src="assets/" + "a" * 64 + ".png")
    messages = (Message("user", "hi", alternatives=((Message("user", (image,)),),)),)
    assert list(image_refs(messages)) == [image.src]


def test_the_thread_lays_out_every_version_once_with_unique_anchors() -> None:
    from markupsafe import Markup

    from amber.render.branches import thread_items
    from amber.render.pages import MessageView

    def view_of(message: Message, number: int, anchor: str) -> MessageView:
        return MessageView(number, anchor, message.role, message.role, None, None,
                           Markup(str(message.content)))

    conv = conversation()
    items = thread_items(conv.messages, view_of)
    kinds = [i.kind for i in items]
    assert kinds.count("fork") == kinds.count("end_fork") == 3
    assert kinds.count("version") == kinds.count("end_version") == 2 + 3 + 2
    shown = [i.message for i in items if i.message is not None]
    assert len(shown) == len(shared_path_all(conv.messages)) == 11
    anchors = [v.anchor for v in shown] + [i.version.anchor for i in items if i.version]
    assert len(anchors) == len(set(anchors))
    # The shared path keeps the anchors of any share: m-1 to m-4.
    assert [v.anchor for v in shown if v.anchor.startswith("m-")] == [
        "m-1", "m-2", "m-3", "m-4"]
    first = next(i.version for i in items if i.version is not None)
    assert (first.anchor, first.number, first.count, first.shared) == ("v-1-1", 1, 2, False)
    assert (first.prev_anchor, first.next_anchor) == (None, "v-1-2")


def shared_path_all(messages: tuple[Message, ...]) -> list[Message]:
    """Every message a page of every branch renders: at a fork, each version once."""
    from amber.render.branches import versions_of

    out: list[Message] = []
    for offset, message in enumerate(messages):
        if not message.alternatives:
            out.append(message)
            continue
        for branch in versions_of(message, messages[offset + 1:]):
            out += shared_path_all(branch)
        break
    return out
