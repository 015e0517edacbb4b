"""Concurrency limits: how many requests under one key may be in flight at once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable, Iterator
from contextlib import contextmanager


class TooManyInFlight(Exception):
    """A request arrived while ``limit`` others under its key were still being answered."""

    def __init__(self, key: Hashable, limit: int) -> None:
        super().__init__(f"{limit} requests already in flight")
        self.key = key
        self.limit = limit


class InFlight:
    """Counts requests in flight per key; ``slot`` refuses the one over the limit."""

    def __init__(self) -> None:
        self._counts: Counter[Hashable] = Counter()
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, key: Hashable, limit: int | None) -> Iterator[None]:
        """Hold one place under ``key`` while the block runs; raise :class:`TooManyInFlight`
        when ``limit`` places are taken (None: unlimited)."""
        with self._lock:
            if limit is not None and self._counts[key] >= limit:
                raise TooManyInFlight(key, limit)
            self._counts[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._counts[key] -= 1
                if self._counts[key] <= 0:
                    del self._counts[key]

    def count(self, key: Hashable) -> int:
        with self._lock:
            return self._counts[key]
