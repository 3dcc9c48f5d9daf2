"""amber.importers.deepseek: fragments, the shown branch, and no mix-up with ChatGPT."""

from __future__ import annotations

import json
from pathlib import Path

from amber.content.model import Message
from amber.importers import deepseek, detect
from amber.importers.record import Imported

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "deepseek"
RECORDS = json.loads((FIXTURE / "conversations.json").read_text("utf-8"))


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    raise AssertionError("DeepSeek exports hold no images")


def convert(index: int) -> Imported:
    result = deepseek.convert(RECORDS[index], "conversation 1", no_images)
    assert isinstance(result, Imported), result
    return result


def test_detected_as_deepseek_and_refused_as_chatgpt() -> None:
    assert [detect.detect(r) for r in RECORDS] == ["deepseek", "deepseek"]
    assert not detect.accepts("chatgpt", RECORDS[0])
    assert detect.accepts("deepseek", RECORDS[0])


def test_fragments_become_prompt_reasoning_sources_and_answer() -> None:
    conv = convert(0)
    assert (conv.source_id, conv.title, conv.created) == (
        "ds-conv-1", "Prime check", "2026-05-01T00:00:00Z")
    assert [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    upload, prompt = conv.messages[0].parts
    assert (upload.type, upload.name, upload.text) == ("attachment", "numbers.txt", "97, 91")
    assert prompt.text == "Are 97 and 91 prime? See my file."
    think, sources, answer = conv.messages[1].parts
    assert (think.type, think.text) == ("reasoning", "91 = 7 × 13, so it is not prime.")
    assert sources.text == "Sources:\n\n- [97 is prime](https://primes.example/97)"
    assert answer.text == "**97** is prime; **91** is 7 × 13."
    assert [m.model for m in conv.messages] == [None, "deepseek-reasoner", None, "deepseek-chat"]


def test_the_newest_branch_is_shown_and_the_others_kept_as_alternatives() -> None:
    conv = convert(0)
    assert conv.branches_dropped == 0
    shown = [Message(m.role, m.content, m.created, m.model) for m in conv.messages]
    assert "BRANCH-" not in json.dumps([m.as_dict() for m in shown], ensure_ascii=False)
    _, answer, prompt, _ = conv.messages
    assert answer.version == 2
    assert [[(m.content, m.model) for m in b] for b in answer.alternatives] == [
        [("BRANCH-DEEPSEEK-OLDER", "deepseek-reasoner")]]
    assert (prompt.content, prompt.version) == ("Thanks!", 2)
    assert [[(m.role, m.content) for m in b] for b in prompt.alternatives] == [
        [("user", "BRANCH-DEEPSEEK-PROMPT thank you"),
         ("assistant", "BRANCH-DEEPSEEK-ANSWER to the first wording.")]]


def test_one_model_throughout_names_the_conversation() -> None:
    conv = convert(1)
    assert conv.model == "deepseek-chat"
    assert conv.title == "Name a blue fruit."
    assert all(m.model is None for m in conv.messages)
