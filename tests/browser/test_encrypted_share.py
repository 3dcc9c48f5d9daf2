"""Encrypted shares in Chromium: the page decrypts itself with the key from the link's
fragment (or a passphrase) and then shows what its plain twin shows; a wrong or missing
key, a wrong passphrase and JavaScript turned off each get their plain message; nothing
is fetched from another host; the opened page passes axe and the Nu checker.

Each conversation is shared twice from one frozen moment, plain and encrypted, so the
two pages differ only in their share IDs.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.test_html_valid import vnu_errors
from tests.helpers import EPOCH
from tests.helpers.browser import FIXTURE, Visit, axe_violations, require_vnu
from tests.helpers.cli import ok, run_amber
from tests.helpers.static_host import StaticHost

PASSPHRASE = "correct horse battery staple"
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@dataclass
class Twins:
    base_url: str
    output: Path
    plain: str
    """URL of the plain page."""
    sealed: str
    """URL of the encrypted page, key in its fragment."""
    passphrase: str
    """URL of the passphrase page."""


def share(root: Path, *flags: str) -> str:
    env = {"SOURCE_DATE_EPOCH": str(EPOCH), "AMBER_PASSPHRASE": PASSPHRASE}
    return ok(run_amber("share", "every-part", "--yes", *flags, cwd=root, env=env)).stdout.strip()


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory, server: StaticHost) -> Twins:
    root = tmp_path_factory.mktemp("sealed") / "site"
    shutil.copytree(FIXTURE, root)
    plain = share(root, "--no-encrypt")
    sealed = share(root, "--encrypt")
    passphrase = share(root, "--passphrase")
    base_url = f"{server.origin}/sealed/"
    ok(run_amber("build", "--base-url", base_url, cwd=root))
    server.mount("/sealed/", root / "output")

    def local(url: str) -> str:
        return url.replace("https://example.test/chats/", base_url)

    return Twins(base_url, root / "output", local(plain), local(sealed), local(passphrase))


def opened(visit: Visit) -> Visit:
    """The page once decrypted and enhanced: amber.js, loaded after the content is in
    place, has shown the Share button as it does on a plain page."""
    visit.page.wait_for_selector(".conversation", timeout=10_000)  # type: ignore[attr-defined]
    visit.page.wait_for_selector("main [data-share]:not([hidden])",  # type: ignore[attr-defined]
                                 timeout=10_000)
    return visit


def main_text(visit: Visit) -> str:
    """The page's text, share ID and the digest of its conversation.json (which holds the
    ID) written out, since the twins differ in their IDs alone."""
    text = visit.page.inner_text("main")  # type: ignore[attr-defined]
    return re.sub(r"\b[0-9a-f]{64}\b", "DIGEST", ID.sub("ID", text))


def status_text(visit: Visit) -> str:
    return visit.page.inner_text("[data-sealed-status]")  # type: ignore[attr-defined]


def test_the_key_in_the_link_opens_the_same_page_as_the_plain_twin(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    plain = visit(twins.plain)
    sealed = opened(visit(twins.sealed))
    assert "#" in twins.sealed and "#" not in twins.plain
    assert main_text(sealed) == main_text(plain)
    assert sealed.page.title() == plain.page.title()
    assert sealed.page.evaluate("document.documentElement.lang") == "en"
    # The images came out of the ciphertext, and they drew.
    widths = sealed.page.eval_on_selector_all(
        "main img", "imgs => imgs.map(i => [i.src.slice(0, 5), i.naturalWidth])")
    assert widths and all(scheme == "blob:" and width > 0 for scheme, width in widths)
    sealed.assert_clean()
    plain.assert_clean()


def test_the_downloads_are_made_in_the_browser(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    sealed = opened(visit(twins.sealed))
    # The downloads sit in the Continue menu, under "For developers".
    sealed.page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
    plain_id = twins.plain.rstrip("/").rsplit("/", 1)[-1]
    for name in ("conversation.json", "conversation.md"):
        links = sealed.page.eval_on_selector_all(
            "a[download]", "links => links.map(a => [a.getAttribute('href'), a.textContent])")
        href = next(h for h, label in links if name in label)
        assert href.startswith("blob:")
        with sealed.page.expect_download() as event:
            sealed.page.click(f'a[download][href="{href}"]')
        download = event.value
        assert download.suggested_filename == name
        made = Path(download.path()).read_text("utf-8")
        served = (twins.output / "share" / plain_id / name).read_text("utf-8")
        assert ID.sub("ID", made) == ID.sub("ID", served)
    assert not (twins.output / "share" / twins.sealed.split("/share/")[1].split("/")[0]
                / "conversation.json").exists()
    # The "continue locally" hint names the whole link, which amber fork can open.
    hints = sealed.page.eval_on_selector_all(
        "main code", "codes => codes.map(c => c.textContent)")
    assert f"amber fork {twins.sealed}" in hints
    sealed.assert_clean()


def test_share_hands_on_the_whole_link_with_its_key(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    sealed = opened(visit(twins.sealed))
    copies = sealed.page.eval_on_selector_all(
        "main [data-share]", "els => els.map(e => e.getAttribute('data-share'))")
    assert copies and all(c == twins.sealed for c in copies)


def test_a_message_link_keeps_the_key_in_the_address(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    sealed = opened(visit(twins.sealed))
    sealed.page.click("a.permalink >> nth=1")
    assert sealed.page.url == twins.sealed


def test_a_missing_key_says_so(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    bare = visit(twins.sealed.split("#")[0])
    bare.page.wait_for_selector("[data-sealed-status]:not([hidden])")
    assert "missing its key" in status_text(bare)
    assert bare.page.query_selector(".conversation") is None
    bare.assert_clean()


@pytest.mark.parametrize("key", ["A" * 43, "short", "not a key!"])
def test_a_wrong_key_says_so(twins: Twins, visit, key: str) -> None:  # type: ignore[no-untyped-def]
    wrong = visit(twins.sealed.split("#")[0] + "#" + key)
    wrong.page.wait_for_function(
        "() => /does not open/.test(document.querySelector('[data-sealed-status]').textContent)")
    assert wrong.page.get_attribute("[data-sealed-status]", "role") == "alert"
    assert wrong.page.query_selector(".conversation") is None
    wrong.assert_clean()


def test_without_javascript_the_page_says_it_is_needed(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    off = visit(twins.sealed, javascript=False)
    text = off.page.inner_text("main")
    assert "needs JavaScript" in text
    assert off.page.query_selector(".conversation") is None


def test_a_passphrase_opens_its_share_and_a_wrong_one_is_refused(twins: Twins, visit) -> None:  # type: ignore[no-untyped-def]
    assert "#" not in twins.passphrase
    plain = visit(twins.plain)
    locked = visit(twins.passphrase)
    locked.page.wait_for_selector("[data-sealed-form]:not([hidden])")
    locked.page.fill("#sealed-passphrase", "not the passphrase")
    locked.page.click("[data-sealed-form] button")
    locked.page.wait_for_function(
        "() => /does not open/.test(document.querySelector('[data-sealed-status]').textContent)")
    assert locked.page.get_attribute("#sealed-passphrase", "aria-invalid") == "true"
    locked.page.fill("#sealed-passphrase", PASSPHRASE)
    locked.page.click("[data-sealed-form] button")
    opened(locked)
    assert main_text(locked) == main_text(plain)
    copies = locked.page.eval_on_selector_all(
        "main [data-share]", "els => els.map(e => e.getAttribute('data-share'))")
    assert copies and all("#" not in c for c in copies)
    locked.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_opened_page_passes_axe(twins: Twins, visit, scheme: str) -> None:  # type: ignore[no-untyped-def]
    sealed = opened(visit(twins.sealed, scheme=scheme))
    assert axe_violations(sealed) == []
    waiting = visit(twins.passphrase, scheme=scheme)
    waiting.page.wait_for_selector("[data-sealed-form]:not([hidden])")
    assert axe_violations(waiting) == []
    bare = visit(twins.sealed.split("#")[0], scheme=scheme)
    bare.page.wait_for_selector("[data-sealed-status]:not([hidden])")
    assert axe_violations(bare) == []


def unlocked(visit: Visit) -> Visit:
    visit.page.wait_for_selector("[data-sealed-form]:not([hidden])")  # type: ignore[attr-defined]
    visit.page.fill("#sealed-passphrase", PASSPHRASE)  # type: ignore[attr-defined]
    visit.page.click("[data-sealed-form] button")  # type: ignore[attr-defined]
    return opened(visit)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_unlocked_passphrase_page_passes_axe(twins: Twins, visit, scheme: str) -> None:  # type: ignore[no-untyped-def]
    assert axe_violations(unlocked(visit(twins.passphrase, scheme=scheme))) == []


def test_the_sealed_and_the_opened_page_are_valid_html(twins: Twins, visit, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    require_vnu()
    sealed = opened(visit(twins.sealed))
    dom = tmp_path / "opened.html"
    dom.write_text("<!doctype html>\n" + sealed.page.evaluate(
        "document.documentElement.outerHTML"), encoding="utf-8")
    phrase = unlocked(visit(twins.passphrase))
    phrase_dom = tmp_path / "unlocked.html"
    phrase_dom.write_text("<!doctype html>\n" + phrase.page.evaluate(
        "document.documentElement.outerHTML"), encoding="utf-8")
    sealed_id = twins.sealed.split("/share/")[1].split("/")[0]
    passphrase_id = twins.passphrase.split("/share/")[1].split("/")[0]
    files = [dom, phrase_dom, twins.output / "share" / sealed_id / "index.html",
             twins.output / "share" / passphrase_id / "index.html"]
    assert vnu_errors(files) == []
