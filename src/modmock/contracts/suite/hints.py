"""What the client contract suite needs to know about a vendor, beyond its schemas.

Each vendor declares ``SUITE = SuiteHints(...)`` in ``vendors/<name>/contract.py``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import strategies as st

from ...mockserver.vendors import vendor_module


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
    try:
        module = importlib.import_module(f"{vendor_module(vendor)}.contract")
    except ModuleNotFoundError:
        module = None
    hints = getattr(module, "SUITE", None)
    if not isinstance(hints, SuiteHints):
        raise LookupError(f"vendor {vendor!r} has no client contract suite yet")
    return hints
