"""Signature verification against requests signed by hand (an independent implementation)."""

from __future__ import annotations

import uuid
from urllib.parse import quote, urlencode

import pytest
import requests

from alibaba_helpers import now_iso, parameters, post_v1, post_v3, v1_params, v3_request
from modmock.mockserver.core import schemas


def _error(resp: requests.Response) -> tuple[int, str]:
    body = resp.json()
    assert schemas.problems("alibaba/error.json", body) == [], body
    return resp.status_code, body["Code"]


def test_hand_signed_v3_is_accepted(alibaba_mock) -> None:
    resp = post_v3(alibaba_mock, parameters())
    assert resp.status_code == 200 and resp.json()["Code"] == 200


@pytest.mark.parametrize("form", [False, True], ids=["query", "form"])
def test_hand_signed_v1_is_accepted(alibaba_mock, form: bool) -> None:
    resp = post_v1(alibaba_mock, parameters(), form=form)
    assert resp.status_code == 200 and resp.json()["Code"] == 200


def _flip(text: str, index: int = -1) -> str:
    """The same text with one character changed."""
    chars = list(text)
    chars[index] = "0" if chars[index] != "0" else "1"
    return "".join(chars)


def test_v3_one_changed_byte_is_rejected(alibaba_mock) -> None:
    signed = v3_request(alibaba_mock.url, parameters())
    headers = dict(signed["headers"])
    headers["Authorization"] = _flip(headers["Authorization"])
    resp = requests.post(signed["url"], headers=headers, timeout=10)
    assert _error(resp) == (400, "SignatureDoesNotMatch")
    tampered = signed["url"].replace("clean.jpg", "clean.jpG")
    resp = requests.post(tampered, headers=signed["headers"], timeout=10)
    assert _error(resp) == (400, "SignatureDoesNotMatch")
    headers = dict(signed["headers"], **{"x-acs-signature-nonce": _flip(signed["headers"]["x-acs-signature-nonce"])})
    assert _error(requests.post(signed["url"], headers=headers, timeout=10)) == (400, "SignatureDoesNotMatch")


def test_v1_one_changed_byte_is_rejected(alibaba_mock) -> None:
    params = v1_params(parameters())
    params["Signature"] = _flip(params["Signature"], 0)
    resp = requests.post(alibaba_mock.url + "/?" + urlencode(params, quote_via=quote), timeout=10)
    assert _error(resp) == (400, "SignatureDoesNotMatch")
    params = v1_params(parameters())
    params["Service"] = "baselineCheck,tonalityImprove"  # changed after signing
    resp = requests.post(alibaba_mock.url + "/?" + urlencode(params, quote_via=quote), timeout=10)
    assert _error(resp) == (400, "SignatureDoesNotMatch")


def test_body_must_match_its_declared_hash(alibaba_mock) -> None:
    signed = v3_request(alibaba_mock.url, parameters(), body=b"")
    resp = requests.post(signed["url"], headers=signed["headers"], data=b"extra", timeout=10)
    assert _error(resp) == (400, "SignatureDoesNotMatch")


def test_the_replay_headers_must_be_signed(alibaba_mock) -> None:
    signed = v3_request(alibaba_mock.url, parameters())
    auth = signed["headers"]["Authorization"].replace("x-acs-signature-nonce;", "")
    resp = requests.post(signed["url"], headers=dict(signed["headers"], Authorization=auth), timeout=10)
    assert _error(resp) == (400, "SignatureDoesNotMatch")
    assert "not signed: x-acs-signature-nonce" in alibaba_mock.requests[-1].problems[0].sent


@pytest.mark.parametrize(("offset", "accepted"), [(-14 * 60, True), (14 * 60, True), (-16 * 60, False),
                                                  (16 * 60, False)])
def test_fifteen_minute_window_v3(alibaba_mock, offset: int, accepted: bool) -> None:
    resp = post_v3(alibaba_mock, parameters(), date=now_iso(offset))
    if accepted:
        assert resp.json()["Code"] == 200
    else:
        assert _error(resp) == (400, "InvalidTimeStamp.Expired")


@pytest.mark.parametrize(("offset", "accepted"), [(-14 * 60, True), (-16 * 60, False)])
def test_fifteen_minute_window_v1(alibaba_mock, offset: int, accepted: bool) -> None:
    resp = post_v1(alibaba_mock, parameters(), timestamp=now_iso(offset))
    assert (resp.status_code == 200) is accepted
    if not accepted:
        assert _error(resp) == (400, "InvalidTimeStamp.Expired")


