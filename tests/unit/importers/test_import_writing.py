"""The import pipeline in-process: YAML that reads back, staging, idempotence, bad input."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from amber.content.load import SitePaths, load_content
from amber.content.nodes import parse_yaml
from amber.content.schema import read_conversation
from amber.errors import AmberError
from amber.importers import pipeline, yamlout
from amber.importers.assets import AssetStore, image_extension
from amber.importers.identity import key_in_slug, slug_for, source_key, title_slug
from amber.importers.normalise import clean_text, time_from_any, title_from_text
from amber.importers.records import iter_records
from amber.importers.source import CountingReader, ImportInputError, Member, open_export
from amber.importers.writer import read_header
from tests.helpers.trees import tree_bytes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
PNG = (FIXTURES / "chatgpt" / "file-Img123abcXYZ-photo.png").read_bytes()


# --- YAML ------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8"), max_size=200).map(clean_text)


@settings(max_examples=300, deadline=None)
@given(title=TEXT.filter(str.strip), texts=st.lists(TEXT.filter(str.strip), min_size=1,
                                                    max_size=4), flag=st.booleans())
def test_any_text_reads_back_exactly_with_the_loader_amber_uses(title: str, texts: list[str],
                                                                flag: bool) -> None:
    document = {"title": title, "messages": [
        {"role": "user", "content": texts[0]},
        {"role": "assistant", "content": [{"type": "text", "text": t} for t in texts]
         + [{"type": "tool_result", "text": texts[-1], "is_error": flag}]}]}
    text = yamlout.conversation_yaml(document)
    assert yaml.safe_load(text) == document
    conv, problems = read_conversation(parse_yaml(text, Path("x.yaml")), Path("x.yaml"), "x")
    assert problems == [] and conv is not None
    assert [m.as_dict() for m in conv.messages] == document["messages"]


def test_markdown_is_written_as_block_scalars_without_the_slow_fallback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlout, "dump_yaml", lambda value: pytest.fail("fell back"))
    document = {"title": "Go code", "created": "2026-01-01T00:00:00Z", "messages": [
        {"role": "user", "content": "  indented first line\nand a hard break  \nend\n\n"},
        {"role": "assistant", "content": "```go\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```"}]}
    text = yamlout.conversation_yaml(document)
    assert "content: |2+\n" in text and "content: |-\n      ```go\n" in text
    assert yaml.safe_load(text) == document


def test_reads_back_refuses_what_differs() -> None:
    document = {"title": "yes", "messages": []}
    assert yamlout.reads_back('title: "yes"\nmessages: []\n', document)
    assert not yamlout.reads_back("title: yes\nmessages: []\n", document)  # a boolean
    assert not yamlout.reads_back("title: &a yes\nmessages: []\n", document)


# --- small pieces ------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "clean"), [
    ("a\r\nb\rc", "a\nb\nc"), ("nul\x00byte", "nulbyte"), ("lone \ud800 half", "lone \ufffd half"),
    ("line\u2028sep", "line\nsep"), ("bell\x07 and C1\x85", "bell and C1"), (42, ""),
])
def test_clean_text(raw: object, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize(("value", "iso"), [
    (1749687799.5, "2025-06-12T00:23:19Z"), (1749687799500, "2025-06-12T00:23:19Z"),
    ("2024-10-18T05:30:10.325754Z", "2024-10-18T05:30:10Z"), ("2024-10-18T07:30:10+02:00",
                                                             "2024-10-18T05:30:10Z"),
    (float("nan"), None), (-1, None), (True, None), ("yesterday", None), (None, None),
])
def test_times(value: object, iso: str | None) -> None:
    assert time_from_any(value) == iso


def test_titles_and_slugs() -> None:
    assert title_from_text("```py\nx\n```") == "x"
    assert title_from_text("## **Why** is `x` < y?") == "Why is x < y?"
    assert title_slug("Interpretación: ¡pintura! 🎨") == "interpretacion-pintura"
    assert title_slug("한국어 대화 요약") == "hangugeo-daehwa-yoyag"  # issue 18: not a bare key
    assert title_slug("Привет, мир") == "privet-mir"
    assert title_slug("你好，世界") == "nihao-shijie"
    assert title_slug("ひらがな") == "hiragana"  # kana keep their voicing marks (NFC first)
    assert title_slug("🎨 ✨") == "conversation"
    key = source_key("chatgpt", "abc")
    slug = slug_for("Hello World", key)
    assert slug == f"hello-world-{key[:8]}" and key_in_slug(slug) == key[:8]
    assert key_in_slug("hello-world") is None
    assert len(slug_for("x" * 300, key)) <= 60 + 1 + 8


def test_images_are_recognised_by_their_bytes(tmp_path: Path) -> None:
    assert image_extension(PNG) == "png"
    assert image_extension(b"\xff\xd8\xff\xe0") == "jpg"
    assert image_extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_extension(b"<svg onload=alert(1)>") is None
    store = AssetStore(tmp_path / "assets", tmp_path / "staging")
    src, note = store.add(PNG, "a.png")
    assert src == f"assets/{__import__('hashlib').sha256(PNG).hexdigest()}.png" and note is None
    assert store.add(PNG, "again.png") == (src, None)
    assert len(store.staged) == 1
    assert store.add(b"<svg/>", "x.svg") == (None, "image x.svg is not a PNG, JPEG, GIF or "
                                                   "WebP file")
    import base64
    assert store.resolve("data:image/png;base64," + base64.b64encode(PNG).decode(), None)[0] \
        == src
    assert store.resolve("data:image/png;base64,@@@", None) == (
        None, "an inline image whose base64 data is corrupt")
    assert store.resolve("https://example.org/x.png", None) == (None, None)


# --- reading records -----------------------------------------------------------------------


def records(data: bytes, name: str = "x.json") -> list[object]:
    return list(iter_records(CountingReader(io.BytesIO(data)), Member(name, len(data))))


def test_lists_single_objects_and_jsonl() -> None:
    assert records(b'\xef\xbb\xbf [{"a": 1}, {"b": 2.5}]') == [{"a": 1}, {"b": 2.5}]
    assert records(b'{"a": 1}') == [{"a": 1}]
    assert records(b'{"a": 1}\n\n{"b": 2}\n') == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize(("data", "needle"), [
    (b"", "is empty"),
    (b"   \n", "is empty"),
    (b"hello", "starts with 'h', not JSON"),
    (b'[{"a": 1}, {"b": ', "truncated"),
    (b'[{"a": tru}]', "not valid JSON"),
    (b'{"a": 1}\n{"b": }', "not valid JSON"),
])
def test_unreadable_json_says_what_was_expected(data: bytes, needle: str) -> None:
    with pytest.raises(ImportInputError) as caught:
        records(data)
    assert needle in str(caught.value)
    assert "expected JSON" in str(caught.value)


def test_syntax_errors_point_at_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": []}\n{"messages": [}\n')
    with path.open("rb") as fh, \
            pytest.raises(ImportInputError, match=r"bad\.jsonl:2:15: not valid JSON"):
        list(iter_records(CountingReader(fh), Member(str(path), 40)))


def test_zip_members_are_found_and_split_exports_read_in_order(tmp_path: Path) -> None:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("conversations-010.json", "[]")
        zf.writestr("conversations-002.json", "[]")
        zf.writestr("user.json", "{}")
        zf.writestr("sub/file-AbCdEf123-cat.png", PNG)
    with open_export(export) as source:
        assert [m.zip_name for m in source.members] == ["conversations-002.json",
                                                        "conversations-010.json"]
        assert source.format_hint == "chatgpt"
        assert source.assets.read("file-AbCdEf123") == (PNG, None)
        assert source.assets.read("file-Missing999") == (None, None)
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("notes.txt", "x")
    with pytest.raises(ImportInputError, match=r"holds no conversations\.json"), \
            open_export(empty):
        pass


# --- the whole pipeline ------------------------------------------------------------------


def test_an_import_loads_cleanly_and_is_idempotent(paths: SitePaths) -> None:
    summary = pipeline.run_import(FIXTURES / "chatgpt" / "conversations.json", paths)
    assert (len(summary.imported), summary.unchanged, len(summary.skipped)) == (3, 0, 2)
    assert summary.images_copied == 1  # the photo sits next to conversations.json
    content = load_content(paths)
    assert content.problems == []
    assert sorted(content.conversations) == sorted(summary.imported)
    before = tree_bytes(paths.root)
    again = pipeline.run_import(FIXTURES / "chatgpt" / "conversations.json", paths)
    assert (again.imported, again.updated, again.unchanged) == ([], [], 3)
    assert tree_bytes(paths.root) == before
    assert not [p for p in paths.content.iterdir() if p.name.startswith(".amber-import")]


def test_the_header_records_where_a_file_came_from(paths: SitePaths) -> None:
    (slug,) = pipeline.run_import(FIXTURES / "anthropic" / "response.json", paths).imported
    data = (paths.conversations / f"{slug}.yaml").read_bytes()
    header = read_header(data)
    assert header is not None and header.format == "anthropic"
    assert header.key == source_key("anthropic", "id:msg_01XFDUDYJgAACzvnptvVoYEL")[:16]
    assert data.startswith(b"# Imported by `amber import` from an Anthropic Messages export "
                           b"(conversation id:msg_01XFDUDYJgAACzvnptvVoYEL).\n")


def test_a_users_own_file_with_the_same_name_is_never_overwritten(paths: SitePaths) -> None:
    key = source_key("anthropic", "id:msg_01XFDUDYJgAACzvnptvVoYEL")
    mine = paths.conversations / f"hello-how-can-i-help-you-today-{key[:8]}.yaml"
    mine.write_text("title: Mine\nmessages:\n  - role: user\n    content: hi\n")
    (slug,) = pipeline.run_import(FIXTURES / "anthropic" / "response.json", paths).imported
    assert slug == f"hello-how-can-i-help-you-today-{key[:16]}"
    assert mine.read_text().startswith("title: Mine")


def test_bad_input_late_in_the_file_writes_nothing(paths: SitePaths, tmp_path: Path) -> None:
    good = (FIXTURES / "openai" / "finetune.jsonl").read_text()
    export = tmp_path / "late.jsonl"
    export.write_text(good + '{"messages": [{"role": "user", "content": "cut')
    before = tree_bytes(paths.root)
    with pytest.raises(ImportInputError, match=r"late\.jsonl:7:"):
        pipeline.run_import(export, paths)
    assert tree_bytes(paths.root) == before
    assert sorted(p.name for p in paths.content.iterdir()) == ["conversations", "site.yaml"]


def test_symlinked_folders_are_refused(paths: SitePaths, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, paths.assets)
    with pytest.raises(AmberError, match="is a symbolic link"):
        pipeline.run_import(FIXTURES / "openai" / "chat.json", paths)
    assert list(elsewhere.iterdir()) == []


def test_reading_in_a_child_process_gives_the_same_files(
        paths: SitePaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        for path in (FIXTURES / "chatgpt").iterdir():
            zf.write(path, path.name)
    in_process = SitePaths(tmp_path / "other")
    in_process.conversations.mkdir(parents=True)
    expected = pipeline.run_import(export, in_process)
    monkeypatch.setattr(pipeline, "CHILD_THRESHOLD", 0)
    progress: list[int] = []
    summary = pipeline.run_import(export, paths, progress=lambda total: progress.append)
    assert summary == expected
    assert sum(progress) == (FIXTURES / "chatgpt" / "conversations.json").stat().st_size
    assert {k: v for k, v in tree_bytes(paths.root).items() if k != "content/site.yaml"} == \
        tree_bytes(in_process.root)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"mapping": {}}]) + "]")
    with pytest.raises(ImportInputError, match="not valid JSON"):
        pipeline.run_import(bad, paths)


def test_split_chatgpt_exports_and_claude_zips(paths: SitePaths, tmp_path: Path) -> None:
    records = json.loads((FIXTURES / "chatgpt" / "conversations.json").read_text())
    split = tmp_path / "split.zip"
    with zipfile.ZipFile(split, "w") as zf:
        zf.writestr("conversations-001.json", json.dumps(records[2:]))
        zf.writestr("conversations-000.json", json.dumps(records[:2]))
    summary = pipeline.run_import(split, paths)
    assert (summary.format, len(summary.imported)) == ("chatgpt", 3)
    assert summary.skipped[0].startswith("conversations-001.json: conversation 4 ")
    claude_zip = tmp_path / "claude.zip"
    with zipfile.ZipFile(claude_zip, "w") as zf:
        zf.write(FIXTURES / "claude" / "conversations.json", "conversations.json")
        zf.writestr("users.json", "[]")
    assert pipeline.run_import(claude_zip, paths).format == "claude"
    empty = tmp_path / "empty-claude.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("conversations.json", "[]")
        zf.writestr("projects.json", "[]")
    nothing = pipeline.run_import(empty, paths)
    assert (nothing.format, nothing.imported, nothing.skipped) == ("claude", [], [])


def test_a_folder_that_cannot_be_written_is_reported(paths: SitePaths,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(self: object, data: bytes, target: Path) -> None:
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(pipeline.ConversationWriter, "_stage", full_disk)
    with pytest.raises(AmberError, match="No space left on device; content/ was left as it was"):
        pipeline.run_import(FIXTURES / "openai" / "chat.json", paths)
    assert sorted(p.name for p in paths.content.iterdir()) == ["conversations", "site.yaml"]
