"""Encrypted shares through the CLI: what the owner sees, what the site holds, and the
canary: an encrypted share's title, text, models and author name appear nowhere in
output/, in .amber-cache/ or in what a build prints, however they are escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from cryptography.exceptions import InvalidTag

from amber.content.keys import PBKDF2_ITERATIONS, decode
from amber.render.seal import Sealed, open_sealed
from tests.helpers import EPOCH, FIXTURES
from tests.helpers.cli import fails, ok, run_amber
from tests.helpers.git import commit, git
from tests.helpers.static_host import StaticHost
from tests.helpers.trees import tree_bytes

PASSPHRASE = "seven tired otters"
KEY_RE = re.compile(r"#([A-Za-z0-9_-]{43})$")

# Each canary holds a token no template, other fixture or random ID can hold; {m} makes
# it the share's own (S1, S2 encrypted; P1 plain), so the plain share cannot set it off.
CANARY = {
    "title": "Quillfeather{m} Vortex Ledger",
    "model": "zephyr{m}-canary-9000",
    "message_model": "opal{m}-canary-mini",
    "question": "Why does the Plumbago{m} sextant hum?",
    "answer": "Because the xylocarp{m} resonator is tuned to 432 hertz.",
    "code": "snapdragon_{m}_total = 41",
    "reasoning": "Weighing the tamarind{m} hypothesis first.",
    "tool": "grebe_{m}_lookup",
    "tool_result": "Ottoman marzipan{m} index: 77",
}
AUTHOR = "Marguerite Canaryworth"
IMAGE = FIXTURES / "theme" / "content" / "assets"


def conversation(mark: str) -> str:
    c = {k: v.format(m=mark) for k, v in CANARY.items()}
    image = next(IMAGE.iterdir()).name
    return yaml.safe_dump({
        "title": c["title"], "model": c["model"], "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": c["question"] + " ünïcödé & <tags>"},
                {"type": "image", "src": f"assets/{image}", "alt": "a diagram"}]},
            {"role": "assistant", "model": c["message_model"], "content": [
                {"type": "reasoning", "text": c["reasoning"]},
                {"type": "tool_call", "name": c["tool"], "arguments": f'{{"q": "{c["code"]}"}}'},
            ]},
            {"role": "tool", "content": [{"type": "tool_result", "name": c["tool"],
                                          "text": c["tool_result"]}]},
            {"role": "assistant", "content": c["answer"] + "\n\n```python\n" + c["code"]
             + "\n```\n"},
        ]}, allow_unicode=True, sort_keys=False)


def canaries(mark: str) -> list[str]:
    """The tokens of one share that must never show (its author's name included)."""
    tokens = [next(w for w in v.format(m=mark).split() if mark in w) for v in CANARY.values()]
    return [t.strip("?.") for t in tokens]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "site", root)
    shutil.copytree(IMAGE, root / "content" / "assets", dirs_exist_ok=True)
    for slug, mark in (("secret-one", "S1"), ("secret-two", "S2"), ("open-one", "P1")):
        (root / "content" / "conversations" / f"{slug}.yaml").write_text(
            conversation(mark), "utf-8")
    return root


def share(site: Path, slug: str, *flags: str, epoch: int = EPOCH) -> str:
    env = {"SOURCE_DATE_EPOCH": str(epoch), "AMBER_PASSPHRASE": PASSPHRASE}
    return ok(run_amber("share", slug, "--yes", *flags, cwd=site, env=env)).stdout.strip()


def share_id(url: str) -> str:
    return url.split("/share/")[1].split("/")[0]


def readable_forms(data: bytes) -> list[str]:
    """A file's text as a reader of the raw bytes could see it: as it is, with HTML
    entities undone, with JSON escapes undone, and both."""
    text = data.decode("utf-8", errors="replace")
    unjson = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    unjson = unjson.replace("\\/", "/").replace('\\"', '"').replace("\\n", "\n")
    return [text, html.unescape(text), unjson, html.unescape(unjson)]


def found_in_tree(root: Path, words: list[str]) -> list[str]:
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        forms = readable_forms(path.read_bytes())
        hits += [f"{path.relative_to(root)}: {w}" for w in words if any(w in f for f in forms)]
    return hits


def found_in_text(text: str, words: list[str]) -> list[str]:
    return [w for w in words if any(w in f for f in readable_forms(text.encode()))]


def sealed_of(page: Path) -> Sealed:
    text = page.read_text("utf-8")

    def attr(name: str) -> str | None:
        m = re.search(rf'{name}="([^"]*)"', text)
        return html.unescape(m.group(1)) if m else None

    iterations = attr("data-iterations")
    return Sealed(aad=attr("data-aad") or "", iv=attr("data-iv") or "",
                  ciphertext=attr("data-ct") or "", salt=attr("data-salt"),
                  iterations=int(iterations) if iterations else None)


