"""amber.content.schema: reading conversations and site.yaml with positioned problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.model import Message, Part
from amber.content.nodes import parse_json, parse_yaml
from amber.content.schema import (
    is_safe_asset_ref,
    normalise_base_url,
    parse_time,
    read_conversation,
    read_site,
)
from amber.errors import ContentError, Problem

CONV = Path("conv.yaml")
SITE = Path("site.yaml")


def conversation(text: str):  # type: ignore[no-untyped-def]
    return read_conversation(parse_yaml(text, CONV), CONV, "conv")


def problems_of(text: str) -> list[Problem]:
    conv, problems = conversation(text)
    assert conv is None
    assert problems
    return problems


def one_part(part_yaml: str):  # type: ignore[no-untyped-def]
    text = "title: T\nmessages:\n  - role: assistant\n    content:\n" + part_yaml
    return conversation(text)


def site(text: str):  # type: ignore[no-untyped-def]
    return read_site(parse_yaml(text, SITE), SITE)


# --- Problem --------------------------------------------------------------------


def test_problem_str_is_path_line_col_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "content" / "shares" / "x.yaml"
    assert str(Problem(path, "expected a string", 12, 3)) == (
        "content/shares/x.yaml:12:3: expected a string"
    )
    assert str(Problem(path, "no column", 4)) == "content/shares/x.yaml:4: no column"
    assert str(Problem(path, "whole file")) == "content/shares/x.yaml: whole file"


def test_problem_outside_cwd_keeps_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    other = tmp_path / "elsewhere.yaml"
    assert str(Problem(other, "m", 1, 2)) == f"{other}:1:2: m"


def test_content_error_lists_every_problem() -> None:
    err = ContentError([Problem(Path("a"), "one", 1, 1), Problem(Path("b"), "two", 2, 2)])
    assert str(err).splitlines() == ["a:1:1: one", "b:2:2: two"]


# --- conversations --------------------------------------------------------------


def test_valid_conversation_is_read() -> None:
    conv, problems = conversation(
        "title: 2024\n"
        "created: 2026-01-01T13:00:00+01:00\n"
        "model: m1\n"
        "messages:\n"
        "  - role: system\n    content: be nice\n"
        "  - role: user\n    content: hi\n    created: 2026-01-01\n"
        "  - role: assistant\n    content: hello\n    model: m2\n"
        "  - role: tool\n    content: out\n"
    )
    assert problems == []
    assert conv is not None
    assert conv.title == "2024"  # a plain YAML number is still the title as written
    assert conv.slug == "conv"
    assert conv.created == "2026-01-01T12:00:00Z"
    assert conv.model == "m1"
    assert [m.role for m in conv.messages] == ["system", "user", "assistant", "tool"]
    assert conv.messages[1] == Message("user", "hi", "2026-01-01T00:00:00Z", None)
    assert conv.messages[2].model == "m2"


def test_unknown_key_names_key_and_position() -> None:
    problems = problems_of("title: T\ntilte: x\nmessages:\n  - role: user\n    content: hi\n")
    assert len(problems) == 1
    p = problems[0]
    assert (p.line, p.col) == (2, 1)
    assert "unknown key 'tilte'" in p.message
    assert str(p) == f"conv.yaml:2:1: {p.message}"


def test_unknown_message_key_names_key_and_position() -> None:
    problems = problems_of("title: T\nmessages:\n  - role: user\n    contnet: hi\n")
    unknown = [p for p in problems if "unknown key 'contnet'" in p.message]
    assert len(unknown) == 1
    assert (unknown[0].line, unknown[0].col) == (4, 5)
    assert any("missing required key 'content'" in p.message for p in problems)


def test_missing_required_keys_are_reported_at_the_mapping() -> None:
    problems = problems_of("model: x\n")
    messages = sorted(p.message for p in problems)
    assert any("missing required key 'title'" in m for m in messages)
    assert any("missing required key 'messages'" in m for m in messages)
    assert all((p.line, p.col) == (1, 1) for p in problems)


def test_empty_title_and_empty_messages_rejected() -> None:
    problems = problems_of("title: '  '\nmessages: []\n")
    assert any(p.line == 1 and "must not be empty" in p.message for p in problems)
    assert any(p.line == 2 and "at least one message" in p.message for p in problems)


def test_root_must_be_a_mapping() -> None:
    problems = problems_of("- a\n- b\n")
    assert "expected a mapping" in problems[0].message
    assert "a list" in problems[0].message


def test_all_problems_in_one_file_are_collected() -> None:
    problems = problems_of(
        "title: T\n"
        "extra: 1\n"
        "messages:\n"
        "  - role: robot\n    content: hi\n"
        "  - role: user\n"
        "  - role: user\n    content: hi\n    created: yesterday\n"
    )
    lines = sorted(p.line for p in problems if p.line is not None)
    assert lines == [2, 4, 6, 9]


@pytest.mark.parametrize("role", ["user", "assistant", "system", "tool"])
def test_each_role_is_accepted(role: str) -> None:
    conv, problems = conversation(f"title: T\nmessages:\n  - role: {role}\n    content: x\n")
    assert problems == []
    assert conv is not None and conv.messages[0].role == role


@pytest.mark.parametrize("role", ["robot", "User", "ASSISTANT", "''", "1", "null"])
def test_bad_roles_rejected_with_position(role: str) -> None:
    problems = problems_of(f"title: T\nmessages:\n  - role: {role}\n    content: x\n")
    assert len(problems) == 1
    assert (problems[0].line, problems[0].col) == (3, 11)
    assert "role" in problems[0].message


def test_json_number_where_text_belongs_is_rejected() -> None:
    node = parse_json('{"title": 2024, "messages": [{"role": "user", "content": "x"}]}', CONV)
    conv, problems = read_conversation(node, CONV, "conv")
    assert conv is None
    assert len(problems) == 1
    assert "title: expected a string, got a number" in problems[0].message
    assert (problems[0].line, problems[0].col) == (1, 11)


def test_content_list_must_not_be_empty() -> None:
    problems = problems_of("title: T\nmessages:\n  - role: user\n    content: []\n")
    assert any("at least one part" in p.message for p in problems)


# --- parts ----------------------------------------------------------------------

PART_CASES = {
    "text": ("        text: hello\n", Part("text", text="hello")),
    "code": (
        "        code: print(1)\n        language: python\n        title: a.py\n",
        Part("code", code="print(1)", language="python", title="a.py"),
    ),
    "image": (
        "        src: assets/abc.png\n        name: cat.png\n        alt: a cat\n",
        Part("image", src="assets/abc.png", name="cat.png", alt="a cat"),
    ),
    "reasoning": (
        "        text: hmm\n        title: Thinking\n",
        Part("reasoning", text="hmm", title="Thinking"),
    ),
    "tool_call": (
        "        name: search\n        id: c1\n        arguments: '{\"q\": 1}'\n",
        Part("tool_call", name="search", id="c1", arguments='{"q": 1}'),
    ),
    "tool_result": (
        "        text: found\n        name: search\n        id: c1\n        is_error: true\n",
        Part("tool_result", text="found", name="search", id="c1", is_error=True),
    ),
}


@pytest.mark.parametrize("kind", sorted(PART_CASES))
def test_each_part_type_with_all_keys(kind: str) -> None:
    body, expected = PART_CASES[kind]
    conv, problems = one_part(f"      - type: {kind}\n{body}")
    assert problems == []
    assert conv is not None
    assert conv.messages[0].content == (expected,)


@pytest.mark.parametrize(
    ("kind", "body", "expected"),
    [
        ("code", "        code: x\n", Part("code", code="x")),
        ("image", "", Part("image")),
        ("reasoning", "        text: t\n", Part("reasoning", text="t")),
        ("tool_call", "        name: f\n", Part("tool_call", name="f")),
        ("tool_result", "        text: r\n", Part("tool_result", text="r")),
    ],
)
def test_optional_part_keys_may_be_left_out(kind: str, body: str, expected: Part) -> None:
    conv, problems = one_part(f"      - type: {kind}\n{body}")
    assert problems == []
    assert conv is not None and conv.messages[0].content == (expected,)


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("text", "text"),
        ("code", "code"),
        ("reasoning", "text"),
        ("tool_call", "name"),
        ("tool_result", "text"),
    ],
)
def test_required_part_key_missing_is_reported(kind: str, missing: str) -> None:
    conv, problems = one_part(f"      - type: {kind}\n")
    assert conv is None
    assert len(problems) == 1
    assert f"missing required key {missing!r}" in problems[0].message
    assert (problems[0].line, problems[0].col) == (5, 9)


def test_key_of_another_part_type_is_unknown() -> None:
    conv, problems = one_part("      - type: text\n        text: x\n        language: py\n")
    assert conv is None
    assert len(problems) == 1
    assert "unknown key 'language'" in problems[0].message
    assert (problems[0].line, problems[0].col) == (7, 9)


def test_unknown_part_type_and_missing_type() -> None:
    conv, problems = one_part("      - type: video\n      - text: x\n")
    assert conv is None
    messages = [p.message for p in problems]
    assert any("unknown part type 'video'" in m for m in messages)
    assert any("missing required key 'type'" in m for m in messages)


def test_is_error_must_be_boolean() -> None:
    conv, problems = one_part(
        "      - type: tool_result\n        text: r\n        is_error: maybe\n"
    )
    assert conv is None
    assert len(problems) == 1
    assert "expected true or false" in problems[0].message
    assert problems[0].line == 7


@pytest.mark.parametrize(
    "src",
    [
        "../x",
        "/etc/passwd",
        "assets/../x",
        "assets/../../etc/passwd",
        "assets/sub/x.png",
        "assets/.hidden",
        "https://evil.example/x.png",
        "content/assets/x.png",
        "assets/",
        "assets\\x.png",
    ],
)
def test_image_src_outside_assets_is_rejected(src: str) -> None:
    conv, problems = one_part(f"      - type: image\n        src: '{src}'\n")
    assert conv is None
    assert len(problems) == 1
    assert "expected a file under assets/" in problems[0].message
    assert (problems[0].line, problems[0].col) == (6, 14)


@pytest.mark.parametrize("src", ["assets/abc.png", "assets/0f3a_b-c.v2.webp"])
def test_image_src_under_assets_is_accepted(src: str) -> None:
    assert is_safe_asset_ref(src)


def test_image_src_with_trailing_newline_is_rejected() -> None:
    assert not is_safe_asset_ref("assets/x.png\n")


# --- timestamps -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T13:00:00+01:00", "2026-01-01T12:00:00Z"),
        ("2026-01-01T12:00:00Z", "2026-01-01T12:00:00Z"),
        ("2026-01-01T12:00:00", "2026-01-01T12:00:00Z"),
        ("2026-01-01 07:30:00-05:00", "2026-01-01T12:30:00Z"),
        ("2026-01-01T00:30:00+02:00", "2025-12-31T22:30:00Z"),
        ("2026-01-01T12:00:00.987Z", "2026-01-01T12:00:00Z"),
        ("2026-01-01T12:00Z", "2026-01-01T12:00:00Z"),
        ("2026-01-01", "2026-01-01T00:00:00Z"),
    ],
)
def test_timestamps_normalised_to_utc(text: str, expected: str) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "2026-13-01T00:00:00Z",
        "2026-02-30",
        "2026-01-01T25:00:00Z",
        "2026/01/01",
        "1767268800",
        "2026-01-01T12:00:00+01:00 extra",
        "",
    ],
)
def test_bad_timestamps_rejected(text: str) -> None:
    assert parse_time(text) is None


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_out_of_range_timestamps_rejected(text: str) -> None:
    assert parse_time(text) is None


def test_bad_timestamp_in_conversation_is_a_positioned_problem() -> None:
    problems = problems_of("title: T\ncreated: soon\nmessages:\n  - role: user\n    content: x\n")
    assert len(problems) == 1
    assert (problems[0].line, problems[0].col) == (2, 10)
    assert "ISO 8601" in problems[0].message


# --- site.yaml ------------------------------------------------------------------


def test_site_yaml_is_read_with_defaults() -> None:
    config, problems = site("title: My chats\nbase_url: https://jane.github.io/chats\n")
    assert problems == []
    assert config is not None
    assert config.base_url == "https://jane.github.io/chats/"
    assert config.base_path == "/chats/"
    assert config.language == "en"
    assert config.theme == "default"
    assert config.author is None and config.cname is None


def test_site_yaml_all_keys() -> None:
    config, problems = site(
        "title: T\nbase_url: https://chats.example.com\nauthor: Jane\nlanguage: pt-BR\n"
        "theme: mine\ncname: chats.example.com\n"
    )
    assert problems == []
    assert config is not None
    assert config.base_url == "https://chats.example.com/"
    assert config.base_path == "/"
    assert (config.author, config.language, config.theme, config.cname) == (
        "Jane", "pt-BR", "mine", "chats.example.com"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://jane.github.io/chats", "https://jane.github.io/chats/"),
        ("https://jane.github.io/chats/", "https://jane.github.io/chats/"),
        ("http://localhost:8000", "http://localhost:8000/"),
        ("https://x.example/a/b", "https://x.example/a/b/"),
    ],
)
def test_base_url_normalised(url: str, expected: str) -> None:
    assert normalise_base_url(url) == expected


def test_base_url_surrounding_whitespace_is_stripped() -> None:
    assert normalise_base_url("  https://x.example/a/b  ") == "https://x.example/a/b/"


@pytest.mark.parametrize(
    "url",
    [
        "/chats/",
        "chats/",
        "jane.github.io/chats/",
        "//jane.github.io/chats/",
        "javascript:alert(1)",
        "ftp://example.com/",
        "file:///etc/passwd",
        "https://",
        "https://x.example/?q=1",
        "https://x.example/#top",
        'https://x.example/"onload=',
    ],
)
def test_bad_base_url_rejected(url: str) -> None:
    assert normalise_base_url(url) is None
    config, problems = site(f"title: T\nbase_url: '{url}'\n")
    assert config is None
    assert len(problems) == 1
    assert problems[0].message.startswith("base_url:")
    assert (problems[0].line, problems[0].col) == (2, 11)


def test_site_unknown_key_named() -> None:
    config, problems = site("title: T\nbase_url: https://x.example/\nbaseurl: x\n")
    assert config is None
    assert len(problems) == 1
    assert "unknown key 'baseurl'" in problems[0].message
    assert (problems[0].line, problems[0].col) == (3, 1)


def test_site_missing_keys_and_bad_language_and_cname() -> None:
    config, problems = site("language: 'en us'\ncname: 'https://x'\n")
    assert config is None
    messages = [p.message for p in problems]
    assert any("missing required key 'title'" in m for m in messages)
    assert any("missing required key 'base_url'" in m for m in messages)
    assert any(m.startswith("language:") for m in messages)
    assert any(m.startswith("cname:") for m in messages)


@pytest.mark.parametrize("contact", ["jane@example.com", "https://example.com/report?page={url}",
                                     "http://example.com"])
def test_site_yaml_contact_is_an_email_or_url(contact: str) -> None:
    config, problems = site(f"title: T\nbase_url: https://x.example/\ncontact: '{contact}'\n")
    assert problems == []
    assert config is not None and config.contact == contact


@pytest.mark.parametrize("contact", ["jane", "javascript:alert(1)", "jane@example.com?cc=x@y.z",
                                     "ftp://example.com", "a b@example.com"])
def test_site_yaml_contact_refuses_anything_else(contact: str) -> None:
    config, problems = site(f"title: T\nbase_url: https://x.example/\ncontact: '{contact}'\n")
    assert config is None
    assert [p.message for p in problems] == [
        "contact: expected an e-mail address such as jane@example.com or an http(s) URL such "
        "as https://example.com/report"]
