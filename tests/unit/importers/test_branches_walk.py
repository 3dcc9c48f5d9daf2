"""Walking a conversation tree (``amber.importers.branches``): the shown path with the
other children of each fork as alternatives, in the app's order, nested where the
tree nests; what cannot be kept is counted, and a broken tree neither loops nor
multiplies the work."""

from __future__ import annotations

from collections.abc import Sequence

from amber.content.model import Message
from amber.content.schema import MAX_BRANCH_DEPTH
from amber.importers.branches import Tree, walk
from amber.importers.record import merge_turns


def tree_of(edges: dict[str, list[str]], roles: dict[str, str] | None = None,
            calls: list[list[str]] | None = None) -> Tree:
    """Each node becomes a message whose text is its id (``-`` ids show nothing)."""
    roles = roles or {}

    def convert(run: Sequence[str]) -> list[Message]:
        if calls is not None:
            calls.append(list(run))
        return merge_turns([Message(roles.get(n, "user" if n.startswith("u") else "assistant"),
                                    n) for n in run if not n.startswith("-")])

    return Tree(children=lambda n: edges.get(n, []), convert=convert, merge=merge_turns)


def test_a_path_without_forks_is_one_run() -> None:
    calls: list[list[str]] = []
    result = walk(tree_of({"u1": ["a1"], "a1": ["u2"]}, calls=calls), ["u1", "a1", "u2"])
    assert [m.content for m in result.messages] == ["u1", "a1", "u2"]
    assert calls == [["u1", "a1", "u2"]] and result.dropped == 0


def test_versions_keep_the_apps_order() -> None:
    # u1 was answered three times; the person last saw the second answer, a1b.
    edges = {"u1": ["a1a", "a1b", "a1c"], "a1b": ["u2"], "a1c": ["u2c"]}
    result = walk(tree_of(edges), ["u1", "a1b", "u2"])
    answer = result.messages[1]
    assert (answer.content, answer.version) == ("a1b", 2)
    assert [[m.content for m in b] for b in answer.alternatives] == [["a1a"], ["a1c", "u2c"]]


def test_nested_forks_follow_the_newest_child() -> None:
    edges = {"u1": ["a1", "a1x"], "a1x": ["u2x"], "u2x": ["a2x", "a2y"]}
    result = walk(tree_of(edges), ["u1", "a1"])
    branch = result.messages[1].alternatives[0]
    assert [m.content for m in branch] == ["a1x", "u2x", "a2y"]
    assert (branch[2].version, branch[2].alternatives) == (2, ((Message("assistant", "a2x"),),))


def test_a_fork_after_hidden_nodes_lands_on_the_next_shown_message() -> None:
    edges = {"u1": ["-p", "a1x"], "-p": ["a1"]}
    result = walk(tree_of(edges), ["u1", "-p", "a1"])
    assert [m.content for m in result.messages] == ["u1", "a1"]
    assert result.messages[1].alternatives == ((Message("assistant", "a1x"),),)


def test_what_cannot_be_kept_is_counted() -> None:
    # A version that shows nothing, and one past where the person left off.
    edges = {"u1": ["a1", "-empty"], "a1": ["u2"]}
    result = walk(tree_of(edges), ["u1", "a1"])
    assert result.messages[1].alternatives == ()
    assert result.dropped == 2
    # A fork inside one assistant turn: keeping it would split the turn in two.
    edges = {"a0": ["a1", "a1x"]}
    inside = walk(tree_of(edges), ["a0", "a1"])
    assert [[p.text for p in m.parts] for m in inside.messages] == [["a0", "a1"]]
    assert inside.messages[0].alternatives == () and inside.dropped == 1


def test_a_dropped_version_before_the_shown_one_moves_it_up() -> None:
    edges = {"u1": ["-gone", "a1", "a1z"]}
    result = walk(tree_of(edges), ["u1", "a1"])
    assert result.messages[1].version == 1
    assert [[m.content for m in b] for b in result.messages[1].alternatives] == [["a1z"]]


def test_children_that_point_back_up_neither_loop_nor_repeat() -> None:
    edges = {"u1": ["a1", "u1", "a1x"], "a1": ["u1"], "a1x": ["u1", "a1"]}
    result = walk(tree_of(edges), ["u1", "a1"])
    assert [m.content for m in result.messages] == ["u1", "a1"]
    assert result.messages[1].alternatives == ((Message("assistant", "a1x"),),)


def test_branches_deeper_than_a_file_may_hold_are_dropped() -> None:
    # u0 was edited into u1, whose answer a1 was asked again as u2, and so on: each
    # alternative holds a fork of its own, one level deeper than the last.
    depth = MAX_BRANCH_DEPTH + 5
    edges = {f"u{i}": [f"u{i + 1}", f"a{i}"] for i in range(depth)}
    result = walk(tree_of(edges), ["u0", "a0"])
    level, seen = result.messages[1], 0
    while level.alternatives:
        seen += 1
        assert level.alternatives[0][0].content == f"u{seen}"
        level = level.alternatives[0][1]
    assert seen == MAX_BRANCH_DEPTH
    assert result.dropped > 0
