"""Authentication helpers shared by vendors."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def same(a: str, b: str) -> bool:
    """Constant-time string comparison; any string, lone surrogates (and the escapes of header
    bytes that are not UTF-8) included."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def find_by_secret(secret: str, candidates: Iterable[T], key: str) -> T | None:
    """The credential whose attribute ``key`` equals ``secret``, compared in constant time."""
    found = None
    for cred in candidates:
        if same(str(getattr(cred, key)), secret):
            found = cred
    return found