# --- the canary ---------------------------------------------------------------------


def test_no_trace_of_an_encrypted_share_in_output_cache_or_build_logs(site: Path) -> None:
    link = share(site, "secret-one", "--encrypt", "--name", AUTHOR)
    phrase = share(site, "secret-two", "--passphrase", "--name", AUTHOR, epoch=EPOCH + 1)
    plain = share(site, "open-one", "--no-encrypt", epoch=EPOCH + 2)
    assert KEY_RE.search(link) and "#" not in phrase and "#" not in plain
    words = [*canaries("S1"), *canaries("S2"), AUTHOR.split()[1]]
    logs = []
    for args, env in ((("build",), {}), (("build",), {"CI": "true"}), (("check",), {}),
                      (("build", "--no-cache"), {})):
        done = ok(run_amber(*args, cwd=site, env=env))
        logs.append(done.stdout + done.stderr)
    # The owner's listing names titles, of course; in CI it holds no key.
    listing = ok(run_amber("list", cwd=site, env={"CI": "true"}))
    # Positive controls: the words are really where they belong, and the search sees them.
    assert found_in_tree(site / "content" / "shares", words)
    open_words = canaries("P1")
    assert set(open_words) <= {h.split(": ", 1)[1] for h in found_in_tree(site / "output",
                                                                          open_words)}
    assert found_in_tree(site / "output", words) == []
    assert found_in_tree(site / ".amber-cache", words) == []
    assert [found_in_text(log, words) for log in logs] == [[] for _ in logs]
    # No key in what the build or a CI listing printed, nor in the site.
    key = KEY_RE.search(link).group(1)  # type: ignore[union-attr]
    assert not any(key in log for log in [*logs, listing.stdout + listing.stderr])
    assert not any(key.encode() in p.read_bytes() for p in (site / "output").rglob("*")
                   if p.is_file())


def test_the_canary_also_holds_after_a_delta_and_a_revocation(site: Path) -> None:
    ok(run_amber("build", cwd=site))
    link = share(site, "secret-one", "--encrypt", "--name", AUTHOR)
    logs = [ok(run_amber("build", cwd=site))]
    share(site, "secret-two", "--encrypt", epoch=EPOCH + 1)
    ok(run_amber("revoke", share_id(link), "--yes", cwd=site))
    logs.append(ok(run_amber("build", cwd=site)))
    words = canaries("S1") + canaries("S2")
    assert found_in_tree(site / "output", words) == []
    assert found_in_tree(site / ".amber-cache", words) == []
    assert [found_in_text(r.stdout + r.stderr, words) for r in logs] == [[], []]
    assert not (site / "output" / "share" / share_id(link)).exists()


# --- what the sealed page holds -----------------------------------------------------


def test_the_key_in_the_link_opens_the_page_and_nothing_else_does(site: Path) -> None:
    link = share(site, "secret-one", "--encrypt")
    ok(run_amber("build", cwd=site))
    folder = site / "output" / "share" / share_id(link)
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "preview.png"]
    sealed = sealed_of(folder / "index.html")
    payload = open_sealed(sealed, decode(KEY_RE.search(link).group(1)))  # type: ignore[union-attr]
    assert CANARY["answer"].format(m="S1") in html.unescape(str(payload["main"]))
    assert payload["title"].startswith(CANARY["title"].format(m="S1"))  # type: ignore[union-attr]
    names = sorted(f["name"] for f in payload["files"])  # type: ignore[union-attr]
    assert names == ["conversation.json", "conversation.md"]
    [image] = payload["images"]  # type: ignore[misc]
    data = base64.b64decode(image["data"])
    assert hashlib.sha256(data).hexdigest() in image["href"]
    # The image is not published as a file of its own.
    assert not any(p.suffix == ".png" and p.stem.startswith(image["href"].rsplit("/", 1)[1][:16])
                   for p in (site / "output" / "assets").iterdir())
    with pytest.raises(InvalidTag):
        open_sealed(sealed, bytes(32))
    moved = Sealed(aad=sealed.aad.replace(share_id(link)[:8], "00000000"), iv=sealed.iv,
                   ciphertext=sealed.ciphertext, salt=None, iterations=None)
    with pytest.raises(InvalidTag):  # bound to its own share ID
        open_sealed(moved, decode(KEY_RE.search(link).group(1)))  # type: ignore[union-attr]


