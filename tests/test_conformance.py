"""The vendor-conformance test every registered vendor runs (a generated one too): its declaration
has the expected shape, every documented code is reachable over HTTP and answered in a body its
schemas accept, and its published OpenAPI document holds for drawn requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS

import modmock
from modmock.contracts import strategies
from modmock.contracts.calls import Call
from modmock.contracts.vendors import hints_module
from modmock.mockserver.core import schemas
from modmock.mockserver.core.declaration import Operation
from modmock.mockserver.settings import Settings
from modmock.mockserver.vendors import create_vendor, vendor_names

NAMES = vendor_names()
# Checks of other API styles than a moderation vendor's (HTTP 200 with the code in the body).
VENDOR_STYLE = ("status_code_conformance", "negative_data_rejection", "positive_data_acceptance",
                "missing_required_header", "unsupported_method", "ignored_auth", "use_after_free",
                "ensure_resource_availability", "content_type_conformance")


@pytest.fixture(scope="module", params=NAMES)
def served(request: pytest.FixtureRequest) -> Iterator[modmock.MockServer]:
    with modmock.serve(request.param, clock="manual") as mock:
        yield mock


def _vendor(mock: modmock.MockServer) -> Any:
    (vendor,) = mock.state.vendors.values()
    return vendor


@pytest.mark.parametrize("name", NAMES)
def test_the_declaration_has_the_shape_of_a_vendor(name: str) -> None:
    vendor = create_vendor(name, {}, Settings(vendors=[name]))
    ids = [ep.id for ep in vendor.endpoints]
    assert vendor.name == name and vendor.title and len(ids) == len(set(ids)) and ids
    ops = vendor.operations()
    assert [op.id for op in ops] == ids and all(isinstance(op, Operation) for op in ops)
    for ep in vendor.endpoints:
        assert ep.method in ("GET", "POST") and ep.path.startswith("/") and ep.summary
        for path in filter(None, (ep.request_schema, *ep.response_schemas, ep.callback_schema, ep.error_schema)):
            assert schemas.schema(path).get("x-source"), f"{path} names no source"
    assert vendor.error_codes and vendor.credentials()
    for code in vendor.error_codes:
        error = vendor.for_code(code, None)
        assert error.code == code and error.text


def _accepted_call(mock: modmock.MockServer, endpoint: str) -> Any:
    """One request the mock accepts: drawn by the contract kit where the vendor has drawing hints
    (signed where it signs), else the vendor's published example with its headers."""
    vendor = _vendor(mock)
    if hints_module(vendor.name) is None:
        ep = vendor.endpoint(endpoint)
        return Call(ep.method, ep.path, body=vendor.request_example(endpoint), headers=vendor.example_headers(endpoint))
    found: list[Any] = []

    @settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(call=strategies.call(_vendor(mock).name, endpoint))
    def draw(call: Any) -> None:
        found.append(call)

    draw()
    return found[0]


def _codes(body: Any) -> set[Any]:
    """Every ``code`` / ``Code`` in an answer, at any depth (item-level codes too)."""
    found: set[Any] = set()
    stack = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.update(v for k, v in node.items() if k in ("code", "Code") and not isinstance(v, (dict, list)))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _conforms(ep: Any, status: int, body: Any) -> bool:
    paths = [*ep.response_schemas, *([ep.error_schema] if ep.error_schema else [])]
    return any(schemas.validator(p).is_valid(body) for p in paths)


def test_every_documented_code_is_reachable_and_answered_within_the_schemas(served: modmock.MockServer) -> None:
    vendor = _vendor(served)
    injectable = [op for op in vendor.operations() if "inject" in op.order and op.endpoint.request_schema]
    assert injectable, f"{vendor.name}: no endpoint injects faults"
    op = injectable[0]
    call = _accepted_call(served, op.id)
    status, body = call.send(served.url, served.credentials)
    assert _conforms(op.endpoint, status, body), body
    unreached = []
    for code in sorted(vendor.error_codes, key=str):
        served.reset()
        served.fail_next(code, endpoint=op.id)
        status, body = call.send(served.url, served.credentials)
        if code not in _codes(body):
            unreached.append(code)
        assert _conforms(op.endpoint, status, body), (code, body)
    assert unreached == [], f"{vendor.name}:{op.id} never answered {unreached}"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_the_published_openapi_document_holds(served: modmock.MockServer, mode: GenerationMode) -> None:
    served.reset()
    doc = requests.get(served.admin_url + "/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    schema.config.update(base_url=served.url)
    excluded = [check for check in CHECKS.get_all() if check.__name__ in VENDOR_STYLE]
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode), _=st.just(None))
        def conforms(case: Any, _: None) -> None:
            case.call_and_validate(excluded_checks=excluded)

        conforms()
