"""What the suite's items share: the rule a verdict is forced with, the client's calls as the
journal saw them, and the judgement of what a client did with an answer."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest

from ...fixtures.sink import CallbackSink
from ...mockserver.core.journal import Entry
from ...mockserver.mock import InvalidRequestsError, MockServer
from ..client import ClientUnderTest, Outcome
from .hints import SuiteHints


def verdict_rule(risk: str) -> dict[str, Any]:
    """The verdict of a rule that makes every answer ``risk``."""
    return {"risk": risk, "labels": [] if risk == "pass" else [{"category": "porn"}]}


def calls_to(mock: MockServer, endpoint: str) -> list[Entry]:
    """The client's requests to ``endpoint``, oldest first; the item fails when there is none."""
    calls = [e for e in mock.requests if e.endpoint == endpoint]
    if not calls:
        seen = ", ".join(sorted({f"{e.method} {e.path}" for e in mock.requests})) or "nothing"
        pytest.fail(f"the adapter sent no {endpoint} request to the mock (it sent: {seen})", pytrace=False)
    return calls


def answer_of(entry: Entry) -> str:
    if entry.response is None:
        return f"the broken answer to request #{entry.id} (connection reset or unreadable body)"
    return f"the answer to request #{entry.id} (HTTP {entry.status}, code {entry.code})"


def judge(client: ClientUnderTest, outcome: Outcome, expected: str | None, answer: str) -> str | None:
    """What went wrong when a client met ``answer`` carrying risk ``expected`` (None: an error)."""
    if outcome.hung is not None:
        return f"{outcome.describe()} on {answer}: a client must decide or give up"
    if outcome.raised is not None:
        if expected is None and client.refused(outcome):
            return None
        if expected is not None:
            why = f"the answer carries a {expected} verdict"
        elif client.errors:
            why = f"not one of its documented errors ({client.error_names()})"
        else:
            why = "a programming error, not a refusal (adapter.errors names the client's own errors)"
        return f"{outcome.describe()} on {answer}: {why}\n{outcome.trace}"
    got = client.risk_of(outcome.value)
    if expected is None:
        if got is None:
            return f"{outcome.describe()} on {answer}: neither a decision nor one of its errors"
        if client.means(outcome.value, "pass"):
            return f"{outcome.describe()} on {answer}: an error taken for a clean verdict"
        return None  # failed closed
    if not client.means(outcome.value, expected):
        return f"{outcome.describe()} on {answer}; a {expected} verdict is {client.decisions[expected]!r}"
    return None


def judge_last(client: ClientUnderTest, mock: MockServer, hints: SuiteHints, outcome: Outcome,
               injected: bool = False) -> None:
    """Judge the outcome by the last answer; with ``injected``, first make sure the answer under
    test was served (the mock serves injected answers to valid requests only)."""
    calls = calls_to(mock, hints.endpoint)
    if injected and not calls[0].valid:
        pytest.fail(f"not exercised: request #{calls[0].id} was refused as invalid before the answer under "
                    f"test could be served (see requests_valid)", pytrace=False)
    last = calls[-1]
    problem = judge(client, outcome, hints.risk_of(last.response), answer_of(last))
    if problem:
        pytest.fail(problem, pytrace=False)
    all_valid(mock)


def check_back_off(calls: list[Entry], gap: float, after: str, *, verb: str = "retried", mock_time: bool = False,
                   how: str = "") -> None:
    """Fail the item when the client's second call came less than ``gap`` seconds after its
    first (real time; with ``mock_time``, mock time moved by the suite's sleep counts too)."""
    if len(calls) < 2:
        return
    waited = calls[1].wall_time - calls[0].wall_time
    if mock_time:
        waited = max(waited, calls[1].time - calls[0].time)
    if waited < gap:
        pytest.fail(f"{verb} {1000 * waited:.0f} ms after {after}; back off at least {gap} s{how} or raise",
                    pytrace=False)


def all_valid(mock: MockServer) -> None:
    try:
        mock.assert_all_requests_valid()
    except InvalidRequestsError as exc:
        pytest.fail(str(exc), pytrace=False)


def deliver(sink: CallbackSink, body: bytes) -> None:
    """POST ``body`` to the client's receiver as the vendor would (the sink records it)."""
    request = urllib.request.Request(sink.url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
    except urllib.error.HTTPError:
        pass  # recorded by the sink with the receiver's error
