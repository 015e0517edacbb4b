"""The default concurrency of 20 per API, enforced on requests in flight (429), configurable; and
the QPS limits the API pages state, configurable too."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import modmock
from jocloud_helpers import APPID, b64, call, image
from modmock.mockserver.vendors.jocloud import profile

HOLD = 4.0  # real seconds of injected latency that keep requests in flight (room for a slow machine)


def _in_flight(mock: modmock.MockServer, endpoint: str, vendor: str = "jocloud") -> int:
    return mock.state.store.in_flight.count((vendor, APPID, endpoint))


def _wait_until_in_flight(mock: modmock.MockServer, endpoint: str, n: int, deadline: float = 10.0) -> None:
    """Poll the mock until ``n`` requests are inside it (a condition, not a vendor wait)."""
    end = time.monotonic() + deadline
    while _in_flight(mock, endpoint) < n:
        assert time.monotonic() < end, f"only {_in_flight(mock, endpoint)} of {n} requests arrived"
        time.sleep(0.01)


def test_the_21st_request_in_flight_gets_429_and_the_first_20_succeed(jocloud_mock) -> None:
    jocloud_mock.add_latency(HOLD, times=20, endpoint=profile.IMAGE_SYNC)
    with ThreadPoolExecutor(max_workers=20) as pool:
        held = [pool.submit(call, jocloud_mock, profile.IMAGE_SYNC, image()) for _ in range(20)]
        _wait_until_in_flight(jocloud_mock, profile.IMAGE_SYNC, 20)
        extra = call(jocloud_mock, profile.IMAGE_SYNC, image())
        other_api = call(jocloud_mock, profile.TEXT_SYNC, {"data": [{"dataId": "t", "content": b64("hi")}]})
        answers = [f.result() for f in held]
    assert extra.status_code == 429 and extra.json()["code"] == 429
    assert extra.json()["message"] == "Too many requests"
    assert other_api.status_code == 200  # the limit is per API
    assert [a.status_code for a in answers] == [200] * 20
    assert call(jocloud_mock, profile.IMAGE_SYNC, image()).status_code == 200  # places free again
    refused = [e for e in jocloud_mock.requests if e.status == 429]
    assert len(refused) == 1 and refused[0].notes == ["429: 20 requests to image_sync already in flight "
                                                      "(concurrency 20)"]


def test_concurrency_is_configurable_per_api() -> None:
    config = {"aivacom": {"concurrency": {"text_sync": 2}}}
    with modmock.serve("aivacom", config=config) as mock:
        mock.add_latency(HOLD, times=2, endpoint=profile.TEXT_SYNC)
        body = {"data": [{"dataId": "t", "content": b64("hi")}]}
        with ThreadPoolExecutor(max_workers=2) as pool:
            held = [pool.submit(call, mock, profile.TEXT_SYNC, body, vendor="aivacom") for _ in range(2)]
            end = time.monotonic() + 10
            while mock.state.store.in_flight.count(("aivacom", APPID, "text_sync")) < 2:
                assert time.monotonic() < end
                time.sleep(0.01)
            third = call(mock, profile.TEXT_SYNC, body, vendor="aivacom")
            assert [f.result().status_code for f in held] == [200, 200]
        assert third.status_code == 429


def test_the_documented_text_qps_of_20_answers_429() -> None:
    with modmock.serve("jocloud") as mock:
        body = {"data": [{"dataId": "t", "content": b64("hi")}]}
        statuses = [call(mock, profile.TEXT_SYNC, body).status_code for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_qps_is_configurable_and_can_be_turned_off() -> None:
    config = {"jocloud": {"qps": {"image_sync": 3, "text_sync": False}}}
    with modmock.serve("jocloud", config=config) as mock:
        assert [call(mock, profile.IMAGE_SYNC, image()).status_code for _ in range(4)] == [200, 200, 200, 429]
        body = {"data": [{"dataId": "t", "content": b64("hi")}]}
        assert {call(mock, profile.TEXT_SYNC, body).status_code for _ in range(25)} == {200}
