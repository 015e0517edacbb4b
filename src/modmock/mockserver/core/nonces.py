"""Replay protection: signature nonces remembered for a window of wall time, bounded."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


class NonceStore:
    """Remembers each nonce until its own window of wall time ends; at most ``capacity``."""

    def __init__(self, capacity: int = 200_000, now: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self._now = now
        self._expiry: dict[Hashable, float] = {}
        self._order: deque[tuple[float, Hashable]] = deque()
        self._lock = threading.Lock()

    def use(self, nonce: Hashable, window: float) -> bool:
        """Record ``nonce`` for ``window`` seconds; False when it is still remembered."""
        now = self._now()
        with self._lock:
            while self._order and (self._order[0][0] <= now or len(self._expiry) >= self.capacity):
                expires, old = self._order.popleft()
                if self._expiry.get(old) == expires:
                    del self._expiry[old]
            if self._expiry.get(nonce, 0.0) > now:
                return False
            self._expiry[nonce] = now + window
            self._order.append((now + window, nonce))
            return True

    def clear(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._order.clear()
