"""amber.content.snapshot: freezing, digests, deterministic share files, tombstones."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amber.content.model import Conversation, Message, Part, Snapshot, Tombstone
from amber.content.nodes import parse_file, parse_yaml
from amber.content.snapshot import (
    freeze,
    messages_digest,
    read_snapshot,
    read_tombstones,
    serialise_snapshot,
    serialise_tombstones,
    source_digest,
)

SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
SID2 = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"
FROZEN = "2026-02-01T10:00:00Z"

ALL_PARTS = (
    Part("text", text="Intro with **bold**\n\n- item\n"),
    Part("code", code="def f():\n\treturn 1  \n", language="python", title="f.py"),
    Part("image", src="assets/abc.png", name="cat.png", alt="a cat"),
    Part("image"),
    Part("reasoning", text="thinking\nmore", title="Thoughts"),
    Part("tool_call", name="search", id="call_1", arguments='{"q": "amber"}'),
    Part("tool_result", text="result line 1\nline 2\n", name="search", id="call_1",
         is_error=False),
    Part("tool_result", text="boom", is_error=True),
)

TRICKY_TEXTS = (
    "# Heading\n\nParagraph with trailing spaces  \nnext line\n\n```py\nx = 1\n```\n",
    "  leading spaces on the first line\nsecond\n",
    "\tstarts with a tab\n\tand\ttabs\n",
    "no trailing newline\nat all",
    "several trailing newlines\n\n\n",
    "unicode: héllo — 你好 — emoji 🎉\nRTL: שלום\n",
    "yaml-ish: value\n- list\n? key\n&anchor *alias !tag\n",
    "null",
    "true",
    "2024",
    "'quoted'",
    "---\n...\n",
    "",
    "line\r\nwindows\r\n",
    "# not a comment",
    " ",
)


def conv(messages: tuple[Message, ...], **kw: object) -> Conversation:
    return Conversation(slug=str(kw.get("slug", "chat")), title=str(kw.get("title", "A chat")),
                        messages=messages, created=kw.get("created"),  # type: ignore[arg-type]
                        model=kw.get("model"))  # type: ignore[arg-type]


def rich_conversation() -> Conversation:
    messages = (
        *(
            Message("user" if i % 2 == 0 else "assistant", text,
                    created="2026-01-01T12:00:00Z" if i == 0 else None,
                    model="m-1" if i == 1 else None)
            for i, text in enumerate(TRICKY_TEXTS)
        ),
        Message("assistant", ALL_PARTS, model="m-2"),
        Message("tool", "tool output"),
    )
    return conv(messages, created="2026-01-01T11:00:00Z", model="m-0")


def snap_of(c: Conversation, share_id: str = SID, **kw: object) -> Snapshot:
    return freeze(c, share_id, title=kw.get("title"), author=kw.get("author"),  # type: ignore[arg-type]
                  listed=bool(kw.get("listed", False)), frozen=FROZEN)


def reread(data: bytes, tmp_path: Path, name: str = SID) -> tuple[Snapshot | None, list]:
    path = tmp_path / f"{name}.yaml"
    path.write_bytes(data)
    return read_snapshot(parse_file(path), path)


# --- freeze / digest ------------------------------------------------------------


def test_freeze_copies_source_and_digests() -> None:
    c = rich_conversation()
    snap = snap_of(c, title="Better title", author="Jane", listed=True)
    assert snap.id == SID
    assert snap.title == "Better title"
    assert snap.author == "Jane"
    assert snap.listed is True
    assert snap.frozen == FROZEN
    assert snap.source == "chat"
    assert snap.messages == c.messages
    assert snap.created == c.created and snap.model == c.model
    assert snap.digest == messages_digest(c.messages)
    assert snap.source_digest == source_digest(c)
    assert snap.digest.startswith("sha256:") and len(snap.digest) == 71
    assert snap_of(c).title == "A chat"


def test_digests_change_with_content() -> None:
    a = conv((Message("user", "hi"),))
    b = conv((Message("user", "hi "),))
    assert messages_digest(a.messages) != messages_digest(b.messages)
    assert source_digest(a) != source_digest(b)
    # the title is part of the source digest but not of the messages digest
    retitled = conv(a.messages, title="Other")
    assert source_digest(retitled) != source_digest(a)
    assert messages_digest(retitled.messages) == messages_digest(a.messages)
    # string content and a single text part are different files, so different digests
    as_part = conv((Message("user", (Part("text", text="hi"),)),))
    assert messages_digest(as_part.messages) != messages_digest(a.messages)


# --- round trip -----------------------------------------------------------------


def test_round_trip_keeps_messages_and_digest(tmp_path: Path) -> None:
    snap = snap_of(rich_conversation(), author="Jane", listed=True)
    back, problems = reread(serialise_snapshot(snap), tmp_path)
    assert problems == []
    assert back is not None
    assert back == snap  # path is not compared
    assert back.messages == snap.messages
    assert messages_digest(back.messages) == snap.digest
    assert back.path == tmp_path / f"{SID}.yaml"


def test_round_trip_anonymous_without_optional_fields(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    data = serialise_snapshot(snap)
    assert b"created:" not in data and b"model:" not in data
    assert b"author: null" in data
    back, problems = reread(data, tmp_path)
    assert problems == []
    assert back == snap
    assert back is not None and back.author is None and back.created is None


def test_serialisation_is_deterministic() -> None:
    a = serialise_snapshot(snap_of(rich_conversation()))
    b = serialise_snapshot(snap_of(rich_conversation()))
    assert a == b


_TEXT = st.text(
    # U+0085 (NEL) is excluded here: see test_nel_character_round_trips (a known bug).
    # Controls that XML forbids are refused on reading (amber.content.nodes.check_text).
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x85"
                           "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                           "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c"
                           "\x1d\x1e\x1f\ufffe\uffff"),
    max_size=200,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(_TEXT, min_size=1, max_size=4),
    title=_TEXT.filter(lambda t: t.strip() != ""),
    code=_TEXT,
    language=st.one_of(st.none(), _TEXT),
)
def test_round_trip_property(texts: list[str], title: str, code: str,
                             language: str | None) -> None:
    messages = (
        *(Message("user", t) for t in texts),
        Message("assistant", (Part("code", code=code, language=language),
                              Part("reasoning", text=texts[0]))),
    )
    snap = snap_of(conv(messages), title=title)
    data = serialise_snapshot(snap)
    path = Path(f"{SID}.yaml")
    back, problems = read_snapshot(parse_yaml(data.decode("utf-8"), path), path)
    assert problems == []
    assert back is not None
    assert back.messages == messages
    assert back.title == title
    assert messages_digest(back.messages) == snap.digest


@pytest.mark.parametrize("text", ["a\x85b", "line one\nline\x85two\n"])
def test_nel_character_round_trips(text: str, tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", text),)))
    back, problems = reread(serialise_snapshot(snap), tmp_path)
    assert problems == []
    assert back is not None and back.messages == snap.messages


# --- layout of the file ---------------------------------------------------------


def test_multiline_text_is_a_block_scalar() -> None:
    text = "# Title\n\nSome *markdown*\n- a\n- b\n"
    data = serialise_snapshot(snap_of(conv((Message("user", text),)))).decode()
    assert "  content: |\n    # Title\n\n    Some *markdown*\n    - a\n    - b\n" in data


def test_multiline_without_trailing_newline_is_a_strip_block_scalar() -> None:
    data = serialise_snapshot(snap_of(conv((Message("user", "a\nb"),)))).decode()
    assert "  content: |-\n    a\n    b\n" in data


def test_leading_space_block_scalar_has_indentation_indicator() -> None:
    data = serialise_snapshot(snap_of(conv((Message("user", "  x\ny\n"),)))).decode()
    assert "  content: |2\n      x\n    y\n" in data


def test_multiline_part_fields_are_block_scalars() -> None:
    parts = (Part("code", code="a = 1\nb = 2\n", language="python"),)
    data = serialise_snapshot(snap_of(conv((Message("assistant", parts),)))).decode()
    assert "    code: |\n      a = 1\n      b = 2\n    language: python\n" in data


@pytest.mark.parametrize("text", ["hard  \nbreak\n", "func f() {\n\treturn\n}\n"])
def test_multiline_text_with_trailing_spaces_or_tabs_is_a_block_scalar(text: str) -> None:
    data = serialise_snapshot(snap_of(conv((Message("user", text),)))).decode()
    assert "  content: |" in data


def test_key_order_is_fixed() -> None:
    snap = snap_of(rich_conversation(), author="Jane")
    data = serialise_snapshot(snap).decode()
    top_keys = [line.split(":", 1)[0] for line in data.splitlines()
                if line and not line.startswith(("#", " ", "-"))]
    assert top_keys == ["format", "id", "title", "author", "listed", "frozen", "source",
                        "source_digest", "digest", "created", "model", "messages"]
    bare = serialise_snapshot(snap_of(conv((Message("user", "x"),)))).decode()
    bare_keys = [line.split(":", 1)[0] for line in bare.splitlines()
                 if line and not line.startswith(("#", " ", "-"))]
    assert bare_keys == ["format", "id", "title", "author", "listed", "frozen", "source",
                         "source_digest", "digest", "messages"]


def test_message_and_part_key_order() -> None:
    message = Message("assistant", (Part("tool_result", text="r", name="n", id="i",
                                         is_error=True),), created=FROZEN, model="m")
    data = serialise_snapshot(snap_of(conv((message,)))).decode()
    assert (
        "- role: assistant\n  created: '2026-02-01T10:00:00Z'\n  model: m\n  content:\n"
        "  - type: tool_result\n    text: r\n    name: n\n    id: i\n    is_error: true\n"
    ) in data


def test_file_starts_with_header_and_is_plain_yaml() -> None:
    snap = snap_of(rich_conversation())
    data = serialise_snapshot(snap)
    assert data.startswith(b"# amber share snapshot")
    loaded = yaml.safe_load(data)
    assert loaded["format"] == 1  # format 2 is only for a share of every branch
    assert loaded["id"] == SID
    assert loaded["digest"] == snap.digest
    assert b"&" not in data.split(b"messages:")[0]  # no anchors in the header part
    assert b"*id" not in data


def test_repeated_equal_messages_are_not_aliased() -> None:
    same = Message("user", "same\ntext\n")
    data = serialise_snapshot(snap_of(conv((same, same)))).decode()
    assert "&id" not in data and "*id" not in data
    assert data.count("same\n") == 2


# --- what reading detects -------------------------------------------------------


def test_hand_edited_message_is_detected(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "original words\nsecond line\n"),)))
    data = serialise_snapshot(snap).replace(b"original words", b"edited words")
    back, problems = reread(data, tmp_path)
    assert back is None
    assert len(problems) == 1
    assert "changed by hand" in problems[0].message
    assert problems[0].path == tmp_path / f"{SID}.yaml"
    assert SID in problems[0].message  # tells which share to `amber update`
    line = data.decode().splitlines()[problems[0].line - 1]  # type: ignore[operator]
    assert line.startswith("digest:")


def test_title_edit_is_allowed(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    data = serialise_snapshot(snap).replace(b"title: A chat", b"title: Renamed")
    back, problems = reread(data, tmp_path)
    assert problems == []
    assert back is not None and back.title == "Renamed"


def test_id_and_file_name_mismatch(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    back, problems = reread(serialise_snapshot(snap), tmp_path, name=SID2)
    assert back is None
    assert len(problems) == 1
    assert "does not match the file name" in problems[0].message
    assert problems[0].line == 5


def test_bad_id_format_and_digest_format(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    data = serialise_snapshot(snap).decode()
    data = data.replace(f"id: {SID}", f"id: {SID.upper()}")
    data = data.replace(f"source_digest: {snap.source_digest}", "source_digest: md5:abc")
    back, problems = reread(data.encode(), tmp_path)
    assert back is None
    messages = sorted(p.message for p in problems)
    assert any("not a lowercase UUID4" in m for m in messages)
    assert any(m.startswith("source_digest:") for m in messages)


def test_wrong_format_version_and_unknown_key(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    data = serialise_snapshot(snap).replace(b"format: 1\n", b"format: 2\nextra: 1\n")
    back, problems = reread(data, tmp_path)
    assert back is None
    assert any("format" in p.message and "2" in p.message for p in problems)
    assert any("unknown key 'extra'" in p.message for p in problems)


def test_format_true_is_not_version_one(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    data = serialise_snapshot(snap).replace(b"format: 1\n", b"format: true\n")
    back, problems = reread(data, tmp_path)
    assert back is None
    assert any(p.message.startswith("format:") for p in problems)


def test_null_frozen_rejected(tmp_path: Path) -> None:
    snap = snap_of(conv((Message("user", "x"),)))
    data = serialise_snapshot(snap).replace(f"frozen: '{FROZEN}'".encode(), b"frozen: null")
    assert b"frozen: null" in data
    back, problems = reread(data, tmp_path)
    assert back is None
    assert any(p.message.startswith("frozen:") for p in problems)


# --- tombstones -----------------------------------------------------------------


def test_tombstones_round_trip(tmp_path: Path) -> None:
    stones = [Tombstone(SID, "2026-01-01T00:00:00Z"), Tombstone(SID2, "2026-01-02T00:00:00Z")]
    data = serialise_tombstones(stones)
    assert data.startswith(b"# Revoked share IDs")
    path = tmp_path / "revoked.yaml"
    path.write_bytes(data)
    back, problems = read_tombstones(parse_file(path), path)
    assert problems == []
    assert back == stones


def test_empty_tombstones_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "revoked.yaml"
    path.write_bytes(serialise_tombstones([]))
    back, problems = read_tombstones(parse_file(path), path)
    assert (back, problems) == ([], [])


def test_duplicate_tombstone_ids_rejected() -> None:
    path = Path("revoked.yaml")
    text = (f"- id: {SID}\n  revoked: 2026-01-01T00:00:00Z\n"
            f"- id: {SID}\n  revoked: 2026-01-02T00:00:00Z\n")
    back, problems = read_tombstones(parse_yaml(text, path), path)
    assert back == [Tombstone(SID, "2026-01-01T00:00:00Z")]
    assert len(problems) == 1
    assert "listed twice" in problems[0].message
    assert (problems[0].line, problems[0].col) == (3, 7)


def test_bad_tombstones_rejected() -> None:
    path = Path("revoked.yaml")
    text = ("- id: ../../etc/passwd\n  revoked: 2026-01-01T00:00:00Z\n"
            f"- id: {SID}\n  revoked: someday\n"
            f"- id: {SID2}\n"
            f"- id: {SID2}\n  revoked: 2026-01-01T00:00:00Z\n  title: leak\n")
    back, problems = read_tombstones(parse_yaml(text, path), path)
    assert [t.id for t in back] == [SID2]  # only the last entry is a usable tombstone
    lines = sorted(p.line for p in problems if p.line is not None)
    assert lines == [1, 4, 5, 8]
    not_a_list, problems = read_tombstones(parse_yaml("id: x\n", path), path)
    assert not_a_list == [] and "expected a list" in problems[0].message
