"""The drift walker agrees with JSON Schema on every packaged schema: a body the schema accepts
shows no difference but undocumented fields (and what a JSON document inside a string breaks:
Alibaba's ServiceParameters), and one it refuses shows at least one (bodies
drawn by the contract kit, valid and broken in known ways)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from modmock.contracts import strategies
from modmock.mockserver.core.schemas import validator
from modmock.mockserver.vendors import vendor_class, vendor_names
from modmock.proxy.drift import closest, differences

SCHEMAS = sorted({p for name in vendor_names() for ep in vendor_class(name).endpoints
                  for p in (*ep.response_schemas, ep.request_schema, ep.callback_schema, ep.error_schema) if p})
ENDPOINTS = [(name, ep.id) for name in vendor_names() for ep in vendor_class(name).endpoints if ep.request_schema]


@pytest.mark.parametrize("path", SCHEMAS)
def test_a_body_the_schema_accepts_shows_only_fields_it_does_not_document(path: str) -> None:
    @settings(max_examples=6, suppress_health_check=list(HealthCheck), database=None)  # (big schemas draw slowly)
    @given(strategies.for_schema(path))
    def check(value: object) -> None:
        assert validator(path).is_valid(value)
        found = [d for d in differences(value, path) if d.kind != "undocumented-field"]
        if _inner_document_invalid(value):  # what JSON Schema only annotates, the walker checks too
            assert found and all(d.field.startswith("ServiceParameters") for d in found)
        else:
            assert found == []

    check()


def _inner_document_invalid(value: object) -> bool:
    """Whether Alibaba's ServiceParameters, a JSON document in a string (``x-content-schema``),
    breaks its own schema: JSON Schema does not assert it; the walker does."""
    inner = value.get("ServiceParameters") if isinstance(value, dict) else None
    if not isinstance(inner, str):
        return False
    try:
        return not validator("alibaba/service_parameters.json").is_valid(json.loads(inner))
    except ValueError:
        return True


@pytest.mark.parametrize(("vendor", "endpoint"), ENDPOINTS)
def test_a_request_the_schema_refuses_shows_a_difference(vendor: str, endpoint: str) -> None:
    schema = next(ep for ep in vendor_class(vendor).endpoints if ep.id == endpoint).request_schema
    assert schema is not None

    @settings(max_examples=10, suppress_health_check=list(HealthCheck), database=None)
    @given(strategies.invalid_request(vendor, endpoint))
    def check(pair: tuple[object, object]) -> None:
        doc, _ = pair
        if not validator(schema).is_valid(doc):
            assert differences(doc, schema)

    check()


def test_a_json_document_inside_a_string_is_checked_against_its_content_schema() -> None:
    found = differences({"Service": "baselineCheck", "ServiceParameters": json.dumps({"imageUrl": 5, "bogus": 1})},
                        "alibaba/request.json")
    assert {(d.kind, d.field, d.schema) for d in found} == {
        ("type", "ServiceParameters.imageUrl", "alibaba/service_parameters.json#/properties/imageUrl/allOf/0/type"),
        ("undocumented-field", "ServiceParameters.bogus", "alibaba/service_parameters.json#/properties")}


def test_each_difference_names_where_its_rule_is_written() -> None:
    answer = {"code": 1100, "message": "ok", "requestId": "r", "riskLevel": "PASS", "riskLabel1": "normal",
              "riskLabel2": "", "riskLabel3": "", "riskDescription": "normal", "resultType": 0, "finalResult": 1,
              "auxInfo": {"segments": 1}, "allLabels": [], "riskDetail": {"riskSource": 1000}, "tokenLabels": {}}
    path, found = closest({**answer, "riskLevel": "MAYBE", "requestId": 5}, ("deepcleer/result.json",
                                                                             "deepcleer/ack.json"))
    assert path == "deepcleer/result.json"
    assert {(d.kind, d.field, d.schema) for d in found} == {
        ("enum", "riskLevel", "deepcleer/result.json#/properties/riskLevel/enum"),
        ("type", "requestId", "deepcleer/result.json#/properties/requestId/type")}
    assert all(d.source.startswith("seed ") for d in found)
