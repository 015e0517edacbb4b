"""Tasks, timers and callbacks on a shared store: accepted by one server, moved on by another,
each callback attempt made once while both servers race for its timer."""

from __future__ import annotations

import time
from collections import Counter

import requests

import modmock
from akool_helpers import CLIENT_ID, CLIENT_SECRET, INFO, SUBMIT
from helpers import image_request
from modmock.contracts import akool as kit
from modmock.fixtures.sink import CallbackSink


def _token(mock: modmock.MockServer) -> dict[str, str]:
    answer = requests.post(mock.url + "/api/open/v3/getToken",
                           json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}, timeout=10).json()
    return {"Authorization": f"Bearer {answer['token']}"}


def test_a_job_accepted_by_one_server_is_moved_on_by_the_others_clock(store_url) -> None:
    with CallbackSink() as sink, \
            modmock.serve("akool", store=store_url, clock="manual") as a, \
            modmock.serve("akool", store=store_url, clock="manual") as b:
        headers = _token(a)
        job = requests.post(a.url + SUBMIT, json={"type": 4, "content": "kind words", "webhookUrl": sink.url},
                            headers=headers, timeout=10).json()["data"]["_id"]
        assert requests.get(b.url + INFO, params={"_id": job}, headers=headers, timeout=10).json()["data"]["status"] == 1
        b.advance(3600)  # the job's steps are shared timers: b runs them
        answer = requests.get(a.url + INFO, params={"_id": job}, headers=headers, timeout=10).json()["data"]
        assert answer["status"] == 3 and answer["final_conclusion"] == "Compliant"
        sink.wait_for(2)
        time.sleep(0.3)  # room for a third, wrong, delivery
        statuses = [kit.open_webhook(r.json, CLIENT_ID, CLIENT_SECRET)["status"] for r in sink.deliveries]
        assert statuses == [2, 3]  # one webhook per status change, each once
        for mock in (a, b):
            tasks = requests.get(mock.admin_url + "/tasks", timeout=10).json()["tasks"]
            assert [(t["id"], t["status"]) for t in tasks] == [(job, "completed")]
            deliveries = mock.callbacks
            assert [(d.state, len(d.attempts)) for d in deliveries] == [("delivered", 1)] * 2


def test_each_callback_is_delivered_once_while_both_servers_race_for_its_timer(store_url) -> None:
    config = {"deepcleer": {"processing_seconds": 0.2}}
    with CallbackSink() as sink, \
            modmock.serve("deepcleer", store=store_url, time_scale=1.0, config=config) as a, \
            modmock.serve("deepcleer", store=store_url, time_scale=1.0, config=config) as b:
        sent = []
        for n in range(30):
            answer = requests.post((a, b)[n % 2].url + "/image/v4", json=image_request(callback=sink.url),
                                   timeout=10).json()
            assert answer["code"] == 1100, answer
            sent.append(answer["requestId"])
        sink.wait_for(30, timeout=20)
        time.sleep(1.0)  # a timer claimed twice would deliver again within this
        got = Counter(r.json["requestId"] for r in sink.deliveries)
        assert sorted(got) == sorted(sent) and set(got.values()) == {1}
        deliveries = b.wait_for_callbacks(30, timeout=10)  # the records, as whichever server wrote them
        assert len(deliveries) == 30 and all(d.state == "delivered" and len(d.attempts) == 1 for d in deliveries)
        fired = [mock.state.scheduler.fired for mock in (a, b)]
        assert min(fired) > 0 and sum(fired) == 60, fired  # both raced: a step and an attempt per callback


def test_a_retry_is_made_once_by_whichever_server_claims_it(store_url) -> None:
    with CallbackSink(statuses=[503, 200]) as sink, \
            modmock.serve("deepcleer", store=store_url, clock="manual") as a, \
            modmock.serve("deepcleer", store=store_url, clock="manual") as b:
        requests.post(a.url + "/image/v4", json=image_request(callback=sink.url), timeout=10)
        b.run_until_idle()
        sink.wait_for(2)
        assert [r.status for r in sink.deliveries] == [503, 200]
        [delivery] = a.callbacks
        assert [t.outcome for t in delivery.attempts] == ["rejected", "delivered"]


def test_work_someone_else_wrote_into_redis_is_never_run(store_url, tmp_path) -> None:
    import pickle
    import subprocess

    import redis

    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (subprocess.call, (["touch", str(marker)],))

    with modmock.serve("deepcleer", store=store_url, time_scale=1.0) as mock:
        link = mock.state.store.link
        client = redis.Redis.from_url(store_url.split("?")[0])
        payload = b"\0" * 32 + pickle.dumps(Planted())  # a signature it could not make
        client.hset(link.key("timers", "payload"), "planted", payload)
        client.hset(link.key("timers", "due"), "planted", "0")
        client.zadd(link.key("timers"), {"planted": 0})
        deadline = time.monotonic() + 5
        while client.zscore(link.key("timers"), "planted") is not None and time.monotonic() < deadline:
            time.sleep(0.05)  # claimed by the mock's driver
        time.sleep(0.3)
        assert client.zscore(link.key("timers", "claimed"), "planted") is not None  # claimed, not run
    assert not marker.exists()


def test_a_server_that_joins_later_fires_nothing_before_the_shared_clock_says(store_url) -> None:
    with CallbackSink() as sink, modmock.serve("deepcleer", store=store_url, clock="manual") as a:
        for _ in range(3):
            requests.post(a.url + "/image/v4", json=image_request(callback=sink.url), timeout=10)
        time.sleep(1.1)  # the newcomer's own wall time is past the tasks' due time: the shared clock is not
        with modmock.serve("deepcleer", store=store_url, clock="manual") as b:
            time.sleep(1.5)  # its driver has looked at the timers
            assert sink.deliveries == [] and {t.status for t in b.state.tasks.list()} == {"processing"}
            b.advance(60)
            sink.wait_for(3)


def test_a_live_stream_started_on_one_server_reports_and_stops_from_the_other(store_url) -> None:
    from jocloud_helpers import ok

    with CallbackSink() as sink, \
            modmock.serve("jocloud", store=store_url, clock="manual") as a, \
            modmock.serve("jocloud", store=store_url, clock="manual") as b:
        body = {"data": [{"dataId": "stream-1", "url": "rtmp://live.example.com/app/porn-show"}],
                "callbackUrl": sink.url, "interval": 5}
        (item,) = ok(a, "video_live", body, trace_id="trace-live")["data"]
        task = item["taskId"]
        b.advance(11)  # reports at 5 and 10: the report (a closure that schedules itself) runs on b
        sink.wait_for(2)
        a.add_rule(match={"url_regex": "porn-show"}, verdict={"risk": "pass"})
        a.advance(5)  # the third report consults the rules again, wherever it runs
        reports = sink.wait_for(3)
        (stopped,) = ok(b, "video_live", {"operation": "stop", "data": [{"dataId": "stream-1", "taskId": task}]})["data"]
        assert stopped["code"] == 200
        a.advance(60)
        time.sleep(0.3)
        assert len(sink.deliveries) == 3  # the stop on b ended the stream a started
        assert [r.json["data"][0]["results"][0]["suggestion"] for r in reports[:2]] == ["block", "block"]
        assert reports[2].json["data"][0]["results"] == [] or \
            reports[2].json["data"][0]["results"][0]["suggestion"] == "pass"
        for mock in (a, b):
            tasks = requests.get(mock.admin_url + "/tasks", timeout=10).json()["tasks"]
            assert [(t["id"], t["status"]) for t in tasks] == [(task, "stopped")]
