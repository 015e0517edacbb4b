"""Issued bearer tokens: whose, valid until when (wall time, so the mock clock never expires one)."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict

TOKENS_KEPT = 10_000  # the oldest tokens are forgotten first


class TokenStore:
    """Tokens by value: the owner's key and the wall time the token expires."""

    shared = False  # a shared store's tokens: ``create`` and ``prefetch`` ask the shared server

    def __init__(self, capacity: int = TOKENS_KEPT) -> None:
        self.capacity = capacity
        self._tokens: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()

    def issue(self, owner: str, lifetime: float, now: float | None = None) -> str:
        """A new random token for ``owner``, valid ``lifetime`` seconds from ``now`` (wall time)."""
        token = secrets.token_urlsafe(32)
        until = (time.time() if now is None else now) + lifetime
        with self._lock:
            self._tokens[token] = (owner, until)
            while len(self._tokens) > self.capacity:
                self._tokens.popitem(last=False)
        return token

    async def create(self, owner: str, lifetime: float) -> str:
        """:meth:`issue`, where every process can look the token up."""
        return self.issue(owner, lifetime)

    async def prefetch(self, token: str | None) -> None:
        """Bring ``token`` into this process's view before :meth:`lookup` (a shared store)."""

    def lookup(self, token: str) -> tuple[str, float] | None:
        """The owner and expiry of ``token``, or None when it was never issued."""
        with self._lock:
            return self._tokens.get(token)

    def expire(self, token: str | None = None, now: float | None = None) -> int:
        """Make ``token`` (or every token) expired now; how many were."""
        past = (time.time() if now is None else now) - 1
        with self._lock:
            chosen = [token] if token is not None else list(self._tokens)
            found = [t for t in chosen if t in self._tokens]
            for t in found:
                self._tokens[t] = (self._tokens[t][0], past)
        return len(found)

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()
