"""The items of the client contract suite; each test is one row of the summary table.

Every item judges the client by the last answer it got: a client may retry (after a sensible
pause) and decide on the later answer. An error answer must end in one of the client's own
errors, or in a fail-closed review/reject decision; never in a pass.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from ...fixtures.sink import CallbackSink
from ...mockserver.core.journal import Entry
from ...mockserver.mock import InvalidRequestsError, MockServer
from ..client import RISKS, ClientUnderTest, Outcome
from .hints import SuiteHints

FAULTS = ("reset", "empty", "malformed")


def _defaults() -> settings:
    """The active Hypothesis profile's settings (the CI profile, where one is loaded)."""
    assert settings.default is not None
    return settings.default


def _verdict(risk: str) -> dict[str, Any]:
    return {"risk": risk, "labels": [] if risk == "pass" else [{"category": "porn"}]}


def _calls(mock: MockServer, hints: SuiteHints) -> list[Entry]:
    calls = [e for e in mock.requests if e.endpoint == hints.endpoint]
    if not calls:
        seen = ", ".join(sorted({f"{e.method} {e.path}" for e in mock.requests})) or "nothing"
        pytest.fail(f"the adapter sent no {hints.endpoint} request to the mock (it sent: {seen})")
    return calls


def _answer(entry: Entry) -> str:
    if entry.response is None:
        return f"the broken answer to request #{entry.id} (connection reset or unreadable body)"
    return f"the answer to request #{entry.id} (HTTP {entry.status}, code {entry.code})"


def judge(client: ClientUnderTest, outcome: Outcome, expected: str | None, answer: str) -> str | None:
    """What went wrong when a client met ``answer`` carrying risk ``expected`` (None: an error)."""
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


def _judge_last(client: ClientUnderTest, mock: MockServer, hints: SuiteHints, outcome: Outcome,
                injected: bool = False) -> None:
    """Judge the outcome by the last answer; with ``injected``, first make sure the answer under
    test was served (the mock serves injected answers to valid requests only)."""
    calls = _calls(mock, hints)
    if injected and not calls[0].valid:
        pytest.fail(f"not exercised: request #{calls[0].id} was refused as invalid before the answer under "
                    f"test could be served (see requests_valid)", pytrace=False)
    last = calls[-1]
    problem = judge(client, outcome, hints.risk_of(last.response), _answer(last))
    if problem:
        pytest.fail(problem, pytrace=False)
    _all_valid(mock)


def _all_valid(mock: MockServer) -> None:
    try:
        mock.assert_all_requests_valid()
    except InvalidRequestsError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_requests_valid(contract_client: ClientUnderTest, contract_mock: MockServer,
                        contract_hints: SuiteHints) -> None:
    """Every request the client sends is one the vendor accepts."""
    for risk in RISKS:
        contract_mock.add_rule(verdict=_verdict(risk), times=1)
        contract_client.call(contract_mock.url, contract_mock.credentials)
    _calls(contract_mock, contract_hints)
    _all_valid(contract_mock)


@pytest.mark.parametrize("risk", RISKS)
def test_verdict(risk: str, contract_client: ClientUnderTest, contract_mock: MockServer,
                 contract_hints: SuiteHints) -> None:
    """A pass, review or reject verdict becomes the client's matching decision."""
    contract_mock.add_rule(verdict=_verdict(risk))
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    last = _calls(contract_mock, contract_hints)[-1]
    if contract_hints.risk_of(last.response) is None:
        pytest.fail(f"the verdict was never given: {_answer(last)} is an error (see requests_valid)", pytrace=False)
    _judge_last(contract_client, contract_mock, contract_hints, outcome)


def test_documented_responses(contract_client: ClientUnderTest, contract_mock: MockServer,
                              contract_hints: SuiteHints, contract_options: dict[str, Any]) -> None:
    """Any documented answer (drawn by Hypothesis, shrunk on failure) is survived and read right."""

    @settings(max_examples=contract_options["examples"], deadline=None,
              suppress_health_check=list(HealthCheck),
              database=None if contract_options["seeded"] else _defaults().database,
              derandomize=False if contract_options["seeded"] else _defaults().derandomize)
    @given(body=contract_hints.responses())
    def survives(body: Any) -> None:
        contract_mock.reset()
        contract_mock.respond_with(body)
        outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
        note(f"the client {outcome.describe()}")
        _judge_last(contract_client, contract_mock, contract_hints, outcome, injected=True)

    survives()


