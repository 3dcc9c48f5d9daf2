"""The leak check sees a share ID however a listed page writes it.

A listed share that quotes an unlisted or revoked ID in upper case, split by markup,
or percent-encoded would otherwise carry it to ``index.html``, ``feed.xml`` and
``search.json``: the build must refuse, naming the output file.
"""

from __future__ import annotations

import pytest

from tests.helpers.cli import ok, problem_lines, run_amber
from tests.helpers.fixture_site import BuiltSite, share
from tests.helpers.trees import stray_build_dirs, tree_bytes


def _upper(share_id: str) -> str:
    return f"see https://example.test/chats/share/{share_id.upper()}/ for the rest"


def _split_by_markup(share_id: str) -> str:
    head, tail = share_id.rsplit("-", 1)
    return f"the link ends in {head}-**{tail}** as you can see"


def _percent_encoded(share_id: str) -> str:
    encoded = share_id.replace("-", "%2D", 1)  # a browser decodes it back to the ID
    return f"open /chats/share/{encoded}/ in a browser"


FORMS = {"upper case": _upper, "split by markup": _split_by_markup,
         "percent-encoded": _percent_encoded}


def _conversation(mention: str) -> str:
    return f"""\
title: Listed notes that quote another link
messages:
  - role: user
    content: What was that other link?
  - role: assistant
    content: |
      {mention}
"""


def _share_quoting(site: BuiltSite, mention: str) -> str:
    (site.root / "content" / "conversations" / "quoting.yaml").write_text(
        _conversation(mention), "utf-8")
    [quoting_id] = share(site.root, "quoting", "--listed")
    return quoting_id


def _assert_build_refused(site: BuiltSite, hidden_id: str, quoting_id: str, why: str) -> None:
    before = tree_bytes(site.output)
    result = run_amber("build", cwd=site.root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = problem_lines(result.stderr)
    page = f"output/share/{quoting_id}/index.html"
    named = [line for line in lines if page in line]
    assert named, f"no problem names {page}:\n{result.stderr}"
    assert all(hidden_id in line and why in line for line in named), named
    assert tree_bytes(site.output) == before, "a refused build changed output/"
    assert stray_build_dirs(site.root) == []


@pytest.mark.parametrize("form", sorted(FORMS))
def test_unlisted_id_quoted_by_a_listed_share_fails_the_build(
    built_copy: BuiltSite, form: str
) -> None:
    hidden = built_copy.ids["charlie"]  # unlisted
    quoting = _share_quoting(built_copy, FORMS[form](hidden))
    _assert_build_refused(built_copy, hidden, quoting, "unlisted")


@pytest.mark.parametrize("form", sorted(FORMS))
def test_revoked_id_quoted_by_a_listed_share_fails_the_build(
    built_copy: BuiltSite, form: str
) -> None:
    hidden = built_copy.ids["bravo"]
    ok(run_amber("revoke", hidden, "--yes", cwd=built_copy.root))
    if form == "upper case":
        # The content check reads IDs in any case, so this one is stopped before a share
        # of it exists; the output check is what catches the other forms.
        (built_copy.root / "content" / "conversations" / "quoting.yaml").write_text(
            _conversation(FORMS[form](hidden)), "utf-8")
        result = run_amber("share", "quoting", "--listed", "--yes", cwd=built_copy.root)
        assert result.returncode == 1, result.stderr
        assert f"quoting.yaml:7: mentions revoked share {hidden}" in result.stderr
        return
    quoting = _share_quoting(built_copy, FORMS[form](hidden))
    _assert_build_refused(built_copy, hidden, quoting, "revoked")


def test_a_listed_share_quoting_a_listed_id_in_upper_case_builds(
    built_copy: BuiltSite,
) -> None:
    """Matching ignores case, so a listed ID in any case is still allowed everywhere."""
    listed = built_copy.ids["alpha"]
    _share_quoting(built_copy, _upper(listed))
    ok(run_amber("build", cwd=built_copy.root))


def test_every_site_wide_file_that_would_carry_the_id_is_named(built_copy: BuiltSite) -> None:
    """In the first message the ID reaches the index excerpt, the feed and search data."""
    hidden = built_copy.ids["charlie"]
    (built_copy.root / "content" / "conversations" / "quoting.yaml").write_text(f"""\
title: Listed notes that quote another link
messages:
  - role: user
    content: {_upper(hidden)}
  - role: assistant
    content: Noted.
""", "utf-8")
    share(built_copy.root, "quoting", "--listed")
    result = run_amber("build", cwd=built_copy.root)
    assert result.returncode == 1
    named = {line.removeprefix("error: ").split(":", 1)[0]
             for line in problem_lines(result.stderr) if hidden in line}
    assert {"output/index.html", "output/feed.xml", "output/search.json"} <= named, named