def test_a_passphrase_share_keeps_only_salt_and_count_on_the_page(site: Path) -> None:
    import hashlib as h

    url = share(site, "secret-one", "--passphrase")
    snapshot = yaml.safe_load((site / "content" / "shares" / f"{share_id(url)}.yaml").read_text())
    kdf = snapshot["encryption"]["passphrase"]
    assert kdf["iterations"] >= 600_000 == PBKDF2_ITERATIONS
    assert len(decode(kdf["salt"])) >= 16
    ok(run_amber("build", cwd=site))
    sealed = sealed_of(site / "output" / "share" / share_id(url) / "index.html")
    assert sealed.salt == kdf["salt"] and sealed.iterations == kdf["iterations"]
    key = h.pbkdf2_hmac("sha256", PASSPHRASE.encode(), decode(kdf["salt"]), kdf["iterations"], 32)
    assert CANARY["question"].format(m="S1") in html.unescape(str(open_sealed(sealed, key)["main"]))
    wrong = h.pbkdf2_hmac("sha256", b"seven tired otter", decode(kdf["salt"]),
                          kdf["iterations"], 32)
    with pytest.raises(InvalidTag):
        open_sealed(sealed, wrong)
    # Two passphrase shares of the same words get different salts, so different keys.
    other = share(site, "secret-two", "--passphrase")
    other_kdf = yaml.safe_load((site / "content" / "shares" / f"{share_id(other)}.yaml")
                               .read_text())["encryption"]
    assert other_kdf["passphrase"]["salt"] != kdf["salt"]
    assert other_kdf["key"] != snapshot["encryption"]["key"]


def test_the_same_snapshot_builds_the_same_bytes_by_every_route(site: Path,
                                                               tmp_path: Path) -> None:
    share(site, "secret-one", "--encrypt")
    ok(run_amber("build", cwd=site))
    share(site, "secret-two", "--passphrase", epoch=EPOCH + 1)
    ok(run_amber("build", cwd=site))  # the delta route
    twin = tmp_path / "twin"
    shutil.copytree(site / "content", twin / "content")
    ok(run_amber("build", "--no-cache", cwd=twin))
    assert tree_bytes(site / "output") == tree_bytes(twin / "output")


def test_update_keeps_the_key_and_seals_the_new_content(site: Path) -> None:
    link = share(site, "secret-one", "--encrypt")
    ok(run_amber("build", cwd=site))
    page = site / "output" / "share" / share_id(link) / "index.html"
    before = page.read_bytes()
    conv = site / "content" / "conversations" / "secret-one.yaml"
    conv.write_text(conv.read_text("utf-8").replace("432 hertz", "440 hertz"), "utf-8")
    again = ok(run_amber("update", share_id(link), "--yes", cwd=site,
                         env={"SOURCE_DATE_EPOCH": str(EPOCH + 5)})).stdout.strip()
    assert again == link
    ok(run_amber("build", cwd=site))
    assert page.read_bytes() != before
    payload = open_sealed(sealed_of(page), decode(KEY_RE.search(link).group(1)))  # type: ignore[union-attr]
    assert "440 hertz" in str(payload["main"])


# --- the owner's commands -----------------------------------------------------------


def test_site_setting_makes_unlisted_shares_encrypted(site: Path) -> None:
    settings = site / "content" / "site.yaml"
    settings.write_text(settings.read_text("utf-8") + "encrypt_unlisted: true\n", "utf-8")
    assert KEY_RE.search(share(site, "secret-one"))
    assert "#" not in share(site, "secret-two", "--no-encrypt")
    assert "#" not in share(site, "open-one", "--listed")


def test_init_turns_encryption_on(tmp_path: Path) -> None:
    ok(run_amber("init", str(tmp_path / "new"), cwd=tmp_path))
    settings = yaml.safe_load((tmp_path / "new" / "content" / "site.yaml").read_text())
    assert settings["encrypt_unlisted"] is True
    assert KEY_RE.search(share(tmp_path / "new", "welcome"))


def test_a_listed_encrypted_share_is_refused(site: Path) -> None:
    for flag in ("--encrypt", "--passphrase"):
        done = fails(run_amber("share", "secret-one", "--listed", flag, "--yes", cwd=site,
                               env={"AMBER_PASSPHRASE": PASSPHRASE}), code=2)
        assert "listed share is public on purpose" in done.stderr
    assert list((site / "content" / "shares").glob("*.yaml")) == []
    # ... and so is one made by hand.
    url = share(site, "secret-one", "--encrypt")
    path = site / "content" / "shares" / f"{share_id(url)}.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("listed: false", "listed: true"), "utf-8")
    line = text.splitlines().index("encryption:") + 2  # its first key
    done = fails(run_amber("check", cwd=site), code=1)
    assert f"content/shares/{share_id(url)}.yaml:{line}:" in done.stderr
    assert "cannot be encrypted" in done.stderr


