"""Bad input and the documented error precedence: the vendor's codes, never a crash or a 413/500."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from helpers import image_request
from modmock.mockserver.vendors.deepcleer import profile


def _raw(mock: modmock.MockServer, data: Any, content_type: str | None = "application/json",
         **kwargs: Any) -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return requests.post(mock.url + "/image/v4", data=data, headers=headers, timeout=30, **kwargs)


def _last_problem(mock: modmock.MockServer) -> tuple[str, str]:
    problem = mock.requests[-1].problems[0]
    return problem.field, problem.rule


@pytest.mark.parametrize(("data", "rule"), [
    (b'{"accessKey": "xxxx",', "json"),
    (b'{"accessKey": NaN}', "json"),
    (b'{"accessKey": Infinity}', "json"),
    (b'{"n": 1e999}', "json"),
    (b'{"n": ' + b"9" * 5000 + b"}", "json"),
    (b"[" * 5000 + b"]" * 5000, "json"),
    (b'{"a": ' * 100 + b"1" + b"}" * 100, "json"),
    (b"", "json"),
    (b'{"accessKey": "\xff\xfe"}', "utf-8"),
    (b"[1, 2, 3]", "type"),
    (b'"just a string"', "type"),
    (b"null", "type"),
])
def test_unreadable_bodies_get_1902(deepcleer_mock, data: bytes, rule: str) -> None:
    resp = _raw(deepcleer_mock, data)
    assert resp.status_code == 200
    body = resp.json()
    assert body["code"] == 1902 and body["message"].startswith("Invalid parameters")
    assert len(body["requestId"]) == 32
    assert _last_problem(deepcleer_mock) == ("(body)", rule)
    assert not deepcleer_mock.requests[-1].valid


def test_reports_say_what_was_sent(deepcleer_mock) -> None:
    _raw(deepcleer_mock, b'{"accessKey": NaN}')
    problem = deepcleer_mock.requests[-1].problems[0]
    assert problem.sent == '{"accessKey": NaN}' and "NaN is not valid JSON" in problem.expected


def test_lone_surrogates_are_echoed_as_valid_json(deepcleer_mock) -> None:
    import json
    body = json.dumps(image_request({"extra": {"passThrough": {"s": "\ud800"}}}))  # an escaped lone surrogate
    resp = _raw(deepcleer_mock, body)
    assert resp.json()["code"] == 1100
    json.loads(resp.content.decode("utf-8"))  # the answer itself is valid UTF-8 JSON


@pytest.mark.parametrize(("field", "url"), [
    ("callback", "http://[::1/x"), ("callback", "http://127.0.0.1:99999/cb"), ("data.img", "http://[::1/x.jpg"),
    ("data.backupUrl", "not a url"),
])
def test_unparseable_urls_get_1902(post, field: str, url: str) -> None:
    body = image_request()
    if field == "callback":
        body["callback"] = url
    else:
        body["data"][field.split(".")[1]] = url
    result = post(body)
    assert result["code"] == 1902 and field in result["message"]


def test_form_encoded_body_is_not_json(deepcleer_mock) -> None:
    resp = _raw(deepcleer_mock, "accessKey=xxxx&appId=default", "application/x-www-form-urlencoded")
    assert resp.json()["code"] == 1902


def test_json_with_a_wrong_content_type_is_served_with_a_warning(deepcleer_mock) -> None:
    import json
    resp = _raw(deepcleer_mock, json.dumps(image_request()), "text/plain")
    assert resp.json()["code"] == 1100
    warning = deepcleer_mock.requests[-1].warnings[0]
    assert (warning.field, warning.sent, warning.inferred) == ("Content-Type", "text/plain", True)


def test_wrong_content_type_under_strict_gets_1902() -> None:
    import json
    with modmock.serve("deepcleer", strict=True) as mock:
        body = _raw(mock, json.dumps(image_request()), "text/plain").json()
        assert body["code"] == 1902 and "Content-Type" in body["message"]
        assert _last_problem(mock)[0] == "Content-Type"


NODE_DEMO_TYPE = "Content-Type: application/json; charset=utf-8"  # ishumei/api-demo v4/nodejs/lib/utils.js


def test_the_vendors_node_demo_content_type_is_served_under_strict_too(deepcleer_mock) -> None:
    import json
    with modmock.serve("deepcleer", strict=True) as strict:
        for mock in (deepcleer_mock, strict):
            assert _raw(mock, json.dumps(image_request()), NODE_DEMO_TYPE).json()["code"] == 1100
            entry = mock.requests[-1]
            assert entry.valid and not entry.warnings and "repeats its own name" in entry.notes[-1]
        assert _raw(strict, json.dumps(image_request()), "Content-Type: text/plain").json()["code"] == 1902


def test_body_over_the_limit_by_content_length(deepcleer_mock) -> None:
    big = b'{"x": "' + b"a" * (profile.MAX_BODY + 10) + b'"}'
    resp = _raw(deepcleer_mock, big)
    assert resp.status_code == 200 and resp.json()["code"] == 1902
    assert _last_problem(deepcleer_mock) == ("(body)", "max_body_size")


def test_body_over_the_limit_when_chunked(deepcleer_mock) -> None:
    chunk = b"a" * (1024 * 1024)

    def chunks() -> Iterator[bytes]:
        yield b'{"x": "'
        for _ in range(profile.MAX_BODY // len(chunk) + 2):
            yield chunk
        yield b'"}'

    try:
        resp = _raw(deepcleer_mock, chunks())
    except requests.ConnectionError:
        pytest.fail("the server dropped the connection instead of answering 1902")
    assert resp.status_code == 200 and resp.json()["code"] == 1902


def test_the_largest_documented_body_is_read(deepcleer_mock) -> None:
    """An async request with a base64 image just under 30 MB fits the body limit."""
    import base64
    import json

    from modmock.fixtures.media import image_bytes
    img = image_bytes(32, 32) + b"\0" * (profile.ASYNC_IMAGE_MAX - 1024)
    body = image_request({"img": base64.b64encode(img).decode()}, callback="http://127.0.0.1:9/cb")
    resp = _raw(deepcleer_mock, json.dumps(body))
    assert resp.json()["code"] == 1100


def test_unknown_access_key_gets_9101(post) -> None:
    assert post(image_request(accessKey="wrong"))["code"] == 9101


def test_unknown_app_id_and_event_id_get_1902(post) -> None:
    for field in ("appId", "eventId"):
        result = post(image_request(**{field: "not-agreed"}))
        assert result["code"] == 1902 and field in result["message"]


def test_configured_credentials_are_accepted_alongside_the_defaults() -> None:
    config = {"deepcleer": {"credentials": [{"access_key": "team-key", "app_ids": ["shop"],
                                             "event_ids": ["IMAGE", "AVATAR"]}]}}
    with modmock.serve("deepcleer", config=config) as mock:
        def code(**top: Any) -> int:
            return requests.post(mock.url + "/image/v4", json=image_request(**top), timeout=10).json()["code"]
        assert code(accessKey="team-key", appId="shop", eventId="AVATAR") == 1100
        assert code(accessKey="team-key", appId="default", eventId="AVATAR") == 1902
        assert code() == 1100  # the defaults still work
    with modmock.serve("deepcleer", config={"deepcleer": dict(config["deepcleer"], include_defaults=False)}) as mock:
        assert requests.post(mock.url + "/image/v4", json=image_request(), timeout=10).json()["code"] == 9101


# -- precedence -------------------------------------------------------------------------------
@pytest.fixture
def limited() -> Iterator[modmock.MockServer]:
    """qps = 2, with the limiter's wall clock frozen so the test does not depend on speed."""
    with modmock.serve("deepcleer", config={"deepcleer": {"qps": 2}}) as mock:
        mock.state.store.rates._now = lambda: 1000.0
        yield mock


