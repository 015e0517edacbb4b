"""Async results and live reports by callback on the mock clock, retries journaled, stop requests."""

from __future__ import annotations

import modmock
from jocloud_helpers import ok
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors.jocloud import profile

CALLBACK = schemas.validator("jocloud/callback.json")


def _async(mock: modmock.MockServer, sink_url: str, endpoint: str = profile.AUDIO_ASYNC,
           url: str = "https://cdn.example.com/a/moan.mp3", vendor: str = "jocloud") -> str:
    body = {"data": [{"dataId": "clip-1", "url": url}], "callbackUrl": sink_url}
    (item,) = ok(mock, endpoint, body, vendor=vendor, trace_id="trace-async")["data"]
    assert item["code"] == 200 and item["results"] == []
    return str(item["taskId"])


def test_an_async_result_arrives_by_callback_after_the_processing_time(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        task = _async(mock, callback_sink.url)
        mock.advance(9)
        assert mock.callbacks == []
        mock.advance(1)  # audio: 10 mock seconds (inferred, configurable)
        (received,) = callback_sink.wait_for(1)
    body = received.json
    assert CALLBACK.is_valid(body), body
    assert body["traceId"] == "trace-async" and body["code"] == 200
    (item,) = body["data"]
    assert (item["taskId"], item["dataId"], item["code"]) == (task, "clip-1", 200)
    assert item["results"][0] == {"code": 200, "message": "OK", "action": "porn", "label": "moan", "rate": 0.97,
                                  "suggestion": "block"}


def test_video_async_on_aivacom_and_its_processing_time_is_configurable(callback_sink) -> None:
    config = {"aivacom": {"processing_seconds": {"video_async": 3}}}
    with modmock.serve("aivacom", clock="manual", config=config) as mock:
        _async(mock, callback_sink.url, profile.VIDEO_ASYNC, "https://cdn.example.com/v/gore.mp4", vendor="aivacom")
        mock.advance(3)
        (received,) = callback_sink.wait_for(1)
    results = received.json["data"][0]["results"]
    assert [(r["action"], r["label"]) for r in results if r["suggestion"] == "block"] == [("terrorism", "bloody")]


def test_a_failing_receiver_gets_retries_every_attempt_journaled(callback_sink) -> None:
    callback_sink.statuses = [500, 503, 200]
    with modmock.serve("jocloud", clock="manual") as mock:
        _async(mock, callback_sink.url)
        mock.run_until_idle()
        (delivery,) = mock.callbacks
    assert [a.status for a in delivery.attempts] == [500, 503, 200]
    assert [a.outcome for a in delivery.attempts] == ["rejected", "rejected", "delivered"]
    gaps = [round(b.time - a.time) for a, b in zip(delivery.attempts, delivery.attempts[1:])]
    assert gaps == list(profile.RETRY_SCHEDULE[:2])
    assert len({r.body for r in callback_sink.deliveries}) == 1  # a retry sends the same body


def test_data_level_failures_of_async_items_arrive_in_the_callback(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        mock.fail_next(410, endpoint=profile.AUDIO_ASYNC)
        _async(mock, callback_sink.url)
        _async(mock, callback_sink.url, url="https://media.invalid/a.mp3")
        mock.run_until_idle()
        received = callback_sink.wait_for(2)
    codes = sorted(r.json["data"][0]["code"] for r in received)
    assert codes == [401, 410]
    assert all(r.json["data"][0]["results"] == [] and CALLBACK.is_valid(r.json) for r in received)


def test_a_callback_to_a_host_off_the_allow_list_is_blocked_not_sent() -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        _async(mock, "https://hooks.example.com/moderation")
        mock.run_until_idle()
        (delivery,) = mock.callbacks
    assert [a.outcome for a in delivery.attempts] == ["blocked"]


# -- live tasks ------------------------------------------------------------------------------------

def _live(mock: modmock.MockServer, sink_url: str, endpoint: str = profile.VIDEO_LIVE, vendor: str = "jocloud",
          **extra) -> str:
    entry = {"url": "rtmp://live.example.com/app/porn-show"} if endpoint == profile.VIDEO_LIVE else {"roomId": "r-7"}
    body = {"data": [{"dataId": "stream-1", **entry}], "callbackUrl": sink_url, **extra}
    (item,) = ok(mock, endpoint, body, vendor=vendor, trace_id="trace-live")["data"]
    assert item["code"] == 200
    return str(item["taskId"])


def _stop(mock: modmock.MockServer, endpoint: str, task: str, vendor: str = "jocloud") -> dict:
    (item,) = ok(mock, endpoint, {"operation": "stop", "data": [{"dataId": "stream-1", "taskId": task}]},
                 vendor=vendor)["data"]
    return item  # type: ignore[no-any-return]


def test_a_live_task_reports_every_interval_until_stopped(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        task = _live(mock, callback_sink.url, interval=5)
        mock.advance(16)
        assert len(callback_sink.wait_for(3)) == 3
        assert _stop(mock, profile.VIDEO_LIVE, task) == {"code": 200, "message": "OK", "dataId": "stream-1",
                                                         "taskId": task, "results": []}
        mock.advance(60)
        assert len(callback_sink.deliveries) == 3
        assert mock.state.tasks.get(task).status == "stopped"
    for received in callback_sink.deliveries:
        assert CALLBACK.is_valid(received.json) and received.json["data"][0]["taskId"] == task
        porn = received.json["data"][0]["results"][0]
        assert (porn["action"], porn["label"], porn["suggestion"]) == ("porn", "porn", "block")
    stamps = [r.json["timestamp"] for r in callback_sink.deliveries]
    assert [b - a for a, b in zip(stamps, stamps[1:])] == [5, 5]


def test_later_reports_follow_the_rules_in_force_then(callback_sink) -> None:
    with modmock.serve("aivacom", clock="manual") as mock:
        task = _live(mock, callback_sink.url, profile.INTERACTION_VIDEO, vendor="aivacom")
        mock.advance(10)
        mock.add_rule({"match": {"text_contains": "r-7"}, "verdict": {"risk": "reject", "labels": [
            {"category": "terrorism", "sublabel": "gun"}]}})
        mock.advance(10)
        mock.add_rule({"match": {"text_contains": "r-7"}, "error": {"code": 503}, "priority": 5})
        mock.advance(10)
        _stop(mock, profile.INTERACTION_VIDEO, task, vendor="aivacom")
        reports = [r.json["data"][0] for r in callback_sink.wait_for(3)]
    assert {r["suggestion"] for r in reports[0]["results"]} == {"pass"}
    assert [(r["action"], r["label"]) for r in reports[1]["results"] if r["suggestion"] == "block"] == [
        ("terrorism", "gun")]
    assert (reports[2]["code"], reports[2]["results"]) == (503, [])


def test_violations_only_reporting_skips_clean_segments(callback_sink) -> None:
    config = {"jocloud": {"live_reports": "violations", "live_interval_seconds": 2}}
    with modmock.serve("jocloud", clock="manual", config=config) as mock:
        _live(mock, callback_sink.url, profile.INTERACTION_AUDIO)  # room r-7: clean
        mock.advance(10)
        assert mock.callbacks == []
        mock.add_rule({"match": {"text_contains": "r-7"}, "error": {"code": "action:413"}, "times": 1})
        mock.add_rule({"match": {"text_contains": "r-7"}, "verdict": {"risk": "reject", "labels": [
            {"category": "abuse"}]}, "times": 1, "priority": -1})
        mock.advance(4)  # two reports: a failed check and a violation, both sent
        reports = [r.json["data"][0]["results"][0] for r in callback_sink.wait_for(2)]
    assert reports[0] == {"code": 413, "message": "Audio check failed", "action": "porn"}
    second = callback_sink.deliveries[1].json["data"][0]["results"]
    assert [(r["action"], r["label"]) for r in second if r["suggestion"] == "block"] == [("antispam", "abuse")]


def test_an_interval_written_as_a_float_is_taken(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        _live(mock, callback_sink.url, interval=5.0)
        mock.advance(10)
        assert len(callback_sink.wait_for(2)) == 2
        assert mock.requests[0].warnings == []


def test_an_unstopped_live_task_ends_after_live_max_seconds(callback_sink) -> None:
    config = {"jocloud": {"live_interval_seconds": 10, "live_max_seconds": 30}}
    with modmock.serve("jocloud", clock="manual", config=config) as mock:
        task = _live(mock, callback_sink.url)
        mock.run_until_idle()
        assert mock.state.tasks.get(task).status == "ended"
        assert len(callback_sink.wait_for(3)) == 3


def test_stopping_an_unknown_task_is_a_400_item_and_journaled(jocloud_mock) -> None:
    item = _stop(jocloud_mock, profile.VIDEO_LIVE, "no-such-task")
    assert item["code"] == 400 and "no task no-such-task" in item["message"]
    assert jocloud_mock.requests[0].problems[0].field == "data[0].taskId"


def test_a_stream_that_cannot_be_pulled_answers_401_and_starts_nothing(jocloud_mock) -> None:
    body = {"data": [{"dataId": "s", "url": "rtmp://live.invalid/app/s"}], "callbackUrl": "http://127.0.0.1:9/x"}
    (item,) = ok(jocloud_mock, profile.VIDEO_LIVE, body)["data"]
    assert item["code"] == 401 and jocloud_mock.state.tasks.list(vendor="jocloud") == []


# -- a video's sound track ---------------------------------------------------------------------------

def _video_results(mock: modmock.MockServer, sink, url: str, **extra) -> list[dict]:  # type: ignore[no-untyped-def]
    body = {"data": [{"dataId": "v-1", "url": url}], "callbackUrl": sink.url, **extra}
    ok(mock, profile.VIDEO_ASYNC, body)
    mock.run_until_idle()
    (received,) = sink.wait_for(1)
    assert CALLBACK.is_valid(received.json), received.json
    return received.json["data"][0]["results"]  # type: ignore[no-any-return]


def test_a_video_is_judged_by_its_sound_track_too(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        results = _video_results(mock, callback_sink, "https://cdn.example.com/v/moan/clip.mp4")
        porn = next(r for r in results if r["action"] == "porn")
        assert (porn["label"], porn["suggestion"]) == ("moan", "block")


def test_a_rule_forcing_abuse_on_a_video_lands_on_antispam(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        mock.add_rule(verdict={"risk": "reject", "labels": [{"category": "abuse"}]})
        results = _video_results(mock, callback_sink, "https://cdn.example.com/v/clip.mp4")
        antispam = next(r for r in results if r["action"] == "antispam")
        assert (antispam["label"], antispam["suggestion"]) == ("abuse", "block")


def test_asr_is_accepted_for_videos_streams_and_audio(callback_sink) -> None:
    with modmock.serve("jocloud", clock="manual") as mock:
        results = _video_results(mock, callback_sink, "https://cdn.example.com/v/clip.mp4", actions=["asr", "porn"])
        assert [(r["action"], r["label"], r["suggestion"]) for r in results] == [
            ("asr", "normal", "pass"), ("porn", "normal", "pass")]
        live = {"data": [{"dataId": "s-1", "url": "rtmp://live.example.com/app/s"}], "callbackUrl": callback_sink.url,
                "actions": ["asr"]}
        assert ok(mock, profile.VIDEO_LIVE, live)["data"][0]["code"] == 200
        audio = {"data": [{"dataId": "a-1", "url": "https://cdn.example.com/a/x.mp3"}],
                 "callbackUrl": callback_sink.url, "actions": ["asr"]}
        assert ok(mock, profile.AUDIO_ASYNC, audio)["data"][0]["code"] == 200
        image = {"data": [{"dataId": "i-1", "url": "https://cdn.example.com/i/x.jpg"}], "actions": ["asr"]}
        from jocloud_helpers import call
        assert call(mock, profile.IMAGE_SYNC, image).status_code == 400  # a picture has no sound


def test_audio_async_takes_urls_only_up_to_5_minutes_and_50_mb_in_its_formats(callback_sink, monkeypatch) -> None:
    from akool_helpers import MediaServer
    from jocloud_helpers import b64, call
    from modmock.fixtures.media import audio_bytes
    from modmock.mockserver.vendors.jocloud import media as jocloud_media

    assert jocloud_media.SIZE_LIMITS[profile.AUDIO_ASYNC] == 50 * profile.MB
    monkeypatch.setitem(jocloud_media.SIZE_LIMITS, profile.AUDIO_ASYNC, 400 * 1024)  # the rule, without 50 MB files
    files = MediaServer({"/short.m4a": audio_bytes("m4a", 299), "/long.m4a": audio_bytes("m4a", 301),
                         "/long.mp3": audio_bytes("mp3", 301), "/short.aac": audio_bytes("aac", 299),
                         "/big.aac": audio_bytes("aac", 1000), "/clip.wav": audio_bytes("wav", 5)})
    expected = {"/short.m4a": 200, "/long.m4a": 411, "/long.mp3": 411, "/short.aac": 200, "/big.aac": 403,
                "/clip.wav": 200}  # 5 min and under pass; over 5 min 411; over the size 403
    try:
        with modmock.serve("jocloud", clock="manual") as mock:
            inline = {"data": [{"dataId": "c", "content": b64(audio_bytes("wav", 5))}], "callbackUrl": callback_sink.url}
            assert call(mock, profile.AUDIO_ASYNC, inline).status_code == 400  # URL only
            assert mock.requests[-1].problems[0].field == "data[0].url"
            tasks = {_async(mock, callback_sink.url, url=files.url(name)): name for name in expected}
            assert [p.rule for p in mock.requests[-1].warnings] == ["format"]  # .wav is not a listed format
            assert all(not entry.warnings for entry in mock.requests[1:-1])
            mock.run_until_idle()
            received = callback_sink.wait_for(len(expected))
    finally:
        files.close()
    codes = {tasks[r.json["data"][0]["taskId"]]: r.json["data"][0]["code"] for r in received}
    assert codes == expected


def test_a_rule_sublabel_the_tables_do_not_know_is_passed_through(jocloud_mock) -> None:
    jocloud_mock.add_rule({"match": {"vendor": "jocloud"}, "verdict": {
        "risk": "reject", "labels": [{"category": "sexy", "sublabel": "female_underwear"}]}})
    (item,) = ok(jocloud_mock, profile.IMAGE_SYNC, {"data": [{"dataId": "p", "url": "https://cdn.example.com/a.jpg"}]})["data"]
    blocked = [(r["action"], r["label"]) for r in item["results"] if r["suggestion"] == "block"]
    assert blocked == [("porn", "female_underwear")]
