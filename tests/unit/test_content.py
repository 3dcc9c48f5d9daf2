"""amber.content.load: loading content/ and collecting every problem at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.model import Conversation, Message, Tombstone
from amber.content.snapshot import freeze, serialise_snapshot, serialise_tombstones
from amber.errors import ContentError

SID = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
SID2 = "6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab"
SITE_YAML = "title: Chats\nbase_url: https://jane.github.io/chats\nauthor: Jane\n"
CONV_YAML = "title: Hello\nmessages:\n  - role: user\n    content: hi\n"


def make_site(root: Path, conversations: dict[str, str] | None = None,
              site_yaml: str = SITE_YAML) -> SitePaths:
    paths = SitePaths(root)
    paths.conversations.mkdir(parents=True)
    paths.shares.mkdir()
    paths.site_yaml.write_text(site_yaml)
    for name, text in (conversations or {"hello.yaml": CONV_YAML}).items():
        (paths.conversations / name).write_text(text)
    return paths


def write_share(paths: SitePaths, share_id: str, text: str = "hi", slug: str = "hello") -> None:
    conv = Conversation(slug, "Hello", (Message("user", text),))
    snap = freeze(conv, share_id, title=None, author=None, listed=False,
                  frozen="2026-01-01T00:00:00Z")
    paths.share_file(share_id).write_bytes(serialise_snapshot(snap))


def test_valid_site_loads_everything(tmp_path: Path) -> None:
    paths = make_site(tmp_path, {
        "hello.yaml": CONV_YAML,
        "other.json": '{"title": "J", "messages": [{"role": "user", "content": "x"}]}',
        "notes.txt": "ignored",
        ".hidden.yaml": "not: [valid",
    })
    write_share(paths, SID)
    paths.revoked.write_bytes(serialise_tombstones([Tombstone(SID2, "2026-01-02T00:00:00Z")]))
    site = load_content(paths)
    assert site.problems == []
    assert site.require_valid().base_url == "https://jane.github.io/chats/"
    assert sorted(site.conversations) == ["hello", "other"]
    assert site.conversations["hello"].path == paths.conversations / "hello.yaml"
    assert list(site.snapshots) == [SID]
    assert site.revoked_ids == {SID2}


def test_several_problems_across_files_are_collected(tmp_path: Path) -> None:
    paths = make_site(
        tmp_path,
        {
            "a-bad-role.yaml": "title: A\nmessages:\n  - role: robot\n    content: x\n",
            "b-syntax.json": '{"title": "B",\n "messages": [}\n',
            "c-typo.yaml": "tilte: C\nmessages:\n  - role: user\n    content: x\n",
            "Bad Name.yaml": CONV_YAML,
            "good.yaml": CONV_YAML,
        },
        site_yaml="title: S\nbase_url: /relative/\nthme: x\n",
    )
    (paths.shares / "not-a-share.yaml").write_text("x: 1\n")
    write_share(paths, SID)
    tampered = paths.share_file(SID).read_text().replace("content: hi", "content: bye")
    paths.share_file(SID).write_text(tampered)

    site = load_content(paths)
    by_file: dict[str, list[str]] = {}
    for p in site.problems:
        by_file.setdefault(p.path.name, []).append(p.message)
    assert set(by_file) == {"site.yaml", "a-bad-role.yaml", "b-syntax.json", "c-typo.yaml",
                            "Bad Name.yaml", "not-a-share.yaml", f"{SID}.yaml"}
    assert len(by_file["site.yaml"]) == 2
    assert any("role" in m for m in by_file["a-bad-role.yaml"])
    assert by_file["b-syntax.json"][0].startswith("invalid JSON")
    assert any("unknown key 'tilte'" in m for m in by_file["c-typo.yaml"])
    assert "changed by hand" in by_file[f"{SID}.yaml"][0]
    assert "good" in site.conversations
    assert site.snapshots == {}
    with pytest.raises(ContentError) as info:
        site.require_valid()
    assert len(info.value.problems) == len(site.problems)


def test_problems_within_a_file_are_in_line_order(tmp_path: Path) -> None:
    paths = make_site(tmp_path, {
        "a.yaml": "title: A\nmessages:\n  - role: robot\n    content: x\nextra: 1\n",
    })
    problems = [p for p in load_content(paths).problems if p.path.name == "a.yaml"]
    assert [p.line for p in problems] == [3, 5]


def test_symlinked_conversation_file_is_refused(tmp_path: Path) -> None:
    paths = make_site(tmp_path)
    outside = tmp_path / "secret.yaml"
    outside.write_text(CONV_YAML)
    link = paths.conversations / "linked.yaml"
    link.symlink_to(outside)
    site = load_content(paths)
    assert "linked" not in site.conversations
    assert "hello" in site.conversations
    assert len(site.problems) == 1
    assert site.problems[0].path == link
    assert "symbolic link" in site.problems[0].message


def test_symlinked_share_file_is_refused(tmp_path: Path) -> None:
    paths = make_site(tmp_path)
    real = tmp_path / "elsewhere.yaml"
    write_share(paths, SID)
    os.replace(paths.share_file(SID), real)
    paths.share_file(SID).symlink_to(real)
    site = load_content(paths)
    assert site.snapshots == {}
    assert any("symbolic link" in p.message for p in site.problems)


def test_two_files_for_one_slug(tmp_path: Path) -> None:
    paths = make_site(tmp_path, {
        "dup.json": '{"title": "J", "messages": [{"role": "user", "content": "x"}]}',
        "dup.yaml": CONV_YAML,
    })
    site = load_content(paths)
    assert len(site.problems) == 1
    assert "two files for conversation 'dup'" in site.problems[0].message


def test_missing_content_and_missing_site_yaml(tmp_path: Path) -> None:
    site = load_content(SitePaths(tmp_path))
    assert len(site.problems) == 1 and "no content/ directory" in site.problems[0].message
    paths = make_site(tmp_path / "s")
    paths.site_yaml.unlink()
    site = load_content(paths)
    assert [p.path for p in site.problems] == [paths.site_yaml]
    with pytest.raises(ContentError):
        site.require_valid()


def test_invalid_utf8_conversation_is_reported_not_raised(tmp_path: Path) -> None:
    paths = make_site(tmp_path)
    (paths.conversations / "bin.yaml").write_bytes(b"title: \xff\n")
    site = load_content(paths)
    assert len(site.problems) == 1
    assert site.problems[0].line == 1
    assert "UTF-8" in site.problems[0].message


def test_resurrected_revoked_share_is_caught(tmp_path: Path) -> None:
    paths = make_site(tmp_path)
    write_share(paths, SID)
    paths.revoked.write_bytes(serialise_tombstones([Tombstone(SID, "2026-01-02T00:00:00Z")]))
    site = load_content(paths)
    assert any(p.path == paths.share_file(SID) and "was revoked" in p.message
               for p in site.problems)


def test_revoked_id_mentioned_in_a_conversation_is_caught(tmp_path: Path) -> None:
    paths = make_site(tmp_path, {
        "hello.yaml": CONV_YAML,
        "leak.yaml": f"title: L\nmessages:\n  - role: user\n    content: see {SID}\n",
    })
    paths.revoked.write_bytes(serialise_tombstones([Tombstone(SID, "2026-01-02T00:00:00Z")]))
    problems = load_content(paths).problems
    assert len(problems) == 1
    assert problems[0].path == paths.conversations / "leak.yaml"
    assert problems[0].line == 4
    assert SID in problems[0].message


def test_share_file_validates_the_id(tmp_path: Path) -> None:
    paths = SitePaths(tmp_path)
    assert paths.share_file(SID) == tmp_path / "content" / "shares" / f"{SID}.yaml"
    for bad in ("../../etc/passwd", SID.upper(), f"{SID}/x", ""):
        with pytest.raises(ValueError):
            paths.share_file(bad)


def test_snapshots_can_be_skipped(tmp_path: Path) -> None:
    paths = make_site(tmp_path)
    (paths.shares / "garbage.yaml").write_text("[")
    site = load_content(paths, snapshots=False)
    assert site.problems == []
    assert site.snapshots == {}
