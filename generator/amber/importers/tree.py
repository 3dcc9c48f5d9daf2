"""Message trees: the edits and regenerations chat apps keep, and the thread shown.

Open WebUI, LibreChat, Grok and DeepSeek store a conversation as a tree of
messages linked by parent IDs: editing a prompt or regenerating an answer adds
a sibling. The app shows one path from the root to a leaf. ``MessageTree``
holds the whole tree (every node, its parent and its children in the order
the export lists them) so the alternatives stay reachable. The importers ask
it for the shown path, and hand ``branches.walk`` the tree as ``branch_tree``
reads it, so the other versions of each turn become alternatives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from amber.content.model import Message
from amber.importers.branches import Tree

NodeInput = tuple[str, "str | None", object]
"""``(id, parent id or None, the raw message)`` of one node, as an export lists it."""


@dataclass
class MessageTree:
    nodes: dict[str, object] = field(default_factory=dict)
    """Node ID -> the export's raw message."""
    parents: dict[str, str | None] = field(default_factory=dict)
    children: dict[str | None, list[str]] = field(default_factory=dict)
    """Parent ID (None for the roots) -> child IDs, in the export's order."""
    order: dict[str, int] = field(default_factory=dict)
    """Each node's position in the export, to break ties."""
    root: str = ""
    """A name no node has: the one parent of the roots, so that an edit of the first
    prompt (a second root) is a version like any other. ``shown`` starts with it."""

    @classmethod
    def build(cls, items: Iterable[NodeInput]) -> MessageTree:
        """A tree from nodes in any order; a parent the export lacks makes a root.

        A node listed twice keeps its first occurrence. Parents are followed
        only to known nodes, so a loop in hostile input cannot hang a walk.
        """
        tree = cls()
        for node_id, parent, raw in items:
            if node_id in tree.nodes:
                continue
            tree.order[node_id] = len(tree.order)
            tree.nodes[node_id] = raw
            tree.parents[node_id] = parent
        for node_id in tree.nodes:
            parent = tree.parents[node_id]
            if parent not in tree.nodes or parent == node_id:
                parent = tree.parents[node_id] = None
            tree.children.setdefault(parent, []).append(node_id)
        while tree.root in tree.nodes:
            tree.root += "^"
        return tree

    def path_to(self, leaf: str) -> list[str]:
        """Node IDs from the root down to ``leaf``; cut where the parent links loop."""
        chain: list[str] = []
        seen: set[str] = set()
        node: str | None = leaf
        while node is not None and node in self.nodes and node not in seen:
            seen.add(node)
            chain.append(node)
            node = self.parents.get(node)
        chain.reverse()
        return chain

    def shown(self, leaf: str | None) -> list[str]:
        """The path to ``leaf`` below the tree's ``root``: what ``branches.walk`` takes."""
        return [self.root, *(self.path_to(leaf) if leaf is not None else [])]

    def versions(self, node_id: str, when: Callable[[object], str | None]) -> list[str]:
        """A node's children oldest first (``when`` gives a node's sortable time; the
        export's order breaks ties): the order an app numbers the versions of a turn."""
        kids = self.children.get(None if node_id == self.root else node_id, [])
        return sorted(kids, key=lambda n: (when(self.nodes[n]) or "", self.order[n]))

    def branch_tree(self, when: Callable[[object], str | None],
                    convert: Callable[[list[str]], list[Message]],
                    merge: Callable[[list[Message]], list[Message]]) -> Tree:
        """The tree as ``branches.walk`` reads it. ``convert`` gets a run's node IDs
        without the ``root``, which holds no message."""
        return Tree(children=lambda node_id: self.versions(node_id, when),
                    convert=lambda run: convert([n for n in run if n in self.nodes]),
                    merge=merge)

    def leaves(self) -> list[str]:
        return [n for n in self.nodes if not self.children.get(n)]

    def latest_leaf(self, when: Callable[[object], str | None]) -> str | None:
        """The leaf written last (``when`` gives a node's sortable time), else the last listed."""
        best: tuple[str, int] | None = None
        best_id = None
        for node_id in self.leaves():
            key = (when(self.nodes[node_id]) or "", self.order[node_id])
            if best is None or key > best:
                best, best_id = key, node_id
        return best_id

    def newest_child_path(self, when: Callable[[object], str | None]) -> list[str]:
        """From the first root, always into the newest child: what apps without a
        "current" pointer (LibreChat) show by default."""
        chain: list[str] = []
        seen: set[str] = set()
        options = self.children.get(None, [])
        while options:
            node = max(options, key=lambda n: (when(self.nodes[n]) or "", self.order[n]))
            if node in seen:
                break
            seen.add(node)
            chain.append(node)
            options = self.children.get(node, [])
        return chain
