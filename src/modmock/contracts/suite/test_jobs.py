"""The items of the client contract suite for vendors whose answer is a job (AKOOL).

The client submits, then either polls, calling the ``sleep`` the suite gives it between two
polls (each call moves the mock clock by as much), or is called back at the suite's receiver,
and decides on the job's final status. Each test is one row of the summary table; an error
answer, a failed job or a job that never ends must end in one of the client's own errors, or in
a fail-closed review/reject decision; never in a pass.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import pytest

from ...fixtures.sink import CallbackSink, Received
from ...mockserver.mock import MockServer
from ..client import RISKS, ClientUnderTest, Outcome
from .hints import SuiteHints, WebhookHints
from .judging import all_valid, answer_of, calls_to, check_back_off, deliver, judge, verdict_rule

FAULTS = ("reset", "empty", "malformed")
PATIENCE = 48 * 3600.0  # mock seconds one job may be waited for before the suite stops the client
MAX_SLEEPS = 10_000  # sleeps one call may take: ten thousand polls for one job is past any patience
REPLAY_AGE_MS = 3600 * 1000  # a replayed webhook was sealed an hour ago


class NeverGaveUp(BaseException):  # a stop signal, not an error a client should catch
    """Raised by the suite's sleep in a client that has waited past any patience."""


class SuiteSleep:
    """The ``sleep`` a polling client is given: each call moves the mock clock by as much, or
    by what ``cap`` allows (a job held where it is: the client's time passes, the job's does
    not). Once :meth:`abandon` is called, every call raises :class:`NeverGaveUp`."""

    def __init__(self, mock: MockServer, cap: Callable[[float], float] | None = None) -> None:
        self.mock, self.cap = mock, cap
        self.waited = 0.0
        self.calls = 0
        self.abandoned = False

    def __call__(self, seconds: float) -> None:
        seconds = float(seconds)
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"sleep() takes a finite number of seconds >= 0, not {seconds!r}")
        if self.abandoned:
            raise NeverGaveUp("this call was abandoned: it did not return in time")
        self.calls += 1
        self.waited += seconds
        if self.waited > PATIENCE or self.calls > MAX_SLEEPS:
            raise NeverGaveUp(f"waited {self.waited:g} mock seconds over {self.calls} sleeps for one job")
        step = seconds if self.cap is None else max(0.0, min(seconds, self.cap(seconds)))
        if step > 0 or self.cap is None:
            self.mock.advance(step)

    def abandon(self) -> None:
        self.abandoned = True


def _stall(mock: MockServer, busy: str, timeout: tuple[float, str] | None) -> Callable[[float], float]:
    """A cap that lets a job reach ``busy`` and holds it there: no further than its next step
    while it is before ``busy``, not at all once it is in it. Where the vendor ends a job itself
    after a while (``timeout``: seconds, status), it does so once the client has waited that long."""
    tasks, clock = mock.state.tasks, mock.state.clock
    held = [0.0]

    def cap(seconds: float) -> float:
        live = [t for t in tasks.list() if not t.finished]
        stuck = [t for t in live if t.status == busy]
        if stuck:
            held[0] += seconds
            if timeout is not None and held[0] >= timeout[0]:
                for task in stuck:
                    tasks.stop(task.id, timeout[1])
                return seconds
            return 0.0
        dues = [due - clock.now() for t in live if (due := t.next_due) is not None]
        return min([seconds, *dues])

    return cap


def _needs(hints: SuiteHints, what: str) -> Any:
    """A hint the item is marked ``modmock_needs`` for (the item is left out without it)."""
    value = getattr(hints, what)
    assert value is not None, f"an item marked modmock_needs({what!r}) ran without it"
    return value


@pytest.fixture
def call_timeout(contract_options: dict[str, Any]) -> float:
    """Real seconds one adapter call is given (``--modmock-call-timeout``)."""
    return float(contract_options["call_timeout"])


def _poll(client: ClientUnderTest, mock: MockServer, seconds: float,
          cap: Callable[[float], float] | None = None) -> Outcome:
    """One adapter call in polling mode, given ``seconds`` of real time."""
    if not client.takes_sleep:
        pytest.fail("the adapter takes no sleep keyword: a polling client waits with the sleep the suite "
                    "passes (sleep(seconds) moves the mock clock)", pytrace=False)
    sleep = SuiteSleep(mock, cap)
    outcome = client.call_within(seconds, mock.url, mock.credentials, sleep=sleep)
    if outcome.hung is not None:
        sleep.abandon()  # a client still polling in its thread is stopped at its next sleep
    if isinstance(outcome.raised, NeverGaveUp):
        pytest.fail(f"the client never gave up: {outcome.raised}", pytrace=False)
    if outcome.hung is not None:
        pytest.fail(f"the adapter {outcome.describe()} (after {sleep.calls} sleeps, {sleep.waited:g} mock seconds): "
                    "does it wait with time.sleep instead of the sleep the suite passes, poll without sleeping, "
                    "or never give up?", pytrace=False)
    return outcome


