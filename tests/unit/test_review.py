"""amber.review.summary: what a change between two commits does to the published shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from amber.content.load import SitePaths, load_content
from amber.content.shares import create_shares, refreeze, revoke
from amber.review.summary import code, md, render_markdown, review
from tests.helpers.git import commit, git

BASE_URL = "https://jane.github.io/chats/"
EMAIL = "ann.smith@proton.me"


def conversation(title: str, *texts: str) -> str:
    lines = [f"title: {title!r}", "messages:"]
    for i, text in enumerate(texts):
        lines += [f"  - role: {'user' if i % 2 == 0 else 'assistant'}",
                  f"    content: {text!r}"]
    return "\n".join(lines) + "\n"


def share(paths: SitePaths, slug: str, **kw: object) -> str:
    content = load_content(paths)
    assert content.problems == []
    [snap] = create_shares(content, [content.conversations[slug]], title=None,
                           author=kw.get("author"), listed=bool(kw.get("listed")),  # type: ignore[arg-type]
                           allow_sensitive=kw.get("allow", ()))  # type: ignore[arg-type]
    return snap.id


@pytest.fixture
def site(tmp_path: Path,
         source_date_epoch: Callable[[int], None]) -> tuple[Path, dict[str, str]]:
    """A repository whose first commit has five shares; returns (root, slug -> share ID)."""
    source_date_epoch(1767268800)
    root = tmp_path / "site"
    paths = SitePaths(root)
    paths.conversations.mkdir(parents=True)
    paths.shares.mkdir()
    paths.site_yaml.write_text(f"title: Chats\nbase_url: {BASE_URL}\n")
    for slug in ("alpha", "bravo", "charlie", "delta", "foxtrot"):
        (paths.conversations / f"{slug}.yaml").write_text(
            conversation(slug.title(), f"question about {slug}", "an answer"))
    (paths.conversations / "echo.yaml").write_text(
        conversation("Echo", f"write to {EMAIL}", "done"))
    ids = {slug: share(paths, slug, listed=slug == "bravo")
           for slug in ("alpha", "bravo", "charlie", "delta", "foxtrot")}
    git(root, "init", "-q", "-b", "main")
    commit(root, "base")
    git(root, "tag", "base")
    return root, ids


def test_a_change_is_sorted_into_added_updated_revoked_changed_and_stale(
    site: tuple[Path, dict[str, str]], source_date_epoch: Callable[[int], None],
) -> None:
    root, ids = site
    paths = SitePaths(root)
    source_date_epoch(1767355200)
    echo = share(paths, "echo", allow={"echo"})
    (paths.conversations / "alpha.yaml").write_text(
        conversation("Alpha", "question about alpha", "an answer", "and a follow-up"))
    refreeze(load_content(paths), ids["alpha"])
    revoke(load_content(paths), [ids["bravo"]])
    charlie = paths.share_file(ids["charlie"])
    charlie.write_text(charlie.read_text().replace("author: null", "author: Ann Example")
                       .replace("listed: false", "listed: true"))
    (paths.conversations / "delta.yaml").write_text(
        conversation("Delta", "question about delta, edited", "an answer"))
    paths.share_file(ids["foxtrot"]).unlink()
    commit(root, "change")

    result = review(root, "base")
    assert result.ok, result.check.problems
    assert [r.id for r in result.added] == [echo]
    assert result.added[0].url == f"{BASE_URL}share/{echo}/"
    assert result.added[0].messages == 2 and result.added[0].size
    [updated] = result.updated
    assert updated.id == ids["alpha"] and updated.changes == ("messages 2 → 3",)
    revoked = {r.id: r for r in result.revoked}
    assert revoked.keys() == {ids["bravo"], ids["foxtrot"]}
    assert revoked[ids["bravo"]].changes == ()
    assert revoked[ids["bravo"]].url == f"{BASE_URL}share/{ids['bravo']}/"
    assert revoked[ids["foxtrot"]].changes == ("deleted without a tombstone",)
    [changed] = result.changed
    assert changed.id == ids["charlie"]
    assert changed.changes[0].startswith("now **listed**")
    assert changed.changes[1] == "shown as anonymous → Ann Example"
    [stale] = result.stale
    assert (stale.conversation, stale.share.id, stale.state) == ("delta", ids["delta"], "stale")
    warnings = "\n".join(result.warnings)
    assert f"`{echo}`" in warnings and "email address" in warnings
    assert "accepted with allow_sensitive" in warnings
    assert f"amber revoke {ids['foxtrot']}" in warnings
    assert EMAIL not in warnings

    text = render_markdown(result)
    assert "### ✅ Check at HEAD passed" in text
    for heading in ("Added (1)", "Updated (re-frozen) (1)", "Revoked (2)",
                    "Visibility, author or title changed (1)", "Stale shares (1)",
                    "⚠️ Warnings (2)"):
        assert f"### {heading}" in text
    assert EMAIL not in text


def test_nothing_changed_says_so(site: tuple[Path, dict[str, str]]) -> None:
    root, _ = site
    (root / "notes.txt").write_text("unrelated\n")
    commit(root, "unrelated")
    result = review(root, "base", "HEAD")
    assert result.unchanged and result.ok
    assert "No change to the published shares." in render_markdown(result)


def test_a_failing_check_at_head_fails_the_review(site: tuple[Path, dict[str, str]]) -> None:
    root, ids = site
    path = SitePaths(root).share_file(ids["alpha"])
    path.write_text(path.read_text().replace("an answer", "a quietly edited answer"))
    commit(root, "hand edit")
    result = review(root, "base")
    assert not result.ok
    [problem] = result.check.problems
    assert problem.path == Path("content/shares") / f"{ids['alpha']}.yaml"
    assert "changed by hand" in problem.message
    text = render_markdown(result)
    assert "### ❌ Check at HEAD failed: 1 problem(s)" in text
    assert f"- `` content/shares/{ids['alpha']}.yaml:12:9: frozen messages were" in text
    # The broken file is a changed share, not a revoked one and not a new one.
    assert result.revoked == [] and result.added == [] and result.warnings == []
    [changed] = result.changed
    assert changed.id == ids["alpha"]
    assert changed.changes == ("frozen messages edited by hand (the check fails)",)


def test_an_unaccepted_secret_in_a_new_share_fails_and_is_warned(
    site: tuple[Path, dict[str, str]],
) -> None:
    root, _ = site
    echo = share(SitePaths(root), "echo")
    commit(root, "share echo")
    result = review(root, "base")
    assert not result.ok
    assert any("email address" in p.message for p in result.check.problems)
    assert any(f"`{echo}`" in w and "not accepted" in w for w in result.warnings)


def test_head_is_the_commit_not_the_work_tree(site: tuple[Path, dict[str, str]]) -> None:
    root, ids = site
    revoke(load_content(SitePaths(root)), [ids["alpha"]])  # not committed
    status = git(root, "status", "--porcelain")
    result = review(root, "base")
    assert result.unchanged
    assert git(root, "status", "--porcelain") == status


def test_titles_cannot_inject_markup_into_the_summary(
    site: tuple[Path, dict[str, str]],
) -> None:
    root, _ = site
    paths = SitePaths(root)
    hostile = "<img src=x onerror=alert(1)> | [click](javascript:alert(2)) **bold** `code`\nrow"
    (paths.conversations / "hostile.yaml").write_text(conversation(hostile, "hello", "hi"))
    share(paths, "hostile")
    commit(root, "hostile")
    text = render_markdown(review(root, "base"))
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<img" not in html
    assert not re.search(r"<a\s", html)  # the javascript: link stays text
    assert "<strong>bold</strong>" not in html
    row = next(line for line in text.splitlines() if "onerror" in line)
    assert row.count(" | ") == 6  # seven cells: the title's own '|' is escaped


def test_code_spans_cannot_be_closed_from_inside() -> None:
    assert code("a `b` c") == "``a `b` c``"
    assert code("``x") == "``` ``x ```"
    assert code("two\nlines") == "`two lines`"


def test_md_escapes_every_markdown_punctuation_mark() -> None:
    assert md("a|b") == "a\\|b"
    assert md("[x](y)") == "\\[x\\]\\(y\\)"
    assert md("line\nbreak") == "line break"
    assert md("x" * 100).endswith("…") and len(md("x" * 100)) == 80
