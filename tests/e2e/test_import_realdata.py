"""Optional: real API traffic and data sets written by other projects import as their format.

The samples are not in the repository; the test runs when a ``realdata``
folder of them sits beside the checkout (``../shared/fixtures/realdata``) or
``AMBER_REAL_SAMPLES`` names one, and skips otherwise. Each sample is detected
as its format with nothing left out, imports again without a change, and the
site passes ``amber check`` and builds with a share of each.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amber.importers.record import FORMAT_NAMES, FORMATS
from tests.helpers import REPO
from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import build, share

REALDATA = Path(os.environ.get("AMBER_REAL_SAMPLES")
                or REPO.parent / "shared" / "fixtures" / "realdata")

EXPECTED = {
    "anthropic/llm-anthropic-requests.jsonl": "anthropic",
    "anthropic/llm-anthropic-responses.json": "anthropic",
    "openai/llm-chat-requests.jsonl": "openai",
    "openai/llamafactory-mllm-demo.json": "openai",
    "openai/llm-responses-api-requests.jsonl": "responses",
    "openai-responses/llm-responses-api-exchanges.json": "responses",
    "gemini/yetanotherchris-aistudio_example.json": "ai-studio",
}
"""Samples whose folder is not their format's name; the others are named by their folder."""


def samples() -> list[tuple[str, str]]:
    """(sample relative to REALDATA, format) for every sample of a format amber knows."""
    if not REALDATA.is_dir():
        return []
    found = []
    for path in sorted(REALDATA.glob("*/*")):
        if not path.is_file() or path.suffix not in (".json", ".jsonl"):
            continue
        name = str(path.relative_to(REALDATA))
        expected = EXPECTED.get(name, path.parent.name)
        if expected in FORMATS:
            found.append((name, expected))
    return found


@pytest.mark.skipif(not REALDATA.is_dir(), reason="no real samples beside the checkout")
def test_real_samples_are_detected_imported_whole_and_again_unchanged(site: Path) -> None:
    cases = samples()
    assert {fmt for _, fmt in cases} >= {"anthropic", "openai", "responses", "sharegpt"}
    first_slugs = []
    for name, format_name in cases:
        result = ok(run_amber("import", REALDATA / name, cwd=site, timeout=300))
        summary = result.stderr.strip().splitlines()[-1]
        article = "an" if FORMAT_NAMES[format_name][0] in "AEIOU" else "a"
        assert summary.startswith(f"amber import: {article} {FORMAT_NAMES[format_name]} "
                                  "export:"), (name, summary)
        assert " 0 skipped" in summary, (name, result.stderr)
        if format_name in ("anthropic", "responses"):
            assert "could not be imported" not in result.stderr, (name, result.stderr)
        slugs = result.stdout.split()
        assert slugs, name
        first_slugs.append(slugs[0])
        again = ok(run_amber("import", REALDATA / name, cwd=site, timeout=300))
        assert again.stdout == "", (name, again.stderr)
        assert " 0 imported, 0 updated," in again.stderr, (name, again.stderr)
    ok(run_amber("check", cwd=site, timeout=300))
    share(site, *dict.fromkeys(first_slugs))
    build(site)