def _final_answer(mock: MockServer, hints: SuiteHints) -> tuple[str | None, str]:
    """The risk the job's last poll answer carried (None: an error or an unfinished job), and
    that answer described; from the submission's answer when it started no job."""
    last_submit = calls_to(mock, hints.endpoint)[-1]
    assert hints.accepted is not None and hints.query_endpoint is not None
    if not hints.accepted(last_submit.response):
        return None, answer_of(last_submit)
    last_poll = calls_to(mock, hints.query_endpoint)[-1]
    return hints.risk_of(last_poll.response), answer_of(last_poll)


def _judge_job(client: ClientUnderTest, mock: MockServer, hints: SuiteHints, outcome: Outcome) -> None:
    expected, answer = _final_answer(mock, hints)
    problem = judge(client, outcome, expected, answer)
    if problem:
        pytest.fail(problem, pytrace=False)
    all_valid(mock)


def _exercised(mock: MockServer, hints: SuiteHints) -> None:
    first = calls_to(mock, hints.endpoint)[0]
    if not first.valid:
        pytest.fail(f"not exercised: request #{first.id} was refused as invalid before the answer under test "
                    "could be served (see requests_valid)", pytrace=False)


def test_requests_valid(job_client: ClientUnderTest, contract_mock: MockServer,
                        job_hints: SuiteHints, call_timeout: float) -> None:
    """Every request the client sends (tokens, submissions, polls) is one the vendor accepts."""
    for risk in RISKS:
        contract_mock.add_rule(verdict=verdict_rule(risk), times=1)
        _poll(job_client, contract_mock, call_timeout)
    calls_to(contract_mock, job_hints.endpoint)
    all_valid(contract_mock)


@pytest.mark.parametrize("risk", RISKS)
def test_verdict(risk: str, job_client: ClientUnderTest, contract_mock: MockServer,
                 job_hints: SuiteHints, call_timeout: float) -> None:
    """A job that ends completed with a pass, review or reject verdict (statuses 1 → 2 → 3)
    becomes the client's matching decision, read off its last poll."""
    contract_mock.add_rule(verdict=verdict_rule(risk))
    outcome = _poll(job_client, contract_mock, call_timeout)
    got, answer = _final_answer(contract_mock, job_hints)
    if got != risk:
        pytest.fail(f"the client {outcome.describe()} before its job ended: {answer} carries no verdict yet",
                    pytrace=False)
    _judge_job(job_client, contract_mock, job_hints, outcome)


@pytest.mark.modmock_needs("failed_job_error")
def test_job_failed(job_client: ClientUnderTest, contract_mock: MockServer, job_hints: SuiteHints, call_timeout: float) -> None:
    """A job that ends failed (statuses 1 → 2 → 4) is no verdict: the client's own error or a
    fail-closed decision, never a pass."""
    contract_mock.add_rule(error=_needs(job_hints, "failed_job_error"))
    outcome = _poll(job_client, contract_mock, call_timeout)
    _exercised(contract_mock, job_hints)
    _judge_job(job_client, contract_mock, job_hints, outcome)


@pytest.mark.modmock_needs("busy_status")
def test_job_never_ends(job_client: ClientUnderTest, contract_mock: MockServer,
                        job_hints: SuiteHints, call_timeout: float) -> None:
    """A job that stays processing past the client's patience: the client gives up with its own
    error (or fails closed) after a sensible wait, and does not poll for ever."""
    busy = _needs(job_hints, "busy_status")
    contract_mock.add_rule(verdict=verdict_rule("pass"))
    outcome = _poll(job_client, contract_mock, call_timeout, cap=_stall(contract_mock, busy, job_hints.busy_timeout))
    _exercised(contract_mock, job_hints)
    problem = judge(job_client, outcome, None, f"a job that stays {busy}")
    if problem:
        pytest.fail(problem, pytrace=False)
    all_valid(contract_mock)


def test_error_code(error_code: Any, job_client: ClientUnderTest, contract_mock: MockServer,
                    job_hints: SuiteHints, call_timeout: float) -> None:
    """Each documented error code on the submission ends in the client's own error or a
    fail-closed decision (or, after a sensible retry, in the job's verdict)."""
    contract_mock.add_rule(verdict=verdict_rule("pass"))
    contract_mock.fail_next(error_code, endpoint=job_hints.endpoint)
    outcome = _poll(job_client, contract_mock, call_timeout)
    _exercised(contract_mock, job_hints)
    _judge_job(job_client, contract_mock, job_hints, outcome)


