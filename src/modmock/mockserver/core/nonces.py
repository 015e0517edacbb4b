"""Replay protection: signature nonces remembered for a window of wall time, bounded."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable


class NonceStore:
    """Remembers nonces for ``window`` wall seconds; at most ``capacity`` at a time."""

    def __init__(self, window: float, capacity: int = 200_000, now: Callable[[], float] = time.time) -> None:
        self.window = window
        self.capacity = capacity
        self._now = now
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self._lock = threading.Lock()

    def use(self, nonce: Hashable) -> bool:
        """Record ``nonce``; False when it was already used within the window."""
        now = self._now()
        with self._lock:
            while self._seen:
                oldest, seen_at = next(iter(self._seen.items()))
                if seen_at > now - self.window and len(self._seen) < self.capacity:
                    break
                del self._seen[oldest]
            if nonce in self._seen:
                return False
            self._seen[nonce] = now
            return True

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
