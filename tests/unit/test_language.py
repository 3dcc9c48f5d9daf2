"""A conversation's language: the schema, snapshots, the page's lang, the importers' guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amber.content.model import Conversation, Message, Part
from amber.content.nodes import parse_yaml
from amber.content.schema import is_language_tag, read_conversation
from amber.content.snapshot import (
    freeze,
    read_snapshot,
    serialise_snapshot,
    snapshot_dict,
    source_digest,
)
from amber.importers.language import declared_language, guess_language

SHARE_ID = "0b6f3f9e-3c2a-4d8e-9f10-2a3b4c5d6e7f"


def conversation_yaml(extra: str = "") -> str:
    return f"title: 이항모형\n{extra}messages:\n  - role: user\n    content: 안녕\n"


def read(text: str) -> tuple[Conversation | None, list[str]]:
    conv, problems = read_conversation(parse_yaml(text, Path("c.yaml")), Path("c.yaml"), "c")
    return conv, [f"{p.line}: {p.message}" for p in problems]


@pytest.mark.parametrize("tag", ["ko", "en", "pt-BR", "zh-Hant", "zh-Hant-TW", "sr-Latn-RS"])
def test_language_tags_accepted(tag: str) -> None:
    assert is_language_tag(tag)
    conv, problems = read(conversation_yaml(f"language: {tag}\n"))
    assert problems == [] and conv is not None and conv.language == tag


@pytest.mark.parametrize("tag", ["k", "ko_KR", "한국어", "en-", "<b>", "x" * 40, '"ko kr"'])
def test_bad_language_tags_are_problems_with_a_line(tag: str) -> None:
    conv, problems = read(conversation_yaml(f"language: {tag}\n"))
    assert conv is None
    assert problems and problems[0].startswith("2: language: expected a BCP 47")


def test_language_is_optional() -> None:
    conv, problems = read(conversation_yaml())
    assert problems == [] and conv is not None and conv.language is None


def _conversation(language: str | None) -> Conversation:
    return Conversation("c", "이항모형", (Message("user", "안녕"),), language=language)


def test_snapshots_without_a_language_are_written_and_digested_as_before() -> None:
    snap = freeze(_conversation(None), SHARE_ID, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z")
    assert "language" not in snapshot_dict(snap)
    assert b"language" not in serialise_snapshot(snap)
    # The digest of a conversation without the key is the one older amber computed.
    assert source_digest(_conversation(None)) == source_digest(
        Conversation("c", "이항모형", (Message("user", "안녕"),)))
    assert source_digest(_conversation("ko")) != source_digest(_conversation(None))


def test_snapshots_freeze_and_read_back_the_language(tmp_path: Path) -> None:
    snap = freeze(_conversation("ko"), SHARE_ID, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z")
    data = serialise_snapshot(snap)
    assert b"\nlanguage: ko\n" in data
    path = tmp_path / f"{SHARE_ID}.yaml"
    path.write_bytes(data)
    back, problems = read_snapshot(parse_yaml(data.decode(), path), path)
    assert problems == [] and back is not None and back.language == "ko"
    bad = data.replace(b"language: ko", b"language: ko_KR")
    none, problems = read_snapshot(parse_yaml(bad.decode(), path), path)
    assert none is None and "language: expected a BCP 47" in problems[0].message


def user(text: str) -> Message:
    return Message("user", (Part("text", text=text),))


@pytest.mark.parametrize(("texts", "language"), [
    (["**이항모형(binomial model)**을 써서 option price를 구하는 방법을 알려줘"], "ko"),
    (["これは**「重要」**です。説明してください。"], "ja"),
    (["東京の天気は？"], "ja"),
    (["这是**重要**的问题：什么是二项式模型？"], "zh"),
    (["這是重要的問題"], "zh"),
    (["What is a binomial model?"], None),
    (["Что такое биномиальная модель?"], None),      # Cyrillic: many languages
    (["Τι είναι ένα διωνυμικό μοντέλο;"], "el"),
    (["מה זה מודל בינומי?"], "he"),
    (["แบบจำลองทวินามคืออะไร"], "th"),
    (["Explain this:\n```python\nprint('hello world, a long English line of code')\n```\n"
      "파이썬 코드 설명해줘"], "ko"),
    (["Translate 'thank you' into Korean please, I need it for a letter: 감사합니다"], None),
    ([], None),
])
def test_guess_from_the_script(texts: list[str], language: str | None) -> None:
    messages = [user(t) for t in texts] + [Message("assistant", "Sure, here is an answer.")]
    assert guess_language(messages) == language


def test_the_users_words_decide_before_the_answers() -> None:
    messages = [user("Say hello in Korean"), Message("assistant", "안녕하세요! 반갑습니다.")]
    assert guess_language(messages) is None
    assert guess_language([Message("assistant", "안녕하세요! 반갑습니다.")]) == "ko"


@pytest.mark.parametrize(("value", "tag"), [
    ("ko", "ko"), (" pt-BR ", "pt-BR"), ("unknown", None), ("und", None), ("", None),
    ("<script>", None), (42, None), (None, None), (["ko"], None),
])
def test_declared_language(value: object, tag: str | None) -> None:
    assert declared_language(value) == tag


def test_a_fork_keeps_the_language_of_a_conversation_json() -> None:
    from amber.content.nodes import parse_json
    from amber.fork import read_chat_json

    def fork(language: str) -> str | None:
        text = json.dumps({"title": "t", "language": language,
                           "messages": [{"role": "user", "content": "안녕"}]})
        conv, _, _ = read_chat_json(parse_json(text, Path("c.json")), Path("c.json"))
        return conv.language

    assert fork("ko") == "ko"
    assert fork("not a tag") is None
