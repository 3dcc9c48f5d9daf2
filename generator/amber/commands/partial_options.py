"""``--messages``, ``--redact``, ``--redact-pattern``, ``--redact-sensitive``: the options
that shape what a share publishes, and their checks (bad values are usage errors, exit 2,
found before anything is written)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from amber.content.model import Conversation, Selection, Snapshot
from amber.content.nodes import unusable_character
from amber.content.selection import RangeError, parse_selection
from amber.errors import RefusedError, UsageError

if TYPE_CHECKING:  # the redaction engine loads the detector: only when a share is made
    from amber.content.redaction import RedactionRules
    from amber.content.snapshot import Redaction

MESSAGES_HELP = ("share only these messages, numbered from 1 as on the page: ranges and "
                 "lists such as 3-8,12 (the page keeps their numbers)")


def add_partial_options(parser: argparse.ArgumentParser, *, messages: bool) -> None:
    if messages:
        parser.add_argument("--messages", metavar="RANGES", help=MESSAGES_HELP)
    parser.add_argument(
        "--redact", action="append", default=[], metavar="TEXT",
        help="replace every occurrence of TEXT (exact, case-sensitive) with [redacted] in "
             "the title and every message field; repeatable. The share keeps only a keyed "
             "digest of TEXT, so `amber update` asks for it again")
    parser.add_argument(
        "--redact-pattern", action="append", default=[], metavar="REGEX",
        help="replace every match of a Python regular expression with [redacted]; "
             "repeatable. The pattern is stored in the share as written: describe the "
             "text, do not spell the secret in it")
    parser.add_argument(
        "--redact-sensitive", action="store_true",
        help="replace each likely secret or piece of personal data the detector finds with "
             "a typed marker ([redacted email]) instead of refusing")


def selection_of(args: argparse.Namespace, convs: list[Conversation]) -> Selection | None:
    text = getattr(args, "messages", None)
    if text is None:
        return None
    if len(convs) != 1:
        raise UsageError("--messages applies to one conversation; share them one at a time")
    try:
        return parse_selection(text, len(convs[0].messages))
    except RangeError as exc:
        raise UsageError(f"--messages {text!r}: {exc}") from None


def rules_of(args: argparse.Namespace, language: str,
             kept: Snapshot | None = None) -> RedactionRules:
    """The rules the options give, joined to those ``kept`` (an updated share) already has."""
    from amber.content.redaction import RedactionRules, RuleError, check_literal, check_pattern

    try:
        literals = tuple(check_literal(t) for t in args.redact)
        for pattern in args.redact_pattern:
            check_pattern(pattern)
            if (found := unusable_character(pattern)) is not None:
                raise RuleError(f"--redact-pattern holds the control character {found}, "
                                r"which a share file cannot hold; write it as an escape (\x07)")
    except RuleError as exc:
        raise UsageError(str(exc)) from None
    patterns = tuple(dict.fromkeys(args.redact_pattern))
    sensitive = bool(args.redact_sensitive)
    record = kept.redactions if kept is not None else None
    if record is not None:
        patterns = tuple(dict.fromkeys((*record.patterns, *patterns)))
        sensitive = sensitive or record.sensitive
    return RedactionRules(tuple(dict.fromkeys(literals)), patterns, sensitive, language)


def redaction_for(rules: RedactionRules, kept: Snapshot | None = None) -> Redaction | None:
    """The rules with the share's digest key; refuses an update that lacks a literal.

    The texts of ``--redact`` are not in the snapshot, so an update cannot apply them
    by itself: it must be given each again, and forgetting one must not publish it."""
    from amber.content.redaction import missing_literals, new_key
    from amber.content.snapshot import Redaction

    record = kept.redactions if kept is not None else None
    if record is not None:
        missing = missing_literals(record, rules.literals)
        if missing:
            raise RefusedError(
                f"share {kept.id} redacts {missing} text(s) given with --redact, which amber "  # type: ignore[union-attr]
                "does not keep; pass each again (--redact TEXT) to update it")
    if not rules:
        return None
    return Redaction(rules, record.key if record is not None else new_key())


def rules_unchanged(rules: RedactionRules, kept: Snapshot) -> bool:
    """Whether ``rules`` are exactly the ones ``kept`` was frozen with."""
    from amber.content.redaction import literal_digest

    record = kept.redactions
    if record is None:
        return not rules
    return (
        {literal_digest(record.key, t) for t in rules.literals} == set(record.literals)
        and rules.patterns == record.patterns
        and rules.sensitive == record.sensitive
    )


def partial_query(args: argparse.Namespace) -> list[tuple[str, str]]:
    """The draft page's query for these options (``amber preview``); the server checks them
    against the conversation and says on the page what it could not apply."""
    pairs = [("messages", args.messages)] if args.messages is not None else []
    pairs += [("redact", text) for text in args.redact]
    pairs += [("redact-pattern", pattern) for pattern in args.redact_pattern]
    return pairs + ([("redact-sensitive", "")] if args.redact_sensitive else [])
