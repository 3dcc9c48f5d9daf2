"""Find likely secrets and personal data in text that is about to be published.

A share is public the moment it is deployed, and git keeps it for ever. So
``share`` and ``update`` refuse text that looks like a credential or a way to
reach a person, ``check`` and ``review`` report the same findings, and
``--allow-sensitive`` is the recorded, reviewable way to say "I know".

Why these detectors and not a home-grown list: provider key formats change
and multiply, and detect-secrets (maintained, used in pre-commit hooks across
the industry) keeps one regex-based plugin per provider. amber runs those
plugins directly on the text, plus a few patterns detect-secrets lacks (newer
OpenAI/Anthropic/Google/Hugging Face keys, bearer tokens, credentials in URL
query strings, email addresses) and Google's libphonenumber port for phone
numbers, which knows every country's numbering plan (``amber.content.phones``).

What is deliberately left out: detect-secrets' entropy and keyword plugins.
Conversations about code are full of git object IDs, UUIDs, digests and
base64 test data; an entropy detector flags all of them, and a refusal that
is usually wrong teaches people to pass --allow-sensitive without reading.
Provider keys are recognised by their documented shapes instead. Values that
are plainly placeholders (``<token>``, ``${TOKEN}``, ``AKIA…EXAMPLE``,
``user:password@``) and email addresses at reserved example domains are not
reported: they cannot be anyone's secret or address.

Findings never carry the matched text into messages: the review summary of a
pull request may be public.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

from amber.content.json_escapes import Decoded
from amber.content.locate import FileLines
from amber.content.model import Message, Part
from amber.content.phones import find_phones

# --- what a finding is --------------------------------------------------------


@dataclass(frozen=True, order=True)
class Finding:
    """One likely secret or piece of personal data, located but never quoted."""

    message: int
    """1-based message number; 0 for the title."""
    part: int
    """1-based part number within the message; 0 when the content is one string."""
    line: int
    """1-based line within that text."""
    kind: str
    """What it looks like: "AWS access key", "email address", ..."""
    part_type: str = ""
    """The part's type (``code``, ``tool_call`` ...) when the message has parts."""
    fingerprint: str = ""
    """A short digest of kind and value: tells the same finding again without keeping it."""
    field: str = ""
    """The key that holds the text (``title``, ``author``, ``model``, ``code``...)."""
    in_file: bool = False
    """Whether ``line`` is a line of the file the text was read from (else of the text)."""

    @property
    def where(self) -> str:
        if self.message == 0:
            place = FIELD_NAMES.get(self.field, self.field or "title")
        else:
            place = f"message {self.message}"
            details = [f"part {self.part}", self.part_type] if self.part else []
            if self.field in FIELD_NAMES:
                details.append(FIELD_NAMES[self.field])
            if details:
                place += f" ({', '.join(details)})"
        if self.in_file:
            return f"{place}, line {self.line}"
        if self.message == 0 and self.line == 1:
            return place
        return f"{place}, line {self.line} of the text"

    def __str__(self) -> str:
        return f"{self.where}: looks like {_article(self.kind)} {self.kind}"


FIELD_NAMES = {"author": "author name", "model": "model name", "id": "tool call id",
               "language": "language", "arguments": "arguments", "name": "name", "alt": "alt text",
               "title": "title"}
"""How a finding names the field it is in, beyond a message's main text."""


def _article(kind: str) -> str:
    return "an" if kind[:1].lower() in "aeiou" else "a"


# --- detectors ----------------------------------------------------------------

