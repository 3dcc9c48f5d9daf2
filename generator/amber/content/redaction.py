"""Redaction: replace chosen text with a visible marker in everything a share publishes.

Three kinds of rule: ``--redact TEXT`` (an exact, case-sensitive text),
``--redact-pattern REGEX`` and ``--redact-sensitive`` (each finding of the
secrets and personal-data detector, ``amber.content.sensitive``). Every occurrence
becomes ``[redacted]`` (``[redacted email]`` for a detector finding) in the title,
the models and every field of every part: text, code, tool arguments and results,
reasoning, attachment and image names, alt text. Text that holds JSON escapes is
matched decoded as well, since a page shows tool arguments decoded: a name written
``\\u0041lice`` is published as ``Alice``.

How the rules are kept: a snapshot must not hold the redacted text, yet ``amber
update`` must apply the same rules again. Patterns and the sensitive flag are kept
as they are (a pattern describes text, it is not the text, unless it is written as
a literal). Literal texts are kept only as HMAC-SHA256 digests under a random key
of the share. Keyed, so that equal texts in two shares do not give equal digests
and no table computed in advance applies; but the key is stored beside the digests,
so a digest cannot hide a guessable text (a first name) from someone who tries
guesses against it. That is why the digests are not used to find text on update:
``amber update`` asks for the literal texts again (``--redact``), checks each
against a digest, and refuses when one is missing. What the digests buy is that
forgetting one is caught instead of publishing it. (The snapshot's
``source_digest`` covers the unredacted source and so confirms guesses the same
way; neither it nor these digests is ever published, and the source conversation
beside them in content/ holds the text anyway.)

Why a static check of patterns and not a timeout: Python's ``re`` has no timeout,
and a timeout would make whether a share succeeds depend on the machine's speed.
A pattern with a quantifier over something that itself repeats or branches
(``(a+)+``, ``(a|a)*``), the shapes that backtrack exponentially, is refused with a
reason; the rest run in polynomial time.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, fields, replace
from re import _parser as sre_parse  # type: ignore[attr-defined]

from amber.content.json_escapes import Decoded, html_entities
from amber.content.model import Message, Part, RedactionRecord
from amber.content.sensitive import PART_FIELDS_NOT_SCANNED, finding_spans, phone_regions
from amber.errors import RefusedError

MARKER = "[redacted]"
"""What replaces a literal or pattern match."""
MARKER_RE = re.compile(r"\[redacted(?: [A-Za-z][A-Za-z .-]{0,40})?\]")
"""Any marker amber writes, for showing it on a page as redacted text."""

SENSITIVE_MARKERS = {
    "AWS access key": "AWS key",
    "AWS secret access key": "AWS secret key",
    "email address": "email",
}
"""Short names in typed markers; other kinds are named as the detector names them."""

MAX_PATTERN_LENGTH = 500
MAX_PASSES = 8
"""Replacing can join text into a new match (JSON escapes): rules run again until none."""

NOT_REDACTED = PART_FIELDS_NOT_SCANNED
"""Part fields that publish no free text: the ones the detector skips too."""


PART_FIELD_NAMES = tuple(f.name for f in fields(Part))


class RuleError(ValueError):
    """A rule amber refuses; the text says why."""


@dataclass(frozen=True)
class RedactionRules:
    """What to redact in one share."""

    literals: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    sensitive: bool = False
    language: str = "en"
    """The site's language: the region national phone numbers are read in."""

    def __bool__(self) -> bool:
        return bool(self.literals or self.patterns or self.sensitive)


def check_literal(text: str) -> str:
    if not text.strip():
        raise RuleError("--redact: the text must not be empty or only spaces")
    return text


def check_pattern(pattern: str) -> re.Pattern[str]:
    """The compiled pattern, or RuleError when it is invalid, matches nothing-long text
    (it would put a marker between every two characters) or could backtrack badly."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(f"--redact-pattern: longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re.compile(pattern)
        tree = sre_parse.parse(pattern)
    except (re.error, OverflowError, RecursionError) as exc:
        raise RuleError(f"--redact-pattern {pattern!r}: not a valid regular expression "
                        f"({exc})") from None
    if _risky(tree, inside_repeat=False):
        raise RuleError(f"--redact-pattern {pattern!r}: can take exponential time (a "
                        "repeated group that itself repeats or has alternatives, like (a+)+ "
                        "or (ab|a)*, or a back-reference); write it without nesting, e.g. "
                        "[ab]+")
    if compiled.fullmatch("") is not None:
        raise RuleError(f"--redact-pattern {pattern!r}: matches empty text")
    return compiled


_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}


def _risky(items: object, *, inside_repeat: bool) -> bool:
    """A repeat (or alternation) under an unbounded-enough repeat, anywhere in the tree."""
    for op, arg in items:  # type: ignore[attr-defined]
        if op in _REPEATS:
            _low, high, body = arg
            repeats = high > 1
            if inside_repeat and repeats:
                return True
            if _risky(body, inside_repeat=inside_repeat or repeats):
                return True
        elif op is sre_parse.BRANCH:
            if inside_repeat:
                return True
            if any(_risky(branch, inside_repeat=False) for branch in arg[1]):
                return True
        elif op is sre_parse.SUBPATTERN:
            if _risky(arg[-1], inside_repeat=inside_repeat):
                return True
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
            if _risky(arg[1], inside_repeat=inside_repeat):
                return True
        elif op is sre_parse.GROUPREF:
            return True  # backreferences make matching NP-hard in general
    return False


def literal_digest(key: str, literal: str) -> str:
    return "hmac-sha256:" + hmac.new(bytes.fromhex(key), literal.encode(),
                                     hashlib.sha256).hexdigest()


def new_key() -> str:
    return secrets.token_hex(16)


def record_of(rules: RedactionRules, count: int, key: str) -> RedactionRecord:
    return RedactionRecord(
        count=count, key=key,
        literals=tuple(sorted({literal_digest(key, t) for t in rules.literals})),
        patterns=rules.patterns, sensitive=rules.sensitive,
    )


def missing_literals(record: RedactionRecord, literals: tuple[str, ...]) -> int:
    """How many of the share's literal texts are not among ``literals``."""
    given = {literal_digest(record.key, t) for t in literals}
    return sum(1 for digest in record.literals if digest not in given)


