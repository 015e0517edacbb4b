"""Deepcleer's human review over loopback: a rule sends a result to review; the answer is the
machine result, not final; the reviewer's final result is POSTed to the review callback on the
mock clock and returned by the active query (api-doc V4 数美人工审核结果API回调接口文档 §2.2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from modmock.errors import InvalidSpecError, MockAssertionError
from modmock.fixtures.sink import CallbackSink
from modmock.mockserver.core import schemas

BASE = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC_VIOLENT"}
PORN, CLEAN = "https://cdn.example.com/porn/1.jpg", "https://cdn.example.com/ok.jpg"
SUCCESS = '{"code": 1100, "message": "success"}'
REJECT_PORN = {"risk": "reject", "labels": [{"category": "porn"}]}


@pytest.fixture
def sink() -> Iterator[CallbackSink]:
    with CallbackSink() as receiver:
        receiver.reply = SUCCESS
        yield receiver


@pytest.fixture
def mock(sink: CallbackSink) -> Iterator[modmock.MockServer]:
    config = {"deepcleer": {"review_callback_url": sink.url, "review_seconds": 300}}
    with modmock.serve("deepcleer", clock="manual", config=config) as server:
        yield server


def post(mock: modmock.MockServer, path: str, body: Any) -> dict[str, Any]:
    answer = requests.post(mock.url + path, json=body, timeout=10)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def image(mock: modmock.MockServer, url: str = PORN, **extra: Any) -> dict[str, Any]:
    return post(mock, "/image/v4", {**BASE, **extra, "data": {"tokenId": "u", "img": url}})


def query(mock: modmock.MockServer, request_id: str, bt_id: str | None = None) -> dict[str, Any]:
    asked = {"requestId": request_id, **({"btId": bt_id} if bt_id else {})}
    (content,) = post(mock, "/v4/image/query", {"accessKey": "xxxx", "requestIds": [asked]})["contents"]
    return content  # type: ignore[no-any-return]


def is_review_callback(body: Any) -> bool:
    return schemas.validator("deepcleer/review_callback.json").is_valid(body)


def test_the_answer_is_a_machine_result_and_the_final_one_is_pushed_later(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, verdict={"risk": "review", "labels": [{"category": "porn"}]},
                  review={"after": 60, "verdict": REJECT_PORN})
    answer = image(mock)
    assert schemas.validator("deepcleer/result.json").is_valid(answer)
    assert (answer["riskLevel"], answer["resultType"], answer["finalResult"]) == ("REVIEW", 0, 0)
    mock.advance(59)
    assert sink.deliveries == []  # the reviewer takes 60 mock seconds
    mock.advance(1)
    (pushed,) = sink.wait_for(1)
    assert is_review_callback(pushed.json), pushed.json
    assert pushed.json["requestId"] == answer["requestId"]
    assert (pushed.json["riskLevel"], pushed.json["riskLabel1"]) == ("REJECT", "porn")
    assert (pushed.json["resultType"], pushed.json["finalResult"]) == (1, 1)
    (delivery,) = mock.wait_for_callbacks(1)
    assert delivery.state == "delivered"


def test_results_not_under_review_stay_final(mock) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={})
    assert image(mock, CLEAN)["finalResult"] == 1
    assert [t.id for t in mock.state.tasks.list()] == []


def test_a_receiver_that_does_not_answer_1100_is_retried_then_failed(mock, sink) -> None:
    sink.reply = "ok"  # HTTP 200, but §2.2: "non-1100 is considered a failure"
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 1})
    image(mock)
    mock.run_until_idle()
    (delivery,) = mock.wait_for_callbacks(1)
    assert delivery.state == "failed"
    assert [a.outcome for a in delivery.attempts] == ["rejected"] * 9  # the first try and 8 retries
    assert all(a.status == 200 for a in delivery.attempts)


def test_a_review_rule_alone_confirms_the_default_verdict_after_review_seconds(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={})
    answer = image(mock)
    assert (answer["riskLevel"], answer["finalResult"]) == ("REJECT", 0)  # the default rule's porn
    mock.advance(299)
    assert sink.deliveries == []
    mock.advance(1)  # review_seconds: 300
    (pushed,) = sink.wait_for(1)
    assert (pushed.json["riskLevel"], pushed.json["finalResult"]) == ("REJECT", 1)


def test_an_async_request_is_processing_then_machine_then_final_in_the_query(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 100, "verdict": {"risk": "pass"}})
    ack = post(mock, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": PORN}})
    rid = ack["requestId"]
    assert query(mock, rid)["code"] == 1102
    mock.advance(1)  # processed: the machine result, not final
    machine = query(mock, rid)["Result"]
    assert (machine["riskLevel"], machine["resultType"], machine["finalResult"]) == ("REJECT", 0, 0)
    mock.advance(100)
    final = query(mock, rid)
    assert final["code"] == 1100 and schemas.validator("deepcleer/query_response.json").is_valid(
        {"code": 1100, "message": "Success", "contents": [final]})
    assert (final["Result"]["riskLevel"], final["Result"]["resultType"], final["Result"]["finalResult"]) == \
        ("PASS", 1, 1)
    (pushed,) = sink.wait_for(1)
    assert pushed.json["riskLevel"] == "PASS" and pushed.json["requestId"] == rid


def test_each_image_of_a_batch_is_reviewed_under_its_own_id(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 10, "verdict": {"risk": "pass"}})
    body = {**BASE, "data": {"tokenId": "u", "imgs": [{"btId": "a", "img": PORN}, {"btId": "b", "img": CLEAN}]}}
    ack = post(mock, "/v4/saas/async/imgs", body)
    rid = ack["requestIds"][0]["requestId"]
    mock.advance(1)
    assert query(mock, rid, "a")["Result"]["finalResult"] == 0
    assert query(mock, rid, "b")["Result"]["finalResult"] == 1  # not sent to review
    mock.advance(10)
    reviewed = query(mock, rid, "a")["Result"]
    assert (reviewed["riskLevel"], reviewed["finalResult"], reviewed["requestId"]) == ("PASS", 1, f"{rid}_a")
    (pushed,) = sink.wait_for(1)
    assert pushed.json["requestId"] == f"{rid}_a"


def test_a_sync_batch_image_under_review_is_not_final(mock) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={})
    body = {**BASE, "data": {"tokenId": "u", "imgs": [{"btId": "a", "img": PORN}, {"btId": "b", "img": CLEAN}]}}
    answer = post(mock, "/images/v4", body)
    assert {img["btId"]: img["finalResult"] for img in answer["imgs"]} == {"a": 0, "b": 1}


def test_finish_review_decides_now_with_the_chosen_verdict(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, verdict={"risk": "review", "labels": [{"category": "porn"}]},
                  review={})
    rid = image(mock)["requestId"]
    mock.finish_review(rid, "reject")  # the machine result's labels, rejected
    (pushed,) = sink.wait_for(1)
    assert (pushed.json["riskLevel"], pushed.json["riskLabel1"]) == ("REJECT", "porn")
    with pytest.raises(MockAssertionError, match="already reviewed"):
        mock.finish_review(rid)
    mock.run_until_idle()
    assert len(sink.deliveries) == 1  # the review's own timer was cancelled: one final result


def test_finish_review_rejects_with_the_machine_labels_not_the_scheduled_verdicts(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, verdict={"risk": "review", "labels": [{"category": "porn"}]},
                  review={"verdict": {"risk": "pass"}})
    rid = image(mock)["requestId"]
    mock.finish_review(rid, "reject")
    (pushed,) = sink.wait_for(1)
    assert (pushed.json["riskLevel"], pushed.json["riskLabel1"]) == ("REJECT", "porn")


def test_an_async_result_is_reviewed_only_after_its_machine_result(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 0, "verdict": {"risk": "pass"}})
    ack = image(mock, callback=sink.url)  # the same receiver gets both results
    with pytest.raises(MockAssertionError, match="no machine result yet"):
        mock.finish_review(ack["requestId"])
    mock.advance(1)
    assert [(d.json["resultType"], d.json["finalResult"]) for d in sink.wait_for(2)] == [(0, 0), (1, 1)]


def test_the_account_callback_url_gets_the_final_result_of_an_async_image(sink) -> None:
    with modmock.serve("deepcleer", clock="manual", config={"deepcleer": {"callback_url": sink.url}}) as mock:
        mock.add_rule(match={"url_regex": "porn"}, review={"after": 10})
        rid = post(mock, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": PORN}})["requestId"]
        mock.advance(11)
        machine, final = sink.wait_for(2)
        assert machine.json["finalResult"] == 0 and final.json["finalResult"] == 1
        assert is_review_callback(final.json) and final.json["requestId"] == rid


def test_a_request_refused_as_busy_starts_no_review(mock, sink) -> None:
    mock.state.tasks.capacity = 2  # the request's own task and two reviews do not fit
    mock.add_rule(match={"url_regex": "porn"}, review={})
    body = {**BASE, "data": {"tokenId": "u", "imgs": [{"btId": "a", "img": PORN}, {"btId": "b", "img": PORN}]}}
    assert post(mock, "/v4/saas/async/imgs", body)["code"] == 1901
    assert mock.state.tasks.list() == []
    mock.run_until_idle()
    assert sink.deliveries == []


def test_an_answer_the_receiver_garbles_is_a_failed_attempt_not_a_lost_delivery(mock, sink) -> None:
    sink.reply = "[" * 5000  # not JSON (and too deep for a parser): never success
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 1})
    image(mock)
    mock.run_until_idle()
    (delivery,) = mock.wait_for_callbacks(1)
    assert delivery.state == "failed" and len(delivery.attempts) == 9
    assert len(delivery.attempts[0].response or "") == 1024  # the journal keeps the start of the answer


def test_a_long_success_answer_is_read_whole(mock, sink) -> None:
    sink.reply = '{"code": 1100, "message": "' + "x" * 5000 + '"}'
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 1})
    image(mock)
    mock.run_until_idle()
    assert mock.wait_for_callbacks(1)[0].state == "delivered"


def test_the_confirmed_verdict_is_the_one_answered_from_the_backup_url(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={"after": 1})
    body = {**BASE, "data": {"tokenId": "u", "img": "https://img.invalid/porn/1.jpg", "backupUrl": CLEAN}}
    machine = post(mock, "/image/v4", body)
    mock.advance(1)
    final = sink.wait_for(1)[0].json
    assert machine["riskLevel"] == final["riskLevel"] == "PASS"


def test_finish_review_takes_a_verdict_object_and_refuses_nonsense(mock, sink) -> None:
    mock.add_rule(match={"url_regex": "porn"}, review={})
    first, second = image(mock)["requestId"], image(mock)["requestId"]
    mock.finish_review(first, {"risk": "reject", "labels": [{"category": "violence"}]})
    (pushed,) = sink.wait_for(1)
    assert pushed.json["riskLabel1"] == "violence"
    with pytest.raises(InvalidSpecError, match="not a valid verdict"):
        mock.finish_review(second, {"risk": "reject"})
    with pytest.raises(MockAssertionError, match="never sent to review; waiting for review: " + second):
        mock.finish_review("f" * 32)


def test_a_pass_machine_result_has_no_label_to_reject(mock) -> None:
    mock.add_rule(match={"url_regex": "ok"}, review={})
    rid = image(mock, CLEAN)["requestId"]
    with pytest.raises(InvalidSpecError, match="no label to reject"):
        mock.finish_review(rid, "reject")


def test_the_admin_api_finishes_a_review(mock, sink) -> None:
    requests.post(mock.admin_url + "/rules", json={"match": {"url_regex": "porn"}, "review": {}}, timeout=5)
    rid = image(mock)["requestId"]
    url = f"{mock.admin_url}/reviews/{rid}"
    assert requests.post(url, json={"verdict": "maybe"}, timeout=5).status_code == 400
    done = requests.post(url, json={"verdict": "pass"}, timeout=5)
    assert done.status_code == 200 and done.json()["task"]["status"] == "reviewed"
    again = requests.post(url, json={}, timeout=5)
    assert again.status_code == 404 and "already reviewed" in again.json()["error"]
    assert sink.wait_for(1)[0].json["riskLevel"] == "PASS"


def test_without_a_review_url_the_request_callback_gets_both_results() -> None:
    with CallbackSink() as sink, modmock.serve("deepcleer", clock="manual") as mock:
        sink.reply = SUCCESS
        mock.add_rule(match={"url_regex": "porn"}, review={"after": 5})
        ack = image(mock, callback=sink.url)
        mock.advance(1)
        (machine,) = sink.wait_for(1)
        assert machine.json["requestId"] == ack["requestId"] and machine.json["finalResult"] == 0
        mock.advance(5)
        final = sink.wait_for(2)[1]
        assert is_review_callback(final.json) and final.json["finalResult"] == 1


def test_with_no_url_at_all_the_final_result_is_only_kept() -> None:
    with modmock.serve("deepcleer", clock="manual") as mock:
        mock.add_rule(match={"url_regex": "porn"}, review={"after": 5})
        image(mock)
        (entry,) = mock.requests
        assert any("no review callback URL" in note for note in entry.notes), entry.notes
        mock.advance(5)
        assert mock.callbacks == []
        (task,) = mock.state.tasks.list()
        assert task.status == "reviewed"


def test_review_rules_need_a_vendor_with_a_review_flow() -> None:
    with modmock.serve("akool") as mock:
        with pytest.raises(InvalidSpecError, match="akool has no human-review flow"):
            mock.add_rule(match={"url_regex": "x"}, review={})
    with modmock.serve("deepcleer") as mock:
        with pytest.raises(InvalidSpecError, match="not a valid rule"):
            mock.add_rule(match={"url_regex": "x"}, error=1903, review={})
        with pytest.raises(InvalidSpecError, match="not a valid rule"):
            mock.add_rule(match={"url_regex": "x"}, review={"after": -1})
        for extra in ({"error": 1903}, {"delay": 0.1}):
            with pytest.raises(InvalidSpecError, match="not a valid rule"):
                mock.add_rule(match={"url_regex": "x"}, verdict=REJECT_PORN, review={}, **extra)


def test_in_a_run_of_several_vendors_a_review_rule_is_deepcleers_only() -> None:
    with modmock.serve("deepcleer", "akool", clock="manual") as mock:
        mock.add_rule(match={"vendor": "akool", "url_regex": "cdn"}, verdict=REJECT_PORN)
        mock.add_rule(match={"url_regex": "cdn"}, review={}, times=1)
        token = requests.post(mock.url + "/api/open/v3/getToken", json={
            "clientId": "mock-client-id01", "clientSecret": "mock-client-secret-00001"}, timeout=5).json()["token"]
        requests.post(mock.url + "/api/open/v3/content/analysis/sentiment", timeout=5,
                      json={"type": 1, "content": "https://cdn.example.com/a/photo.jpg"},
                      headers={"Authorization": f"Bearer {token}"})
        assert [r.id for r in mock.state.rules.list() if r.review is not None]  # not spent on AKOOL
        assert image(mock, "https://cdn.example.com/porn/2.jpg")["finalResult"] == 0


def test_review_config_is_checked() -> None:
    with pytest.raises(modmock.SettingsError, match="review_callback_url"):
        modmock.serve("deepcleer", config={"deepcleer": {"review_callback_url": "ftp://x"}})


def test_a_synchronous_answer_is_sent_before_its_review_starts() -> None:
    """With time running free (time_scale 0) and no review time, the final result still follows the
    answer: when it reaches the receiver, the client's socket already holds the whole answer."""
    import json
    import socket

    clients: list[socket.socket] = []
    seen: list[bool] = []

    def check(_body: object) -> None:
        seen.append(bool(clients[-1].recv(65536, socket.MSG_PEEK | socket.MSG_DONTWAIT)))

    with CallbackSink(handler=check) as sink, modmock.serve(
            "deepcleer", config={"deepcleer": {"review_callback_url": sink.url}}) as mock:
        sink.reply = SUCCESS
        mock.add_rule(match={"url_regex": "porn"}, review={"after": 0})
        payload = json.dumps({**BASE, "data": {"tokenId": "u", "img": PORN}}).encode()
        for n in range(1, 6):
            client = socket.create_connection(("127.0.0.1", mock.port))
            clients.append(client)
            client.sendall(b"POST /image/v4 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
            sink.wait_for(n)
            client.close()
    assert seen == [True] * 5


def test_a_final_result_waits_for_the_machine_results_retries(sink) -> None:
    with modmock.serve("deepcleer", config={"deepcleer": {"review_callback_url": sink.url}}) as mock:
        sink.reset([500, 200])
        sink.reply = SUCCESS
        mock.add_rule(match={"url_regex": "porn"}, review={"after": 0})
        image(mock, callback=sink.url)
        got = sink.wait_for(3)
        assert [(d.status, d.json["finalResult"]) for d in got] == [(500, 0), (200, 0), (200, 1)]


def test_reject_needs_a_label_the_answer_showed(mock) -> None:
    mock.add_rule(match={"url_regex": "porn"}, verdict=REJECT_PORN, review={})
    answer = post(mock, "/image/v4", {**BASE, "type": "AD", "data": {"tokenId": "u", "img": PORN}})
    assert answer["riskLevel"] == "PASS"  # AD does not ask for porn
    with pytest.raises(InvalidSpecError, match="no label to reject"):
        mock.finish_review(answer["requestId"], "reject")


def test_a_client_that_hangs_up_before_the_answer_still_gets_its_review(caplog: pytest.LogCaptureFixture) -> None:
    import json
    import logging
    import socket
    import time

    with modmock.serve("deepcleer", clock="manual") as mock, caplog.at_level(logging.INFO):
        mock.add_rule(match={"url_regex": "porn"}, review={})
        mock.add_latency(0.3)  # the answer comes after the client has gone
        payload = json.dumps({**BASE, "data": {"tokenId": "u", "img": PORN}}).encode()
        with socket.create_connection(("127.0.0.1", mock.port)) as client:
            client.sendall(b"POST /image/v4 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                           b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
        deadline = time.monotonic() + 5
        while not mock.state.tasks.list() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert [t.status for t in mock.state.tasks.list()] == ["in_review"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
