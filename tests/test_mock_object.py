"""The object serve() and the fixtures return: assertions, reports, options, isolation."""

from __future__ import annotations

import pytest
import requests

import modmock
from helpers import image_request
from modmock import InvalidRequestsError

pytest_plugins = ["pytester"]


def _send(mock: modmock.MockServer, body: object) -> dict:
    return requests.post(mock.url + "/image/v4", json=body, timeout=10).json()


def test_assert_all_requests_valid_reports_field_rule_sent_and_expected(deepcleer_mock) -> None:
    _send(deepcleer_mock, image_request())
    deepcleer_mock.assert_all_requests_valid()  # nothing invalid yet
    _send(deepcleer_mock, image_request({"tokenId": "t" * 70}))
    _send(deepcleer_mock, image_request({"maxFrame": 25}, appId="shop"))
    with pytest.raises(InvalidRequestsError) as failed:
        deepcleer_mock.assert_all_requests_valid()
    report = str(failed.value)
    assert "2 invalid request(s)" in report
    assert "data.tokenId: maxLength 64" in report and "expected at most 64 characters" in report
    assert "sent 'tttttttt" in report
    assert "data.maxFrame: maximum 20" in report and "sent 25" in report
    assert "appId: not agreed for this accessKey" in report and "one of ['default']" in report
    deepcleer_mock.reset()
    deepcleer_mock.assert_all_requests_valid()


def test_inferred_rule_breaks_are_warnings_not_invalid(deepcleer_mock) -> None:
    _send(deepcleer_mock, image_request({"maxFrame": 0}))
    deepcleer_mock.assert_all_requests_valid()
    assert deepcleer_mock.requests[-1].warnings


def test_evicted_invalid_requests_still_fail_the_assertion() -> None:
    from modmock.mockserver.settings import Settings
    mock = modmock.MockServer(Settings(port=0, time_scale=0)).start()
    try:
        mock.state.journal._invalid = type(mock.state.journal._invalid)(maxlen=2)
        for _ in range(3):
            _send(mock, image_request({"tokenId": None}))
        with pytest.raises(InvalidRequestsError, match="1 more evicted"):
            mock.assert_all_requests_valid()
    finally:
        mock.stop()


def test_assert_called(deepcleer_mock) -> None:
    with pytest.raises(AssertionError, match="called at least once, it was called 0"):
        deepcleer_mock.assert_called("image_v4")
    _send(deepcleer_mock, image_request())
    assert len(deepcleer_mock.assert_called("image_v4", times=1)) == 1
    with pytest.raises(AssertionError, match="2 time"):
        deepcleer_mock.assert_called("image_v4", times=2)


def test_credentials_url_and_vendors(deepcleer_mock) -> None:
    assert deepcleer_mock.url.startswith("http://127.0.0.1:")
    assert deepcleer_mock.admin_url == deepcleer_mock.url + "/__admin"
    assert deepcleer_mock.vendors == ["deepcleer"]
    creds = deepcleer_mock.credentials
    assert creds["cluster"] == "bj"
    assert creds["accessKeys"][0] == {"accessKey": "xxxx", "appIds": ["default"], "eventIds": ["default"]}


def test_serve_refuses_unknown_vendors_and_clocks() -> None:
    with pytest.raises(modmock.SettingsError, match="unknown vendor"):
        modmock.serve("nobody")
    with pytest.raises(modmock.SettingsError, match="clock"):
        modmock.serve("deepcleer", clock="sundial")


def test_fixture_options_from_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def modmock_options():
    return {"clock": "manual", "config": {"deepcleer": {"cluster": "xjp"}}}
''')
    pytester.makepyfile('''
import requests

BODY = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "BOCR",
        "data": {"img": "https://x.example/a.jpg", "tokenId": "u", "lang": "auto"}}

def test_manual_clock_and_config(deepcleer_mock, callback_sink):
    body = dict(BODY, callback=callback_sink.url)
    assert requests.post(deepcleer_mock.url + "/image/v4", json=body).json()["code"] == 1100
    deepcleer_mock.advance(0.4)
    assert deepcleer_mock.callbacks == []
    deepcleer_mock.advance(0.1)
    assert deepcleer_mock.callbacks[0].state == "delivered"

def test_each_test_starts_clean(deepcleer_mock):
    assert deepcleer_mock.requests == [] and deepcleer_mock.callbacks == []
''')
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize(("method", "path", "differs"), [
    ("GET", "/image/v4", "method GET, expected POST"), ("POST", "/imagez/v4", "path /imagez/v4, expected /image/v4"),
    ("POST", "/image/v4/", "path /image/v4/, expected /image/v4"),
])
def test_near_misses_are_reported_and_answered_in_the_vendors_shape(deepcleer_mock, method: str, path: str,
                                                                       differs: str) -> None:
    resp = requests.request(method, deepcleer_mock.url + path, json=image_request(), timeout=10)
    assert resp.status_code == 404
    body = resp.json()
    assert body["code"] == 1902 and "closest is deepcleer:image_v4 POST /image/v4" in body["message"]
    assert differs in body["message"]
    (entry,) = deepcleer_mock.requests
    assert (entry.endpoint, entry.valid, entry.status) == ("(unmatched)", False, 404)
    with pytest.raises(InvalidRequestsError, match=r"no such endpoint.*POST /image/v4"):
        deepcleer_mock.assert_all_requests_valid()


def test_near_miss_picks_the_closest_of_several_vendors() -> None:
    with modmock.serve("deepcleer", "alibaba") as mock:
        near_deepcleer = requests.post(mock.url + "/image/v5", json={}, timeout=10)
        assert near_deepcleer.status_code == 404 and near_deepcleer.json()["code"] == 1902
        near_alibaba = requests.post(mock.url + "/?Action=ImageBatchModeration&Version=2022-03-02", timeout=10)
        assert near_alibaba.json()["Code"] == "MissingSignature"  # "/" is Alibaba's: not a near miss
        other = requests.get(mock.url + "/x", timeout=10)
        assert other.status_code == 404 and other.json()["Code"] == "InvalidAction.NotFound"


def test_misspelled_fixture_options_fail_loudly(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('''
import pytest

@pytest.fixture(scope="session")
def modmock_options():
    return {"clock": "Manual", "timescale": 0}
''')
    pytester.makepyfile("def test_uses_it(deepcleer_mock):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown option(s)*timescale*"])
