"""Redis going away and coming back: the vendor's service-failure answer and one log line, never
a crash or a hang; the mock serves again once Redis is back."""

from __future__ import annotations

import logging
import time

import pytest
import requests

import modmock
from helpers import image_request
from redis_helpers import RedisServer


@pytest.fixture
def private_redis():
    server = RedisServer().start()
    yield server
    server.close()


def _post(mock: modmock.MockServer) -> dict:
    started = time.monotonic()
    answer = requests.post(mock.url + "/image/v4", json=image_request(), timeout=10).json()
    assert time.monotonic() - started < 5, "an unreachable store must not hold a request"
    return answer


def _served_again(mock: modmock.MockServer) -> dict:
    """The first answer after the outage that is not the service failure (the store is tried
    again once a second while it is down): within a few seconds."""
    deadline = time.monotonic() + 5
    while True:
        answer = _post(mock)
        if answer["code"] != 1903 or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def test_an_outage_is_the_vendors_service_failure_then_the_mock_serves_again(private_redis, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="modmock")
    with modmock.serve("deepcleer", store=private_redis.url) as mock:
        assert _post(mock)["code"] == 1100
        private_redis.stop()
        answers = [_post(mock) for _ in range(5)]
        assert {a["code"] for a in answers} == {1903}, answers  # Deepcleer's "service failure"
        assert all("shared store is unavailable" in a["message"] for a in answers), answers
        down = [r for r in caplog.records if "unavailable" in r.getMessage()]
        assert len(down) == 1, [r.getMessage() for r in caplog.records]
        admin = requests.get(mock.admin_url + "/requests", timeout=10)
        assert admin.status_code == 503 and "unavailable" in admin.json()["error"]

        private_redis.start()  # the same port, empty: what it held is gone
        assert _served_again(mock)["code"] == 1100
        assert any("is back" in r.getMessage() for r in caplog.records)
        codes = [e.code for e in mock.requests]  # the store restarted empty: only requests since it came back
        assert codes[-1] == 1100 and set(codes) <= {1903, 1100} and 1100 not in codes[:-1], codes


def test_a_mock_starts_while_its_store_is_down_and_joins_it_later(private_redis) -> None:
    private_redis.stop()
    with modmock.serve("deepcleer", store=private_redis.url) as mock:
        assert _post(mock)["code"] == 1903
        private_redis.start()
        assert _served_again(mock)["code"] == 1100
        mock.add_rule(match={"data_id": "x"}, verdict={"risk": "reject", "labels": [{"category": "porn"}]})
        assert len(requests.get(mock.admin_url + "/rules", timeout=10).json()["rules"]) == 1


def test_a_stalled_store_holds_no_request_for_longer_than_its_timeout(private_redis) -> None:
    import os
    import signal

    with modmock.serve("deepcleer", store=private_redis.url) as mock:
        assert _post(mock)["code"] == 1100
        assert private_redis.process is not None
        os.kill(private_redis.process.pid, signal.SIGSTOP)  # it accepts connections and answers nothing
        try:
            started = time.monotonic()
            answers = [_post(mock) for _ in range(10)]
            elapsed = time.monotonic() - started
        finally:
            os.kill(private_redis.process.pid, signal.SIGCONT)
        assert {a["code"] for a in answers} == {1903}
        assert elapsed < 6, elapsed  # one request waits out the timeout; the others are answered at once
        assert _served_again(mock)["code"] == 1100
