"""The contract kit: strategies from every packaged schema, and request checks without a server.

    from modmock.contracts import check_request, strategies

    report = check_request("deepcleer", "image_v4", body)
    assert report.valid, report

    @given(strategies.response("deepcleer", "image_v4"))
    def test_my_client_survives(answer): ...
"""

from __future__ import annotations

from . import strategies
from .checking import RequestReport, check_request

__all__ = ["RequestReport", "check_request", "strategies"]
