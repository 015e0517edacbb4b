"""The seed's own examples validate against the packaged Deepcleer schemas."""

from __future__ import annotations

from modmock.mockserver.core import schemas
from seed_deepcleer import CALLBACK, REQUEST, RESPONSE


def test_seed_response_example_is_a_valid_acknowledgement() -> None:
    assert schemas.problems("deepcleer/ack.json", RESPONSE) == []


def test_seed_callback_example_is_a_valid_callback() -> None:
    assert schemas.problems("deepcleer/callback.json", CALLBACK) == []


def test_seed_request_example_breaks_only_the_inferred_type_pattern() -> None:
    found = schemas.problems("deepcleer/request.json", REQUEST)
    assert [(p.field, p.inferred) for p in found] == [("type", True)]  # "xxxxx" is a placeholder
    fixed = dict(REQUEST, type="POLITY")
    assert schemas.problems("deepcleer/request.json", fixed) == []


def test_a_success_result_must_carry_the_full_result() -> None:
    found = schemas.problems("deepcleer/result.json", dict(RESPONSE))
    assert {p.field for p in found} >= {"riskLevel", "riskLabel1", "auxInfo", "allLabels", "tokenLabels"}
