"""The contract kit: strategies from every packaged schema, and request checks without a server.

    from modmock.contracts import check_request, strategies

    report = check_request("deepcleer", "image_v4", body)
    assert report.valid, report

    @given(strategies.response("deepcleer", "image_v4"))
    def test_my_client_survives(answer): ...
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["RequestReport", "check_request", "strategies"]

_LAZY = {"RequestReport": ".checking", "check_request": ".checking", "strategies": ".strategies"}


def __getattr__(name: str) -> Any:
    # Imported on first use, so ``modmock contract`` can start pytest before Hypothesis loads.
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    return module if name == "strategies" else getattr(module, name)