DETECT_SECRETS_PLUGINS: dict[str, str] = {
    # detect-secrets plugin class -> the name amber shows.
    "aws.AWSKeyDetector": "AWS access key",
    "azure_storage_key.AzureStorageKeyDetector": "Azure storage account key",
    "basic_auth.BasicAuthDetector": "password in a URL",
    "discord.DiscordBotTokenDetector": "Discord bot token",
    "github_token.GitHubTokenDetector": "GitHub token",
    "gitlab_token.GitLabTokenDetector": "GitLab token",
    "jwt.JwtTokenDetector": "JSON Web Token",
    "mailchimp.MailchimpDetector": "Mailchimp API key",
    "npm.NpmDetector": "npm token",
    "openai.OpenAIDetector": "OpenAI API key",
    "private_key.PrivateKeyDetector": "private key",
    "pypi_token.PypiTokenDetector": "PyPI token",
    "sendgrid.SendGridDetector": "SendGrid API key",
    "slack.SlackDetector": "Slack token or webhook",
    "square_oauth.SquareOAuthDetector": "Square OAuth secret",
    "stripe.StripeDetector": "Stripe secret key",
    "telegram_token.TelegramBotTokenDetector": "Telegram bot token",
    "twilio.TwilioKeyDetector": "Twilio API key",
}
"""The provider and structure plugins of detect-secrets that amber runs (not entropy, keyword
or public-IP: see the module docstring)."""

_TOKEN = r"[A-Za-z0-9_\-]"
TARGETED_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Key formats newer than detect-secrets' plugins, from the providers' documentation.
    # Each starts with a literal, which lets the regex engine skip ahead quickly; that the
    # literal starts a token is checked in code (a leading \b would forgo the skipping).
    ("OpenAI API key", re.compile(rf"sk-(?:proj|svcacct|admin|None)-{_TOKEN}{{32,}}")),
    ("Anthropic API key", re.compile(rf"sk-ant-(?:api|admin|oat|sid)\d\d-{_TOKEN}{{32,}}")),
    ("Google API key", re.compile(rf"AIza{_TOKEN}{{35}}(?!{_TOKEN})")),
    ("Google OAuth client secret", re.compile(rf"GOCSPX-{_TOKEN}{{28}}(?!{_TOKEN})")),
    ("Hugging Face token", re.compile(r"hf_[A-Za-z0-9]{34,}\b")),
    ("GitHub token", re.compile(r"github_pat_[A-Za-z0-9_]{60,}\b")),
    ("DigitalOcean token", re.compile(r"do[por]_v1_[a-f0-9]{64}\b")),
)
"""(kind, pattern) of key formats: the whole match is the value."""

BEARER = re.compile(r"bearer[ \t]+([A-Za-z0-9\-._~+/]{20,}=*)", re.IGNORECASE)
URL_CREDENTIAL = re.compile(
    r"[?&#](?i:access_token|api[_-]?key|apikey|auth|client_secret|key|password|passwd|"
    r"private_token|secret|sig|signature|token)=([^&#\s\"'<>()\[\]]{12,})"
)
AWS_SECRET = re.compile(
    r"(?i:aws_?secret_?(?:access_?)?key)[\"']?[ \t]*[=:][ \t]*[\"']?([A-Za-z0-9/+]{40})"
    r"(?![A-Za-z0-9/+=])"
)
"""An AWS secret access key where it is set: ``export AWS_SECRET_ACCESS_KEY=…``, the
credentials file's unquoted ``aws_secret_access_key = …``, YAML and JSON. detect-secrets
finds it only in quotes. OAuth implicit grants put ``#access_token=…`` in a URL's
fragment, hence ``#`` among the URL separators."""
"""Generic shapes: their first group is the value, which must also look random."""

PLUGIN_NEEDS: dict[str, tuple[str, ...] | re.Pattern[str]] = {
    "AWS access key": ("a3t", "abia", "acca", "akia", "asia", "aws"),
    "Azure storage account key": ("accountkey=",),
    "password in a URL": ("://",),
    "Discord bot token": re.compile(r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}"),
    "GitHub token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    "GitLab token": ("glpat-", "gldt-", "glft-", "glsoat-", "glrt-", "gr1348941", "glcbt-",
                     "glimt-", "glptt-", "glagent-", "gloas-"),
    "JSON Web Token": ("eyj",),
    "Mailchimp API key": ("-us",),
    "npm token": ("_authtoken=",),
    "OpenAI API key": ("t3blbkfj",),
    "private key": ("private key", "putty-user-key-file-2"),
    "PyPI token": ("pypi-ag",),
    "SendGrid API key": ("sg.",),
    "Slack token or webhook": ("xox", "hooks.slack.com"),
    "Square OAuth secret": ("sq0csp-",),
    "Stripe secret key": ("k_live_",),
    "Telegram bot token": re.compile(r":[0-9A-Za-z_-]{35}"),
    "Twilio API key": ("ac", "sk"),
}
"""What a plugin's patterns cannot match without, read off those patterns: lowercase
literals (one must be in the lowercased text) or a pattern that starts with a literal.
Checking this first skips most plugins on most texts; many of their patterns start with a
character class or ignore case, which makes the regex engine try them at every offset."""