def test_error_code(error_code: Any, contract_client: ClientUnderTest, contract_mock: MockServer,
                    contract_hints: SuiteHints) -> None:
    """Each documented error code ends in the client's own error (or a fail-closed decision)."""
    contract_mock.fail_next(error_code, endpoint=contract_hints.endpoint)
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    _judge_last(contract_client, contract_mock, contract_hints, outcome, injected=True)


@pytest.mark.parametrize("fault", FAULTS)
def test_fault(fault: str, contract_client: ClientUnderTest, contract_mock: MockServer,
               contract_hints: SuiteHints) -> None:
    """A reset connection, an empty body or a body that is not JSON ends in the client's own error."""
    contract_mock.add_fault({fault: True, "times": 1, "endpoint": contract_hints.endpoint})
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    _judge_last(contract_client, contract_mock, contract_hints, outcome, injected=True)


def test_rate_limit(contract_client: ClientUnderTest, contract_mock: MockServer, contract_hints: SuiteHints,
                    contract_options: dict[str, Any]) -> None:
    """On the rate-limit code the client backs off or gives up; it does not retry at once."""
    contract_mock.fail_next(contract_hints.rate_limit_code, endpoint=contract_hints.endpoint)
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    calls = _calls(contract_mock, contract_hints)
    if not calls[0].valid:
        pytest.fail(f"not exercised: request #{calls[0].id} was refused as invalid (see requests_valid)",
                    pytrace=False)
    gap = contract_options["retry_gap"]
    if len(calls) > 1 and calls[1].wall_time - calls[0].wall_time < gap:
        pytest.fail(f"retried {1000 * (calls[1].wall_time - calls[0].wall_time):.0f} ms after the rate-limit "
                    f"code {contract_hints.rate_limit_code}; back off at least {gap} s or raise", pytrace=False)
    _judge_last(contract_client, contract_mock, contract_hints, outcome)


@pytest.mark.parametrize("risk", RISKS)
def test_callbacks(risk: str, contract_client: ClientUnderTest, contract_mock: MockServer,
                   contract_hints: SuiteHints, contract_sink: CallbackSink) -> None:
    """Asynchronous: the acknowledgement is not a verdict; the callback's verdict is taken once
    and held when the callback is retried (its first answer lost) and delivered again."""
    if contract_hints.callbacks:
        pytest.skip(contract_hints.callbacks)
    receiver = contract_client.receiver
    if not contract_client.takes_callback_url or receiver is None:
        pytest.skip("the adapter takes no callback_url or declares no receiver")
    contract_sink.reset(statuses=[503, 200])
    contract_sink.handler = receiver
    contract_mock.add_rule(verdict=_verdict(risk))
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials, callback_url=contract_sink.url)
    if outcome.raised is not None or contract_client.risk_of(outcome.value) is not None:
        pytest.fail(f"the asynchronous submission {outcome.describe()}: expected an acknowledgement, "
                    f"the verdict comes by callback\n{outcome.trace}", pytrace=False)
    contract_mock.run_until_idle()
    delivered = list(contract_sink.deliveries)
    if not delivered:
        pytest.fail("no callback reached the receiver: did the client pass callback_url on?", pytrace=False)
    _deliver_again(contract_sink, delivered[-1].body)
    deliveries = contract_sink.deliveries
    failed = [d for d in deliveries if d.error]
    if failed:
        pytest.fail(f"the receiver raised on delivery {deliveries.index(failed[0]) + 1} of "
                    f"{len(deliveries)}: {failed[0].error}", pytrace=False)
    first, *again = [d.handled for d in deliveries]
    if first is None or not contract_client.means(first, risk):
        pytest.fail(f"the receiver returned {first!r} for a {risk} callback", pytrace=False)
    flipped = [h for h in again if h is not None and not contract_client.means(h, risk)]
    if flipped:
        pytest.fail(f"a repeated delivery of the same callback changed the decision to {flipped[0]!r}",
                    pytrace=False)
    _all_valid(contract_mock)


def _deliver_again(sink: CallbackSink, body: bytes) -> None:
    """The vendor sends the same callback once more (a duplicate delivery)."""
    request = urllib.request.Request(sink.url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()
    except urllib.error.HTTPError:
        pass  # recorded by the sink with the receiver's error

