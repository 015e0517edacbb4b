"""What the client contract suite needs to know about a vendor, beyond its schemas.

Each vendor declares ``SUITE = SuiteHints(...)`` in ``contracts/vendors/<folder>.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st


@dataclass(frozen=True)
class WebhookHints:
    """How a vendor signs its callbacks, so the suite can forge, replay and reorder them."""

    job_id: Callable[[Any], str]  # the job's id in the submission's answer
    final: Callable[[str, str], Any]  # job id, risk → the payload of the job's final callback
    progress: Callable[[str], Any]  # job id → the payload of a callback before the final one
    seal: Callable[[Any, Any, int], bytes]  # payload, the mock's credentials, wall time in ms → body
    tamper: Callable[[bytes], list[bytes]]  # a sealed body → variants whose seal no longer holds


@dataclass(frozen=True)
class ConcurrencyHints:
    """A vendor that refuses requests over a number in flight: how to fill its places."""

    limit: int  # requests in flight the vendor answers at once
    request: Callable[[Any], Any]  # the mock's credentials → a valid Call to the suite's endpoint
    key: Callable[[Any], Any]  # the mock's credentials → the key its places are counted under
    code: Any  # the code of the request over the limit


@dataclass(frozen=True)
class SuiteHints:
    """The moderation endpoint a client calls, how to read a risk off an answer, and more.

    ``flow`` is ``"sync"`` (the answer carries the verdict) or ``"job"``: the answer acknowledges
    a job; the client polls ``query_endpoint`` (its ``sleep`` moves the mock clock) or is called
    back, and decides on the job's final status."""

    endpoint: str
    rate_limit_code: Any
    responses: Callable[[], st.SearchStrategy[Any]] | None  # documented answers to a synchronous call
    risk_of: Callable[[Any], str | None]  # "pass" / "review" / "reject", or None for an error answer
    callbacks: str | None = None  # None when the endpoint calls back; else why there is no async item
    flow: str = "sync"
    accepted: Callable[[Any], bool] | None = None  # job flow: whether a submission's answer starts a job
    query_endpoint: str | None = None  # job flow: what the client polls
    busy_status: str | None = None  # job flow: the task status a job that never ends stays in
    failed_job_error: Any = None  # job flow: the rule error that makes a job end failed
    token_endpoint: str | None = None  # bearer tokens: the expiry and refresh item
    webhooks: WebhookHints | None = None  # signed callbacks: the forged, replayed and reordered items
    callback_endpoint: str | None = None  # where asynchronous requests go, when not ``endpoint``
    review_flow: bool = False  # a machine result may be followed by a human reviewer's final one
    success_code: Any = None  # the code of an answer that carries a result (the human-review item)
    extra_error_codes: tuple[Any, ...] = ()  # injectable codes beside the documented ones (action-level)
    concurrency: ConcurrencyHints | None = None  # a limit of requests in flight: the concurrency item
    live_endpoint: str | None = None  # live streams reported by callback until stopped: the live item
    live_interval: float = 0.0  # mock seconds between two reports unless the start request says
    live_stopped: str = ""  # the task status of a stream its client stopped (not one that ran out)
    busy_timeout: tuple[float, str] | None = None  # job flow: the vendor ends a job after so long, in this status
    batch_endpoint: str | None = None  # several images in one request, each with its own result: the batch item
    batch_error_code: Any = None  # the code one image of a batch fails with in the batch item
    jobs: SuiteHints | None = None  # a synchronous vendor's asynchronous requests, as a job flow (``adapter.job``)


def suite_hints(vendor: str) -> SuiteHints:
    """The vendor's hints; ``LookupError`` when it has no suite yet."""
    from ..vendors import hints_module

    hints = getattr(hints_module(vendor), "SUITE", None)
    if not isinstance(hints, SuiteHints):
        raise LookupError(f"vendor {vendor!r} has no client contract suite yet")
    return hints
