"""Every packaged schema builds a strategy; drawn examples validate; drawn requests are accepted."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modmock.contracts import check_request, strategies
from modmock.mockserver.core import schemas
from modmock.mockserver.vendors import vendor_class, vendor_names

ALL = sorted(schemas.all_schemas())
JOCLOUD_ENDPOINTS = ["image_sync", "audio_sync", "text_sync", "audio_async", "video_async", "video_live",
                     "interaction_audio", "interaction_video"]
# Every endpoint of every registered vendor whose requests can be drawn without state of the mock's
# (infobyid asks for a job the mock started).
NEEDS_STATE = {("akool", "infobyid")}
ENDPOINTS = [(name, ep.id) for name in vendor_names() for ep in vendor_class(name).endpoints
             if ep.request_schema and (name, ep.id) not in NEEDS_STATE]
SHARED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@pytest.mark.parametrize("name", ALL)
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_schema_builds_a_strategy_whose_examples_validate(name: str, data: st.DataObject) -> None:
    example = data.draw(strategies.for_schema(name))
    assert schemas.validator(name).is_valid(example)


@pytest.mark.parametrize(("vendor", "endpoint"), ENDPOINTS)
@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_drawn_requests_are_accepted(vendor: str, endpoint: str, data: st.DataObject) -> None:
    request = data.draw(strategies.request(vendor, endpoint))
    report = check_request(vendor, endpoint, request)
    assert report.valid, str(report)


@settings(max_examples=10, suppress_health_check=SHARED)
@given(body=strategies.request("deepcleer", "image_v4"))
def test_drawn_requests_are_accepted_by_the_running_mock(deepcleer_mock, body: dict[str, Any]) -> None:
    answer = requests.post(deepcleer_mock.url + "/image/v4", json=body, timeout=10).json()
    assert answer["code"] in (1100, 1911), answer  # 1911: a drawn URL on purpose may say "timeout"


@settings(max_examples=10, suppress_health_check=SHARED)
@given(call=strategies.call("alibaba", "image_batch_moderation"))
def test_drawn_alibaba_calls_are_signed_and_accepted(alibaba_mock, call: Any) -> None:
    status, answer = call.send(alibaba_mock.url, alibaba_mock.credentials)
    assert status == 200 and answer["Code"] in (200, 404, 405), answer  # a drawn URL may "fail" on purpose
    status, again = call.send(alibaba_mock.url, alibaba_mock.credentials)  # a fresh nonce each time
    assert status == 200, again
    assert "Signature" not in call.params and call.signed(alibaba_mock.credentials).params["Signature"]


@settings(max_examples=3, suppress_health_check=SHARED)
@given(call=strategies.call("alibaba", "image_batch_moderation"))
def test_a_wrong_secret_signs_a_call_the_mock_refuses(alibaba_mock, call: Any) -> None:
    status, answer = call.send(alibaba_mock.url, {"accessKeys": [{"accessKeyId": "test-ak",
                                                                  "accessKeySecret": "not-the-secret"}]})
    assert status == 400 and answer["Code"] == "SignatureDoesNotMatch", answer


@settings(max_examples=5, suppress_health_check=SHARED)
@given(call=strategies.call("deepcleer", "image_v4"))
def test_drawn_deepcleer_calls_are_accepted(deepcleer_mock, call: Any) -> None:
    status, answer = call.send(deepcleer_mock.url)
    assert status == 200 and answer["code"] in (1100, 1911), answer


@pytest.mark.parametrize("vendor", ["jocloud", "aivacom"])
@pytest.mark.parametrize("endpoint", JOCLOUD_ENDPOINTS)
def test_drawn_jocloud_calls_are_completed_for_each_profile_and_accepted(request: pytest.FixtureRequest, vendor: str,
                                                                           endpoint: str) -> None:
    mock = request.getfixturevalue(f"{vendor}_mock")

    @settings(max_examples=5, suppress_health_check=SHARED, database=None)
    @given(call=strategies.call(vendor, endpoint))
    def accepted(call: Any) -> None:
        status, answer = call.send(mock.url, mock.credentials)
        assert status == 200 and answer["code"] == 200, answer
        assert schemas.validator("jocloud/response.json").is_valid(answer), answer
        assert {item["code"] for item in answer["data"]} <= {200, 401}, answer  # 401: a drawn URL may "fail"

    accepted()
    mock.assert_all_requests_valid()


@pytest.mark.parametrize(("vendor", "endpoint"), ENDPOINTS)
@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_invalid_requests_break_the_rule_they_are_labelled_with(vendor: str, endpoint: str,
                                                                 data: st.DataObject) -> None:
    request, broken = data.draw(strategies.invalid_request(vendor, endpoint))
    report = check_request(vendor, endpoint, request)
    assert not report.valid
    assert any(p.field == broken.field or p.field.startswith(broken.field + ".")
               or broken.field.startswith(p.field) for p in report.problems), (broken, str(report))


@pytest.mark.parametrize(("vendor", "endpoint"), ENDPOINTS)
@settings(max_examples=5, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_responses_callbacks_and_errors(vendor: str, endpoint: str, data: st.DataObject) -> None:
    response = data.draw(strategies.response(vendor, endpoint))
    assert isinstance(response, dict)
    error = data.draw(strategies.error(vendor, endpoint))
    code = error.get("code", error.get("Code"))
    assert code not in (1100, 200)
    callback_schema = vendor_class(vendor).endpoints[[e.id for e in vendor_class(vendor).endpoints].index(endpoint)] \
        .callback_schema
    if vendor == "deepcleer" and callback_schema:
        assert schemas.validator(callback_schema).is_valid(data.draw(strategies.callback(vendor, endpoint)))


def test_a_seed_reproduces_the_draws() -> None:
    from hypothesis import seed

    def drawn(seed_value: int) -> list[Any]:
        found: list[Any] = []

        @seed(seed_value)
        @settings(max_examples=5, database=None)
        @given(strategies.request("deepcleer", "image_v4"))
        def collect(body: Any) -> None:
            found.append(body)

        collect()
        return found

    assert drawn(1234) == drawn(1234)
    assert drawn(1234) != drawn(4321)
