"""The official SDK against the mock: V3 and V1, sync and async, results, codes and gateway errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_util.models import RuntimeOptions

import modmock
from alibaba_helpers import call, moderation, sdk
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors.alibaba import profile

SIGNATURES = pytest.mark.parametrize("v1", [False, True], ids=["v3", "v1"])


@SIGNATURES
def test_clean_image(alibaba_mock, v1: bool) -> None:
    response = call(sdk(alibaba_mock, v1=v1), moderation("baselineCheck,tonalityImprove", dataId="img123"))
    body = response.body
    assert (response.status_code, body.code, body.msg) == (200, 200, "OK")
    assert body.data.data_id == "img123" and body.data.risk_level == "none"
    assert [(r.label, r.confidence, r.description) for r in body.data.result] == [
        ("nonLabel", None, "No risks detected")]
    assert [(r.service, r.risk_level) for r in body.data.results] == [("baselineCheck", "none"),
                                                                        ("tonalityImprove", "none")]
    assert len(body.request_id) == 36 and body.request_id == body.request_id.upper()
    alibaba_mock.assert_all_requests_valid()
    assert schemas.problems("alibaba/response.json", alibaba_mock.requests[-1].response) == []


@SIGNATURES
def test_risky_image_across_several_services(alibaba_mock, v1: bool) -> None:
    request = moderation("baselineCheck,tonalityImprove,advertisingCheck",
                         imageUrl="https://cdn.example.com/gore/qr-code/sex.png")
    data = call(sdk(alibaba_mock, v1=v1), request).body.data
    assert data.risk_level == "high"
    by_service = {r.service: [(x.label, x.confidence) for x in r.result] for r in data.results}
    assert by_service["baselineCheck"] == [("violent_explosion", 97.0), ("sexual_partialNudity", 97.0)]
    assert by_service["tonalityImprove"] == [("pt_programCode", 97.0)]
    assert by_service["advertisingCheck"] == [("ad_qrCode", 97.0)]
    assert {x.label for x in data.result} == {"violent_explosion", "sexual_partialNudity", "pt_programCode",
                                              "ad_qrCode"}


@SIGNATURES
def test_async_client(alibaba_mock, v1: bool) -> None:
    client = sdk(alibaba_mock, v1=v1)
    request = moderation(imageUrl="https://cdn.example.com/porn-review/1.jpg")
    response = asyncio.run(client.image_batch_moderation_with_options_async(request, RuntimeOptions()))
    assert response.body.code == 200 and response.body.data.risk_level == "medium"
    assert response.body.data.results[0].result[0].confidence == 60.0


def test_review_below_one_half_reads_low(alibaba_mock) -> None:
    alibaba_mock.add_rule(verdict={"risk": "review", "labels": [{"category": "politics", "confidence": 0.42}]})
    data = call(sdk(alibaba_mock), moderation()).body.data
    assert data.risk_level == "low" and data.result[0].confidence == 42.0


def test_exemption_library(alibaba_mock) -> None:
    alibaba_mock.add_rule(verdict={"risk": "pass", "labels": [
        {"category": "custom", "sublabel": "nonLabel_lib", "confidence": 0.8318}]})
    data = call(sdk(alibaba_mock), moderation("baselineCheck,tonalityImprove")).body.data
    assert data.risk_level == "none"
    assert [(r.label, r.confidence) for r in data.result] == [("nonLabel_lib", 83.18)]
    assert all(r.result[0].label == "nonLabel_lib" for r in data.results)


def test_ext_for_the_info_types_asked(alibaba_mock) -> None:
    alibaba_mock.add_rule(verdict={"risk": "reject", "labels": [
        {"category": "abuse", "details": {"ocrText": "you idiot", "RiskWord": ["idiot"]}}]})
    request = moderation(infoType="textInImage,customImage")
    ext = call(sdk(alibaba_mock), request).body.data.results[0].ext
    assert [o.text for o in ext.text_in_image.ocr_result] == ["you idiot"]
    assert ext.text_in_image.risk_word == ["idiot"] and ext.custom_image == []


# -- every documented code, as HTTP 200 with body Code -----------------------------------------
@pytest.mark.parametrize(("parameters", "services", "code"), [
    ({"imageUrl": None, "dataId": "x"}, "baselineCheck", 400),  # no imageUrl and no OSS object
    ({"imageUrl": "https://x.example/a.jpg", "dataId": "bad id!"}, "baselineCheck", 401),
    ({"imageUrl": "https://x.example/a.jpg"}, "noSuchService", 401),
    ({"imageUrl": "https://x.example/" + "a" * 2040}, "baselineCheck", 402),
    ({"imageUrl": "https://img.invalid/a.jpg"}, "baselineCheck", 404),
    ({"imageUrl": "https://x.example/timeout/a.jpg"}, "baselineCheck", 405),
])
def test_documented_codes_through_the_sdk(alibaba_mock, parameters: dict[str, Any], services: str, code: int) -> None:
    response = call(sdk(alibaba_mock), moderation(services, **parameters))
    assert (response.status_code, response.body.code, response.body.data) == (200, code, None)
    assert response.body.msg.startswith(profile.MESSAGES[code])
    assert schemas.problems("alibaba/response.json", alibaba_mock.requests[-1].response) == []


@pytest.mark.parametrize("code", [406, 407, 500, 403, 408])
def test_injected_codes_through_the_sdk(alibaba_mock, code: int) -> None:
    alibaba_mock.fail_next(code)
    assert call(sdk(alibaba_mock), moderation()).body.code == code


def test_qps_limit_answers_403() -> None:
    with modmock.serve("alibaba", config={"alibaba": {"qps": 2}}) as mock:
        mock.state.store.rates._now = lambda: 1000.0  # frozen wall clock: independent of the machine's speed
        client = sdk(mock)
        codes = [call(client, moderation()).body.code for _ in range(3)]
        assert codes == [200, 200, 403]


def test_service_not_enabled_for_the_key_answers_408() -> None:
    config = {"alibaba": {"credentials": [{"access_key_id": "limited-ak", "access_key_secret": "s3cret",
                                           "services": ["baselineCheck"]}]}}
    with modmock.serve("alibaba", config=config) as mock:
        client = sdk(mock, ak="limited-ak", secret="s3cret")
        assert call(client, moderation("baselineCheck")).body.code == 200
        assert call(client, moderation("baselineCheck,tonalityImprove")).body.code == 408


# -- gateway errors: the SDK raises what it raises against the real service ---------------------
@pytest.fixture
def raised(alibaba_mock) -> Iterator[Any]:
    def _raised(client: Any) -> ClientException:
        with pytest.raises(ClientException) as caught:
            call(client, moderation())
        body = alibaba_mock.requests[-1].response
        assert schemas.problems("alibaba/error.json", body) == []
        return caught.value
    yield _raised


@SIGNATURES
def test_wrong_secret(alibaba_mock, raised, v1: bool) -> None:
    error = raised(sdk(alibaba_mock, v1=v1, secret="not-the-secret"))
    assert (error.code, error.status_code) == ("SignatureDoesNotMatch", 400)
    assert "server string to sign" not in error.message  # only in debug mode


@SIGNATURES
def test_unknown_access_key(alibaba_mock, raised, v1: bool) -> None:
    error = raised(sdk(alibaba_mock, v1=v1, ak="nobody"))
    assert (error.code, error.status_code) == ("InvalidAccessKeyId.NotFound", 404)


def test_debug_mode_shows_the_expected_string_to_sign() -> None:
    with modmock.serve("alibaba") as mock:
        mock.state.settings.log_level = "debug"
        with pytest.raises(ClientException) as caught:
            call(sdk(mock, v1=True, secret="wrong"), moderation())
    assert "server string to sign is:POST&%2F&AccessKeyId%3Dtest-ak" in caught.value.message


def test_stale_date_and_reused_nonce_through_the_sdk(alibaba_mock, monkeypatch) -> None:
    from alibabacloud_tea_openapi.utils import Utils
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: "0123456789abcdef0123456789abcdef"))
    for v1 in (False, True):
        alibaba_mock.reset()
        assert call(sdk(alibaba_mock, v1=v1), moderation()).body.code == 200
        with pytest.raises(ClientException) as reused:
            call(sdk(alibaba_mock, v1=v1), moderation())
        assert (reused.value.code, reused.value.status_code) == ("SignatureNonceUsed", 400)
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: __import__("uuid").uuid4().hex))
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: "2020-01-01T00:00:00Z"))
    for v1 in (False, True):
        with pytest.raises(ClientException) as stale:
            call(sdk(alibaba_mock, v1=v1), moderation())
        assert (stale.value.code, stale.value.status_code) == ("InvalidTimeStamp.Expired", 400)


def test_rule_details_with_the_wrong_shape_are_left_out_of_ext(alibaba_mock) -> None:
    alibaba_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": "porn", "details": {
        "LogoData": [1, 2], "CustomImage": {"not": "a list"}, "RiskWord": "idiot"}}]})
    request = moderation(infoType="customImage,textInImage,logoData")
    body = call(sdk(alibaba_mock), request).body
    assert body is not None and body.code == 200  # the SDK still parses the answer
    assert body.data.results[0].ext is None  # every piece had the wrong shape: no Ext at all
    notes = " ".join(alibaba_mock.requests[-1].notes)
    assert "Ext.LogoData" in notes and "Ext.CustomImage" in notes and "Ext.TextInImage" in notes


def test_business_messages_read_naturally(alibaba_mock) -> None:
    msg = call(sdk(alibaba_mock), moderation(dataId="bad id")).body.msg
    assert msg.startswith("The request parameters are invalid. ServiceParameters.dataId")


def test_cjk_beyond_the_basic_plane_is_chinese_too(alibaba_mock) -> None:
    assert call(sdk(alibaba_mock), moderation(imageUrl="https://x.example/\U00020000.jpg")).body.code == 401


@pytest.mark.parametrize(("config", "message"), [
    ({"credentials": [{"access_key_id": "a", "access_key_secret": "b", "services": ["baseline"]}]}, "unknown service"),
    ({"qsp": 5}, "unknown key"), ({"region": "mars-1"}, "region"), ({"qps": 0}, "qps"),
])
def test_bad_config_is_refused(config: dict, message: str) -> None:
    with pytest.raises(modmock.SettingsError, match=message):
        modmock.serve("alibaba", config={"alibaba": config})


@pytest.mark.parametrize("category", sorted(modmock.CATEGORIES))
def test_every_canonical_category_is_reported_by_some_service(alibaba_mock, category: str) -> None:
    alibaba_mock.add_rule(verdict={"risk": "reject", "labels": [{"category": category, "confidence": 0.8}]})
    services = "baselineCheck,tonalityImprove,advertisingCheck"
    data = call(sdk(alibaba_mock), moderation(services)).body.data
    labels = {(r.service, x.label) for r in data.results for x in r.result if x.label != "nonLabel"}
    expected = {(s, profile.labels_for(s)[category].label) for s in services.split(",")
                if category in profile.labels_for(s)}
    assert labels == expected
    assert (data.risk_level == "high") is bool(expected)  # audio-only categories: nothing to report
    assert bool(expected) is (category not in profile.NOT_APPLICABLE)
