"""What the server shows at one moment, and the hub that swaps it and wakes live reload.

A request takes the current ``ServedState`` once, at its start, and answers from
it alone. The rebuild loop makes a complete new state and swaps the reference
in one assignment, so a response is always from one build: never half of one
and half of the next.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime

from amber.content.load import SiteContent
from amber.content.model import Conversation
from amber.serve.builder import Build


@dataclass(frozen=True)
class ServedState:
    build: Build | None
    """The last good build; None until the first one succeeds."""
    content: SiteContent | None
    """The latest load of content/ (the management page shows it, problems and all)."""
    conversations: dict[str, Conversation] = field(default_factory=dict)
    """Drafts: each conversation as last loaded without errors, while its file exists."""
    problems: tuple[str, ...] = ()
    """Why the latest change could not be built (``file:line: message``); the overlay."""
    epoch: str = ""
    """Changes with every new state; a page that saw another epoch reloads."""
    ready: bool = False
    """False until the first build attempt has finished (successfully or not)."""
    moment: datetime | None = None
    """When this state's build judged expiry: the management page states each share at
    the same moment, so it never calls ``expired`` a page that is still served."""
    retired_assets: dict[str, bytes] = field(default_factory=dict)
    """Theme assets of the previous build that this one renamed (a CSS edit changes the
    fingerprint): a page of the previous build that is still loading gets its own styles
    and script, not a 404, before it reloads."""


class LiveSite:
    """Holds the current state; request threads read it, the rebuild loop replaces it."""

    def __init__(self) -> None:
        self._instance = secrets.token_hex(4)
        """Epochs of another server process never match this one's, so pages reload."""
        self._counter = 0
        self._condition = threading.Condition()
        self._closed = False
        self._state = ServedState(build=None, content=None, epoch=self._next_epoch())

    def _next_epoch(self) -> str:
        self._counter += 1
        return f"{self._instance}-{self._counter}"

    @property
    def state(self) -> ServedState:
        return self._state

    @property
    def closed(self) -> bool:
        return self._closed

    def publish(self, state: ServedState) -> ServedState:
        """Swap in ``state`` under a new epoch and wake every waiting page."""
        with self._condition:
            self._state = replace(state, epoch=self._next_epoch(), ready=True)
            self._condition.notify_all()
            return self._state

    def wait_ready(self, timeout: float) -> ServedState:
        """The state once the first build attempt is over (or the current one on timeout)."""
        with self._condition:
            self._condition.wait_for(lambda: self._state.ready or self._closed, timeout)
            return self._state

    def wait_for_change(self, epoch: str, timeout: float) -> ServedState:
        """The state once its epoch differs from ``epoch``, or the current one on timeout."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._state.epoch != epoch or self._closed, timeout)
            return self._state

    def close(self) -> None:
        """Release every waiting request (the server is stopping)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
