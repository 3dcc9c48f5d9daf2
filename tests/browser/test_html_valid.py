"""Every page amber builds is valid HTML: the Nu Html Checker reports zero errors.

It checks the theme fixture site (every content kind, hostile Markdown included),
the site with an empty index, and the example site shipped in ``content/``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.helpers import REPO
from tests.helpers.browser import VNU_JAR, Site, require_vnu
from tests.helpers.cli import ok, run_amber


def vnu_errors(files: list[Path]) -> list[str]:
    """Errors (not warnings) vnu.jar finds in the files, one line each."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
    )
    report = json.loads(result.stderr or result.stdout or '{"messages": []}')
    return [
        f"{m.get('url', '?').rsplit('/output/', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in report["messages"] if m.get("type") in ("error", "non-document-error")
    ]


def test_the_checker_reports_errors(tmp_path: Path) -> None:
    require_vnu()
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><title>x</title><pre aria-label=x>y</pre>"
                   "<p><div></div></p>", encoding="utf-8")
    assert len(vnu_errors([bad])) >= 2


def test_built_pages_are_valid_html(theme_site: Site, empty_site: Site, tmp_path: Path) -> None:
    require_vnu()
    example = tmp_path / "example"
    shutil.copytree(REPO / "content", example / "content")
    ok(run_amber("build", cwd=example))
    pages = [p for site in (theme_site.output, empty_site.output, example / "output")
             for p in sorted(site.rglob("*.html"))]
    assert len(pages) >= 15
    assert vnu_errors(pages) == []
