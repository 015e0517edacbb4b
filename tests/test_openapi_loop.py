"""The loop test: Schemathesis drives the running mock from the OpenAPI document it publishes,
and every answer conforms to that document; nothing answers 5xx.

Jocloud and Aivacom answer request-level errors with HTTP 400 and 429, published as their 4XX
answers; every API of both profiles runs with and without the mock's token.

Alibaba's signed RPC endpoint is run unsigned only: a drawn request cannot carry a signature,
so every answer is a gateway error, checked against the published error schema. Its signed
answers are checked by the official SDK's tests (tests/vendors/alibaba).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.failures import FailureGroup

import modmock
from modmock.mockserver.vendors import vendor_names

# Deepcleer answers HTTP 200 with an error code in the body, so "invalid data gets a 4xx" is
# not this vendor's contract; every other default check applies.
VENDOR_STYLE = ("negative_data_rejection",)


@pytest.fixture(scope="module")
def _servers() -> Iterator[dict[str, modmock.MockServer]]:
    with ExitStack() as stack:  # one mock of every registered vendor
        yield {name: stack.enter_context(modmock.serve(name)) for name in vendor_names()}


@pytest.fixture
def deepcleer(_servers: dict[str, modmock.MockServer]) -> modmock.MockServer:
    _servers["deepcleer"].reset()
    return _servers["deepcleer"]


@pytest.fixture
def alibaba(_servers: dict[str, modmock.MockServer]) -> modmock.MockServer:
    _servers["alibaba"].reset()
    return _servers["alibaba"]


def _operations(mock: modmock.MockServer) -> list[Any]:
    """Every operation of the document the running mock publishes, aimed at the mock."""
    doc = requests.get(mock.admin_url + "/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    schema.config.update(base_url=mock.url)
    return [result.ok() for result in schema.get_all_operations()]


def _operation(mock: modmock.MockServer) -> Any:
    """The vendor's first endpoint (Deepcleer's image_v4, Alibaba's only one)."""
    first = mock.state.vendors[next(iter(mock.state.vendors))].endpoints[0]
    (operation,) = [op for op in _operations(mock) if op.path == first.path]
    return operation


def _excluded(*names: str) -> list[Any]:
    return [check for check in CHECKS.get_all() if check.__name__ in VENDOR_STYLE + names]


def test_the_published_example_is_accepted(deepcleer: modmock.MockServer) -> None:
    operation = _operation(deepcleer)
    (examples,) = [s for s in operation.get_strategies_from_examples()]

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=examples)
    def accepted(case: Any) -> None:
        answer = case.call_and_validate(excluded_checks=_excluded())
        assert answer.json()["code"] == 1100, answer.text

    accepted()
    deepcleer.assert_all_requests_valid()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_drawn_requests_get_answers_that_conform(deepcleer: modmock.MockServer, mode: GenerationMode) -> None:
    operation = _operation(deepcleer)
    statuses: set[int] = set()

    codes: set[int] = set()

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode), keyed=st.booleans())
    def conforms(case: Any, keyed: bool) -> None:
        if keyed and isinstance(case.body, dict):  # half the drawn requests carry the mock's credentials
            case.body.update(accessKey="xxxx", appId="default", eventId="default")
            if mode is GenerationMode.POSITIVE:  # and, drawn positive, a type code the vendor knows
                case.body["type"] = "EROTIC"
        answer = case.call_and_validate(excluded_checks=_excluded())
        statuses.add(answer.status_code)
        codes.add(answer.json()["code"])

    conforms()
    assert statuses == {200}
    assert 9101 in codes and (1100 in codes if mode is GenerationMode.POSITIVE else 1902 in codes), codes


def test_an_answer_off_the_contract_is_caught(deepcleer: modmock.MockServer) -> None:
    operation = _operation(deepcleer)
    (examples,) = [s for s in operation.get_strategies_from_examples()]
    deepcleer.respond_with({"code": "1100", "requestId": 7})  # wrong types for both fields

    @settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(case=examples)
    def off_contract(case: Any) -> None:
        case.call_and_validate(excluded_checks=_excluded())

    try:
        off_contract()
    except FailureGroup as exc:  # how Schemathesis reports what it found
        assert "Response violates schema" in str(exc)
    else:
        pytest.fail("Schemathesis accepted an answer that breaks the published schema")


def test_unsigned_alibaba_requests_get_gateway_errors_that_conform(alibaba: modmock.MockServer) -> None:
    operation = _operation(alibaba)
    statuses: set[int] = set()

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def conforms(case: Any) -> None:
        answer = case.call_and_validate(excluded_checks=_excluded("positive_data_acceptance"))
        statuses.add(answer.status_code)

    conforms()
    assert statuses and all(400 <= s < 500 for s in statuses), statuses


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_akool_answers_conform_with_and_without_a_key(_servers: dict[str, modmock.MockServer],
                                                       mode: GenerationMode) -> None:
    mock = _servers["akool"]
    mock.reset()
    codes: set[int] = set()
    for operation in _operations(mock):
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), keyed=st.booleans())
        def conforms(case: Any, keyed: bool) -> None:
            headers = {"x-api-key": "mock-client-secret-00001"} if keyed else {}
            answer = case.call_and_validate(headers=headers, excluded_checks=_excluded())
            codes.add(answer.json()["code"])

        conforms()
    assert 1102 in codes and codes - {1101, 1102}, codes  # unkeyed refused, keyed got past auth


@pytest.mark.parametrize("vendor", ["jocloud", "aivacom"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_jocloud_profiles_answer_every_api_within_the_contract(_servers: dict[str, modmock.MockServer], vendor: str,
                                                               mode: GenerationMode) -> None:
    mock = _servers[vendor]
    mock.reset()
    (cert,) = mock.credentials["credentials"]
    codes: set[int] = set()
    for operation in _operations(mock):
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), keyed=st.booleans())
        def conforms(case: Any, keyed: bool) -> None:
            if keyed:  # the mock's appid and token, so the request reaches the body rules
                case.path_parameters = {**(case.path_parameters or {}), "appid": cert["appid"]}
                case.headers = {**(case.headers or {}), "token": cert["token"]}
            # a schema-valid request may still fail the token, or content rules no schema says (base64)
            answer = case.call_and_validate(excluded_checks=_excluded("positive_data_acceptance"))
            codes.add(answer.json()["code"])

        conforms()
    assert 400 in codes and (200 in codes if mode is GenerationMode.POSITIVE else True), codes


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_deepcleer_batch_async_and_query_answer_within_the_contract(deepcleer: modmock.MockServer,
                                                                    mode: GenerationMode) -> None:
    codes: set[int] = set()
    others = [op for op in _operations(deepcleer) if op.path != "/image/v4"]
    assert {op.path for op in others} == {"/images/v4", "/v4/saas/async/img", "/v4/saas/async/imgs", "/v4/image/query"}
    for operation in others:
        @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), keyed=st.booleans())
        def conforms(case: Any, keyed: bool) -> None:
            if keyed and isinstance(case.body, dict):
                case.body.update(accessKey="xxxx")
                if case.path != "/v4/image/query":
                    case.body.update(appId="default", eventId="default")
            answer = case.call_and_validate(excluded_checks=_excluded())
            assert answer.status_code == 200
            codes.add(answer.json()["code"])

        conforms()
    assert 9101 in codes and 1902 in codes | {1902 if mode is GenerationMode.POSITIVE else 0}, codes