@pytest.mark.parametrize("fault", FAULTS)
def test_fault(fault: str, job_client: ClientUnderTest, contract_mock: MockServer,
               job_hints: SuiteHints, call_timeout: float) -> None:
    """A reset connection, an empty body or a body that is not JSON, on the submission and on a
    poll, ends in the client's own error (or, after a retry, in the job's verdict)."""
    for endpoint in (job_hints.endpoint, job_hints.query_endpoint):
        contract_mock.reset()
        contract_mock.add_rule(verdict=verdict_rule("pass"))
        contract_mock.add_fault({fault: True, "times": 1, "endpoint": endpoint})
        outcome = _poll(job_client, contract_mock, call_timeout)
        _exercised(contract_mock, job_hints)
        if not any(fault in e.faults for e in contract_mock.requests if e.endpoint == endpoint):
            pytest.fail(f"not exercised: no {endpoint} request of the client's met the {fault} fault", pytrace=False)
        _judge_job(job_client, contract_mock, job_hints, outcome)


def test_rate_limit(job_client: ClientUnderTest, contract_mock: MockServer, job_hints: SuiteHints,
                    contract_options: dict[str, Any], call_timeout: float) -> None:
    """On the rate-limit code the client backs off or gives up; it does not resubmit at once."""
    contract_mock.add_rule(verdict=verdict_rule("pass"))
    contract_mock.fail_next(job_hints.rate_limit_code, endpoint=job_hints.endpoint)
    outcome = _poll(job_client, contract_mock, call_timeout)
    _exercised(contract_mock, job_hints)
    check_back_off(calls_to(contract_mock, job_hints.endpoint), contract_options["retry_gap"],
                   f"the rate-limit code {job_hints.rate_limit_code}", verb="resubmitted", mock_time=True,
                   how=" (with the sleep the suite passes)")
    _judge_job(job_client, contract_mock, job_hints, outcome)


@pytest.mark.modmock_needs("token_endpoint")
def test_token_refresh(job_client: ClientUnderTest, contract_mock: MockServer,
                       job_hints: SuiteHints, call_timeout: float) -> None:
    """A bearer token that expired between two calls (the vendor answers it with its invalid-token
    code) is replaced by a new one, and the call goes through."""
    token_endpoint = _needs(job_hints, "token_endpoint")
    contract_mock.add_rule(verdict=verdict_rule("pass"))
    first = _poll(job_client, contract_mock, call_timeout)
    _judge_job(job_client, contract_mock, job_hints, first)
    seen = len(contract_mock.requests)
    contract_mock.state.store.tokens.expire()
    second = _poll(job_client, contract_mock, call_timeout)
    later = contract_mock.requests[seen:]
    refused = [e for e in later if e.endpoint != token_endpoint and e.code is not None
               and job_hints.accepted is not None and not job_hints.accepted(e.response)]
    if refused and not any(e.endpoint == token_endpoint for e in later if e.id > refused[0].id):
        pytest.fail(f"after its token expired the client got {answer_of(refused[0])} and asked for no new token",
                    pytrace=False)
    _judge_job(job_client, contract_mock, job_hints, second)


# -- callbacks ------------------------------------------------------------------------------------
def _submit_for_callback(client: ClientUnderTest, mock: MockServer, hints: SuiteHints, sink: CallbackSink,
                         risk: str, seconds: float) -> str:
    """An asynchronous submission whose verdict will be ``risk``; the job's id."""
    if not client.takes_callback_url or client.receiver is None:
        pytest.skip("the adapter takes no callback_url or declares no receiver")
    sink.handler = client.receiver
    mock.add_rule(verdict=verdict_rule(risk))
    kwargs: dict[str, Any] = {"callback_url": sink.url}
    if client.takes_sleep:
        kwargs["sleep"] = SuiteSleep(mock)
    outcome = client.call_within(seconds, mock.url, mock.credentials, **kwargs)
    if outcome.raised is not None or outcome.hung is not None or client.risk_of(outcome.value) is not None:
        pytest.fail(f"the asynchronous submission {outcome.describe()}: expected an acknowledgement, "
                    f"the verdict comes by callback\n{outcome.trace}", pytrace=False)
    submitted = calls_to(mock, hints.endpoint)[-1]
    if hints.accepted is None or not hints.accepted(submitted.response):
        pytest.fail(f"no job started: {answer_of(submitted)}", pytrace=False)
    assert hints.webhooks is not None
    return hints.webhooks.job_id(submitted.response)


