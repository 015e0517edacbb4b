"""Writes of shared work under the faults of a real network and racing processes: a reply lost
after Redis ran the write, a reset made while a write was on its way, and a stop racing a step
on another process. The faults are injected by a TCP relay between one mock and Redis."""

from __future__ import annotations

import asyncio
import random
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import modmock
from akool_helpers import CLIENT_ID, CLIENT_SECRET, SUBMIT
from helpers import image_request
from modmock.contracts import akool as kit
from modmock.fixtures.sink import CallbackSink
from redis_helpers import FaultyLink


@pytest.fixture
def faulty(store_url):
    link = FaultyLink(store_url)
    yield link
    link.released.set()
    link.close()


def _tasks(mock: modmock.MockServer) -> list[tuple[str, str]]:
    return [(t["id"], t["status"]) for t in requests.get(mock.admin_url + "/tasks", timeout=10).json()["tasks"]]


def test_a_write_whose_reply_was_lost_is_applied_once_when_sent_again(store_url, faulty) -> None:
    config = {"akool": {"queue_seconds": 10}}
    with CallbackSink() as sink, \
            modmock.serve("akool", store=faulty.url, clock="manual", config=config) as a, \
            modmock.serve("akool", store=store_url, clock="manual", config=config) as b:
        token = requests.post(a.url + "/api/open/v3/getToken", json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET},
                              timeout=10).json()["token"]
        faulty.lose_next = True  # the job's task and first timer reach Redis; the reply to a does not
        answer = requests.post(a.url + SUBMIT, json={"type": 4, "content": "kind words", "webhookUrl": sink.url},
                               headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
        assert answer["code"] == 1000  # accepted: a keeps the write, to send again once Redis is back
        b.advance(10)  # b moves the job a wrote to its next status (a webhook)
        sink.wait_for(1)
        faulty.up()
        deadline = time.monotonic() + 10
        while requests.get(a.admin_url + "/health", timeout=10).status_code != 200:  # a sends its write again
            assert time.monotonic() < deadline
            time.sleep(0.2)
        b.advance(3600)
        a.run_until_idle()
        sink.wait_for(2)
        time.sleep(0.3)  # room for a third, wrong, delivery
        # Sent again and applied again, the write would have put the job back in its first status
        # with its first timer: that status change (and its webhook) would come twice.
        statuses = [kit.open_webhook(r.json, CLIENT_ID, CLIENT_SECRET)["status"] for r in sink.deliveries]
        assert statuses == [2, 3]
        assert _tasks(a) == _tasks(b) == [(answer["data"]["_id"], "completed")]


def test_work_written_after_a_reset_it_had_not_seen_stays_out_of_the_new_generation(store_url, faulty) -> None:
    with CallbackSink() as sink, ThreadPoolExecutor(1) as pool, \
            modmock.serve("deepcleer", store=faulty.url, clock="manual") as a, \
            modmock.serve("deepcleer", store=store_url, clock="manual") as b:
        faulty.hold_next = True
        sending = pool.submit(requests.post, a.url + "/image/v4", json=image_request(callback=sink.url), timeout=10)
        assert faulty.held.wait(5)  # a's task and timer are on their way to Redis
        b.reset()
        faulty.released.set()
        assert sending.result(10).json()["code"] == 1100  # accepted before the reset reached a
        a.run_until_idle()
        b.run_until_idle()
        time.sleep(0.3)
        assert sink.deliveries == []  # the reset removed the task: its late write did not bring it back
        assert _tasks(a) == _tasks(b) == []


def test_a_stop_is_not_undone_by_a_step_that_raced_it_on_another_server(store_url, faulty) -> None:
    from jocloud_helpers import ok

    with CallbackSink() as sink, ThreadPoolExecutor(1) as pool, \
            modmock.serve("jocloud", store=store_url, clock="manual") as a, \
            modmock.serve("jocloud", store=faulty.url, clock="manual") as b:
        body = {"data": [{"dataId": "stream-1", "url": "rtmp://live.example.com/app/show"}],
                "callbackUrl": sink.url, "interval": 5}
        (item,) = ok(a, "video_live", body, trace_id="trace-race")["data"]
        faulty.hold_next = True
        advancing = pool.submit(b.advance, 5)  # b sends the report due at 5; its write of the task is held
        assert faulty.held.wait(5)
        (stopped,) = ok(a, "video_live", {"operation": "stop",
                                          "data": [{"dataId": "stream-1", "taskId": item["taskId"]}]})["data"]
        assert stopped["code"] == 200
        faulty.released.set()
        advancing.result(10)
        a.advance(60)
        b.advance(60)
        time.sleep(0.3)
        assert len(sink.deliveries) == 1  # the report made before the stop, and none after it
        assert _tasks(a) == _tasks(b) == [(item["taskId"], "stopped")]


async def _nothing() -> None:
    """A timer's callback."""


def test_work_made_while_this_process_resets_stays_out_of_the_new_generation(store_url) -> None:
    from modmock.mockserver.core.callbacks import AllowList
    from modmock.mockserver.core.clock import MockClock, Scheduler
    from modmock.mockserver.core.shared.store import RedisStore

    async def timers_after_the_reset() -> int:
        store = RedisStore(Scheduler(MockClock(manual=True)), AllowList(), random.Random(0), url=store_url,
                           key=b"k" * 32)
        store.on_reset = lambda: (store.scheduler.clear(), store.reset())  # (as the state's reset_here)
        await store.open()
        try:
            async def a_step_running_meanwhile() -> None:  # it schedules its next timer, then writes
                store.scheduler.call_later(100, _nothing)
                while store._seen.get("generation", 0) == 0:
                    await asyncio.sleep(0)
                await store._flush_work()

            racing = asyncio.create_task(a_step_running_meanwhile())
            await store.reset_everywhere()
            await racing
            return int(await store.link.redis.zcard(store._key("timers")))
        finally:
            await store.close()

    assert asyncio.run(timers_after_the_reset()) == 0
