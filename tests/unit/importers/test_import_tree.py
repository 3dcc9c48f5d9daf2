"""amber.importers.tree: the message trees of chat apps, and the thread they show."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from amber.content.model import Message
from amber.content.schema import MAX_BRANCH_DEPTH
from amber.importers.branches import walk
from amber.importers.record import merge_turns
from amber.importers.tree import MessageTree


def times(node: object) -> str | None:
    return node.get("t") if isinstance(node, dict) else None


def test_the_shown_path_and_what_it_leaves_out() -> None:
    tree = MessageTree.build([
        ("a", None, {"t": "1"}), ("b1", "a", {"t": "2"}), ("b2", "a", {"t": "4"}),
        ("c", "b2", {"t": "5"}), ("d", "b1", {"t": "3"}),
    ])
    assert tree.children[None] == ["a"] and tree.children["a"] == ["b1", "b2"]
    assert tree.path_to("c") == ["a", "b2", "c"]
    assert tree.versions("a", times) == ["b1", "b2"]
    assert tree.latest_leaf(times) == "c"
    assert tree.newest_child_path(times) == ["a", "b2", "c"]


def test_ties_and_missing_times_follow_the_export_order() -> None:
    tree = MessageTree.build([("a", None, {}), ("x", "a", {}), ("y", "a", {})])
    assert tree.newest_child_path(times) == ["a", "y"]
    assert tree.latest_leaf(times) == "y"


def test_hostile_links_cannot_loop_or_vanish() -> None:
    tree = MessageTree.build([
        ("a", "b", {}), ("b", "a", {}),  # a loop with no root
        ("self", "self", {}),  # its own parent
        ("orphan", "missing", {}),  # a parent the export lacks
        ("a", None, {"dup": True}),  # listed twice: the first one counts
    ])
    assert tree.path_to("a") == ["b", "a"]
    assert tree.parents["self"] is None and tree.parents["orphan"] is None
    assert tree.nodes["a"] == {}
    assert tree.newest_child_path(times) == ["orphan"]



def convert_with(tree: MessageTree) -> Callable[[Sequence[str]], list[Message]]:
    """Each node a message of its ``role`` whose text is its ``text``."""
    def convert(run: Sequence[str]) -> list[Message]:
        assert all(node in tree.nodes for node in run), "the root holds no message"
        raws = [tree.nodes[n] for n in run]
        return merge_turns([Message(r["role"], r["text"]) for r in raws if isinstance(r, dict)])
    return convert


def test_versions_are_numbered_by_time_then_export_order() -> None:
    tree = MessageTree.build([
        ("u", None, {"t": "1"}), ("late", "u", {"t": "9"}), ("early", "u", {"t": "2"}),
        ("tie1", "early", {}), ("tie2", "early", {}),
    ])
    assert tree.versions("u", times) == ["early", "late"]
    assert tree.versions("early", times) == ["tie1", "tie2"]


def test_an_edited_first_prompt_is_a_version_under_the_root_no_node_has() -> None:
    # Two roots: the first prompt was edited. A node named "" cannot be taken for the root.
    tree = MessageTree.build([
        ("", None, {"t": "1", "role": "user", "text": "first wording"}),
        ("a0", "", {"t": "2", "role": "assistant", "text": "first answer"}),
        ("u1", None, {"t": "3", "role": "user", "text": "second wording"}),
        ("a1", "u1", {"t": "4", "role": "assistant", "text": "second answer"}),
    ])
    assert tree.root not in tree.nodes
    shown = tree.shown("a1")
    assert shown == [tree.root, "u1", "a1"]
    result = walk(tree.branch_tree(times, convert_with(tree), merge_turns), shown)
    first = result.messages[0]
    assert (first.content, first.version) == ("second wording", 2)
    assert [[m.content for m in b] for b in first.alternatives] == [
        ["first wording", "first answer"]]
    assert result.dropped == 0


def test_a_loop_of_children_is_walked_once() -> None:
    tree = MessageTree.build([
        ("u", None, {"role": "user", "text": "q"}), ("a", "u", {"role": "assistant", "text": "x"}),
        ("b", "u", {"role": "assistant", "text": "y"}),
    ])
    tree.children["a"] = ["u", "b"]  # hostile: a child list pointing back up
    result = walk(tree.branch_tree(times, convert_with(tree), merge_turns), tree.shown("a"))
    assert [m.content for m in result.messages] == ["q", "x"]
    assert [[m.content for m in b] for b in result.messages[1].alternatives] == [["y"]]


def test_alternatives_nest_no_deeper_than_the_limit_and_the_rest_are_counted() -> None:
    # n0 -> [n1, s0]; n1 -> [n2, s1]; ...: the person saw s0, and inside each older
    # version the newest child (s_k) is followed, so n_{k+1} nests one level deeper.
    count = MAX_BRANCH_DEPTH + 20
    items: list[tuple[str, str | None, object]] = [("n0", None, {"role": "user", "text": "n0"})]
    for k in range(count):
        items.append((f"n{k + 1}", f"n{k}", {"t": "1", "role": "user", "text": f"n{k + 1}"}))
        items.append((f"s{k}", f"n{k}", {"t": "2", "role": "user", "text": f"s{k}"}))
    tree = MessageTree.build(items)
    result = walk(tree.branch_tree(times, convert_with(tree), merge_turns), tree.shown("s0"))
    depth, message = 0, result.messages[1]
    while message.alternatives:
        depth += 1
        message = message.alternatives[0][1]
    assert depth == MAX_BRANCH_DEPTH
    assert result.dropped == 1  # the fork at the limit; what lies below it is never read
