"""What the client contract suite needs to know about a vendor, beyond its schemas.

Each vendor declares ``SUITE = SuiteHints(...)`` in ``contracts/vendors/<folder>.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class SuiteHints:
    """The moderation endpoint a client calls, how to read a risk off an answer, and more."""

    endpoint: str
    rate_limit_code: Any
    responses: Callable[[], st.SearchStrategy[Any]]  # documented answers to a synchronous call
    risk_of: Callable[[Any], str | None]  # "pass" / "review" / "reject", or None for an error answer
    callbacks: str | None = None  # None when the endpoint calls back; else why there is no async item


def suite_hints(vendor: str) -> SuiteHints:
    """The vendor's hints; ``LookupError`` when it has no suite yet."""
    from ..vendors import hints_module

    hints = getattr(hints_module(vendor), "SUITE", None)
    if not isinstance(hints, SuiteHints):
        raise LookupError(f"vendor {vendor!r} has no client contract suite yet")
    return hints
