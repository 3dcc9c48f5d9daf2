"""`share` scans everything the share would publish: the --name value and the model names,
and names the line of the conversation file for what the file holds."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import assert_refused, run_amber

EMAIL = "ann.smith@proton.me"
TOKEN = "ghp" + "_" + "q7Xk2mP9vR4tW8zL1nB6cF3hJ5dG0sA2eY4u"  # assembled: no key-shaped literal


def test_the_name_given_to_share_is_scanned(site: Path) -> None:
    result = run_amber("share", "alpha", "--name", f"Ann {EMAIL}", "--yes", cwd=site)
    assert_refused(result, "--allow-sensitive")
    assert ("error: content/conversations/alpha.yaml: author name: looks like an email address"
            in result.stderr.splitlines())
    assert EMAIL not in result.stderr


def test_model_names_are_scanned_at_their_line(site: Path) -> None:
    conv = site / "content" / "conversations" / "models.yaml"
    conv.write_text(
        "title: Models\n"
        f"model: gpt-4o {EMAIL}\n"
        "messages:\n"
        "  - role: user\n"
        "    content: hi\n"
        "  - role: assistant\n"
        f"    model: m-{TOKEN}\n"
        "    content: hello\n")
    result = run_amber("share", "models", "--yes", cwd=site)
    assert_refused(result, "2 likely secret(s)")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: content/conversations/models.yaml: model name, line 2: looks like an email "
        "address",
        "error: content/conversations/models.yaml: message 2 (model name), line 7: looks like a "
        "GitHub token",
    ]