def test_the_qps_window_slides(limited) -> None:
    assert _codes(limited, [image_request() for _ in range(3)]) == [1100, 1100, 1901]
    limited.state.store.rates._now = lambda: 1000.999
    assert _codes(limited, [image_request()]) == [1901]
    limited.state.store.rates._now = lambda: 1001.0  # one second after the first two
    assert _codes(limited, [image_request() for _ in range(3)]) == [1100, 1100, 1901]


def _codes(mock: modmock.MockServer, bodies: list[dict[str, Any]]) -> list[int]:
    return [requests.post(mock.url + "/image/v4", json=b, timeout=10).json()["code"] for b in bodies]


def test_qps_limit_gives_1901(limited) -> None:
    codes = _codes(limited, [image_request() for _ in range(3)])
    assert codes[:2] == [1100, 1100] and codes[2] == 1901


def test_no_qps_limit_unless_configured(deepcleer_mock) -> None:
    assert set(_codes(deepcleer_mock, [image_request() for _ in range(30)])) == {1100}


def test_precedence_access_key_before_fields(post) -> None:
    assert post(image_request({"tokenId": None}, accessKey="nobody"))["code"] == 9101


def test_precedence_fields_before_qps(limited) -> None:
    codes = _codes(limited, [image_request(), image_request(), image_request({"tokenId": None})])
    assert codes == [1100, 1100, 1902]


