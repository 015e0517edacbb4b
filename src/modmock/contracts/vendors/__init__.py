"""Per-vendor drawing hints for the contract kit, one module per vendor folder.

A module may define ``request_hints(endpoint)`` (dotted field → strategy, or ``REMOVE``),
``calls`` for requests that must be built at send time, and ``SUITE`` (the client contract
suite's :class:`~modmock.contracts.suite.hints.SuiteHints`). The server never imports them.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ...mockserver.vendors import vendor_module


def hints_module(vendor: str) -> ModuleType | None:
    """The hints module of ``vendor``'s folder (jocloud's serves aivacom too), or None."""
    folder = vendor_module(vendor).rsplit(".", 1)[-1]
    try:
        return importlib.import_module(f"{__name__}.{folder}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{folder}":
            raise
        return None