@pytest.mark.parametrize(("edit", "message"), [
    (lambda t: re.sub(r"key: \S+", "key: short", t), "encryption.key: expected 32 bytes"),
    (lambda t: t.replace("encryption:\n", "encryption:\n  cipher: rot13\n"), "cipher"),
])
def test_a_broken_key_names_file_and_line(site: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    url = share(site, "secret-one", "--encrypt")
    path = site / "content" / "shares" / f"{share_id(url)}.yaml"
    path.write_text(edit(path.read_text("utf-8")), "utf-8")
    done = fails(run_amber("build", cwd=site), code=1)
    assert f"content/shares/{share_id(url)}.yaml:" in done.stderr and message in done.stderr


def test_a_passphrase_needs_a_terminal_or_the_variable_and_enough_length(site: Path) -> None:
    done = fails(run_amber("share", "secret-one", "--passphrase", "--yes", cwd=site,
                           env={"AMBER_PASSPHRASE": None}), code=2)
    assert "AMBER_PASSPHRASE" in done.stderr
    done = fails(run_amber("share", "secret-one", "--passphrase", "--yes", cwd=site,
                           env={"AMBER_PASSPHRASE": "short"}), code=2)
    assert "at least 8 characters" in done.stderr
    assert list((site / "content" / "shares").glob("*.yaml")) == []


def test_list_shows_whole_links_only_to_the_owner(site: Path) -> None:
    link = share(site, "secret-one", "--encrypt")
    key = KEY_RE.search(link).group(1)  # type: ignore[union-attr]
    quiet = ok(run_amber("list", cwd=site, env={"CI": None}))  # not a terminal
    assert key not in quiet.stdout + quiet.stderr and "--show-keys" in quiet.stderr
    assert "link" in quiet.stdout  # the ENCRYPTED column
    shown = ok(run_amber("list", "--show-keys", cwd=site, env={"CI": None}))
    assert link in shown.stdout
    as_json = ok(run_amber("list", "--json", "--show-keys", cwd=site, env={"CI": None}))
    assert '"reader_url": "' + link in as_json.stdout
    in_ci = ok(run_amber("list", "--json", cwd=site, env={"CI": "true"}))
    assert key not in in_ci.stdout + in_ci.stderr
    refused = fails(run_amber("list", "--show-keys", cwd=site, env={"CI": "true"}), code=2)
    assert key not in refused.stdout + refused.stderr


def test_review_names_encryption_and_never_prints_a_key(site: Path) -> None:
    git(site, "init", "-q", "-b", "main")
    base = commit(site, "base")
    link = share(site, "secret-one", "--encrypt")
    commit(site, "share")
    done = ok(run_amber("review", base, cwd=site, env={"CI": "true"}))
    key = KEY_RE.search(link).group(1)  # type: ignore[union-attr]
    assert key not in done.stdout + done.stderr
    assert "unlisted, encrypted" in done.stdout
    # Decrypting by hand and committing the plain page is a change a reviewer must see.
    path = site / "content" / "shares" / f"{share_id(link)}.yaml"
    path.write_text(re.sub(r"encryption:\n  key: \S+\n", "", path.read_text("utf-8")), "utf-8")
    head = commit(site, "plain")
    done = ok(run_amber("review", "HEAD~1", head, cwd=site))
    assert "now **plain**" in done.stdout


# --- amber fork of an encrypted share's link -----------------------------------------


def test_fork_opens_an_encrypted_link_and_refuses_without_its_key(
        site: Path, static_host: StaticHost) -> None:
    base = f"{static_host.origin}/s/"
    link = share(site, "secret-one", "--encrypt").replace("https://example.test/chats/", base)
    phrase = share(site, "secret-two", "--passphrase").replace("https://example.test/chats/",
                                                                base)
    ok(run_amber("build", "--base-url", base, cwd=site))
    static_host.mount("/s/", site / "output")
    forked = ok(run_amber("fork", link, cwd=site)).stdout.strip()
    source = yaml.safe_load((site / "content" / "conversations" / "secret-one.yaml").read_text())
    made = yaml.safe_load((site / forked).read_text("utf-8"))
    assert made["title"] == source["title"]
    assert CANARY["answer"].format(m="S1") in str(made["messages"])
    refused = fails(run_amber("fork", link.split("#")[0], cwd=site), code=1)
    assert "give its whole link" in refused.stderr
    wrong = link.split("#")[0] + "#" + "A" * 43
    assert "does not open" in fails(run_amber("fork", wrong, cwd=site), code=1).stderr
    opened = ok(run_amber("fork", phrase, cwd=site, env={"AMBER_PASSPHRASE": PASSPHRASE}))
    made = yaml.safe_load((site / opened.stdout.strip()).read_text("utf-8"))
    assert CANARY["answer"].format(m="S2") in str(made["messages"])
    bad = fails(run_amber("fork", phrase, cwd=site,
                          env={"AMBER_PASSPHRASE": "not the words"}), code=1)
    assert "passphrase does not open" in bad.stderr