def test_precedence_qps_before_injected_failure(limited) -> None:
    limited.fail_next(1903)
    codes = _codes(limited, [image_request({"img": "https://x.example/a.jpg"}) for _ in range(3)])
    assert codes == [1903, 1100, 1901]


def test_precedence_injected_failure_before_download_failure(deepcleer_mock, post) -> None:
    deepcleer_mock.fail_next(1903)
    assert post(image_request({"img": "https://img.invalid/a.jpg"}))["code"] == 1903
    assert post(image_request({"img": "https://img.invalid/a.jpg"}))["code"] == 1911


def test_base64_media_error_before_nothing_else(deepcleer_mock, post) -> None:
    deepcleer_mock.fail_next(1903)
    assert post(image_request({"img": "%%%"}))["code"] == 1903  # injected failures come first
    assert post(image_request({"img": "%%%"}))["code"] == 1902


# -- injected failures ------------------------------------------------------------------------
def test_fail_next_for_n_requests(deepcleer_mock, post) -> None:
    deepcleer_mock.fail_next(1903, times=2)
    assert [post(image_request())["code"] for _ in range(3)] == [1903, 1903, 1100]


@pytest.mark.parametrize("code", sorted(set(profile.MESSAGES) - {profile.SUCCESS}))
def test_every_documented_code_can_be_injected(deepcleer_mock, post, code: int) -> None:
    deepcleer_mock.fail_next(code, endpoint="image_v4")
    result = post(image_request())
    assert (result["code"], result["message"]) == (code, profile.MESSAGES[code])


@pytest.mark.parametrize("code", [1100, 1905, "abc", None])
def test_only_documented_error_codes_can_be_injected(deepcleer_mock, code: object) -> None:
    with pytest.raises(ValueError, match="not a (valid fault|documented deepcleer error code)"):
        deepcleer_mock.fail_next(code)
    with pytest.raises(ValueError, match="not a documented deepcleer error code"):
        deepcleer_mock.add_rule(error={"code": code} if code is not None else 0)
    assert deepcleer_mock.state.faults.list() == [] and deepcleer_mock.state.rules.list() == []


def test_a_fault_answers_without_spending_a_rule(deepcleer_mock, post) -> None:
    deepcleer_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": "porn"}]}, times=1)
    deepcleer_mock.fail_next(1903)
    assert post(image_request())["code"] == 1903
    assert post(image_request())["riskLabel1"] == "porn"  # the rule was still there


def test_rule_error_and_delay(deepcleer_mock, post) -> None:
    deepcleer_mock.add_rule(match={"data_id": "slow"}, delay=0.3, times=1)
    deepcleer_mock.add_rule(match={"data_id": "broken"}, error={"code": 1903, "message": "Backend down"})
    started = time.monotonic()
    assert post(image_request({"dataId": "slow"}))["code"] == 1100
    assert time.monotonic() - started >= 0.3
    result = post(image_request({"dataId": "broken"}))
    assert (result["code"], result["message"]) == (1903, "Backend down")


def test_fixed_latency(deepcleer_mock, post) -> None:
    deepcleer_mock.add_latency(0.25)
    started = time.monotonic()
    post(image_request())
    assert time.monotonic() - started >= 0.25
    assert deepcleer_mock.state.faults.list() == []  # it applied to one request only
    assert deepcleer_mock.requests[-1].notes == ["injected latency 0.25 s"]


@pytest.mark.parametrize(("img", "word"), [
    ("https://img.invalid/a.jpg", "does not resolve"), ("https://cdn.example.com/timeout/a.jpg", "timed out"),
])
def test_download_failures_get_1911(post, img: str, word: str) -> None:
    result = post(image_request({"img": img}))
    assert result["code"] == 1911 and word in result["message"]


def test_a_bug_in_the_mock_answers_1903_not_500(deepcleer_mock, monkeypatch) -> None:
    from modmock.mockserver.vendors.deepcleer import render as results

    def broken(*args: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(results, "render", broken)
    resp = requests.post(deepcleer_mock.url + "/image/v4", json=image_request(), timeout=10)
    assert resp.status_code == 200 and resp.json()["code"] == 1903
    assert "boom" in deepcleer_mock.requests[-1].notes[0]
