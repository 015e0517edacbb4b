"""Driving a client through the response space: the test draws, the mock replays, Hypothesis shrinks."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, find, given, settings

from modmock.contracts import strategies

BODY = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY",
        "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u1"}}


def careless_client(url: str) -> str:
    """A client with a bug: it reads riskLevel even when the code says the call failed."""
    answer = requests.post(url + "/image/v4", json=BODY, timeout=10).json()
    return answer["riskLevel"]


def careful_client(url: str) -> str:
    answer = requests.post(url + "/image/v4", json=BODY, timeout=10).json()
    if answer.get("code") != 1100:
        return "ERROR"
    return answer["riskLevel"]


def test_answers_are_replayed_in_order(deepcleer_mock) -> None:
    deepcleer_mock.respond_with({"code": 1100, "message": "Success", "requestId": "r1", "riskLevel": "REJECT"},
                                1903, "empty")
    assert requests.post(deepcleer_mock.url + "/image/v4", json=BODY, timeout=10).json()["riskLevel"] == "REJECT"
    assert requests.post(deepcleer_mock.url + "/image/v4", json=BODY, timeout=10).json()["code"] == 1903
    assert requests.post(deepcleer_mock.url + "/image/v4", json=BODY, timeout=10).content == b""
    assert requests.post(deepcleer_mock.url + "/image/v4", json=BODY, timeout=10).json()["riskLevel"] == "PASS"
    assert [e.notes[0] for e in deepcleer_mock.requests[:3]] == [
        "replayed a queued answer (body)", "replayed a queued answer (error 1903)",
        "replayed a queued answer (fault empty)"]


def test_invalid_requests_are_not_answered_from_the_queue(deepcleer_mock) -> None:
    deepcleer_mock.respond_with(1903)
    bad = dict(BODY, data={"img": "https://x.example/a.jpg"})
    assert requests.post(deepcleer_mock.url + "/image/v4", json=bad, timeout=10).json()["code"] == 1902
    assert requests.post(deepcleer_mock.url + "/image/v4", json=BODY, timeout=10).json()["code"] == 1903


def test_only_answers_of_the_known_kinds(deepcleer_mock) -> None:
    with pytest.raises(ValueError):
        deepcleer_mock.respond_with("explode")
    with pytest.raises(ValueError):
        deepcleer_mock.respond_with(1100)  # not a documented error code


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=strategies.for_schema("deepcleer/result.json"))  # a sync call never gets the async ack
def test_the_careful_client_survives_every_documented_answer(deepcleer_mock, answer: dict[str, Any]) -> None:
    deepcleer_mock.reset()
    deepcleer_mock.respond_with(answer)
    assert careful_client(deepcleer_mock.url) in ("PASS", "REVIEW", "REJECT", "ERROR")


def test_hypothesis_shrinks_to_the_smallest_answer_that_breaks_the_careless_client(deepcleer_mock) -> None:
    def breaks(answer: dict[str, Any]) -> bool:
        deepcleer_mock.reset()
        deepcleer_mock.respond_with(answer)
        try:
            careless_client(deepcleer_mock.url)
        except KeyError:
            return True
        return False

    smallest = find(strategies.for_schema("deepcleer/result.json"), breaks,
                    settings=settings(max_examples=200, database=None))
    assert smallest["code"] != 1100 and "riskLevel" not in smallest  # an error answer, shrunk
    assert set(smallest) == {"code", "message", "requestId"}
