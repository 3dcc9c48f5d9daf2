"""The sensitive scan reads exactly what a share publishes, decoded, and points at file lines.

Numbers that code, logs and tables are full of are not phone numbers; credentials in
shell exports, credentials files, URL fragments and JSON escapes are credentials; the
model names, tool call ids and the author name are published, so they are scanned;
and a finding names the line of the conversation or snapshot file, where an editor can
jump, not a line counted inside one message.

Fake credentials are assembled from pieces at run time (see test_sensitive.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.model import Message, Part
from amber.content.sensitive import scan_messages, scan_text

RANDOM36 = "q7Xk2mP9vR4tW8zL1nB6cF3hJ5dG0sA2eY4u"
AWS_SECRET = RANDOM36 + "/K7M"
"""40 characters of the shape of an AWS secret access key."""
GITHUB_TOKEN = "ghp" + "_" + RANDOM36
EMAIL = "ann.smith@proton.me"


def kinds(text: str) -> list[str]:
    return [kind for _, kind, _ in scan_text(text)]


NOT_PHONE_NUMBERS = [
    "int x = 2147483647;",
    "long y = -2147483648;",
    "-2147483648",
    "2**31 = 2147483648",
    "3145728000 bytes",
    "took 2125551234 ns",
    "Order 212-555-0187",
    "Order 212-463-0187 shipped",
    "| model | 8.4 8.8 4.7 3.9 3.7 |",
    "invoice #212-463-0187",
    "see 212-555-0142 in the screenplay",
]


@pytest.mark.parametrize("text", NOT_PHONE_NUMBERS)
def test_numbers_of_code_and_tables_are_not_phone_numbers(text: str) -> None:
    assert scan_text(text) == []


PHONE_NUMBERS = [
    "call me at 2124630187",
    "phone: 212.463.0187",
    "my number is 212-463-0187",
    "my cell is (415) 555-2671",
    "call me on +44 20 7946 0958",
    "tel. +1 212 463 0187",
]


@pytest.mark.parametrize("text", PHONE_NUMBERS)
def test_phone_numbers_written_as_such_are_still_found(text: str) -> None:
    assert kinds(text) == ["phone number"]


MISSED_CREDENTIALS = [
    ("AWS secret access key", "export AWS_SECRET_ACCESS_KEY=" + AWS_SECRET),
    ("AWS secret access key", "[default]\naws_access_key_id = AKIA\naws_secret_access_key = "
     + AWS_SECRET + "\n"),
    ("AWS secret access key", "AWS_SECRET_ACCESS_KEY: " + AWS_SECRET),
    ("credential in a URL", "https://app.vendor.io/callback#access_token=ya29a0AfB7c9d2e5f8"
     "&token_type=Bearer"),
    ("GitHub token", '{"cmd": "git clone https://x:\\u0067hp_' + RANDOM36 + '@github.com/o/r"}'),
    ("GitHub token", '{"token": "\\u0067\\u0068\\u0070\\u005f' + RANDOM36 + '"}'),
]


@pytest.mark.parametrize(("kind", "text"), MISSED_CREDENTIALS)
def test_credentials_in_exports_fragments_and_escapes_are_found(kind: str, text: str) -> None:
    assert kind in kinds(text), text


def test_the_aws_documentation_key_is_a_placeholder() -> None:
    assert scan_text("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == []


def test_a_quoted_aws_secret_is_reported_once() -> None:
    assert kinds(f'aws_secret_access_key = "{AWS_SECRET}"') == ["AWS access key"]


def test_a_finding_in_escaped_text_is_at_the_line_of_its_escape() -> None:
    text = 'first\n{"a": "\\u0067hp_' + RANDOM36 + '"}\nlast'
    assert scan_text(text) == [(2, "GitHub token", GITHUB_TOKEN)]


def test_models_tool_call_ids_language_and_author_are_scanned() -> None:
    messages = (
        Message("assistant", "hi", model=f"gpt-4o {EMAIL}"),
        Message("assistant", (
            Part("tool_call", name="run", id=f"call_{GITHUB_TOKEN}", arguments="{}"),
            Part("code", code="x", language=GITHUB_TOKEN[:40]),
        )),
    )
    found = scan_messages("t", messages, model=f"by {EMAIL}", author=f"Ann {EMAIL}")
    assert [(f.message, f.part, f.field, f.kind) for f in found] == [
        (0, 0, "author", "email address"),
        (0, 0, "model", "email address"),
        (1, 0, "model", "email address"),
        (2, 1, "id", "GitHub token"),
        (2, 2, "language", "GitHub token"),
    ]
    assert [f.where for f in found] == [
        "author name", "model name", "message 1 (model name), line 1 of the text",
        "message 2 (part 1, tool_call, tool call id), line 1 of the text",
        "message 2 (part 2, code, language), line 1 of the text",
    ]


def test_json_escaped_token_in_tool_arguments_is_found() -> None:
    arguments = json.dumps({"token": GITHUB_TOKEN}).replace("ghp", "\\u0067hp")
    assert "ghp" not in arguments
    found = scan_messages("t", (Message("assistant", (Part("tool_call", name="f",
                                                               arguments=arguments),)),))
    assert [(f.field, f.kind) for f in found] == [("arguments", "GitHub token")]


@pytest.fixture
def site(tmp_path: Path) -> SitePaths:
    paths = SitePaths(tmp_path)
    paths.conversations.mkdir(parents=True)
    paths.site_yaml.write_text("title: Chats\nbase_url: https://jane.github.io/chats/\n")
    return paths


def test_findings_name_the_line_of_a_yaml_file(site: SitePaths) -> None:
    body = "\n".join(f"      line {n}" for n in range(1, 146)) + f"\n      mail {EMAIL}\n"
    (site.conversations / "long.yaml").write_text(
        "title: Long\n"                        # 1
        "model: gpt-4o\n"                      # 2
        "messages:\n"                          # 3
        "  - role: user\n"                     # 4
        "    content: hello\n"                 # 5
        "  - role: assistant\n"                # 6
        "    content: |\n"                     # 7: the text starts on line 8
        + body
        + "  - role: assistant\n"
        f"    model: m-{GITHUB_TOKEN}\n"
        "    content:\n"
        "      - type: tool_call\n"
        "        name: f\n"
        f"        arguments: '{{\"to\": \"{EMAIL}\"}}'\n")
    content = load_content(site)
    assert content.problems == []
    conv = content.conversations["long"]
    found = scan_messages(conv.title, conv.messages, model=conv.model, path=conv.path)
    lines = (site.conversations / "long.yaml").read_text().splitlines()
    assert [(f.message, f.line, f.kind) for f in found] == [
        (2, 153, "email address"),   # line 146 of the message's text
        (3, 155, "GitHub token"),
        (3, 159, "email address"),
    ]
    for finding in found:
        assert finding.in_file
        assert (EMAIL in lines[finding.line - 1]) == (finding.kind == "email address")
    assert str(found[0]) == "message 2, line 153: looks like an email address"


def test_findings_name_the_line_of_a_json_file(site: SitePaths) -> None:
    data = {"title": "Json", "messages": [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "first\nsecond\n" + EMAIL},
    ]}
    (site.conversations / "j.json").write_text(json.dumps(data, indent=2))
    conv = load_content(site).conversations["j"]
    [finding] = scan_messages(conv.title, conv.messages, path=conv.path)
    lines = (site.conversations / "j.json").read_text().splitlines()
    assert EMAIL in lines[finding.line - 1]  # a JSON string is one line of the file
    assert finding.in_file


def test_a_title_given_on_the_command_line_has_no_file_line(site: SitePaths) -> None:
    (site.conversations / "c.yaml").write_text(
        "title: Clean\nmessages:\n  - role: user\n    content: hi\n")
    conv = load_content(site).conversations["c"]
    [finding] = scan_messages(f"Notes for {EMAIL}", conv.messages, path=conv.path)
    assert (finding.where, finding.in_file) == ("title", False)
