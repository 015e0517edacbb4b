"""Asynchronous image v4: acknowledgement, callback body, retries on the mock clock, allow-list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from helpers import image_request
from modmock.fixtures.sink import CallbackSink
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors.deepcleer import profile


def test_ack_then_full_result_posted_to_the_callback(post, deepcleer_mock, callback_sink) -> None:
    ack = post(image_request({"img": "https://cdn.example.com/porn/1.jpg"}, callback=callback_sink.url))
    assert set(ack) == {"code", "message", "requestId"} and ack["code"] == 1100
    assert schemas.problems("deepcleer/ack.json", ack) == []
    delivery = deepcleer_mock.wait_for_callbacks(1)[0]
    assert delivery.state == "delivered" and len(delivery.attempts) == 1
    body = callback_sink.wait_for(1)[0].json
    assert schemas.problems("deepcleer/callback.json", body) == []
    assert body["requestId"] == ack["requestId"]
    assert (body["code"], body["riskLevel"], body["riskLabel1"]) == (1100, "REJECT", "porn")
    assert callback_sink.deliveries[0].headers["Content-Type"].startswith("application/json")


def test_async_media_errors_arrive_in_the_callback(post, deepcleer_mock, callback_sink) -> None:
    ack = post(image_request({"img": "https://img.invalid/a.jpg"}, callback=callback_sink.url))
    assert ack["code"] == 1100
    deepcleer_mock.wait_for_callbacks(1)
    body = callback_sink.deliveries[0].json
    assert (body["code"], body["requestId"]) == (1911, ack["requestId"])
    assert schemas.problems("deepcleer/callback.json", body) == []


def test_async_base64_up_to_30_mb_but_not_more(post, deepcleer_mock, callback_sink) -> None:
    import base64

    from modmock.fixtures.media import image_bytes
    img = image_bytes(32, 32) + b"\0" * (12 * 1024 * 1024)  # over the sync limit, under the async one
    assert post(image_request({"img": base64.b64encode(img).decode()}))["code"] == 1902
    post(image_request({"img": base64.b64encode(img).decode()}, callback=callback_sink.url))
    deepcleer_mock.wait_for_callbacks(1)
    assert callback_sink.deliveries[0].json["code"] == 1100


def test_invalid_async_requests_are_answered_at_once(post, deepcleer_mock, callback_sink) -> None:
    assert post(image_request({"tokenId": None}, callback=callback_sink.url))["code"] == 1902
    deepcleer_mock.fail_next(1903)
    assert post(image_request(callback=callback_sink.url))["code"] == 1903
    deepcleer_mock.run_until_idle()
    assert deepcleer_mock.callbacks == [] and callback_sink.deliveries == []


@pytest.fixture
def manual() -> Iterator[modmock.MockServer]:
    with modmock.serve("deepcleer", clock="manual") as mock:
        yield mock


def _send(mock: modmock.MockServer, callback: str, **data: Any) -> dict[str, Any]:
    body = image_request(data or None, callback=callback)
    return requests.post(mock.url + "/image/v4", json=body, timeout=10).json()


def test_full_retry_schedule_on_a_manual_clock(manual, callback_sink) -> None:
    callback_sink.statuses = [500]
    _send(manual, callback_sink.url)
    assert manual.callbacks == []  # still processing: the clock is frozen
    manual.advance(profile.PROCESSING_SECONDS)
    (delivery,) = manual.callbacks
    assert [a.outcome for a in delivery.attempts] == ["rejected"]
    for interval in profile.RETRY_SCHEDULE:
        manual.advance(interval - 0.001)
        assert len(delivery.attempts) == interval  # not yet
        manual.advance(0.001)
        assert len(delivery.attempts) == interval + 1
    times = [a.time for a in delivery.attempts]
    gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
    assert gaps == [1, 2, 3, 4, 5, 6, 7, 8]
    assert delivery.state == "failed" and len(callback_sink.deliveries) == 9
    manual.run_until_idle()
    assert len(callback_sink.deliveries) == 9  # 8 retries at most


def test_delivery_succeeds_on_the_first_200(manual, callback_sink) -> None:
    callback_sink.statuses = [500, 503, 200, 500]
    _send(manual, callback_sink.url)
    manual.run_until_idle()
    (delivery,) = manual.callbacks
    assert [a.status for a in delivery.attempts] == [500, 503, 200]
    assert delivery.state == "delivered"


def test_only_200_counts_as_delivered(manual, callback_sink) -> None:
    callback_sink.statuses = [204, 201, 200]
    _send(manual, callback_sink.url)
    manual.run_until_idle()
    assert [a.outcome for a in manual.callbacks[0].attempts] == ["rejected", "rejected", "delivered"]


def test_unreachable_receiver_is_retried_then_fails(manual) -> None:
    _send(manual, "http://127.0.0.1:9/closed")  # the discard port: nothing listens
    manual.run_until_idle()
    delivery = manual.callbacks[0]
    assert len(delivery.attempts) == 9 and {a.outcome for a in delivery.attempts} == {"error"}
    assert delivery.state == "failed"


def test_callback_to_a_host_outside_the_allow_list_is_blocked(manual) -> None:
    assert _send(manual, "https://hooks.example.com/cb")["code"] == 1100
    manual.run_until_idle()
    (delivery,) = manual.callbacks
    assert delivery.state == "blocked" and [a.outcome for a in delivery.attempts] == ["blocked"]
    assert "allow-list" in (delivery.attempts[0].error or "")


def test_allow_callback_host_lets_a_name_through() -> None:
    with modmock.serve("deepcleer", allow_callback_hosts=["hooks.example.com"], clock="manual") as mock:
        _send(mock, "http://hooks.example.com:9/cb")
        mock.advance(profile.PROCESSING_SECONDS)
        assert mock.callbacks[0].attempts[0].outcome != "blocked"


def test_reset_cancels_scheduled_callbacks(manual, callback_sink) -> None:
    _send(manual, callback_sink.url)
    manual.reset()
    manual.run_until_idle()
    assert manual.callbacks == [] and callback_sink.deliveries == []
    assert manual.state.tasks.list() == []


def test_task_moves_from_processing_to_done(manual, callback_sink) -> None:
    ack = _send(manual, callback_sink.url)
    (task,) = manual.state.tasks.list()
    assert (task.id, task.status) == (ack["requestId"], "processing")
    manual.advance(1)
    assert task.status == "done" and [s for _, s in task.history] == ["processing", "done"]


def test_stop_journals_pending_callbacks_as_cancelled(callback_sink) -> None:
    mock = modmock.serve("deepcleer", clock="manual")
    _send(mock, callback_sink.url)
    mock.advance(profile.PROCESSING_SECONDS)  # attempt 1 delivered? no: make it fail first
    callback_sink.statuses = [500]
    _send(mock, callback_sink.url)
    mock.advance(profile.PROCESSING_SECONDS)
    state = mock.state
    mock.stop()
    states = sorted(d.state for d in state.callbacks.deliveries())
    assert states == ["cancelled", "delivered"]
    cancelled = next(d for d in state.callbacks.deliveries() if d.state == "cancelled")
    assert cancelled.attempts[-1].outcome == "cancelled"


async def test_async_twins_for_asyncio_tests(callback_sink: CallbackSink) -> None:
    import aiohttp
    with modmock.serve("deepcleer", clock="manual") as mock:
        async with aiohttp.ClientSession() as session:
            async with session.post(mock.url + "/image/v4",
                                    json=image_request(callback=callback_sink.url)) as resp:
                assert (await resp.json())["code"] == 1100
        await mock.advance_async(0.1)
        assert mock.callbacks == []
        await mock.run_until_idle_async()
        delivered = await mock.wait_for_callbacks_async(1, timeout=5)
        assert delivered[0].state == "delivered"
        assert (await callback_sink.wait_for_async(1))[0].json["code"] == 1100


def test_stop_cancels_an_attempt_in_flight(callback_sink) -> None:
    from modmock.mockserver.settings import Settings
    callback_sink.delay = 5.0  # the receiver is slower than the shutdown grace
    mock = modmock.MockServer(Settings(port=0, time_scale=0, shutdown_grace=0.2)).start()
    _send(mock, callback_sink.url)
    callback_sink.wait_for(1)  # the attempt is in flight
    state = mock.state
    mock.stop()
    (delivery,) = state.callbacks.deliveries()
    assert delivery.state == "cancelled"
    assert [a.outcome for a in delivery.attempts] == ["cancelled"]


def test_waiting_for_callbacks_that_never_come_says_why(manual, callback_sink) -> None:
    _send(manual, callback_sink.url)
    with pytest.raises(AssertionError, match="got 0 of 0 started .manual clock: call advance"):
        manual.wait_for_callbacks(1, timeout=0.2)