EMAIL_DOMAIN = re.compile(
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9\-])"
)
"""From the '@' on (a literal start, so the engine jumps from '@' to '@'); the local part is
then read backwards from it (``_local_part``)."""
EMAIL_LOCAL_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
RESERVED_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_EMAIL_TLDS = ("example", "test", "invalid", "localhost", "local", "internal", "lan",
                       "home", "localdomain")
"""RFC 2606 / 6761 names and private-network names (``.internal``, ``.lan``): nobody can be
mailed there from outside, and ``deploy@db.internal`` is an SSH login, not an address."""
SERVICE_LOCAL_PARTS = frozenset({"git", "noreply", "no-reply", "donotreply", "do-not-reply"})
"""``git@github.com:org/repo`` is an SSH remote, and no-reply senders reach no person."""

PLACEHOLDER_WORDS = frozenset({
    "password", "passwd", "pass", "pwd", "pw", "secret", "changeme", "mypassword",
    "yourpassword", "user", "username", "token", "apikey", "api_key", "xxx",
})
"""Credentials in documentation-style examples (``postgres://user:password@db``)."""

_RUNS = re.compile(r"[A-Za-z0-9+/]+")

_NEWLINE = re.compile("\n")
_TOKEN_CHAR = re.compile(r"[A-Za-z0-9_]")


@cache
def _plugins() -> tuple[tuple[str, object], ...]:
    """detect-secrets plugins, imported on first use (importing detect-secrets takes ~0.3 s)."""
    out = []
    for dotted, kind in DETECT_SECRETS_PLUGINS.items():
        module_name, class_name = dotted.rsplit(".", 1)
        module = importlib.import_module(f"detect_secrets.plugins.{module_name}")
        out.append((kind, getattr(module, class_name)()))
    return tuple(out)


def _is_placeholder(value: str) -> bool:
    """A value that is visibly a stand-in, not a secret someone could use.

    Judged on the whole value and on its longest token-like run, since keys carry a
    prefix (``ghp_``, ``sk-proj-``): ``ghp_xxxxxxxx…`` is a stand-in whatever its prefix says.
    """
    longest = max(_RUNS.findall(value), key=len, default="")
    return _is_stand_in(value) or _is_stand_in(longest)


def _is_stand_in(value: str) -> bool:
    from detect_secrets.filters.heuristic import (
        is_not_alphanumeric_string,
        is_prefixed_with_dollar_sign,
        is_sequential_string,
        is_templated_secret,
    )

    stripped = value.strip("\"'`")
    return (
        not stripped
        or is_templated_secret(stripped)
        or is_prefixed_with_dollar_sign(stripped)
        or is_sequential_string(stripped)
        or is_not_alphanumeric_string(stripped)
        or "example" in stripped.lower()
        or stripped.lower() in PLACEHOLDER_WORDS
        or len(set(stripped.lower())) <= 2  # xxxxxxxx, ********, abababab
    )


def _generic_token_ok(value: str) -> bool:
    """Bearer and query-string values must look random: letters and digits both."""
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _may_match(kind: str, text: str, lowered: str) -> bool:
    needs = PLUGIN_NEEDS[kind]
    if isinstance(needs, re.Pattern):
        return needs.search(text) is not None
    return any(literal in lowered for literal in needs)


