"""The order of the pipeline's stages is declared per endpoint, not coded: the documented
precedence holds over HTTP, and a different declaration answers differently."""

from __future__ import annotations

import pytest
import requests

import modmock
from modmock.mockserver.vendors.alibaba import declaration as alibaba_declaration
from modmock.mockserver.vendors.alibaba import profile as alibaba_profile
from modmock.mockserver.vendors.deepcleer import declaration as deepcleer_declaration

BAD_FIELD = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "EROTICA",
             "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u"}}


def _post_twice(mock: modmock.MockServer) -> int:
    """The code of the second request to a mock allowing 1 per second (the first uses the window)."""
    mock.state.store.rates._now = lambda: 1000.0  # a frozen wall clock: one window, whatever the speed
    requests.post(mock.url + "/image/v4", json={**BAD_FIELD, "type": "EROTIC"}, timeout=10)
    return int(requests.post(mock.url + "/image/v4", json=BAD_FIELD, timeout=10).json()["code"])


def test_deepcleer_answers_fields_before_qps_as_documented() -> None:
    assert deepcleer_declaration.ORDER.index("validate") < deepcleer_declaration.ORDER.index("limits")
    with modmock.serve("deepcleer", config={"deepcleer": {"qps": 1}}) as mock:
        assert _post_twice(mock) == 1902


def test_another_declared_order_answers_qps_first(monkeypatch: pytest.MonkeyPatch) -> None:
    order = ("read", "decode", "shape", "authenticate", "limits", "validate", "subjects", "inject", "verdict",
             "backend")
    monkeypatch.setattr(deepcleer_declaration, "ORDER", order)
    with modmock.serve("deepcleer", config={"deepcleer": {"qps": 1}}) as mock:
        assert _post_twice(mock) == 1901


def test_alibaba_authenticates_before_reading_a_broken_body() -> None:
    order = alibaba_declaration.ORDER
    assert order.index("authenticate") < order.index("shape") < order.index("validate")
    assert alibaba_profile.ERROR_PRECEDENCE[0][1] == "4xx"  # the gateway first, as the profile documents
    with modmock.serve("alibaba") as mock:
        answer = requests.post(mock.url + "/?Action=ImageBatchModeration&Version=2022-03-02", data=b"[1,",
                               headers={"Content-Type": "application/json"}, timeout=10)
        assert answer.status_code >= 400 and answer.json()["Code"] == "MissingSignature"
