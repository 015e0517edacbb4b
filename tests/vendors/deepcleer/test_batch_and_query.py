"""Deepcleer's other image endpoints over loopback: the sync batch (/images/v4), the asynchronous
single and batch requests (/v4/saas/async/img[s]) and the active query (/v4/image/query)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from modmock.mockserver.core import schemas

BASE = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC_VIOLENT"}
PORN, CLEAN, BROKEN = "https://cdn.example.com/porn/1.jpg", "https://cdn.example.com/ok.jpg", "https://img.invalid/a.jpg"


def batch(*images: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {**BASE, **extra, "data": {"tokenId": "user-1", "imgs": [{"btId": b, "img": i} for b, i in images]}}


@pytest.fixture
def manual() -> Iterator[modmock.MockServer]:
    with modmock.serve("deepcleer", clock="manual") as mock:
        yield mock


def post(mock: modmock.MockServer, path: str, body: Any) -> dict[str, Any]:
    answer = requests.post(mock.url + path, json=body, timeout=10)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def query(mock: modmock.MockServer, *ids: dict[str, str]) -> dict[str, Any]:
    answer = post(mock, "/v4/image/query", {"accessKey": "xxxx", "requestIds": list(ids)})
    assert schemas.validator("deepcleer/query_response.json").is_valid(answer), answer
    return answer


def test_a_sync_batch_answers_every_image_under_its_btid(deepcleer_mock) -> None:
    answer = post(deepcleer_mock, "/images/v4", batch(("a", PORN), ("b", CLEAN), ("c", BROKEN)))
    assert schemas.validator("deepcleer/batch_result.json").is_valid(answer), answer
    rid = answer["requestId"]
    by_bt = {img["btId"]: img for img in answer["imgs"]}
    assert by_bt["a"]["riskLevel"] == "REJECT" and by_bt["a"]["riskLabel1"] == "porn"
    assert by_bt["b"]["riskLevel"] == "PASS" and by_bt["b"]["requestId"] == f"{rid}_b"
    assert by_bt["c"]["code"] == 1911  # one image's download failure; the others still answer
    deepcleer_mock.assert_called("images_v4", times=1)


@pytest.mark.parametrize("imgs, field", [
    ([(str(i), CLEAN) for i in range(13)], "data.imgs"),
    ([("a", CLEAN), ("a", PORN)], "data.imgs[].btId"),
    ([("x" * 31, CLEAN)], "data.imgs.0.btId"),
    ([], "data.imgs"),
])
def test_batch_limits_are_1902_naming_the_field(deepcleer_mock, imgs: list[tuple[str, str]], field: str) -> None:
    answer = post(deepcleer_mock, "/images/v4", batch(*imgs))
    assert answer["code"] == 1902
    (entry,) = deepcleer_mock.requests
    assert not entry.valid and any(p.field.replace("[", ".").replace("]", "").startswith(
        field.replace("[", ".").replace("]", "").rstrip(".")) for p in entry.problems), entry.problems


def test_a_batch_with_a_callback_is_acknowledged_and_pushed(deepcleer_mock, callback_sink) -> None:
    answer = post(deepcleer_mock, "/images/v4", batch(("a", PORN), ("b", CLEAN), callback=callback_sink.url))
    assert schemas.validator("deepcleer/batch_ack.json").is_valid(answer), answer
    assert [r["btId"] for r in answer["requestIds"]] == ["a", "b"]
    (delivery,) = callback_sink.wait_for(1)
    assert schemas.validator("deepcleer/batch_result.json").is_valid(delivery.json)
    assert delivery.json["requestId"] == answer["requestIds"][0]["requestId"]


def test_async_single_is_processing_then_queryable(manual: modmock.MockServer) -> None:
    ack = post(manual, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": PORN}})
    assert ack["code"] == 1100 and schemas.validator("deepcleer/ack.json").is_valid(ack)
    rid = ack["requestId"]
    (content,) = query(manual, {"requestId": rid})["contents"]
    assert content["code"] == 1102 and "Result" not in content
    manual.advance(1)
    (content,) = query(manual, {"requestId": rid})["contents"]
    assert content["code"] == 1100 and content["Result"]["riskLabel1"] == "porn"


def test_async_batch_is_queried_per_btid_or_whole(manual: modmock.MockServer) -> None:
    ack = post(manual, "/v4/saas/async/imgs", batch(("a", PORN), ("b", BROKEN)))
    rid = ack["requestIds"][0]["requestId"]
    manual.advance(1)
    (one,) = query(manual, {"requestId": rid, "btId": "a"})["contents"]
    assert one["btId"] == "a" and one["Result"]["riskLevel"] == "REJECT"
    both = query(manual, {"requestId": rid})["contents"]
    assert [c["btId"] for c in both] == ["a", "b"]
    assert both[1]["code"] == 1910 and both[1]["Result"]["code"] == 1911  # its download failed


def test_results_are_kept_fifteen_days_of_mock_time(manual: modmock.MockServer) -> None:
    rid = post(manual, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": CLEAN}})["requestId"]
    manual.advance(15 * 24 * 3600 - 10)
    assert query(manual, {"requestId": rid})["contents"][0]["code"] == 1100
    manual.advance(20)
    assert query(manual, {"requestId": rid})["contents"][0]["code"] == 1910


def test_a_job_still_processing_after_24_hours_has_timed_out() -> None:
    with modmock.serve("deepcleer", clock="manual",
                       config={"deepcleer": {"processing_seconds": 2 * 24 * 3600}}) as mock:
        rid = post(mock, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": CLEAN}})["requestId"]
        mock.advance(24 * 3600 + 1)
        assert query(mock, {"requestId": rid})["contents"][0]["code"] == 1912


def test_the_query_takes_at_most_ten_ids_and_names_unknown_ones(deepcleer_mock) -> None:
    assert post(deepcleer_mock, "/v4/image/query",
                {"accessKey": "xxxx", "requestIds": [{"requestId": "r"}] * 11})["code"] == 1902
    (content,) = query(deepcleer_mock, {"requestId": "never-sent"})["contents"]
    assert content["code"] == 1910 and "Result" not in content
    assert post(deepcleer_mock, "/v4/image/query", {"accessKey": "nope", "requestIds": [{"requestId": "r"}]})[
        "code"] == 9101


def test_async_endpoints_take_no_callback_field(deepcleer_mock) -> None:
    body = {**BASE, "callback": "http://127.0.0.1:9/x", "data": {"tokenId": "u", "img": CLEAN}}
    assert post(deepcleer_mock, "/v4/saas/async/img", body)["code"] == 1100
    assert [w.field for w in deepcleer_mock.requests[-1].warnings] == ["callback"]
    with modmock.serve("deepcleer", strict=True) as strict:
        assert post(strict, "/v4/saas/async/img", body)["code"] == 1902


def test_the_account_callback_url_receives_async_results(callback_sink) -> None:
    with modmock.serve("deepcleer", config={"deepcleer": {"callback_url": callback_sink.url}}) as mock:
        ack = post(mock, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": PORN}})
        (delivery,) = callback_sink.wait_for(1)
        assert delivery.json["requestId"] == ack["requestId"] and delivery.json["riskLabel1"] == "porn"
        assert schemas.validator("deepcleer/callback.json").is_valid(delivery.json)


def test_faults_and_rules_reach_the_new_endpoints(deepcleer_mock) -> None:
    deepcleer_mock.fail_next(1903, endpoint="image_query")
    assert post(deepcleer_mock, "/v4/image/query", {"accessKey": "xxxx", "requestIds": [{"requestId": "r"}]})[
        "code"] == 1903
    deepcleer_mock.add_rule({"match": {"endpoint": "images_v4", "url_regex": "ok"},
                             "verdict": {"risk": "reject", "labels": [{"category": "violence", "confidence": 0.9}]}})
    answer = post(deepcleer_mock, "/images/v4", batch(("a", CLEAN), ("b", PORN)))
    assert [img["riskLabel1"] for img in answer["imgs"]] == ["violence", "porn"]


def test_a_rule_error_ends_its_image_and_a_fault_the_batch(deepcleer_mock) -> None:
    deepcleer_mock.add_rule({"match": {"endpoint": "images_v4", "url_regex": "cats"}, "error": 1911})
    answer = post(deepcleer_mock, "/images/v4", batch(("a", CLEAN), ("b", "https://cdn.example.com/cats.jpg")))
    assert answer["code"] == 1100 and [img["code"] for img in answer["imgs"]] == [1100, 1911]
    deepcleer_mock.fail_next(1903, endpoint="images_v4")
    assert post(deepcleer_mock, "/images/v4", batch(("a", CLEAN), ("b", PORN)))["code"] == 1903
    deepcleer_mock.fail_next(1903, endpoint="images_v4")  # one fault, one request: not one per image
    assert post(deepcleer_mock, "/images/v4", batch(("a", CLEAN), ("b", PORN)))["code"] == 1903
    assert post(deepcleer_mock, "/images/v4", batch(("a", CLEAN)))["code"] == 1100


def test_the_query_spends_no_rule(manual: modmock.MockServer) -> None:
    manual.add_rule({"match": {"vendor": "deepcleer"}, "times": 2,
                     "verdict": {"risk": "reject", "labels": [{"category": "porn", "confidence": 0.9}]}})
    first = post(manual, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": CLEAN}})["requestId"]
    query(manual, {"requestId": first})
    second = post(manual, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": CLEAN}})["requestId"]
    manual.advance(1)
    risks = [query(manual, {"requestId": rid})["contents"][0]["Result"]["riskLevel"] for rid in (first, second)]
    assert risks == ["REJECT", "REJECT"]


def test_an_async_image_may_be_thirty_megabytes(manual: modmock.MockServer) -> None:
    import base64

    big = base64.b64encode(b"\0" * (11 * 1024 * 1024)).decode()  # over the sync 10 MB, under the async 30 MB
    rid = post(manual, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": big}})["requestId"]
    manual.advance(1)
    (content,) = query(manual, {"requestId": rid})["contents"]
    assert content["code"] == 1910 and "MB limit" not in content["Result"]["message"]  # refused as no image
    sync = post(manual, "/image/v4", {**BASE, "data": {"tokenId": "u", "img": big}})
    assert sync["code"] == 1902 and "10 MB limit" in sync["message"]


def test_qps_counts_per_endpoint() -> None:
    with modmock.serve("deepcleer", config={"deepcleer": {"qps": 1}}) as mock:
        mock.state.store.rates._now = lambda: 1000.0  # one window, whatever the machine's speed
        assert query(mock, {"requestId": "r"})["code"] == 1100
        assert post(mock, "/image/v4", {**BASE, "data": {"tokenId": "u", "img": CLEAN}})["code"] == 1100
        assert post(mock, "/v4/image/query", {"accessKey": "xxxx", "requestIds": [{"requestId": "r"}]})[
            "code"] == 1901


def test_a_timed_out_request_stays_timed_out_and_pushes_nothing(callback_sink) -> None:
    config = {"deepcleer": {"processing_seconds": 25 * 3600, "callback_url": callback_sink.url}}
    with modmock.serve("deepcleer", clock="manual", config=config) as mock:
        rid = post(mock, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": CLEAN}})["requestId"]
        mock.advance(26 * 3600)
        (content,) = query(mock, {"requestId": rid})["contents"]
        assert content["code"] == 1912 and "Result" not in content
        assert mock.callbacks == [] and callback_sink.deliveries == []


def test_an_account_reads_only_its_own_results() -> None:
    config = {"deepcleer": {"credentials": [{"access_key": "other"}]}}
    with modmock.serve("deepcleer", clock="manual", config=config) as mock:
        rid = post(mock, "/v4/saas/async/img", {**BASE, "data": {"tokenId": "u", "img": PORN}})["requestId"]
        mock.advance(1)
        theirs = post(mock, "/v4/image/query", {"accessKey": "other", "requestIds": [{"requestId": rid}]})
        assert theirs["contents"][0]["code"] == 1910 and "Result" not in theirs["contents"][0]
        assert query(mock, {"requestId": rid})["contents"][0]["code"] == 1100


@pytest.mark.parametrize("cluster", ["gg", "xjp"])
def test_the_async_endpoints_off_bj_and_sh_warn_and_refuse_under_strict(cluster: str) -> None:
    single = {**BASE, "data": {"tokenId": "user-1", "img": CLEAN}, "callback": "http://127.0.0.1:9/cb"}
    with modmock.serve("deepcleer", config={"deepcleer": {"cluster": cluster}}) as mock:
        assert post(mock, "/v4/saas/async/img", single)["code"] == 1100
        warned = [(w.field, w.sent) for w in mock.requests[-1].warnings if w.rule == "async endpoints on bj and sh only"]
        assert warned == [("(cluster)", cluster)]
        assert post(mock, "/image/v4", {**BASE, "data": {"tokenId": "user-1", "img": CLEAN}})["code"] == 1100
        assert mock.requests[-1].warnings == []  # the sync endpoint is served everywhere
    with modmock.serve("deepcleer", strict=True, config={"deepcleer": {"cluster": cluster}}) as mock:
        assert post(mock, "/v4/saas/async/imgs", batch(("a", CLEAN)))["code"] == 1902
    with modmock.serve("deepcleer", strict=True, config={"deepcleer": {"cluster": "sh"}}) as mock:
        assert post(mock, "/v4/saas/async/imgs", batch(("a", CLEAN)))["code"] == 1100
