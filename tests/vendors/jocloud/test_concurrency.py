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


def _start(mock: modmock.MockServer, endpoint: str, n: int = 1, vendor: str = "jocloud"):  # type: ignore[no-untyped-def]
    entry = {"url": "rtmp://live.example.com/app/s"} if endpoint == profile.VIDEO_LIVE else \
        {"url": "https://cdn.example.com/v/clip.mp4"}
    body = {"data": [{"dataId": f"item-{i}", **entry} for i in range(n)], "callbackUrl": "http://127.0.0.1:9/hook"}
    return call(mock, endpoint, body, vendor=vendor)


def test_the_21st_running_stream_or_job_of_an_api_gets_429() -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        for endpoint in (profile.VIDEO_LIVE, profile.VIDEO_ASYNC):
            assert [_start(mock, endpoint).status_code for _ in range(20)] == [200] * 20  # 20 running at once
            refused = _start(mock, endpoint)
            assert refused.status_code == 429 and refused.json()["code"] == 429
            assert "20 " + endpoint + " tasks of appid" in mock.requests[-1].notes[-1]
        assert _start(mock, profile.AUDIO_ASYNC).status_code == 200  # the limit is per API
        assert _start(mock, profile.VIDEO_ASYNC, 1).status_code == 429
        mock.advance(31)  # the video jobs finish (30 mock seconds of processing)
        assert _start(mock, profile.VIDEO_ASYNC, 20).status_code == 200  # room again, whole requests
        assert _start(mock, profile.VIDEO_ASYNC, 1).status_code == 429
        assert len([t for t in mock.state.tasks.list() if t.endpoint == profile.VIDEO_ASYNC]) == 40


def test_a_stopped_stream_frees_its_place_and_the_limit_is_configurable() -> None:
    config = {"aivacom": {"concurrency": {"video_live": 2}}}
    with modmock.serve("aivacom", clock="manual", config=config) as mock:
        first = _start(mock, profile.VIDEO_LIVE, vendor="aivacom").json()["data"][0]["taskId"]
        assert _start(mock, profile.VIDEO_LIVE, vendor="aivacom").status_code == 200
        assert _start(mock, profile.VIDEO_LIVE, vendor="aivacom").status_code == 429
        stop = {"operation": "stop", "data": [{"dataId": "item-0", "taskId": first}]}
        assert call(mock, profile.VIDEO_LIVE, stop, vendor="aivacom").status_code == 200
        assert _start(mock, profile.VIDEO_LIVE, vendor="aivacom").status_code == 200


def test_a_refused_request_uses_up_no_rule_or_fault_and_off_means_unlimited() -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        for _ in range(20):
            _start(mock, profile.VIDEO_ASYNC)
        mock.add_rule(times=1, verdict={"risk": "reject", "labels": [{"category": "porn"}]})
        assert _start(mock, profile.VIDEO_ASYNC).status_code == 429
        assert len(mock.state.store.rules.list()) == 1  # still armed for the next accepted job
    with modmock.serve("jocloud", clock="manual", config={"jocloud": {"concurrency": False}}) as mock:
        assert {_start(mock, profile.VIDEO_ASYNC).status_code for _ in range(25)} == {200}
