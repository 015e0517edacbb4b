"""Answers queued by a test (``mock.respond_with``), replayed in order for the next valid requests.

An answer is a response body (sent with the given HTTP status), a vendor error code (rendered
by the vendor), or a fault name (``"reset"``, ``"empty"``, ``"malformed"``). The server only
replays, so a test that draws the answers with Hypothesis can shrink a failing case.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from .faults import ACTIONS
from .jsonio import non_finite


@dataclass(frozen=True)
class Answer:
    """One queued answer and where it applies."""

    value: Any
    status: int = 200
    vendor: str | None = None
    endpoint: str | None = None


class Replayed(Exception):
    """Raised to make the route handler (core.exchange) send a queued body as it is."""

    def __init__(self, body: Any, status: int) -> None:
        super().__init__(status)
        self.body = body
        self.status = status


class ReplayQueue:
    """Thread-safe FIFO of queued answers."""

    def __init__(self) -> None:
        self._queue: deque[Answer] = deque()
        self._lock = threading.Lock()

    def add(self, answer: Answer) -> None:
        value = answer.value
        if not isinstance(value, (dict, list, int)) and value not in ACTIONS:
            raise ValueError(f"an answer is a body, a vendor error code or one of {list(ACTIONS)}, not {value!r}")
        broken = non_finite(value)
        if broken is not None:
            raise ValueError(f"an answer is JSON: {broken} is NaN or infinite")
        with self._lock:
            self._queue.append(answer)

    def take(self, vendor: str, endpoint: str, targeted: bool = False) -> Answer | None:
        """The oldest answer queued for this vendor and endpoint (or for any; ``targeted``: for
        this endpoint by name only)."""
        if not self._queue:  # nothing queued: the common case, without the lock
            return None
        with self._lock:
            for answer in self._queue:
                if answer.vendor in (None, vendor) and (answer.endpoint == endpoint
                                                        or (not targeted and answer.endpoint is None)):
                    self._queue.remove(answer)
                    return answer
        return None

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def armed(self) -> bool:
        """Whether any answer is queued (read without the lock: a hint for the fast path)."""
        return bool(self._queue)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