def test_badly_formatted_date(alibaba_mock) -> None:
    resp = post_v3(alibaba_mock, parameters(), date="22 Nov 2026 01:00:00 GMT")
    assert _error(resp) == (400, "InvalidTimeStamp.Format")


def test_the_mock_clock_never_breaks_signatures(alibaba_mock) -> None:
    alibaba_mock.advance(3600 * 24)
    assert post_v3(alibaba_mock, parameters()).json()["Code"] == 200


@pytest.mark.parametrize("version", ["v3", "v1"])
def test_reused_nonce_is_rejected_until_reset(alibaba_mock, version: str) -> None:
    nonce = uuid.uuid4().hex
    post = post_v3 if version == "v3" else post_v1
    assert post(alibaba_mock, parameters(), nonce=nonce).json()["Code"] == 200
    assert _error(post(alibaba_mock, parameters(), nonce=nonce)) == (400, "SignatureNonceUsed")
    alibaba_mock.reset()  # reset clears the nonce store (DESIGN: Isolation)
    assert post(alibaba_mock, parameters(), nonce=nonce).json()["Code"] == 200


def test_a_bad_signature_does_not_spend_the_nonce(alibaba_mock) -> None:
    nonce = uuid.uuid4().hex
    assert post_v3(alibaba_mock, parameters(), nonce=nonce, secret="wrong").status_code == 400
    assert post_v3(alibaba_mock, parameters(), nonce=nonce).json()["Code"] == 200


def test_missing_authentication(alibaba_mock) -> None:
    resp = requests.post(alibaba_mock.url + "/?" + urlencode(parameters()),
                         headers={"x-acs-action": "ImageBatchModeration", "x-acs-version": "2022-03-02"}, timeout=10)
    assert _error(resp) == (400, "MissingSignature")


def test_malformed_authorization_header(alibaba_mock) -> None:
    signed = v3_request(alibaba_mock.url, parameters())
    headers = dict(signed["headers"], Authorization="Bearer abc")
    assert _error(requests.post(signed["url"], headers=headers, timeout=10)) == (400, "InvalidAuthorization")


def test_v1_without_a_nonce(alibaba_mock) -> None:
    params = v1_params(parameters())
    del params["SignatureNonce"]
    resp = requests.post(alibaba_mock.url + "/?" + urlencode(params, quote_via=quote), timeout=10)
    assert _error(resp) == (400, "MissingParameter")


@pytest.mark.parametrize(("header", "value", "expected"), [
    ("x-acs-action", "ImageModeration", (404, "InvalidAction.NotFound")),
    ("x-acs-version", "2018-05-09", (400, "InvalidVersion")),
])
def test_wrong_action_or_version(alibaba_mock, header: str, value: str, expected: tuple[int, str]) -> None:
    signed = v3_request(alibaba_mock.url, parameters())
    resp = requests.post(signed["url"], headers=dict(signed["headers"], **{header: value}), timeout=10)
    assert _error(resp) == expected


def test_debug_header_shows_the_expected_string_to_sign(alibaba_mock) -> None:
    signed = v3_request(alibaba_mock.url, parameters(), secret="wrong")
    plain = requests.post(signed["url"], headers=signed["headers"], timeout=10).json()
    assert "string to sign" not in plain["Message"]
    signed = v3_request(alibaba_mock.url, parameters(), secret="wrong")
    debug = requests.post(signed["url"], headers=dict(signed["headers"], **{"x-modmock-debug": "true"}),
                          timeout=10).json()
    assert "server string to sign is:ACS3-HMAC-SHA256\n" in debug["Message"]
    assert "canonical request:\nPOST\n/\nService=baselineCheck&ServiceParameters=" in debug["Message"]


def test_region_from_the_host_header(alibaba_mock) -> None:
    ad = parameters("adCheckByVL")
    assert post_v3(alibaba_mock, ad, host="green-cip.cn-shanghai.aliyuncs.com").json()["Code"] == 200
    answer = post_v3(alibaba_mock, ad, host="green-cip.cn-hangzhou.aliyuncs.com").json()
    assert answer["Code"] == 401 and "cn-hangzhou" in answer["Msg"]
    assert post_v3(alibaba_mock, ad, host="green-cip-vpc.cn-beijing.aliyuncs.com").json()["Code"] == 200


