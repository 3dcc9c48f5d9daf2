"""amber.importers.tree: the message trees of chat apps, and the thread they show."""

from __future__ import annotations

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
    assert tree.alternatives("b2") == ["b1"]
    assert tree.left_out(["a", "b2", "c"]) == 1
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
