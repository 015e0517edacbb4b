"""Replay protection: signature nonces remembered for a window of wall time, bounded.

Each nonce is kept as a 64-bit digest with its expiry, about 110 bytes, so the bound of
200,000 costs some 21 MiB at most; two different nonces share a digest with odds of about
one in 10^9 at the bound.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


def _digest(nonce: Hashable) -> int:
    return int.from_bytes(hashlib.blake2b(repr(nonce).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


class NonceStore:
    """Remembers each nonce until its own window of wall time ends; at most ``capacity``."""

    shared = False  # a shared store's nonces are claimed with :meth:`claim` (awaited)

    def __init__(self, capacity: int = 200_000, now: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self._now = now
        self._expiry: dict[int, float] = {}
        self._order_expiry: deque[float] = deque()  # the same float objects as the dict's values
        self._order_key: deque[int] = deque()
        self._lock = threading.Lock()

    def use(self, nonce: Hashable, window: float) -> bool:
        """Record ``nonce`` for ``window`` seconds; False when it is still remembered."""
        key = _digest(nonce)
        now = self._now()
        with self._lock:
            expiry, order_expiry, order_key = self._expiry, self._order_expiry, self._order_key
            while order_expiry and (order_expiry[0] <= now or len(expiry) >= self.capacity):
                expires, old = order_expiry.popleft(), order_key.popleft()
                if expiry.get(old) is expires:
                    del expiry[old]
            if expiry.get(key, 0.0) > now:
                return False
            expires = now + window
            expiry[key] = expires
            order_expiry.append(expires)
            order_key.append(key)
            return True

    async def claim(self, nonce: Hashable, window: float) -> bool:
        """:meth:`use`, where every process remembers it."""
        return self.use(nonce, window)

    def __len__(self) -> int:
        return len(self._expiry)

    def clear(self) -> None:
        with self._lock:
            self._expiry.clear()
            self._order_expiry.clear()
            self._order_key.clear()
