"""Detection of likely secrets and personal data: what it finds, where, and what it leaves.

Fake credentials are assembled from pieces at run time, so that this file itself holds
nothing a secret scanner (or a push protection) would stop.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.model import Message, Part
from amber.content.sensitive import (
    DETECT_SECRETS_PLUGINS,
    PLUGIN_NEEDS,
    Finding,
    new_findings,
    phone_regions,
    scan_messages,
    scan_text,
)

REPO = Path(__file__).resolve().parents[2]


def j(*pieces: str) -> str:
    return "".join(pieces)


RANDOM36 = "q7Xk2mP9vR4tW8zL1nB6cF3hJ5dG0sA2eY4u"
"""36 characters that no sequence or placeholder rule mistakes for a stand-in."""

POSITIVES = [
    ("AWS access key", j("key id ", "AKIA", "2E0A8F3B244C9986")),
    ("private key", j("-----BEGIN ", "RSA PRIVATE KEY-----\nMIIEow...")),
    ("private key", j("-----BEGIN ", "OPENSSH PRIVATE KEY-----")),
    ("password in a URL", j("DATABASE_URL=postgres://admin:", "s3cr3tP4ss", "@db.internal/app")),
    ("credential in a URL", j("https://api.vendor.io/v1/items?", "api_key=", "a81bc81b8f2e4d19")),
    ("bearer token", j("Authorization: ", "Bearer ", "9f8e7d6c5b4a39281706f5e4d3c2b1a0")),
    ("JSON Web Token", j("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", ".",
                         "eyJzdWIiOiIxMjM0NTY3ODkwIn0", ".",
                         "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")),
    ("GitHub token", j("ghp", "_", RANDOM36)),
    ("Slack token or webhook", j("xoxb", "-123456789012-1234567890123-",
                                 "q7Xk2mP9vR4tW8zL1nB6cF3h")),
    ("Stripe secret key", j("sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc")),
    ("OpenAI API key", j("sk-", "proj-", RANDOM36, "Ab12Cd34Ef")),
    ("Anthropic API key", j("sk-ant-", "api03-", RANDOM36, "Ab12Cd34Ef")),
    ("Google API key", j("AIza", "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q")),
    ("Hugging Face token", j("hf", "_", "q7Xk2mP9vR4tW8zL1nB6cF3hJ5dG0sA2eY")),
    ("email address", "write to jane.doe@gmail.com tomorrow"),
    ("email address", "[mail me](mailto:ann.smith@proton.me)"),
    ("email address", "Email:ann.smith@proton.me"),
    ("SendGrid API key", j("SG", ".", "q7Xk2mP9vR4tW8zL1nB6cF", ".", RANDOM36, "Ab12Cd3")),
    ("Telegram bot token", j("bot", "123456789", ":", "AAq7Xk2mP9vR4tW8zL1nB6cF3hJ5dG0sA2e")),
    ("Slack token or webhook", j("https://hooks.slack", ".com/services/", "T0q7Xk2mP/",
                                 "B0vR4tW8z/", "q7Xk2mP9vR4tW8zL1nB6cF3h")),
    ("PyPI token", j("pypi-", "AgEIcHlwaS5vcmc", RANDOM36, RANDOM36)),
    ("phone number", "call me on +44 20 7946 0958"),
    ("phone number", "my cell is (415) 555-2671"),
]


@pytest.mark.parametrize(("kind", "text"), POSITIVES, ids=[f"{k}-{i}" for i, (k, _) in
                                                             enumerate(POSITIVES)])
def test_each_kind_is_found(kind: str, text: str) -> None:
    kinds = [k for _, k, _ in scan_text(text)]
    assert kind in kinds, f"{kind} not found in {text!r}: {kinds}"


NEGATIVES = [
    "commit 3b18e512dba79e4c8300dd08aeb37f8e728b8dad,\n"
    "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    "digest sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "share 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
    "the AWS docs use AKIAIOSFODNN7EXAMPLE as their example key",
    "postgres://user:password@localhost:5432/app and redis://:changeme@cache:6379",
    'curl -H "Authorization: Bearer $TOKEN" -H "Authorization: Bearer <your-token>"',
    "Authorization: Bearer YOUR_ACCESS_TOKEN_GOES_HERE",
    "https://api.vendor.io/v1?api_key=YOUR_API_KEY_HERE",
    "mail ops@example.com or a@b.test; remote git@github.com:owner/repo.git",
    "https://jane@bitbucket.org/jane/repo.git",
    "pip install lodash@4.17.21 uses: actions/checkout@v4 @decorator",
    "on 2026-01-01 12:00:00 we sold 1,234,567 units for 9876543210 cents",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx and sk-proj-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "print(f'{x:>10}') # version 1.2.3.4 build 20260101",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_everyday_technical_text_is_not_flagged(text: str) -> None:
    assert scan_text(text) == []


def test_the_example_site_holds_no_findings() -> None:
    """The shipped demo (git object IDs included) must pass `amber check`."""
    content = load_content(SitePaths(REPO))
    assert content.config is not None
    for conv in content.conversations.values():
        assert scan_messages(conv.title, conv.messages) == [], conv.slug
    for snap in content.snapshots.values():
        assert scan_messages(snap.title, snap.messages) == [], snap.id
    assert "how-git-stores-objects" in content.conversations


def test_every_plugin_has_a_prefilter() -> None:
    """A plugin without an entry in PLUGIN_NEEDS would fail loudly rather than run unchecked."""
    assert set(PLUGIN_NEEDS) == set(DETECT_SECRETS_PLUGINS.values())


def test_lines_are_counted_within_each_text() -> None:
    text = "first line\nsecond\nthird has ann.smith@proton.me\n"
    assert [(line, kind) for line, kind, _ in scan_text(text)] == [(3, "email address")]


def test_findings_name_message_part_and_line_but_never_the_value() -> None:
    email = "ann.smith@proton.me"
    messages = (
        Message("user", "hello\nreach me at " + email),
        Message("assistant", (
            Part("text", text="ok"),
            Part("code", code=j("x = 1\n", "KEY = 'AKIA", "2E0A8F3B244C9986'\n"), language="py"),
        )),
    )
    findings = scan_messages("Title with " + email, messages)
    assert [str(f) for f in findings] == [
        "title: looks like an email address",
        "message 1, line 2 of the text: looks like an email address",
        "message 2 (part 2, code), line 2 of the text: looks like an AWS access key",
    ]
    for finding in findings:
        assert email not in str(finding) and "AKIA" not in str(finding)
        assert len(finding.fingerprint) == 16


def test_every_published_part_field_is_scanned() -> None:
    email = "ann.smith@proton.me"
    for part in (
        Part("tool_call", name="lookup", arguments='{"to": "' + email + '"}'),
        Part("tool_result", text=email),
        Part("image", name=f"scan-{email}.png"),
        Part("reasoning", text="thinking", title=email),
    ):
        found = scan_messages("t", (Message("assistant", (part,)),))
        assert [f.kind for f in found] == ["email address"], part


def test_new_findings_compares_values_not_places() -> None:
    email = "ann.smith@proton.me"
    before = scan_messages("t", (Message("user", email),))
    moved = scan_messages("t", (Message("user", "intro"), Message("user", "\n" + email)))
    assert new_findings(moved, before) == []
    other = scan_messages("t", (Message("user", email + " bob.jones@proton.me"),))
    assert [f.line for f in new_findings(other, before)] == [1]
    assert len(new_findings(other, before)) == 1


def test_phone_regions_follow_the_language_tag() -> None:
    assert phone_regions("en") == ("US",)
    assert phone_regions("en-GB") == ("GB",)
    assert phone_regions("pt-BR") == ("BR",)
    assert phone_regions("zh-Hant-TW") == ("TW",)


def test_national_numbers_are_read_in_the_sites_region() -> None:
    german = "ruf an: 030 12345678"
    assert scan_text(german, regions=("US",)) == []
    assert [k for _, k, _ in scan_text(german, regions=("DE",))] == ["phone number"]


def test_finding_orders_by_place() -> None:
    a = Finding(1, 0, 3, "email address")
    b = Finding(1, 0, 1, "phone number")
    assert sorted([a, b]) == [b, a]
