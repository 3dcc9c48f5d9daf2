"""The thread of a share of every branch: each message with alternatives becomes a
fork of versions, laid out as a flat list of steps (``ThreadItem``).

The page shows the shared path first; each version is a container the reader can
switch to (``‹ 2 / 3 ›``), with JavaScript in place and without it by following the
version's link. A version holds its message and everything that followed it, so
forks nest; the steps are made with an explicit stack and walked by the template in
one loop, so a deep tree exhausts neither Python's stack nor Jinja's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from amber.content.model import Message
from amber.render.pages import MessageView, ThreadItem, VersionView

ViewOf = Callable[[Message, int, str], MessageView]
"""``(message, number, anchor) -> MessageView``: renders one message."""


@dataclass(frozen=True)
class _Path:
    """Work still to lay out: ``messages`` numbered from ``start``, their anchors
    starting with ``prefix`` (empty on the shared path: ``m-3`` as on any share)."""

    messages: tuple[Message, ...]
    start: int
    prefix: str


def versions_of(message: Message, rest: tuple[Message, ...]) -> list[tuple[Message, ...]]:
    """Every version at ``message`` in order: its alternatives, with the shown one (the
    message without them, then ``rest``) at its ``version``."""
    shown = (Message(message.role, message.content, message.created, message.model), *rest)
    ordered = list(message.alternatives)
    ordered.insert(message.version - 1, shown)
    return ordered


def thread_items(messages: tuple[Message, ...], view_of: ViewOf) -> tuple[ThreadItem, ...]:
    """The steps of a conversation with alternatives, in document order."""
    out: list[ThreadItem] = []
    work: list[_Path | ThreadItem] = [_Path(messages, 1, "")]
    while work:
        task = work.pop()
        if isinstance(task, ThreadItem):
            out.append(task)
            continue
        for offset, message in enumerate(task.messages):
            number = task.start + offset
            if not message.alternatives:
                out.append(ThreadItem("message", view_of(message, number,
                                                         f"{task.prefix}m-{number}")))
                continue
            out.append(ThreadItem("fork"))
            later: list[_Path | ThreadItem] = []
            branches = versions_of(message, task.messages[offset + 1:])
            anchors = [f"{task.prefix}v-{number}-{k}" for k in range(1, len(branches) + 1)]
            for k, branch in enumerate(branches, start=1):
                shared = k == message.version
                version = VersionView(
                    anchor=anchors[k - 1], number=k, count=len(branches),
                    message_number=number, shared=shared,
                    prev_anchor=anchors[k - 2] if k > 1 else None,
                    next_anchor=anchors[k] if k < len(branches) else None,
                )
                # The shared version keeps the path's anchors: a link to message 5 of
                # the shared path is the same on a share of every branch.
                prefix = task.prefix if shared else f"{anchors[k - 1]}-"
                later += [ThreadItem("version", version=version),
                          _Path(branch, number, prefix), ThreadItem("end_version")]
            later.append(ThreadItem("end_fork"))
            work.extend(reversed(later))
            break
    return tuple(out)
