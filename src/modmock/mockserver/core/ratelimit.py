"""QPS limits over a sliding one-second window of wall time."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


class RateLimiter:
    """Counts requests per key in the last second of wall time."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._windows: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: Hashable, qps: int | None) -> bool:
        """Record one request under ``key``; False when it exceeds ``qps`` (None: unlimited)."""
        if qps is None:
            return True
        now = self._now()
        with self._lock:
            window = self._windows.setdefault(key, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= qps:
                return False
            window.append(now)
            return True

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
