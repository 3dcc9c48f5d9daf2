"""`amber share`: URLs printed, snapshot files written, names, visibility, mistakes."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import yaml

from tests.helpers import EPOCH, iso
from tests.helpers.cli import assert_user_error, run_amber
from tests.helpers.fixture_site import AUTHOR, BASE_URL, CONVERSATIONS, SHARE_URL_RE, share
from tests.helpers.trees import tree_bytes

SNAPSHOT_KEYS = {
    "format", "id", "title", "author", "listed", "frozen",
    "source", "source_digest", "digest", "messages",
}
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


def load_snapshot(site: Path, share_id: str) -> dict:
    path = site / "content" / "shares" / f"{share_id}.yaml"
    assert path.is_file(), f"no snapshot file {path}"
    return yaml.safe_load(path.read_text("utf-8"))


def load_conversation(site: Path, slug: str) -> dict:
    folder = site / "content" / "conversations"
    for suffix in (".yaml", ".json"):
        path = folder / f"{slug}{suffix}"
        if path.is_file():
            text = path.read_text("utf-8")
            return json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    raise AssertionError(f"no conversation {slug}")


def share_files(site: Path) -> list[Path]:
    folder = site / "content" / "shares"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def test_share_prints_absolute_url_and_writes_snapshot(site: Path) -> None:
    result = run_amber("share", "alpha", cwd=site)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    match = SHARE_URL_RE.match(lines[0])
    assert match, lines[0]
    share_id = match.group(1)
    assert str(uuid.UUID(share_id)) == share_id
    assert uuid.UUID(share_id).version == 4
    assert lines[0] == f"{BASE_URL}share/{share_id}/"

    assert [p.name for p in share_files(site)] == [f"{share_id}.yaml"]
    snap = load_snapshot(site, share_id)
    assert set(snap) >= SNAPSHOT_KEYS, f"missing keys: {SNAPSHOT_KEYS - set(snap)}"
    conv = load_conversation(site, "alpha")
    assert snap["format"] == 1
    assert snap["id"] == share_id
    assert snap["title"] == CONVERSATIONS["alpha"][0]
    assert snap["author"] is None
    assert snap["listed"] is False
    assert snap["frozen"] == iso(EPOCH)
    assert snap["source"] == "alpha"
    assert DIGEST_RE.match(snap["source_digest"])
    assert DIGEST_RE.match(snap["digest"])
    assert snap["messages"] == conv["messages"], "frozen messages differ from the source"


def test_snapshot_file_is_reviewable_yaml(site: Path) -> None:
    """Fixed key order, Markdown as block scalars: a pull-request diff reads like the chat."""
    [share_id] = share(site, "alpha")
    text = (site / "content" / "shares" / f"{share_id}.yaml").read_text("utf-8")
    keys = [m.group(1) for m in re.finditer(r"^([a-z_]+):", text, re.MULTILINE)]
    assert keys[:9] == ["format", "id", "title", "author", "listed", "frozen", "source",
                        "source_digest", "digest"]
    assert keys[-1] == "messages"
    # The multi-line assistant answer is a literal block, one Markdown line per YAML line.
    assert re.search(r"content: \|-?\n", text)
    assert '    print(sorted(words, key=len))\n' in text


def test_share_json_and_parts_conversations(site: Path) -> None:
    bravo_id, charlie_id = share(site, "bravo", "content/conversations/charlie.yaml")
    bravo = load_snapshot(site, bravo_id)
    assert bravo["source"] == "bravo"
    assert bravo["messages"] == load_conversation(site, "bravo")["messages"]
    charlie = load_snapshot(site, charlie_id)
    assert charlie["source"] == "charlie"
    assert charlie["messages"] == load_conversation(site, "charlie")["messages"]
    types = [part["type"] for m in charlie["messages"] for part in m["content"]]
    assert {"reasoning", "image"} <= set(types)


def test_several_conversations_give_several_ids(site: Path) -> None:
    ids = share(site, "alpha", "bravo", "charlie")
    assert len(ids) == 3
    assert len(set(ids)) == 3
    assert sorted(p.stem for p in share_files(site)) == sorted(ids)
    sources = [load_snapshot(site, i)["source"] for i in ids]
    assert sources == ["alpha", "bravo", "charlie"]
    # Sharing the same conversation again makes a new, separate share.
    [again] = share(site, "alpha")
    assert again not in ids
    assert len(share_files(site)) == 4


def test_title_option_sets_the_share_title(site: Path) -> None:
    [share_id] = share(site, "alpha", "--title", "A custom title")
    assert load_snapshot(site, share_id)["title"] == "A custom title"


def test_title_with_several_conversations_is_a_usage_error(site: Path) -> None:
    result = run_amber("share", "alpha", "bravo", "--title", "One title", cwd=site)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "--title" in result.stderr
    assert result.stdout == ""
    assert share_files(site) == []


def test_unknown_conversation_exits_1_naming_it_and_writes_nothing(site: Path) -> None:
    before = tree_bytes(site)
    result = run_amber("share", "alpha", "no-such-conversation", cwd=site)
    assert_user_error(result, "no-such-conversation")
    assert result.stdout == ""
    assert tree_bytes(site) == before
    assert share_files(site) == []


def test_name_without_value_uses_site_author(site: Path) -> None:
    [share_id] = share(site, "alpha", "--name")
    assert load_snapshot(site, share_id)["author"] == AUTHOR


def test_name_with_value_uses_that_name(site: Path) -> None:
    [share_id] = share(site, "alpha", "--name", "X")
    assert load_snapshot(site, share_id)["author"] == "X"


def test_default_is_anonymous_and_unlisted(site: Path) -> None:
    [default_id] = share(site, "alpha")
    snap = load_snapshot(site, default_id)
    assert snap["author"] is None
    assert snap["listed"] is False
    text = (site / "content" / "shares" / f"{default_id}.yaml").read_text("utf-8")
    assert re.search(r"^author: null$", text, re.MULTILINE)


def test_name_without_site_author_is_refused(site: Path) -> None:
    site_yaml = site / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace(f"author: {AUTHOR}\n", ""))
    result = run_amber("share", "alpha", "--name", cwd=site)
    assert_user_error(result, "author")
    assert share_files(site) == []


def test_listed_flag_with_explicit_anonymous(site: Path) -> None:
    [share_id] = share(site, "alpha", "--listed", "--anonymous")
    snap = load_snapshot(site, share_id)
    assert snap["listed"] is True
    assert snap["author"] is None


def test_frozen_time_is_now_without_source_date_epoch(site: Path) -> None:
    from datetime import UTC, datetime

    before = datetime.now(UTC).replace(microsecond=0)
    result = run_amber("share", "alpha", cwd=site, env={"SOURCE_DATE_EPOCH": None})
    assert result.returncode == 0, result.stderr
    after = datetime.now(UTC)
    share_id = SHARE_URL_RE.match(result.stdout.strip()).group(1)  # type: ignore[union-attr]
    frozen = datetime.strptime(load_snapshot(site, share_id)["frozen"], "%Y-%m-%dT%H:%M:%SZ")
    assert before <= frozen.replace(tzinfo=UTC) <= after
