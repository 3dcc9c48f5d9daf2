"""Shared helpers for the end-to-end tests: run the real CLI in a copy of a fixture site.

Fixtures:

- ``site``: a fresh copy of ``tests/fixtures/site`` (no shares) under ``tmp_path``;
- ``built_site``: one session-wide site with five shares, built once; read it only;
- ``built_copy``: a private copy of ``built_site`` (content and output/) to change freely.

The CLI always runs as a separate process (``python -m amber``) with stdin from
/dev/null, output captured (so no terminal anywhere) and ``CI=true``, exactly as a
script or a CI job would run it. Subprocess start-up dominates the run time, so tests
reuse ``built_site``/``built_copy`` instead of sharing and building again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_SITE = REPO / "tests" / "fixtures" / "site"

BASE_URL = "https://example.test/chats/"
BASE_PATH = "/chats/"
AUTHOR = "Fixture Author"

EPOCH = 1767225600
"""2026-01-01T00:00:00Z: the default SOURCE_DATE_EPOCH of every CLI run."""

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
SHARE_URL_RE = re.compile(rf"^{re.escape(BASE_URL)}share/({UUID4})/$")
ANY_SHARE_URL_RE = re.compile(rf"^https?://[^/]+/(?:[^\s]*/)?share/({UUID4})/$")

# The fixture's conversations: slug -> (title, unique marker phrase).
CONVERSATIONS = {
    "alpha": ("Alpha sorting notes", "PHRASE-ALPHA-7731"),
    "bravo": ("Bravo bread baking", "PHRASE-BRAVO-4242"),
    "charlie": ("Charlie chart reading", "PHRASE-CHARLIE-9090"),
}

PYCACHE_PREFIX = str(Path(tempfile.gettempdir()) / f"amber-e2e-pycache-{os.getuid()}")

SUMMARY_RE = re.compile(r"^amber: \d+ problems? found$")


def iso(epoch: int) -> str:
    """The ISO 8601 UTC form amber writes for a SOURCE_DATE_EPOCH."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_amber(
    *args: str | os.PathLike[str],
    cwd: Path,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m amber ARGS`` in ``cwd`` as a script would: no TTY, CI=true.

    ``env`` entries override the inherited environment; a value of None removes the
    variable. SOURCE_DATE_EPOCH defaults to ``EPOCH`` so frozen times are predictable.
    """
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))}
    full_env.update({
        "CI": "true",
        "SOURCE_DATE_EPOCH": str(EPOCH),
        "PYTHONIOENCODING": "utf-8",
        "LC_ALL": "C.UTF-8",
        "COLUMNS": "100",
    })
    full_env.pop("TERM", None)
    # Cache bytecode outside the repository: each CLI run then skips recompiling the
    # package (PYTHONDONTWRITEBYTECODE would make every one of them compile it again).
    full_env.pop("PYTHONDONTWRITEBYTECODE", None)
    full_env["PYTHONPYCACHEPREFIX"] = PYCACHE_PREFIX
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    return subprocess.run(
        [sys.executable, "-m", "amber", *map(str, args)],
        cwd=cwd,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        timeout=60,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """Assert a CLI run succeeded, showing its output when it did not."""
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    return result


def share(site: Path, *args: str, epoch: int = EPOCH, url_re: re.Pattern[str] = SHARE_URL_RE,
          ) -> list[str]:
    """``amber share ARGS`` (must succeed); the new share IDs, in the order printed."""
    result = ok(run_amber("share", *args, cwd=site, env={"SOURCE_DATE_EPOCH": str(epoch)}))
    ids = []
    for line in result.stdout.splitlines():
        match = url_re.match(line)
        assert match, f"share printed a line that is not a share URL: {line!r}"
        ids.append(match.group(1))
    return ids


def build(site: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Path:
    ok(run_amber("build", *args, cwd=site, env=env))
    return site / "output"


def problem_lines(stderr: str) -> list[str]:
    """stderr without the closing ``amber: N problems found`` summary line."""
    return [line for line in stderr.splitlines() if line.strip() and not SUMMARY_RE.match(line)]


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, no traceback; the last line of stderr says why, naming every needle."""
    assert result.returncode == 1, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert lines, "a refusal must say why"
    for needle in needles:
        assert needle in lines[-1], f"{needle!r} not in {lines[-1]!r}"
    return lines[-1]


def assert_user_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 1, no traceback, exactly one line about the problem, naming every needle."""
    assert result.returncode == 1, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative POSIX path -> bytes), hidden files included."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def text_files(output: Path) -> dict[str, str]:
    return {rel: data.decode("utf-8", errors="replace") for rel, data in tree_bytes(output).items()}


def stray_build_dirs(site: Path) -> list[str]:
    """Leftover staging or swap directories of an interrupted or failed build."""
    return sorted(p.name for p in site.iterdir() if re.match(r"^\.output\.(new|old)\.", p.name))


class Tags(HTMLParser):
    """Every start tag of an HTML document with its attributes, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