def test_gateway_refusals_make_the_request_invalid(alibaba_mock) -> None:
    post_v3(alibaba_mock, parameters(), secret="wrong")
    (problem,) = alibaba_mock.requests[-1].problems
    assert (problem.field, problem.rule) == ("(gateway)", "SignatureDoesNotMatch")
    with pytest.raises(AssertionError, match="SignatureDoesNotMatch"):
        alibaba_mock.assert_all_requests_valid()


@pytest.mark.parametrize(("method", "version"), [("HMAC-SHA256", "1.0"), ("HMAC-SHA1", "2.0")])
def test_v1_signature_method_and_version_are_checked(alibaba_mock, method: str, version: str) -> None:
    params = v1_params(dict(parameters(), SignatureMethod=method, SignatureVersion=version))
    resp = requests.post(alibaba_mock.url + "/?" + urlencode(params, quote_via=quote), timeout=10)
    assert _error(resp) == (400, "InvalidSignatureMethod")


def test_v1_sixteen_minutes_ahead_is_expired(alibaba_mock) -> None:
    assert _error(post_v1(alibaba_mock, parameters(), timestamp=now_iso(16 * 60))) == (400, "InvalidTimeStamp.Expired")


def test_rpc_get_is_served_and_other_methods_get_alibabas_error(alibaba_mock) -> None:
    params = v1_params(parameters(), method="GET")
    get = requests.get(alibaba_mock.url + "/?" + urlencode(params, quote_via=quote), timeout=10)
    assert get.status_code == 200 and get.json()["Code"] == 200
    put = requests.put(alibaba_mock.url + "/?" + urlencode(v1_params(parameters()), quote_via=quote), timeout=10)
    assert _error(put) == (404, "InvalidAction.NotFound")


def test_unsigned_requests_with_a_broken_body_get_the_gateway_error_first(alibaba_mock) -> None:
    headers = {"Content-Type": "application/json", "x-acs-action": "ImageBatchModeration",
               "x-acs-version": "2022-03-02"}
    resp = requests.post(alibaba_mock.url + "/", data=b"{broken", headers=headers, timeout=10)
    assert _error(resp) == (400, "MissingSignature")


def test_a_signed_request_with_a_broken_body_gets_401(alibaba_mock) -> None:
    signed = v3_request(alibaba_mock.url, parameters(), body=b"{broken")
    headers = dict(signed["headers"], **{"Content-Type": "application/json"})
    resp = requests.post(signed["url"], headers=headers, data=b"{broken", timeout=10)
    assert resp.status_code == 200 and resp.json()["Code"] == 401


def test_v1_ignores_an_unsigned_json_body(alibaba_mock) -> None:
    params = v1_params(parameters(imageUrl="https://cdn.example.com/clean.jpg"))
    injected = {"ServiceParameters": '{"imageUrl": "https://cdn.example.com/porn.jpg", "dataId": "INJECTED"}'}
    import json as _json
    resp = requests.post(alibaba_mock.url + "/?" + urlencode(params, quote_via=quote), data=_json.dumps(injected),
                         headers={"Content-Type": "application/json"}, timeout=10)
    answer = resp.json()
    assert answer["Code"] == 200 and answer["Data"]["RiskLevel"] == "none" and "DataId" not in answer["Data"]
    assert alibaba_mock.requests[-1].warnings[0].rule == "unsigned parameters"


def test_v3_refuses_a_parameter_set_in_the_query_and_the_body(alibaba_mock) -> None:
    import json as _json
    body = _json.dumps({"Service": "tonalityImprove"}).encode()
    signed = v3_request(alibaba_mock.url, parameters(), body=body)
    resp = requests.post(signed["url"], headers=dict(signed["headers"], **{"Content-Type": "application/json"}),
                         data=body, timeout=10)
    assert resp.json()["Code"] == 401 and "set both" in resp.json()["Msg"]


def test_an_unknown_region_in_the_host_is_noted(alibaba_mock) -> None:
    assert post_v3(alibaba_mock, parameters(), host="green-cip.ap-southeast-1.aliyuncs.com").json()["Code"] == 200
    assert "no such region" in alibaba_mock.requests[-1].notes[0]
