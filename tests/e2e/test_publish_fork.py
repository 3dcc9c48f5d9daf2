"""`amber fork ID|FILE|URL`: a share becomes a new local conversation, from each kind of source,
including a share URL fetched from a server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers.cli import assert_refused, assert_user_error, ok, run_amber
from tests.helpers.fixture_site import BuiltSite, share
from tests.helpers.static_host import StaticHost


@pytest.fixture
def served(built_copy: BuiltSite, static_host: StaticHost) -> str:
    """The built site's output/ on 127.0.0.1, as a static host would serve it."""
    static_host.mount("/", built_copy.output)
    return static_host.origin


def fork(site: Path, *args: str) -> Path:
    result = ok(run_amber("fork", *args, cwd=site))
    [line] = result.stdout.splitlines()
    assert "Forked " in result.stderr and "amber share" in result.stderr
    path = site / line
    assert path.parent == site / "content" / "conversations"
    return path


def messages_of(path: Path) -> list[dict[str, object]]:
    return yaml.safe_load(path.read_text())["messages"]


def snapshot_messages(site: BuiltSite, slug: str) -> list[dict[str, object]]:
    return yaml.safe_load(site.snapshot(slug).read_text())["messages"]


def test_fork_a_share_id_keeps_every_part_and_records_the_origin(built_copy: BuiltSite) -> None:
    site, share_id = built_copy.root, built_copy.ids["delta"]
    path = fork(site, share_id)
    assert path.name == "delta-with-a-picture-fork.yaml"
    text = path.read_text()
    assert text.startswith("# Continued from a shared conversation with `amber fork`.\n")
    assert f"#   from share: {share_id}\n" in text
    assert messages_of(path) == snapshot_messages(built_copy, "delta")
    # A fork is an ordinary conversation: it validates, and shares under a new ID.
    ok(run_amber("check", cwd=site))
    [new_id] = share(site, path.stem)
    assert new_id != share_id
    shared = (site / "content" / "shares" / f"{new_id}.yaml").read_text()
    assert share_id not in shared  # the origin comment is not part of what is published


def test_fork_from_a_snapshot_file_and_a_downloaded_json(built_copy: BuiltSite) -> None:
    site, share_id = built_copy.root, built_copy.ids["alpha"]
    from_snapshot = fork(site, str(built_copy.snapshot("alpha")))
    assert messages_of(from_snapshot) == snapshot_messages(built_copy, "alpha")
    assert "#   from snapshot file:" in from_snapshot.read_text()
    downloaded = built_copy.output / "share" / share_id / "conversation.json"
    from_json = fork(site, str(downloaded), "--slug", "alpha-again")
    assert from_json.name == "alpha-again.yaml"
    data = yaml.safe_load(from_json.read_text())
    assert data["title"] == "Alpha sorting notes"
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
    assert "PHRASE-ALPHA-7731" in data["messages"][0]["content"]
    assert f"#   share ID: {share_id}" in from_json.read_text()


def test_fork_from_a_share_url(built_copy: BuiltSite, served: str) -> None:
    site, share_id = built_copy.root, built_copy.ids["bravo"]
    path = fork(site, f"{served}/share/{share_id}/")
    text = path.read_text()
    assert f"#   from URL: {served}/share/{share_id}/" in text
    data = yaml.safe_load(text)
    assert data["title"] == "Bravo bread baking"
    assert "PHRASE-BRAVO-4242" in str(data["messages"])
    again = fork(site, f"{served}/share/{share_id}/conversation.md")
    assert again.name == "bravo-bread-baking-fork-2.yaml"
    assert path.read_text() == text  # never overwritten


def test_fork_refusals_are_one_line(built_copy: BuiltSite, served: str) -> None:
    site = built_copy.root
    revoked = built_copy.ids["charlie"]
    ok(run_amber("revoke", revoked, "--yes", cwd=site))
    assert_refused(run_amber("fork", revoked, cwd=site), "was revoked")
    missing = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
    assert_refused(run_amber("fork", missing, cwd=site), "no active share")
    assert_user_error(run_amber("fork", f"{served}/share/{missing}/", cwd=site),
                      "HTTP 404", "may have been revoked")
    assert_refused(run_amber("fork", "not-a-thing", cwd=site), "not a share ID")
    existing = built_copy.ids["alpha"]
    assert_refused(run_amber("fork", existing, "--slug", "alpha", cwd=site), "already exists")
    result = run_amber("fork", existing, "--timeout", "0", cwd=site)
    assert result.returncode == 2 and "--timeout" in result.stderr
    before = sorted(p.name for p in (site / "content" / "conversations").iterdir())
    assert before == sorted(["alpha.yaml", "bravo.json", "charlie.yaml", "delta.yaml",
                             "hostile.yaml"])


def test_fork_outside_a_site(tmp_path: Path) -> None:
    assert_user_error(run_amber("fork", "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed", cwd=tmp_path),
                      "no content/ directory")
