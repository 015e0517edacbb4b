"""The items of the client contract suite; each test is one row of the summary table.

Every item judges the client by the last answer it got: a client may retry (after a sensible
pause) and decide on the later answer. An error answer must end in one of the client's own
errors, or in a fail-closed review/reject decision; never in a pass.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings

from ...fixtures.sink import CallbackSink
from ...mockserver.mock import MockServer
from ..client import RISKS, ClientUnderTest
from .hints import SuiteHints
from .judging import all_valid, answer_of, calls_to, check_back_off, deliver, judge, judge_last, verdict_rule

FAULTS = ("reset", "empty", "malformed")


def _defaults() -> settings:
    """The active Hypothesis profile's settings (the CI profile, where one is loaded)."""
    assert settings.default is not None
    return settings.default


def test_requests_valid(contract_client: ClientUnderTest, contract_mock: MockServer,
                        contract_hints: SuiteHints) -> None:
    """Every request the client sends is one the vendor accepts."""
    for risk in RISKS:
        contract_mock.add_rule(verdict=verdict_rule(risk), times=1)
        contract_client.call(contract_mock.url, contract_mock.credentials)
    calls_to(contract_mock, contract_hints.endpoint)
    all_valid(contract_mock)


@pytest.mark.parametrize("risk", RISKS)
def test_verdict(risk: str, contract_client: ClientUnderTest, contract_mock: MockServer,
                 contract_hints: SuiteHints) -> None:
    """A pass, review or reject verdict becomes the client's matching decision."""
    contract_mock.add_rule(verdict=verdict_rule(risk))
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    last = calls_to(contract_mock, contract_hints.endpoint)[-1]
    if contract_hints.risk_of(last.response) is None:
        pytest.fail(f"the verdict was never given: {answer_of(last)} is an error (see requests_valid)", pytrace=False)
    judge_last(contract_client, contract_mock, contract_hints, outcome)


@pytest.mark.modmock_needs("review_flow")
def test_human_review(contract_client: ClientUnderTest, contract_mock: MockServer,
                      contract_hints: SuiteHints) -> None:
    """A machine result marked not final (a human reviewer decides later) is no pass, whatever
    risk it shows: the client holds the content (review), rejects it, or raises its own error."""
    contract_mock.add_rule(verdict=verdict_rule("pass"), review={"after": 600, "verdict": verdict_rule("reject")})
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    last = calls_to(contract_mock, contract_hints.endpoint)[-1]
    if last.response is None or last.code != contract_hints.success_code:
        pytest.fail(f"not exercised: {answer_of(last)} is not the machine result", pytrace=False)
    if contract_client.means(outcome.value, "pass") and outcome.raised is None:
        pytest.fail(f"returned {outcome.value!r} on {answer_of(last)}: a machine result awaiting human review "
                    "(finalResult 0) was taken for a final pass", pytrace=False)
    problem = judge(contract_client, outcome, None, answer_of(last))
    if problem:
        pytest.fail(problem, pytrace=False)
    all_valid(contract_mock)


def test_documented_responses(contract_client: ClientUnderTest, contract_mock: MockServer,
                              contract_hints: SuiteHints, contract_options: dict[str, Any]) -> None:
    """Any documented answer (drawn by Hypothesis, shrunk on failure) is survived and read right."""
    responses = contract_hints.responses
    assert responses is not None, "a synchronous vendor's hints draw its documented answers"

    @settings(max_examples=contract_options["examples"], deadline=None,
              suppress_health_check=list(HealthCheck),
              database=None if contract_options["seeded"] else _defaults().database,
              derandomize=False if contract_options["seeded"] else _defaults().derandomize)
    @given(body=responses())
    def survives(body: Any) -> None:
        contract_mock.reset()
        contract_mock.respond_with(body)
        outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
        note(f"the client {outcome.describe()}")
        judge_last(contract_client, contract_mock, contract_hints, outcome, injected=True)

    survives()


def test_error_code(error_code: Any, contract_client: ClientUnderTest, contract_mock: MockServer,
                    contract_hints: SuiteHints) -> None:
    """Each documented error code ends in the client's own error (or a fail-closed decision)."""
    contract_mock.fail_next(error_code, endpoint=contract_hints.endpoint)
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    judge_last(contract_client, contract_mock, contract_hints, outcome, injected=True)


