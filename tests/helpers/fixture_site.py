"""The e2e fixture site (``tests/fixtures/site``): what it holds, and sharing and building
it with the real CLI.

``make_built_site`` adds two conversations (one of hostile input, one with an image) and
shares five: the ``built_site`` fixture builds it once per session.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import EPOCH, FIXTURES
from tests.helpers.cli import ok, run_amber

FIXTURE_SITE = FIXTURES / "site"

BASE_URL = "https://example.test/chats/"
BASE_PATH = "/chats/"
AUTHOR = "Fixture Author"

UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
SHARE_URL_RE = re.compile(rf"^{re.escape(BASE_URL)}share/({UUID4})/(?:#[A-Za-z0-9_-]{{43}})?$")
ANY_SHARE_URL_RE = re.compile(
    rf"^https?://[^/]+/(?:[^\s]*/)?share/({UUID4})/(?:#[A-Za-z0-9_-]{{43}})?$")

# The fixture's conversations: slug -> (title, unique marker phrase).
CONVERSATIONS = {
    "alpha": ("Alpha sorting notes", "PHRASE-ALPHA-7731"),
    "bravo": ("Bravo bread baking", "PHRASE-BRAVO-4242"),
    "charlie": ("Charlie chart reading", "PHRASE-CHARLIE-9090"),
}


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
    """``amber build ARGS`` (must succeed); the output folder."""
    ok(run_amber("build", *args, cwd=site, env=env))
    return site / "output"


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




def make_built_site(root: Path) -> BuiltSite:
    """The fixture site at ``root`` with five shares, built.

    alpha (with the site author's name), bravo (with another name) and hostile are listed,
    frozen in that order; charlie and delta are unlisted and frozen last, so they would
    top the index if unlisted shares leaked there.
    """
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
