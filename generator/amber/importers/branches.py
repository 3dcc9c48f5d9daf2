"""Edited prompts and regenerated answers: a tree of messages made into alternatives.

Chat apps keep a conversation as a tree: a node with several children is a
message that was edited (the children are its versions) or an answer that was
regenerated. The path the person saw last is the conversation; at each fork on
it, the other children become the ``alternatives`` of the first message that
follows the fork on that path (``amber.content.model.Message``), each with the
messages that followed it. Inside an alternative, a fork follows its newest
child, and its other children become alternatives in turn.

Each format says how to read its tree (``Tree``); this module only walks it. A
run of nodes between forks is converted as a whole by the importer
(``Tree.convert``), so a turn made of several nodes is merged as before. What
cannot be kept is counted as dropped: a fork whose versions show nothing, a fork
inside one turn (the versions would split a message in two), branches nested
deeper than ``MAX_BRANCH_DEPTH``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from amber.content.model import Message
from amber.content.schema import MAX_BRANCH_DEPTH


@dataclass(frozen=True)
class Tree:
    """How one conversation's tree reads."""

    children: Callable[[str], Sequence[str]]
    """A node's children that exist, oldest first (the order an app numbers versions)."""
    convert: Callable[[Sequence[str]], list[Message]]
    """Messages of a run of nodes on one path, merged as the importer merges a turn.
    Called once per run, in document order; a run of an alternative may come after
    the runs that follow its fork on the shown path."""
    merge: Callable[[list[Message]], list[Message]] = field(default=lambda ms: ms)
    """What ``convert`` does to the messages of one run to make turns of them: two
    messages it joins into one are one turn, and a fork between them cannot be kept."""


@dataclass
class Walk:
    """The result: the conversation with its alternatives, and what was left out."""

    messages: list[Message]
    dropped: int = 0
    seen: set[str] = field(default_factory=set)
    """Nodes already placed: each is read once, so a tree whose children lists point
    back up (hostile or broken) can neither loop nor multiply the work."""


def walk(tree: Tree, path: Sequence[str]) -> Walk:
    """The messages of ``path`` (node ids, root first: the shown path), with the other
    children of each node on it as alternatives."""
    result = Walk([], seen=set(path))
    result.messages = _thread(tree, list(path), 0, result)
    return result


def _thread(tree: Tree, path: list[str], depth: int, result: Walk) -> list[Message]:
    """The messages of ``path``; forks along it become alternatives (``depth`` counts
    how many alternatives deep this path is)."""
    runs: list[tuple[list[str], list[str], int]] = []
    """(run of nodes, other children at its end, version of the path's child)."""
    run: list[str] = []
    for index, node in enumerate(path):
        run.append(node)
        if index + 1 == len(path):
            # past where the person left off
            result.dropped += len([k for k in tree.children(node) if k not in result.seen])
            break
        kids = list(tree.children(node))
        taken = path[index + 1]
        others = [k for k in kids if k != taken and k not in result.seen]
        result.seen.update(others)
        if others:
            version = kids.index(taken) + 1 if taken in kids else len(kids) + 1
            runs.append((run, others, version))
            run = []
    runs.append((run, [], 1))
    out: list[Message] = []
    pending: tuple[list[str], int] | None = None
    for nodes, others, version in runs:
        messages = tree.convert(nodes)
        if pending is not None:
            if out and messages and _joined(tree, out[-1], messages[0]):
                # A fork inside one turn: the turn stays whole, its versions are dropped.
                result.dropped += len(pending[0])
                messages = tree.merge([out.pop(), *messages])
            else:
                messages = _attach(tree, out, messages, pending, depth, result)
        out.extend(messages)
        pending = (others, version) if others else None
    return out


def _joined(tree: Tree, before: Message, after: Message) -> bool:
    return len(tree.merge([before, after])) < 2


def _attach(tree: Tree, before: list[Message], messages: list[Message],
            fork: tuple[list[str], int], depth: int, result: Walk) -> list[Message]:
    """``messages`` (what follows a fork on the shown path) with the fork's other
    children as alternatives of the first of them."""
    others, version = fork
    if not messages or depth >= MAX_BRANCH_DEPTH:
        result.dropped += len(others)
        return messages
    branches: list[tuple[Message, ...]] = []
    shown_at = version
    for position, child in enumerate(others, start=1):
        branch = _thread(tree, _newest_path(tree, child, result.seen), depth + 1, result)
        if branch and not (before and _joined(tree, before[-1], branch[0])):
            branches.append(tuple(branch))
        else:
            result.dropped += 1
            if position < version:
                shown_at -= 1
    if not branches:
        return messages
    first = replace(messages[0], alternatives=tuple(branches), version=shown_at)
    return [first, *messages[1:]]


def without_model(msg: Message, model: str | None) -> Message:
    """``msg`` and its alternatives, all through, without ``model`` where they name it: the
    conversation names the model that wrote all of it once."""
    alternatives = tuple(tuple(without_model(m, model) for m in branch)
                         for branch in msg.alternatives)
    if msg.model is not None and msg.model == model:
        return replace(msg, model=None, alternatives=alternatives)
    return replace(msg, alternatives=alternatives) if alternatives else msg


def _newest_path(tree: Tree, start: str, seen: set[str]) -> list[str]:
    """From ``start`` down to a leaf, through the newest child at each fork: inside an
    alternative, the version the person most likely saw last. Marks the path seen."""
    path = [start]
    seen.add(start)
    while kids := [k for k in tree.children(path[-1]) if k not in seen]:
        path.append(kids[-1])
        seen.add(kids[-1])
    return path