@pytest.mark.parametrize("fault", FAULTS)
def test_fault(fault: str, contract_client: ClientUnderTest, contract_mock: MockServer,
               contract_hints: SuiteHints) -> None:
    """A reset connection, an empty body or a body that is not JSON ends in the client's own error."""
    contract_mock.add_fault({fault: True, "times": 1, "endpoint": contract_hints.endpoint})
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    judge_last(contract_client, contract_mock, contract_hints, outcome, injected=True)


def test_rate_limit(contract_client: ClientUnderTest, contract_mock: MockServer, contract_hints: SuiteHints,
                    contract_options: dict[str, Any]) -> None:
    """On the rate-limit code the client backs off or gives up; it does not retry at once."""
    contract_mock.fail_next(contract_hints.rate_limit_code, endpoint=contract_hints.endpoint)
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials)
    calls = calls_to(contract_mock, contract_hints.endpoint)
    if not calls[0].valid:
        pytest.fail(f"not exercised: request #{calls[0].id} was refused as invalid (see requests_valid)",
                    pytrace=False)
    check_back_off(calls, contract_options["retry_gap"], f"the rate-limit code {contract_hints.rate_limit_code}")
    judge_last(contract_client, contract_mock, contract_hints, outcome)


HOLD_SECONDS = 3.0  # real seconds the suite's own requests stay in flight


@pytest.mark.modmock_needs("concurrency")
def test_concurrency(contract_client: ClientUnderTest, contract_mock: MockServer, contract_hints: SuiteHints,
                     contract_options: dict[str, Any]) -> None:
    """With every place in flight taken by other requests, the vendor refuses the client's one
    (a real refusal, not an injected one): the client backs off or gives up, never passes it."""
    busy = contract_hints.concurrency
    assert busy is not None
    credentials = contract_mock.credentials
    contract_mock.add_latency(HOLD_SECONDS, times=busy.limit, endpoint=contract_hints.endpoint)
    held = [threading.Thread(target=busy.request(credentials).send, args=(contract_mock.url,),
                             kwargs={"timeout": 30}, daemon=True) for _ in range(busy.limit)]
    for thread in held:
        thread.start()
    in_flight = contract_mock.state.store.in_flight
    deadline = time.monotonic() + 10
    while in_flight.count(busy.key(credentials)) < busy.limit:  # a condition, not a vendor wait
        if time.monotonic() > deadline:
            pytest.fail(f"the suite could not fill the {busy.limit} places in flight", pytrace=False)
        time.sleep(0.01)
    outcome = contract_client.call(contract_mock.url, credentials)
    for thread in held:
        thread.join(30)
    mine = [e for e in calls_to(contract_mock, contract_hints.endpoint) if "modmock-suite-hold" not in str(e.body)]
    if not mine:
        pytest.fail("the adapter sent no request of its own", pytrace=False)
    if mine[0].code != busy.code:
        pytest.fail(f"not exercised: the client's request #{mine[0].id} came when a place was free "
                    f"({answer_of(mine[0])})", pytrace=False)
    check_back_off(mine, contract_options["retry_gap"], f"{busy.code} (too many requests in flight)")
    problem = judge(contract_client, outcome, contract_hints.risk_of(mine[-1].response), answer_of(mine[-1]))
    if problem:
        pytest.fail(problem, pytrace=False)
    all_valid(contract_mock)


BATCH = ("https://cdn.example.com/batch/clean.jpg", "https://cdn.example.com/batch/flagged.jpg",
         "https://cdn.example.com/batch/broken.jpg")


@pytest.mark.modmock_needs("batch_endpoint")
def test_batch(contract_client: ClientUnderTest, contract_mock: MockServer, contract_hints: SuiteHints) -> None:
    """Several images in one request: ``adapter.batch(url, credentials, images)`` returns one
    decision per image, in order. Each image's own result decides it, and an image the vendor
    answered with an error code inside the batch is not passed (review, reject or None)."""
    batch = getattr(contract_client.adapter, "batch", None)
    if batch is None:
        pytest.skip("the adapter declares no batch(url, credentials, images)")
    clean, flagged, broken = BATCH
    contract_mock.add_rule(match={"url_regex": "flagged"}, verdict=verdict_rule("reject"))
    contract_mock.add_rule(match={"url_regex": "broken"}, error={"code": contract_hints.batch_error_code})
    try:
        decisions = list(batch(contract_mock.url, contract_mock.credentials, list(BATCH)))
    except Exception as exc:
        pytest.fail(f"the batch raised {type(exc).__name__}: {exc} (one image's error is no reason to lose the "
                    "others' results)", pytrace=False)
    last = calls_to(contract_mock, str(contract_hints.batch_endpoint))[-1]
    if len(decisions) != len(BATCH):
        pytest.fail(f"{len(decisions)} decisions for {len(BATCH)} images ({answer_of(last)})", pytrace=False)
    problems = []
    if not contract_client.means(decisions[0], "pass"):
        problems.append(f"the clean image was decided {decisions[0]!r}")
    if not contract_client.means(decisions[1], "reject"):
        problems.append(f"the flagged image was decided {decisions[1]!r}")
    if decisions[2] is not None and contract_client.risk_of(decisions[2]) in (None, "pass"):
        problems.append(f"the image answered {contract_hints.batch_error_code} was decided {decisions[2]!r}")
    if problems:
        pytest.fail("; ".join(problems) + f" ({answer_of(last)})", pytrace=False)
    all_valid(contract_mock)


