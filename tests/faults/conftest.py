"""Helpers for the fault tests: a site of moderate size, tree digests, leftovers, crash runs.

The site is the shipped example site (``content/`` of this repository: its conversations
and images) with every conversation shared several times, so that a build renders tens
of pages and takes long enough for kills to land inside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from amber.content.load import SitePaths, load_content
from amber.content.sensitive import scan_messages
from amber.content.shares import create_shares

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "content"
CRASHRUN = Path(__file__).with_name("crashrun.py")
EPOCH = 1767225600
"""2026-01-01T00:00:00Z: SOURCE_DATE_EPOCH of every share and build in these tests."""
PYCACHE_PREFIX = str(Path(tempfile.gettempdir()) / f"amber-faults-pycache-{os.getuid()}")

_TEMP_FILE = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


@contextlib.contextmanager
def source_date(epoch: int) -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def make_site(root: Path, copies: int) -> list[str]:
    """The example site at ``root`` with each conversation shared ``copies`` times (no
    output yet); the share IDs, newest first. Shares of conversations with sensitive
    findings are made as ``--allow-sensitive`` would, so that ``check`` passes."""
    (root / "content").mkdir(parents=True)
    shutil.copy2(EXAMPLE / "site.yaml", root / "content" / "site.yaml")
    for name in ("conversations", "assets"):
        if (EXAMPLE / name).is_dir():
            shutil.copytree(EXAMPLE / name, root / "content" / name)
    (root / "content" / "shares").mkdir()
    content = load_content(SitePaths(root))
    config = content.require_valid()
    convs = sorted(content.conversations.values(), key=lambda c: c.slug)
    sensitive = {c.slug for c in convs
                 if scan_messages(c.title, c.messages, language=config.language)}
    ids: list[str] = []
    for copy in range(copies):
        with source_date(EPOCH + copy * 100):
            snaps = create_shares(content, convs, title=None, author=None,
                                  listed=copy % 2 == 0, allow_sensitive=sensitive)
        ids.extend(s.id for s in snaps)
        content = load_content(SitePaths(root))
    return ids[::-1]


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an amber child process: as CI runs it, with pinned time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AMBER", "PYTEST"))}
    env.update({"CI": "true", "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONIOENCODING": "utf-8",
                "LC_ALL": "C.UTF-8", "PYTHONPYCACHEPREFIX": PYCACHE_PREFIX})
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def amber(*args: str | os.PathLike[str], cwd: Path, env: Mapping[str, str] | None = None,
          timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "amber", *map(str, args)], cwd=cwd,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          encoding="utf-8", env=child_env(env), timeout=timeout, check=False)


def tree_digest(root: Path) -> str | None:
    """One digest of every file and folder under ``root`` (None if it does not exist)."""
    if not root.exists():
        return None
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest.update(f"L {rel} {os.readlink(path)}\n".encode())
        elif path.is_dir():
            digest.update(f"D {rel}\n".encode())
        else:
            digest.update(f"F {rel} {hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
    return digest.hexdigest()


def leftovers(root: Path) -> list[str]:
    """Debris of an interrupted write: build staging or swap folders beside output/,
    temporary files of atomic writes, import staging folders."""
    found = []
    for folder in (root, root / "content", root / "content" / "shares",
                   root / "content" / "conversations", root / "content" / "assets"):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            name = entry.name
            if (re.match(r"^\.output\.(new|old)\.", name) or _TEMP_FILE.match(name)
                    or name.startswith(".amber-import-")):
                found.append(entry.relative_to(root).as_posix())
    return sorted(found)


def visible_entries(root: Path) -> list[str]:
    """What a person sees in the site folder (``ls``): no hidden files."""
    return sorted(p.name for p in root.iterdir() if not p.name.startswith("."))


def crash_runs(template: Path, work: Path, argv: list[str], mode: str,
               points: list[float] | None = None,
               overlay: Path | None = None) -> list[dict[str, object]]:
    """Run ``crashrun.py``: one result per kill point (or the mutation log for ``count``).

    ``overlay``: build each copy first, then bring its content to the overlay's.
    """
    work.parent.mkdir(parents=True, exist_ok=True)
    spec = work.with_suffix(".json")
    spec.write_text(json.dumps({"template": str(template), "work": str(work), "argv": argv,
                                "mode": mode, "points": points or [],
                                "overlay": str(overlay) if overlay else None}), "utf-8")
    result = subprocess.run([sys.executable, str(CRASHRUN), str(spec)],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            env=child_env(), timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
