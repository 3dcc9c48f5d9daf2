"""A conversation's language end to end: imported (named or guessed), shared, the page's lang."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import REPO
from tests.helpers.cli import ok, run_amber
from tests.helpers.fixture_site import build, share

LANGUAGES = REPO / "tests" / "fixtures" / "imports" / "sharegpt" / "languages.json"
LANGUAGE_KEY = re.compile(r"^language: (\S+)$", re.MULTILINE)


def test_import_names_the_language_and_the_share_page_follows(site: Path) -> None:
    slugs = ok(run_amber("import", LANGUAGES, cwd=site)).stdout.split()
    files = {slug: (site / "content" / "conversations" / f"{slug}.yaml").read_text()
             for slug in slugs}
    found = [LANGUAGE_KEY.findall(text) for text in files.values()]
    # Korean, Japanese and Chinese by their script; English and mixed text get no guess;
    # the export's own tag wins; a tag that is not one is dropped and the script decides.
    assert found == [["ko"], ["ja"], ["zh"], [], ["pt-BR"], ["el"]]
    korean, *_ = slugs
    (share_id,) = share(site, korean, "--yes")
    page = (build(site) / "share" / share_id / "index.html").read_text()
    assert page.startswith('<!doctype html>\n<html lang="ko">')
    assert "<strong>이항모형(binomial model)</strong>을" in page
    json_export = (site / "output" / "share" / share_id / "conversation.json").read_text()
    assert '"language": "ko"' in json_export


def test_pages_of_conversations_without_a_language_keep_the_sites(site: Path) -> None:
    (share_id,) = share(site, "alpha", "--yes")
    output = build(site)
    assert '<html lang="en">' in (output / "share" / share_id / "index.html").read_text()
    assert '"language"' not in (output / "share" / share_id / "conversation.json").read_text()
    assert '<html lang="en">' in (output / "index.html").read_text()