LIVE_REPORTS = 3  # reports the suite lets a live stream send before the client stops it


@pytest.mark.modmock_needs("live_endpoint")
def test_live_reports(contract_client: ClientUnderTest, contract_mock: MockServer, contract_hints: SuiteHints,
                      contract_sink: CallbackSink) -> None:
    """A live stream: each report that comes until the client stops it is decided (a violation
    shown is the client's reject), and the client's stop request ends the reports."""
    live = getattr(contract_client.adapter, "live", None)
    if live is None or contract_client.receiver is None:
        pytest.skip("the adapter declares no live(url, credentials, callback_url) returning its stop, or no receiver")
    assert contract_hints.live_endpoint is not None
    contract_sink.handler = contract_client.receiver
    contract_mock.add_rule(verdict=verdict_rule("reject"))
    try:
        stop = live(contract_mock.url, contract_mock.credentials, callback_url=contract_sink.url)
    except Exception as exc:
        pytest.fail(f"starting the stream raised {type(exc).__name__}: {exc}", pytrace=False)
    start = calls_to(contract_mock, contract_hints.live_endpoint)[-1]
    running = [t for t in contract_mock.state.tasks.list() if t.endpoint == contract_hints.live_endpoint]
    if not running:
        pytest.fail(f"no stream started: {answer_of(start)}", pytrace=False)
    body = start.body if isinstance(start.body, dict) else {}
    interval = float(body.get("interval") or contract_hints.live_interval)
    contract_mock.advance(interval * LIVE_REPORTS + interval / 2)
    reports = list(contract_sink.deliveries)
    if len(reports) < LIVE_REPORTS:
        pytest.fail(f"{len(reports)} reports reached the receiver in {LIVE_REPORTS} intervals", pytrace=False)
    failed = [r for r in reports if r.error]
    if failed:
        pytest.fail(f"the receiver raised on report {reports.index(failed[0]) + 1}: {failed[0].error}", pytrace=False)
    wrong = [r.handled for r in reports if not contract_client.means(r.handled, "reject")]
    if wrong:
        pytest.fail(f"reports showing a violation were decided {wrong!r} (each report is a decision on its "
                    "segment)", pytrace=False)
    try:
        stop()
    except Exception as exc:
        pytest.fail(f"stopping the stream raised {type(exc).__name__}: {exc}", pytrace=False)
    task = contract_mock.state.tasks.get(running[0].id)
    if task is None or task.status != contract_hints.live_stopped:
        pytest.fail(f"the client's stop did not stop the stream (its task is {task.status if task else 'gone'})",
                    pytrace=False)
    contract_mock.advance(interval * LIVE_REPORTS)
    if len(contract_sink.deliveries) > len(reports):
        pytest.fail("reports still came after the stop", pytrace=False)
    all_valid(contract_mock)


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
    contract_mock.add_rule(verdict=verdict_rule(risk))
    outcome = contract_client.call(contract_mock.url, contract_mock.credentials, callback_url=contract_sink.url)
    if outcome.raised is not None or contract_client.risk_of(outcome.value) is not None:
        pytest.fail(f"the asynchronous submission {outcome.describe()}: expected an acknowledgement, "
                    f"the verdict comes by callback\n{outcome.trace}", pytrace=False)
    contract_mock.run_until_idle()
    delivered = list(contract_sink.deliveries)
    if not delivered:
        pytest.fail("no callback reached the receiver: did the client pass callback_url on?", pytrace=False)
    deliver(contract_sink, delivered[-1].body)
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
    all_valid(contract_mock)