HOSTILE_YAML = """\
title: "Hostile <script>alert('title')</script> input"
messages:
  - role: user
    content: |
      PHRASE-HOSTILE-5150 raw HTML: <script>alert(1)</script> and <img src=x onerror=alert(1)>

      <a href="javascript:alert(1)" onclick="alert(1)">raw link</a>

      [x](javascript:alert(1)) and [y](data:text/html;base64,PHNjcmlwdD4=)
      [z](JaVaScRiPt:alert(1)) [w](java&#x09;script:alert(1)) <javascript:alert(1)>
      ![img](javascript:alert(1)) ![img2](data:image/svg+xml;base64,PHN2Zz4=)

      ```"><script>alert(1)</script>
      print("hi")
      ```
  - role: assistant
    content:
      - type: code
        language: '"><script>alert(2)</script>'
        title: '<script>alert(3)</script>'
        code: x = 1
      - type: image
        name: '<img src=x onerror=alert(4)>'
      - type: reasoning
        title: '<b onclick=alert(5)>r</b>'
        text: '<svg onload=alert(6)>'
      - type: tool_call
        name: '<script>alert(7)</script>'
        arguments: '{"a": "<script>alert(8)</script>"}'
      - type: text
        text: 'A safe link: [docs](https://docs.example.org/page)'
"""
"""A conversation made of hostile input (written into the built site, not the fixture)."""


DELTA_IMAGE = b"\x89PNG\r\n\x1a\n fixture image bytes"
DELTA_IMAGE_NAME = f"{hashlib.sha256(DELTA_IMAGE).hexdigest()}.png"
DELTA_YAML = f"""\
title: Delta with a picture
messages:
  - role: user
    content:
      - type: text
        text: Look at this PHRASE-DELTA-6060
      - type: image
        src: assets/{DELTA_IMAGE_NAME}
        alt: a fixture image
  - role: assistant
    content: A picture of nothing much.
"""
"""A conversation with an image in content/assets/ that only its share uses."""

ALL_CONVERSATIONS = {
    **CONVERSATIONS,
    "delta": ("Delta with a picture", "PHRASE-DELTA-6060"),
    "hostile": ("Hostile <script>alert('title')</script> input", "PHRASE-HOSTILE-5150"),
}


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    ids: dict[str, str]
    """slug -> share ID."""
    listed_newest_first: tuple[str, ...]
    """Slugs of the listed shares, newest first."""
    unlisted: tuple[str, ...]

    @property
    def output(self) -> Path:
        return self.root / "output"

    def snapshot(self, slug: str) -> Path:
        return self.root / "content" / "shares" / f"{self.ids[slug]}.yaml"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """A site with five shares, built once. Tests using it must only read it; tests that
    change it use ``built_copy``.

    alpha (with the site author's name), bravo (with another name) and hostile are listed,
    frozen in that order; charlie and delta are unlisted and frozen last, so they would
    top the index if unlisted shares leaked there.
    """
    root = tmp_path_factory.mktemp("built") / "site"
    shutil.copytree(FIXTURE_SITE, root)
    conversations = root / "content" / "conversations"
    (conversations / "hostile.yaml").write_text(HOSTILE_YAML, "utf-8")
    (conversations / "delta.yaml").write_text(DELTA_YAML, "utf-8")
    (root / "content" / "assets").mkdir(exist_ok=True)
    (root / "content" / "assets" / DELTA_IMAGE_NAME).write_bytes(DELTA_IMAGE)
    ids = {}
    [ids["alpha"]] = share(root, "alpha", "--listed", "--name", epoch=EPOCH + 100)
    [ids["bravo"]] = share(root, "bravo", "--listed", "--name", "Bravo Person",
                           epoch=EPOCH + 200)
    [ids["hostile"]] = share(root, "hostile", "--listed", epoch=EPOCH + 300)
    ids["charlie"], ids["delta"] = share(root, "charlie", "delta", epoch=EPOCH + 400)
    build(root)
    return BuiltSite(root, ids, ("hostile", "bravo", "alpha"), ("charlie", "delta"))


@pytest.fixture
def built_copy(built_site: BuiltSite, tmp_path: Path) -> BuiltSite:
    """A private copy of ``built_site`` (content and output/) that a test may change."""
    root = tmp_path / "built-site"
    shutil.copytree(built_site.root, root, symlinks=True)
    return BuiltSite(root, dict(built_site.ids), built_site.listed_newest_first,
                     built_site.unlisted)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A fresh copy of the fixture site, with no shares; the CLI runs in it."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, target)
    return target


@pytest.fixture
def shared_site(site: Path) -> tuple[Path, list[str]]:
    """Nine shares (three of each fixture conversation), enough to use the process pool."""
    ids: list[str] = []
    for epoch in (1767225600, 1767312000, 1767398400):
        ids += share(site, "alpha", "bravo", "--listed", "--yes", epoch=epoch)
        ids += share(site, "charlie", "--yes", epoch=epoch)
    return site, ids
