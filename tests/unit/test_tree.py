"""amber.content.nodes: positioned YAML/JSON parsing and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.nodes import MAX_DEPTH, ParseError, parse_file, parse_json, parse_yaml, read_text

YAML_PATH = Path("conv.yaml")
JSON_PATH = Path("conv.json")


def yaml_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_yaml(text, YAML_PATH)
    return info.value


def json_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_json(text, JSON_PATH)
    return info.value


# --- positions ----------------------------------------------------------------


def test_yaml_positions_of_nested_values_are_one_based() -> None:
    text = (
        "title: Hello\n"
        "messages:\n"
        "  - role: user\n"
        "    content: hi there\n"
        "  - role: assistant\n"
        "    content:\n"
        "      - type: text\n"
        "        text: fine\n"
    )
    root = parse_yaml(text, YAML_PATH)
    assert root.kind == "map"
    assert (root.line, root.col) == (1, 1)
    title_key, title = root.items["title"]
    assert (title_key.line, title_key.col) == (1, 1)
    assert (title.line, title.col, title.value) == (1, 8, "Hello")
    messages = root.items["messages"][1]
    assert messages.kind == "seq"
    first, second = messages.value
    assert (first.line, first.col) == (3, 5)
    content_key, content = first.items["content"]
    assert (content_key.line, content_key.col) == (4, 5)
    assert (content.line, content.col, content.value) == (4, 14, "hi there")
    part = second.items["content"][1].value[0]
    assert (part.line, part.col) == (7, 9)
    text_node = part.items["text"][1]
    assert (text_node.line, text_node.col, text_node.value) == (8, 15, "fine")


def test_json_positions_of_nested_values_are_one_based() -> None:
    text = (
        '{\n'
        '  "title": "Hello",\n'
        '  "messages": [\n'
        '    {"role": "user", "content": "hi"},\n'
        '\t{"role": "assistant", "content": [{"type": "text", "text": "x"}]}\n'
        '  ]\n'
        '}\n'
    )
    root = parse_json(text, JSON_PATH)
    assert (root.line, root.col) == (1, 1)
    key, title = root.items["title"]
    assert (key.line, key.col) == (2, 3)
    assert (title.line, title.col, title.value) == (2, 12, "Hello")
    messages = root.items["messages"][1]
    assert (messages.line, messages.col) == (3, 15)
    first, second = messages.value
    assert (first.line, first.col) == (4, 5)
    role = first.items["role"][1]
    assert (role.line, role.col, role.value) == (4, 14, "user")
    # a tab counts as one column
    assert (second.line, second.col) == (5, 2)
    part = second.items["content"][1].value[0]
    assert (part.line, part.col) == (5, 36)
    assert part.items["text"][1].col == 61


def test_json_scalars_keep_types_and_escapes() -> None:
    root = parse_json('{"a": 1, "b": 1.5, "c": true, "d": null, "e": "x\\n\\u00e9"}', JSON_PATH)
    values = {k: v.value for k, (_, v) in root.items.items()}
    assert values == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "x\né"}
    assert type(values["a"]) is int
    assert values["c"] is True


def test_parse_file_chooses_parser_by_suffix(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"k": "v"}')
    (tmp_path / "a.yaml").write_text("k: v\n")
    assert parse_file(tmp_path / "a.json").items["k"][1].value == "v"
    assert parse_file(tmp_path / "a.yaml").items["k"][1].value == "v"
    # JSON syntax is not accepted as YAML-only syntax the other way round
    (tmp_path / "b.json").write_text("k: v\n")
    with pytest.raises(ParseError):
        parse_file(tmp_path / "b.json")


def test_empty_yaml_document_is_a_null_scalar() -> None:
    node = parse_yaml("# only a comment\n", YAML_PATH)
    assert node.kind == "scalar"
    assert node.value is None


# --- duplicate keys -------------------------------------------------------------


def test_yaml_duplicate_key_rejected_with_position() -> None:
    err = yaml_error("title: a\nmodel: m\ntitle: b\n")
    assert "duplicate key 'title'" in err.problem.message
    assert (err.problem.line, err.problem.col) == (3, 1)


def test_yaml_nested_duplicate_key_rejected_with_position() -> None:
    err = yaml_error("messages:\n  - role: user\n    role: assistant\n")
    assert "duplicate key 'role'" in err.problem.message
    assert (err.problem.line, err.problem.col) == (3, 5)


def test_json_duplicate_key_rejected_with_position() -> None:
    err = json_error('{\n  "title": "a",\n  "title": "b"\n}')
    assert "duplicate key 'title'" in err.problem.message
    assert (err.problem.line, err.problem.col) == (3, 3)
    assert str(err.problem).endswith("conv.json:3:3: invalid JSON: duplicate key 'title'")


def test_json_duplicate_key_written_with_escapes_points_at_the_key() -> None:
    err = json_error('{"ab": 1, "\\u0061b": 2}')
    assert "duplicate key 'ab'" in err.problem.message
    assert (err.problem.line, err.problem.col) == (1, 11)


# --- refused YAML features ------------------------------------------------------


def test_yaml_anchor_refused_with_position() -> None:
    err = yaml_error("a: &x hello\nb: 1\n")
    assert "anchors" in err.problem.message
    assert (err.problem.line, err.problem.col) == (1, 4)


def test_yaml_alias_refused() -> None:
    # the anchor comes first and is refused before the alias could be expanded
    err = yaml_error("a: &x [1, 2]\nb: *x\n")
    assert "anchors" in err.problem.message or "aliases" in err.problem.message


def test_yaml_alias_without_anchor_is_an_error_with_position() -> None:
    err = yaml_error("a: 1\nb: *x\n")
    assert err.problem.line == 2


def test_yaml_billion_laughs_refused() -> None:
    text = 'a: &a ["lol","lol"]\nb: &b [*a,*a,*a]\nc: &c [*b,*b,*b]\n'
    err = yaml_error(text)
    assert err.problem.line == 1


def test_yaml_python_object_tag_on_scalar_refused() -> None:
    err = yaml_error("title: !!python/object:os.system echo\n")
    assert "unsupported YAML tag" in err.problem.message
    assert "python/object" in err.problem.message
    assert (err.problem.line, err.problem.col) == (1, 8)


def test_yaml_python_name_tag_refused() -> None:
    err = yaml_error("x: !!python/name:os.system ''\n")
    assert "unsupported YAML tag" in err.problem.message


def test_yaml_local_tag_and_binary_refused() -> None:
    assert "unsupported YAML tag" in yaml_error("x: !custom value\n").problem.message
    assert "unsupported YAML tag" in yaml_error("x: !!binary aGVsbG8=\n").problem.message


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object:os.system {a: 1}\n",
        "x: !!python/object/apply:os.system [echo]\n",
    ],
)
def test_yaml_python_object_tag_on_collection_refused(text: str) -> None:
    err = yaml_error(text)
    assert "unsupported YAML tag" in err.problem.message


def test_yaml_merge_key_refused() -> None:
    with pytest.raises(ParseError):
        parse_yaml("base: {a: 1}\nx:\n  <<: {a: 2}\n", YAML_PATH)


def test_yaml_non_string_key_refused() -> None:
    err = yaml_error("? [a, b]\n: 1\n")
    assert "keys must be strings" in err.problem.message
    assert err.problem.line == 1


def test_yaml_syntax_error_has_line_and_column() -> None:
    err = yaml_error("title: a\nmessages: [1, 2\n")
    assert err.problem.message.startswith("invalid YAML")
    assert err.problem.line is not None and err.problem.line >= 2
    assert err.problem.col is not None


# --- scalars --------------------------------------------------------------------


def test_yaml_plain_number_keeps_raw_text() -> None:
    root = parse_yaml("title: 2024\nversion: 1.10\nflag: yes\nquoted: '7'\n", YAML_PATH)
    title = root.items["title"][1]
    assert title.value == 2024
    assert title.raw == "2024"
    version = root.items["version"][1]
    assert version.raw == "1.10"
    assert root.items["flag"][1].value is True
    assert root.items["flag"][1].raw == "yes"
    quoted = root.items["quoted"][1]
    assert quoted.value == "7"
    assert quoted.raw is None  # quoted scalars are strings already


def test_yaml_timestamp_stays_a_string() -> None:
    node = parse_yaml("created: 2026-01-01T12:00:00Z\n", YAML_PATH).items["created"][1]
    assert node.value == "2026-01-01T12:00:00Z"


def test_yaml_huge_number_is_not_converted() -> None:
    digits = "9" * 5000
    node = parse_yaml(f"n: {digits}\n", YAML_PATH).items["n"][1]
    assert not isinstance(node.value, int)
    assert node.raw == digits


def test_json_huge_number_refused_with_position() -> None:
    err = json_error('{\n  "n": ' + "9" * 50 + "\n}")
    assert "number too large" in err.problem.message
    assert (err.problem.line, err.problem.col) == (2, 8)


def test_json_long_float_refused() -> None:
    err = json_error("[1." + "5" * 60 + "]")
    assert "number too large" in err.problem.message


# --- encoding -------------------------------------------------------------------


def test_invalid_utf8_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"title: ok\nmessages:\n  - content: \xff\xfe\n")
    with pytest.raises(ParseError) as info:
        parse_file(path)
    assert "UTF-8" in info.value.problem.message
    assert info.value.problem.line == 3
    assert info.value.problem.path == path


def test_nul_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{\n"a": 1,\n"b": "x\x00"}')
    with pytest.raises(ParseError) as info:
        read_text(path)
    assert "NUL" in info.value.problem.message
    assert info.value.problem.line == 3


def test_utf8_bom_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": "\xc3\xa9"}')
    assert parse_file(path).items["a"][1].value == "é"


def test_json_lone_surrogate_escape_refused() -> None:
    err = json_error('{"content": "a\\ud800b"}')
    assert err.problem.line == 1


# --- JSON syntax ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ('{\n  "a": 1,\n}', 3, 1),  # trailing comma
        ('{\n  "a" 1\n}', 2, 7),  # missing colon
        ("{\n  'a': 1\n}", 2, 3),  # single quotes
        ('[1, 2\n', 2, 1),  # unexpected end
        ('{"a": tru}', 1, 7),  # bad literal
        ('{"a": 1} x', 1, 10),  # extra data
        ('{"a": "x\ny"}', 1, 9),  # raw newline in a string
        ('[NaN]', 1, 2),
    ],
)
def test_json_syntax_errors_give_line_and_col(text: str, line: int, col: int) -> None:
    err = json_error(text)
    assert err.problem.message.startswith("invalid JSON")
    assert (err.problem.line, err.problem.col) == (line, col)


# --- nesting --------------------------------------------------------------------


def test_json_deep_nesting_refused() -> None:
    depth = MAX_DEPTH + 50
    err = json_error("[" * depth + "]" * depth)
    assert "nested deeper" in err.problem.message
    assert err.problem.line == 1


def test_json_very_deep_nesting_refused_without_recursion_error() -> None:
    err = json_error("[" * 100_000)
    assert "nested deeper" in err.problem.message


def test_json_nesting_at_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH
    node = parse_json("[" * depth + "]" * depth, JSON_PATH)
    assert node.kind == "seq"


def test_yaml_deep_block_nesting_refused() -> None:
    text = "a:\n" + "".join("  " * i + "b:\n" for i in range(1, MAX_DEPTH + 50))
    err = yaml_error(text)
    assert "nested deeper" in err.problem.message
    assert err.problem.line is not None


def test_yaml_flow_nesting_just_over_limit_refused() -> None:
    depth = MAX_DEPTH + 20
    err = yaml_error("[" * depth + "]" * depth)
    assert "nested deeper" in err.problem.message


def test_yaml_very_deep_flow_nesting_refused_as_parse_error() -> None:
    depth = 5000
    err = yaml_error("[" * depth + "]" * depth)
    assert "nested deeper" in err.problem.message
