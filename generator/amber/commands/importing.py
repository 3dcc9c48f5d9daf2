"""The ``amber import FILE [--format ...]`` command: report what an import did.

stdout lists the slugs of the conversation files written (new or updated),
one a line, so ``amber share $(amber import export.zip)`` works; everything
for the person (progress, skipped conversations, the summary) goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from amber.content.load import SitePaths
from amber.importers.record import FORMAT_NAMES, FORMATS
from amber.lock import writes_site
from amber.progress import wants_progress

if TYPE_CHECKING:
    from amber.importers.pipeline import Summary

SHOWN_LINES = 50
"""Skip and note lines shown in full; the rest are counted."""

DESCRIPTION = """\
Import conversations from a chat export into content/conversations/.

FILE is a ChatGPT or Claude.ai data export (the .zip as downloaded, or its
conversations.json), OpenAI chat-completions messages (a JSON object, a list,
or JSONL as fine-tuning files are), Anthropic Messages API requests or
responses, OpenAI Responses API requests, responses or exchanges, ShareGPT
JSON, or an export of Open WebUI, LibreChat, Grok, Gemini (Google Takeout, JSON
or HTML), Google AI Studio or DeepSeek; or an agent's sessions: a Claude Code
session (.jsonl) or Codex CLI rollout, or a folder of them (walked for every
session). The format is detected unless --format names it; a --format that
does not fit the file, or would drop content only another format has, is
refused.

Each conversation becomes content/conversations/<title>-<key>.yaml. Importing
the same export again changes nothing; a conversation that grew is updated in
place (its shares stay frozen and show as stale in `amber list`); a file you
edited after importing it is left alone. Images in the export are copied into
content/assets/. Nothing is written if the file cannot be read.
"""


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser(
        "import", help="import conversations from a chat app's export, API messages, or "
        "Claude Code and Codex sessions",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", type=Path,
                        help="the export: .zip, .json, .jsonl or .html, or a folder of agent "
                             "sessions")
    parser.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                        metavar="FORMAT",
                        help="the export's format: auto (the default: detected from its "
                        f"content) or one of {', '.join(FORMATS)}")
    parser.set_defaults(handler=cmd_import)


@writes_site()
def cmd_import(args: argparse.Namespace, root: Path) -> int:
    from amber.importers.pipeline import run_import

    summary = run_import(args.file, SitePaths(root), args.format, _progress_bar())
    for slug in [*summary.imported, *summary.updated]:
        print(slug)
    report(summary, sys.stderr.write)
    return 0


def _progress_bar() -> Callable[[int], Callable[[int], None] | None] | None:
    if not wants_progress():
        return None

    def start(total: int) -> Callable[[int], None] | None:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
                   desc="Importing", leave=False, file=sys.stderr)
        return bar.update

    return start


def report(summary: Summary, write: Callable[[str], object]) -> None:
    """The closing lines: what was skipped and lost, then one summary line."""
    for kind, lines in (("skipped", summary.skipped), ("note", summary.notes)):
        for line in lines[:SHOWN_LINES]:
            write(f"{kind}: {line}\n")
        if len(lines) > SHOWN_LINES:
            write(f"{kind}: ... and {len(lines) - SHOWN_LINES} more\n")
    write(summary_line(summary) + "\n")


def summary_line(summary: Summary) -> str:
    source = "the export"
    if summary.format:
        name = FORMAT_NAMES[summary.format]
        source = f"{'an' if name[0] in 'AEIOU' else 'a'} {name} export"
    counts = (f"{len(summary.imported)} imported, {len(summary.updated)} updated, "
              f"{summary.unchanged} unchanged, {len(summary.skipped)} skipped")
    extras = []
    if summary.branches_kept:
        plural = "es" if summary.branches_kept != 1 else ""
        extras.append(f"{summary.branches_kept} branch{plural} (edits, regenerations) "
                      "kept as alternatives")
    if summary.branches_dropped:
        plural = "es" if summary.branches_dropped != 1 else ""
        extras.append(f"{summary.branches_dropped} branch{plural} (edits, regenerations) "
                      "left out")
    images = []
    if summary.images_copied:
        images.append(f"{summary.images_copied} copied")
    if summary.images_missing:
        images.append(f"{summary.images_missing} not in the export (shown as placeholders)")
    if summary.images_refused:
        images.append(f"{summary.images_refused} not publishable (placeholders)")
    if images:
        extras.append("images: " + ", ".join(images))
    if summary.notes:
        extras.append(f"{len(summary.notes)} note{'s' if len(summary.notes) != 1 else ''} above")
    tail = "; " + "; ".join(extras) if extras else ""
    return f"amber import: {source}: {counts}{tail}"