def _secrets(text: str) -> Iterator[tuple[str, int, str]]:
    """(kind, offset, value) of every likely credential in ``text``."""
    lowered = text.lower()
    reported: list[str] = []
    for kind, plugin in _plugins():
        if not _may_match(kind, text, lowered):
            continue
        for regex in plugin.denylist:  # type: ignore[attr-defined]
            for match in regex.finditer(text):
                # The plugin's own judgement of its match (a JWT must decode, say), and the
                # values it would report, which are what a placeholder test looks at.
                whole = match.group(0)
                values = list(plugin.analyze_string(whole))  # type: ignore[attr-defined]
                if not values or all(_is_placeholder(v) for v in values):
                    continue
                if _is_placeholder(whole):
                    continue
                reported.append(whole)
                yield kind, match.start(), whole
    for kind, pattern in TARGETED_PATTERNS:
        for match in pattern.finditer(text):
            start = match.start()
            if start and _TOKEN_CHAR.match(text, start - 1):
                continue  # inside a longer word: task-sk-proj-…, not a key
            if not _is_placeholder(match.group(0)):
                yield kind, start, match.group(0)
    generic = []
    if "bearer" in lowered:
        generic.append(("bearer token", BEARER))
    if "=" in text:
        generic.append(("credential in a URL", URL_CREDENTIAL))
    if "secret" in lowered and "aws" in lowered:
        generic.append(("AWS secret access key", AWS_SECRET))
    for kind, pattern in generic:
        for match in pattern.finditer(text):
            value = match.group(1)
            if kind == "bearer token" and match.start() and text[match.start() - 1].isalpha():
                continue
            if any(value in whole for whole in reported):
                continue  # a provider plugin reported this one already (a quoted AWS secret)
            if _generic_token_ok(value) and not _is_placeholder(value):
                yield kind, match.start(1), value


def _emails(text: str) -> Iterator[tuple[str, int, str]]:
    if "@" not in text:
        return
    for match in EMAIL_DOMAIN.finditer(text):
        start = _local_part(text, match.start())
        if start is None:
            continue
        local, domain = text[start: match.start()].lower(), match.group(1).lower()
        if local in SERVICE_LOCAL_PARTS:
            continue
        token_start = max(text.rfind(c, 0, start) for c in " \t\n") + 1
        if "://" in text[token_start:start]:
            continue  # the user (and password) part of a URL such as ssh://git@host/, not mail
        if domain in RESERVED_EMAIL_DOMAINS or domain.endswith(
            tuple(f".{d}" for d in RESERVED_EMAIL_DOMAINS)
        ):
            continue
        if domain.rsplit(".", 1)[-1] in RESERVED_EMAIL_TLDS:
            continue
        yield "email address", start, text[start: match.end()]


def _local_part(text: str, at: int) -> int | None:
    """Where the local part before the '@' at ``at`` starts: 1 to 64 address characters
    beginning with a letter or digit; None when there is no such part."""
    start = at
    while start > 0 and text[start - 1] in EMAIL_LOCAL_CHARS:
        start -= 1
        if at - start > 64:
            return None
    if start == at or not text[start].isascii() or not text[start].isalnum():
        return None
    return start


def _phones(text: str, regions: tuple[str | None, ...]) -> Iterator[tuple[str, int, str]]:
    for offset, raw in find_phones(text, regions):
        yield "phone number", offset, raw


def phone_regions(language: str) -> tuple[str | None, ...]:
    """Where national-format numbers are read from: the site's language region, else the US.

    Numbers written in international form (``+44 20 …``) are recognised whatever the region.
    """
    subtags = language.split("-")
    region = next((s.upper() for s in subtags[1:] if len(s) == 2 and s.isalpha()), None)
    return (region or "US",)


def scan_text(
    text: str, *, regions: tuple[str | None, ...] = ("US",)
) -> list[tuple[int, str, str]]:
    """(line, kind, value) of each finding in one text, in reading order, without repeats.

    Text with JSON escapes is read decoded as well (``amber.content.json_escapes``): a
    finding only the decoded text holds is placed at the line of its escaped form.
    """
    found = [(offset, kind, value) for kind, offset, value in _scan(text, regions)]
    if "\\" in text:
        decoded = Decoded(text)
        if decoded.changed:
            seen = {(kind, value) for _, kind, value in found}
            found += [(decoded.raw_offset(offset), kind, value)
                      for kind, offset, value in _scan(decoded.text, regions)
                      if (kind, value) not in seen]
    if not found:
        return []
    # One pass over the line ends, not one count per finding: a text of numbers or addresses
    # can hold hundreds of thousands of findings.
    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    hits = {(bisect.bisect_right(line_starts, offset), kind, value)
            for offset, kind, value in found}
    return sorted(hits)


