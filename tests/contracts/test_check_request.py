"""check_request without a server: which field, which rule, what was sent, what is expected."""

from __future__ import annotations

import json

import pytest

from modmock.contracts import check_request

BODY = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY",
        "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u1"}}


def test_a_valid_request() -> None:
    report = check_request("deepcleer", "image_v4", BODY)
    assert report.valid and str(report) == "deepcleer:image_v4: valid"


def test_each_problem_names_field_rule_sent_expected_and_the_nearest_valid_value() -> None:
    body = dict(BODY, type="POLITYY_EROTIC", acceptLang="eng", data={"img": "https://x.example/a.jpg",
                                                                       "tokenId": "t" * 70})
    report = check_request("deepcleer", "image_v4", body)
    by_field = {p.field: p for p in report.problems}
    assert by_field["type"].suggestion == "POLITY" and by_field["type"].sent == "POLITYY"
    assert by_field["acceptLang"].suggestion == "en"
    assert by_field["data.tokenId"].suggestion == "t" * 64 and by_field["data.tokenId"].rule == "maxLength 64"
    assert "nearest valid: 'POLITY'" in str(report)


def test_inferred_rules_are_warnings_unless_strict() -> None:
    body = dict(BODY, callbackUrl="http://127.0.0.1/cb")
    assert check_request("deepcleer", "image_v4", body).valid
    assert check_request("deepcleer", "image_v4", body).warnings[0].field == "callbackUrl"
    assert not check_request("deepcleer", "image_v4", body, strict=True).valid


def test_alibaba_parameters() -> None:
    good = {"Service": "baselineCheck", "ServiceParameters": json.dumps({"imageUrl": "https://x.example/a.jpg"})}
    assert check_request("alibaba", "image_batch_moderation", good).valid
    bad = dict(good, Service="baselineChek")
    (problem,) = check_request("alibaba", "image_batch_moderation", bad).problems
    assert (problem.field, problem.suggestion) == ("Service", "baselineCheck")


def test_unknown_endpoint() -> None:
    with pytest.raises(KeyError, match="no endpoint"):
        check_request("deepcleer", "text_v4", BODY)
