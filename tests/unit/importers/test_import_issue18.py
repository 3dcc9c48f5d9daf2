"""What real exports hold (issue 18, items 1-6), on fixtures that reproduce their shapes.

1. an Anthropic request log whose first line is plain text is still Anthropic,
   and a conversation filed under the other API's reading is updated, not doubled;
2. ChatGPT canvas documents; 3. text only the model read is left out;
4. web search results are links; 5. non-Latin titles give readable slugs;
6. the OpenAI Responses API.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.importers import anthropic, chatgpt, detect, openai, responses
from amber.importers.identity import source_key
from amber.importers.pipeline import run_import
from amber.importers.record import Imported
from amber.importers.writer import ConversationWriter, commit, read_header

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
ANTHROPIC_LOG = FIXTURES / "anthropic" / "requests-log.jsonl"
APP_TOOLS = FIXTURES / "chatgpt" / "app-tools.json"


def no_images(reference: str, name: str | None) -> tuple[str | None, str | None]:
    return ("assets/" + "c" * 64 + ".png", None) if reference.startswith("data:") \
        else (None, None)


def jsonl(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def app_tools(index: int) -> Imported:
    conv = chatgpt.convert(json.loads(APP_TOOLS.read_text("utf-8"))[index], "c", no_images)
    assert isinstance(conv, Imported)
    return conv


def published(conv: Imported) -> str:
    return json.dumps([m.as_dict() for m in conv.messages], ensure_ascii=False)


def yaml_files(paths: SitePaths) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(paths.conversations.iterdir())}


# --- 1. Anthropic requests, weighed over many records ------------------------------------


def test_a_plain_first_request_does_not_make_an_anthropic_log_openai() -> None:
    records = jsonl(ANTHROPIC_LOG)
    assert detect.detect(records[0]) == "anthropic"  # claude model, max_tokens: hints
    assert detect.detect_many(records) == "anthropic"
    plain = {"messages": records[0]["messages"]}  # type: ignore[index]
    assert detect.detect(plain) == "openai"  # no evidence either way: the common reading
    assert detect.detect_many([plain, records[1]]) == "anthropic"  # a later line settles it
    conv = anthropic.convert(records[1], "line 2", no_images)
    assert isinstance(conv, Imported) and conv.notes == ()
    assert [p.type for m in conv.messages for p in m.parts] == [
        "text", "text", "tool_call", "tool_result", "text"]
    thinking = anthropic.convert(records[2], "line 3", no_images)
    assert isinstance(thinking, Imported) and thinking.notes == ()
    assert [p.type for p in thinking.messages[0].parts] == ["image", "text"]
    assert thinking.messages[1].parts[0].type == "reasoning"


def test_openai_evidence_wins_over_a_claude_model_name() -> None:
    gateway = {"model": "anthropic/claude-3.5-sonnet", "max_tokens": 100, "messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]}
    assert detect.detect(gateway) == "openai"
    assert detect.contradiction("anthropic", gateway) is not None
    assert detect.contradiction("openai", gateway) is None


@pytest.mark.parametrize(("first", "second"), [("anthropic", "auto"), ("auto", "anthropic")])
def test_a_log_imported_as_openai_is_updated_when_imported_as_anthropic(
        paths: SitePaths, first: str, second: str) -> None:
    # What an import before the fix wrote: every line read as chat completions.
    writer = ConversationWriter(paths, paths.content / ".staging")
    for index, record in enumerate(jsonl(ANTHROPIC_LOG)):
        conv = openai.convert(record, f"conversation {index + 1}", no_images)
        assert isinstance(conv, Imported)
        writer.add(conv)
    commit(writer.staged)
    before = yaml_files(paths)
    assert len(before) == 3
    lost = next(data for data in before.values() if b"Han river" in data)
    assert b"type: tool_call" not in lost  # the OpenAI reading dropped the tool_use block

    summary = run_import(ANTHROPIC_LOG, paths, first)  # --format anthropic, or detected
    assert summary.format == "anthropic"
    assert summary.imported == [] and summary.notes == []
    assert len(summary.updated) == 3  # the plain one too: its header now says Anthropic
    after = yaml_files(paths)
    assert sorted(after) == sorted(before)  # same files, same names: no twins
    han = next(data for data in after.values() if b"Han river" in data)
    assert b"type: tool_call" in han and b"name: lookup_length" in han
    header = read_header(han)
    assert header is not None and header.format == "anthropic"

    again = run_import(ANTHROPIC_LOG, paths, second)
    assert (again.imported, again.updated, again.unchanged) == ([], [], 3)
    assert yaml_files(paths) == after
    load_content(paths)


def test_a_forced_format_that_would_lose_content_is_refused(paths: SitePaths) -> None:
    from amber.errors import AmberError
    with pytest.raises(AmberError) as caught:
        run_import(ANTHROPIC_LOG, paths, "openai")
    message = str(caught.value)
    assert str(ANTHROPIC_LOG) in message and "conversation 2" in message
    assert "tool_use blocks" in message and "--format anthropic" in message
    assert yaml_files(paths) == {}


# --- 2. ChatGPT canvas ----------------------------------------------------------------------


def test_canvas_documents_are_titled_code_and_updates_show_the_new_version() -> None:
    conv = app_tools(0)
    docs = [p for m in conv.messages for p in m.parts if p.type == "code"]
    assert [(d.title, d.language) for d in docs] == [
        ("fizzbuzz", "python"), ("fizzbuzz", "python"),
        ("Trip notes", "markdown"), ("Trip notes", "markdown")]
    assert docs[0].code == "for i in range(1, 16):\n    print(i)\n"
    assert docs[1].code == 'for i in range(1, 16):\n    print("Fizz" if i % 3 == 0 else i)\n'
    assert docs[3].code == "# Day 1\n\nWalk along the Han river.\n"  # a partial update
    text = published(conv)
    assert "textdoc_id" not in text and "Successfully" not in text
    assert '\\"name\\"' not in text and "canmore" not in text
    assert "PRIVATE-CANVAS" not in text  # comments show in the canvas, not the chat
    assert [m.role for m in conv.messages] == ["user", "assistant"] * 3


def test_a_hostile_canvas_pattern_is_never_run_as_a_regular_expression() -> None:
    document = "a" * 5000
    update = {"pattern": "(a+)+$", "replacement": "x"}
    assert chatgpt.apply_update(document, update) == document
    assert chatgpt.apply_update("a.b a.b", {"pattern": r"a\.b", "replacement": "c",
                                             "multiple": True}) == "c c"


# --- 3. What only the model read ----------------------------------------------------------


def test_text_meant_for_the_model_is_left_out_and_files_are_attachments() -> None:
    conv = app_tools(1)
    text = published(conv)
    assert "GPT-4o returned" not in text and "do not say or show" not in text.lower()
    assert "Please remember to search" not in text
    assert "PRIVATE-FILE" not in text  # past the excerpt: the document is not pasted
    assert "t2uay3k" not in text and "myfiles_browser" not in text
    attachments = [p for m in conv.messages for p in m.parts if p.type == "attachment"]
    assert [(a.name, bool(a.text)) for a in attachments] == [
        ("contacts.txt", False), ("contacts.txt", True)]  # uploaded; quoted once, collapsed
    excerpt = attachments[1].text or ""
    assert excerpt.startswith("Contact list, line 1") and excerpt.endswith("…")
    assert len(excerpt.splitlines()) <= chatgpt.EXCERPT_LINES + 1
    (picture,) = conv.messages[-1].parts
    assert conv.messages[-1].role == "assistant"
    assert (picture.type, picture.name, picture.alt) == (
        "image", "Fox in snowy forest", "A red fox in a snowy forest")
    calls = [p.name for m in conv.messages for p in m.parts if p.type == "tool_call"]
    assert calls == ["file search", "web search"]


# --- 4. Web search results ------------------------------------------------------------------


def test_web_search_results_are_a_list_of_links() -> None:
    conv = app_tools(1)
    results = [m for m in conv.messages if m.role == "tool" and "forecast" in published(
        Imported("chatgpt", "x", "t", (m,)))]
    (found,) = results
    assert found.content == (
        "- [Seoul forecast](https://weather.example.org/seoul)\n"
        "- [Spring \\[in\\] Seoul](https://news.example.net/a?b=1&c=%5B2%5D)")
    assert "PRIVATE-SEARCH" not in published(conv) and "javascript:" not in published(conv)


# --- 5. Slugs of non-Latin titles ------------------------------------------------------------


def test_a_korean_title_gives_a_readable_slug_and_an_old_slug_stays(paths: SitePaths) -> None:
    summary = run_import(APP_TOOLS, paths)
    key = source_key("chatgpt", "6772b9e0-0000-4000-8000-tools0000002")[:8]
    assert f"seoul-yeohaeng-gyehoeg-{key}" in summary.imported
    # A file named by an older amber (a bare key for this title) keeps its name.
    old = paths.conversations / f"seoul-yeohaeng-gyehoeg-{key}.yaml"
    renamed = paths.conversations / f"conversation-{key}.yaml"
    old.rename(renamed)
    again = run_import(APP_TOOLS, paths)
    assert again.imported == [] and again.unchanged == 2
    assert renamed.exists() and not old.exists()


# --- 6. The Responses API ----------------------------------------------------------------------


def test_responses_api_exchanges_requests_and_responses() -> None:
    exchanges = json.loads((FIXTURES / "responses" / "exchanges.json").read_text("utf-8"))
    assert detect.detect_many(exchanges) == "responses"
    conv = responses.convert(exchanges[1], "conversation 2", no_images)
    assert isinstance(conv, Imported)
    assert conv.model == "gpt-5-2025-08-07"
    assert [m.role for m in conv.messages] == ["system", "user", "assistant", "tool",
                                               "assistant"]
    (call,) = conv.messages[2].parts
    (result,) = conv.messages[3].parts
    assert (call.name, call.id, result.name, result.id, result.text) == (
        "multiply", "call_1", "multiply", "call_1", "408")
    assert conv.messages[4].content == "408."
    assert "PRIVATE-CIPHER" not in published(conv)  # encrypted reasoning: nobody saw it

    batch = jsonl(FIXTURES / "responses" / "requests.jsonl")[1]
    conv = responses.convert(batch, "line 2", no_images)
    assert isinstance(conv, Imported) and conv.source_id == "custom_id:job-7"
    assert [p.type for p in conv.messages[1].parts] == ["text", "image", "attachment"]

    alone = json.loads((FIXTURES / "responses" / "response.json").read_text("utf-8"))
    conv = responses.convert(alone, "conversation 1", no_images)
    assert isinstance(conv, Imported) and conv.source_id == "id:resp_web_01"
    reasoning, search = conv.messages[0].parts
    assert reasoning.type == "reasoning" and "Searching" in (reasoning.text or "")
    assert (search.type, search.name) == ("tool_call", "web_search")
    assert conv.messages[1].content == "- [Lotte World Tower](https://towers.example.org/lotte)"
    answer, image = conv.messages[2].parts
    assert answer.text == ("Lotte World Tower, 555 m. "
                           "([Lotte World Tower](https://towers.example.org/lotte))")
    assert (image.type, image.src) == ("image", "assets/" + "c" * 64 + ".png")