def finding_spans(
    text: str, *, regions: tuple[str | None, ...] = ("US",)
) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each finding in ``text``, for replacing it (``--redact-sensitive``).

    A finding only the JSON-decoded text holds is given as the span of its escaped form.
    """
    spans = [(offset, offset + len(value), kind) for kind, offset, value in _scan(text, regions)]
    if "\\" in text:
        decoded = Decoded(text)
        if decoded.changed:
            spans += [(decoded.raw_offset(offset), decoded.raw_offset(offset + len(value)), kind)
                      for kind, offset, value in _scan(decoded.text, regions)]
    return sorted(set(spans))


def _scan(text: str, regions: tuple[str | None, ...]) -> list[tuple[str, int, str]]:
    return [*_secrets(text), *_emails(text), *_phones(text, regions)]


def _fingerprint(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\0{value}".encode()).hexdigest()[:16]


PART_FIELDS_NOT_SCANNED = frozenset({"type", "src", "is_error"})
"""A part's fields that publish no free text: ``src`` must be a content address
(``assets/<sha256>.<ext>``), the others are a fixed word and a flag. Every other field
(tool call ``id`` and a code part's ``language`` included) reaches a page or an export."""


PART_FIELD_NAMES = tuple(f.name for f in fields(Part))


@dataclass(frozen=True)
class Published:
    """One text a share publishes, and its place."""

    message: int
    """1-based message number; 0 for the conversation's own fields."""
    part: int
    """1-based part number; 0 for a message's string content or its own fields."""
    part_type: str
    field: str
    """The key that holds the text: ``title``, ``author``, ``model``, ``content``, ``code``..."""
    text: str


def published_texts(title: str, messages: Iterable[Message], *, model: str | None = None,
                    author: str | None = None) -> Iterator[Published]:
    """Every text a share of these messages publishes: title, author name, models, and each
    message's content and part fields."""
    for field_name, value in (("title", title), ("author", author), ("model", model)):
        if value:
            yield Published(0, 0, "", field_name, value)
    for number, message in enumerate(messages, start=1):
        yield from _message_texts(number, message)


def _message_texts(number: int, message: Message) -> Iterator[Published]:
    """A message's texts; those of its alternatives (a share of every branch publishes
    them) are named by the number of the message they are versions of."""
    if message.model:
        yield Published(number, 0, "", "model", message.model)
    if isinstance(message.content, str):
        yield Published(number, 0, "", "content", message.content)
    else:
        for index, part in enumerate(message.content, start=1):
            for field_name in PART_FIELD_NAMES:
                value = getattr(part, field_name)
                if field_name not in PART_FIELDS_NOT_SCANNED and isinstance(value, str) and value:
                    yield Published(number, index, part.type, field_name, value)
    for branch in message.alternatives:
        for other in branch:
            yield from _message_texts(number, other)


def scan_messages(
    title: str, messages: Iterable[Message], *, language: str = "en", model: str | None = None,
    author: str | None = None, path: Path | None = None,
) -> list[Finding]:
    """Every finding in what a share of these would publish (see ``published_texts``).

    With the ``path`` of the conversation or snapshot file they were read from, each
    finding names the line of that file; a text the file does not hold (a ``--title``
    or ``--name`` given on the command line) is named by its field alone.
    """
    regions = phone_regions(language)
    found: list[tuple[Published, int, str, str]] = []
    for item in published_texts(title, messages, model=model, author=author):
        for line, kind, value in scan_text(item.text, regions=regions):
            found.append((item, line, kind, value))
    lines = FileLines(path) if path is not None and found else None
    out: list[Finding] = []
    for item, line, kind, value in found:
        file_line = lines.line_of(item.message, item.part, item.field, item.text, line) if (
            lines is not None) else None
        out.append(Finding(item.message, item.part, file_line or line, kind, item.part_type,
                           _fingerprint(kind, value), item.field, file_line is not None))
    return out


def new_findings(findings: list[Finding], accepted: Iterable[Finding]) -> list[Finding]:
    """Findings whose value was not among ``accepted`` (an earlier, allowed snapshot)."""
    known = {f.fingerprint for f in accepted}
    return [f for f in findings if f.fingerprint not in known]