def _decisions(client: ClientUnderTest, deliveries: list[Received]) -> list[Any]:
    failed = [d for d in deliveries if d.error]
    if failed:
        pytest.fail(f"the receiver raised on a genuine delivery ({deliveries.index(failed[0]) + 1} of "
                    f"{len(deliveries)}): {failed[0].error}", pytrace=False)
    return [d.handled for d in deliveries if d.handled is not None]


def _refuses(client: ClientUnderTest, sink: CallbackSink, body: bytes, what: str) -> None:
    before = len(sink.deliveries)
    deliver(sink, body)
    got = sink.deliveries[before:]
    if got and got[0].handled is not None and got[0].error is None:
        pytest.fail(f"the receiver took {what} for a decision: it returned {got[0].handled!r} (raise one of its "
                    "errors, or return None)", pytrace=False)


@pytest.mark.modmock_needs("webhooks")
@pytest.mark.parametrize("risk", RISKS)
def test_callbacks(risk: str, job_client: ClientUnderTest, contract_mock: MockServer,
                   job_hints: SuiteHints, contract_sink: CallbackSink, call_timeout: float) -> None:
    """The acknowledgement is not a verdict; the callbacks' verdict is taken once and held when
    a callback is retried (its first answer lost), arrives out of order or is delivered again."""
    webhooks: WebhookHints = _needs(job_hints, "webhooks")
    contract_sink.reset(statuses=[503, 200])
    job_id = _submit_for_callback(job_client, contract_mock, job_hints, contract_sink, risk, call_timeout)
    contract_mock.run_until_idle()
    if not contract_sink.deliveries:
        pytest.fail("no callback reached the receiver: did the client pass callback_url on?", pytrace=False)
    deliver(contract_sink, contract_sink.deliveries[-1].body)  # the last one, once more
    deliver(contract_sink, webhooks.seal(webhooks.progress(job_id), contract_mock.credentials,
                                         int(time.time() * 1000)))  # an earlier status, after the final one
    decisions = _decisions(job_client, contract_sink.deliveries)
    if not decisions:
        pytest.fail(f"the receiver took no decision from the job's callbacks (it returned "
                    f"{[d.handled for d in contract_sink.deliveries]!r})", pytrace=False)
    wrong = [d for d in decisions if not job_client.means(d, risk)]
    if wrong:
        pytest.fail(f"a repeated or late callback changed the decision: a {risk} job's callbacks led to "
                    f"{wrong[0]!r} (all: {decisions!r})", pytrace=False)
    all_valid(contract_mock)


@pytest.mark.modmock_needs("webhooks")
def test_webhook_forged(job_client: ClientUnderTest, contract_mock: MockServer,
                        job_hints: SuiteHints, contract_sink: CallbackSink, call_timeout: float) -> None:
    """A callback whose signature does not hold (signature or ciphertext changed) is refused;
    the genuine one that follows is taken."""
    webhooks: WebhookHints = _needs(job_hints, "webhooks")
    job_id = _submit_for_callback(job_client, contract_mock, job_hints, contract_sink, "reject", call_timeout)
    genuine = webhooks.seal(webhooks.final(job_id, "pass"), contract_mock.credentials, int(time.time() * 1000))
    for i, forged in enumerate(webhooks.tamper(genuine)):
        _refuses(job_client, contract_sink, forged, f"a forged callback (variant {i + 1}) saying pass")
    _genuine_taken(job_client, contract_mock, contract_sink, "reject")


@pytest.mark.modmock_needs("webhooks")
def test_webhook_replayed(job_client: ClientUnderTest, contract_mock: MockServer,
                          job_hints: SuiteHints, contract_sink: CallbackSink, call_timeout: float) -> None:
    """A correctly signed callback sealed an hour ago (a replay) is refused; the genuine one
    that follows is taken."""
    webhooks: WebhookHints = _needs(job_hints, "webhooks")
    job_id = _submit_for_callback(job_client, contract_mock, job_hints, contract_sink, "reject", call_timeout)
    old = webhooks.seal(webhooks.final(job_id, "pass"), contract_mock.credentials,
                        int(time.time() * 1000) - REPLAY_AGE_MS)
    _refuses(job_client, contract_sink, old, "a callback sealed an hour ago saying pass")
    _genuine_taken(job_client, contract_mock, contract_sink, "reject")


def _genuine_taken(client: ClientUnderTest, mock: MockServer, sink: CallbackSink, risk: str) -> None:
    before = len(sink.deliveries)
    mock.run_until_idle()
    decisions = _decisions(client, sink.deliveries[before:])
    if not decisions or not all(client.means(d, risk) for d in decisions):
        pytest.fail(f"the genuine {risk} callbacks that followed led to {decisions!r}", pytrace=False)
    all_valid(mock)