class Redactor:
    """Applies one set of rules, counting the markers it leaves."""

    def __init__(self, rules: RedactionRules) -> None:
        self.literals = tuple(sorted(set(rules.literals), key=lambda t: (-len(t), t)))
        self.patterns = tuple(check_pattern(p) for p in rules.patterns)
        self.regions = phone_regions(rules.language) if rules.sensitive else None
        self.count = 0
        """Markers left so far."""

    def text(self, text: str) -> str:
        for _ in range(MAX_PASSES):
            spans = self._spans(text)
            if not spans:
                return text
            pieces = []
            at = 0
            for start, end, marker in spans:
                pieces += [text[at:start], marker]
                at = end
            pieces.append(text[at:])
            text = "".join(pieces)
            self.count += len(spans)
        if self._spans(text):  # never publish what a rule still matches
            raise RefusedError(f"the redaction rules still match after {MAX_PASSES} passes over "
                            "one text; simplify them")
        return text

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, marker) to replace, in order."""
        found: list[tuple[int, int, str]] = []
        views: list[tuple[str, Decoded | None]] = [(text, None)]
        if "\\" in text:
            decoded = Decoded(text)
            if decoded.changed:
                views.append((decoded.text, decoded))
        if "&" in text:
            entities = html_entities(text)
            if entities.changed:
                views.append((entities.text, entities))
        for view, decoded in views:
            raw: list[tuple[int, int]] = []
            for literal in self.literals:
                at = view.find(literal)
                while at != -1:
                    raw.append((at, at + len(literal)))
                    at = view.find(literal, at + len(literal))
            for pattern in self.patterns:
                raw += [m.span() for m in pattern.finditer(view) if m.end() > m.start()]
            if decoded is not None:
                raw = [(decoded.raw_offset(a), decoded.raw_offset(b)) for a, b in raw]
            found += [(a, b, MARKER) for a, b in raw]
        if self.regions is not None:
            found += [(a, b, f"[redacted {SENSITIVE_MARKERS.get(kind, kind)}]")
                      for a, b, kind in finding_spans(text, regions=self.regions)]
        markers = [m.span() for m in MARKER_RE.finditer(text)]
        if markers:  # a marker is never redacted again ("red" inside "[redacted]")
            starts = [start for start, _ in markers]
            found = [span for span in found if not _overlaps(span, starts, markers)]
        return _merge(found)

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def part(self, part: Part) -> Part:
        changes = {}
        for name in PART_FIELD_NAMES:
            value = getattr(part, name)
            if name not in NOT_REDACTED and isinstance(value, str):
                changes[name] = self.text(value)
        return replace(part, **changes)

    def message(self, message: Message) -> Message:
        if isinstance(message.content, str):
            content: str | tuple[Part, ...] = self.text(message.content)
        else:
            content = tuple(self.part(p) for p in message.content)
        # Alternatives are published by a share of every branch: redacted alike.
        alternatives = tuple(tuple(self.message(m) for m in branch)
                             for branch in message.alternatives)
        return replace(message, content=content, model=self.optional(message.model),
                       alternatives=alternatives)


def _overlaps(span: tuple[int, int, str], starts: list[int],
              markers: list[tuple[int, int]]) -> bool:
    """Whether ``span`` overlaps one of ``markers`` (sorted, apart; ``starts`` their starts)."""
    index = bisect.bisect_left(starts, span[1]) - 1  # the last marker starting before its end
    return index >= 0 and markers[index][1] > span[0]


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans joined; a joined span is typed only when all its parts agree."""
    out: list[tuple[int, int, str]] = []
    for start, end, marker in sorted(spans):
        if out and start < out[-1][1]:
            last_start, last_end, last_marker = out[-1]
            out[-1] = (last_start, max(end, last_end),
                       last_marker if last_marker == marker else MARKER)
        else:
            out.append((start, end, marker))
    return out


@dataclass(frozen=True)
class Redacted:
    """A conversation's published fields after redaction."""

    title: str
    model: str | None
    messages: tuple[Message, ...]
    count: int


def redact(title: str, model: str | None, messages: tuple[Message, ...],
           rules: RedactionRules, *, source_title: str | None = None) -> Redacted:
    """The fields with the rules applied, and how many markers they hold.

    A title kept from an earlier freeze (``amber update``) already holds its markers;
    they are counted against ``source_title``, the conversation's own title, so the
    count stays the same when nothing else changed."""
    redactor = Redactor(rules)
    out_messages = tuple(redactor.message(m) for m in messages)
    out_model = redactor.optional(model)
    in_messages = redactor.count
    out_title = redactor.text(title)
    title_markers = len(MARKER_RE.findall(out_title)) - len(
        MARKER_RE.findall(source_title if source_title is not None else title))
    return Redacted(out_title, out_model, out_messages, in_messages + max(0, title_markers))
