"""amber.review.site_files: which changed files shape the published site, and how the
summary shows them (file names come from the change, so they are hostile too)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from amber.review.git import resolve
from amber.review.site_files import changed_files, classify
from amber.review.summary import Review, render_markdown
from tests.helpers.git import git


@pytest.mark.parametrize(("path", "prefix", "kind", "alters"), [
    ("themes/default/templates/base.html", "", "theme template", True),
    ("themes/mine/static/amber.js", "", "theme script", True),
    ("themes/mine/static/amber.css", "", "theme stylesheet", True),
    ("themes/mine/static/logo.svg", "", "theme static file", True),
    ("themes/mine/README", "", "theme file", True),
    ("content/site.yaml", "", "site settings", True),
    ("content/assets/ab12.png", "", "image or attachment", True),
    ("content/notes.txt", "", "file in content/", True),
    (".github/workflows/pages.yml", "", "GitHub Actions workflow", True),
    (".github/actions/setup/action.yml", "", "GitHub Actions workflow", True),
    ("content/shares/.gitattributes", "", "git checkout settings", True),
    (".gitattributes", "site/", "git checkout settings", True),
    ("pyproject.toml", "", "Python packaging", True),
    ("requirements-ci.txt", "", "Python packaging", True),
    ("site/requirements.txt", "site/", "Python packaging", True),
    ("site/themes/default/templates/404.html", "site/", "theme template", True),
    ("themes/default/templates/404.html", "site/", "not read", False),
    ("README.md", "", "not read", False),
    ("docs/index.md", "", "not read", False),
    ("docs/pyproject.toml", "", "not read", False),
])
def test_files_are_sorted_by_what_they_do_to_the_site(
    path: str, prefix: str, kind: str, alters: bool,
) -> None:
    result = classify(path, prefix)
    assert result is not None
    assert result[0].startswith(kind) and result[1] is alters


@pytest.mark.parametrize("path", [
    "content/shares/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed.yaml",
    "content/conversations/alpha.yaml", "content/revoked.yaml",
])
def test_share_data_is_left_to_the_share_tables(path: str) -> None:
    assert classify(path, "") is None


def test_hostile_file_names_stay_inert_and_in_their_cell(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: T\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", "base")
    static = root / "themes" / "default" / "static"
    static.mkdir(parents=True)
    hostile = "a|b`c![x](https:\\evil.example\\p.png)<img src=x>.js"
    (static / hostile).write_bytes(b"\0binary")
    (root / f"notes {hostile}.md").write_text("x\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", "hostile names")
    base, head = resolve(root, "main~1"), resolve(root, "main")
    files = changed_files(root, base, head)
    assert [(f.path, f.status, f.alters_site, f.lines) for f in files] == [
        (f"themes/default/static/{hostile}", "added", True, None),
        (f"notes {hostile}.md", "added", False, (1, 0)),
    ]
    text = render_markdown(Review(base, head, files=files))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<img" not in html and not re.search(r"<a\s", html)
    [row] = [line for line in text.splitlines() if line.startswith("| ") and "binary" in line]
    assert len(re.split(r"(?<!\\)\|", row)) == 6  # four cells: the name's '|' is escaped
    table = html.split("<table>")[1]
    assert table.count("<td>") == 4
