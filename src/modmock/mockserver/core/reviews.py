"""Human review on the mock clock: a machine result now, a reviewer's final verdict later.

A rule with ``"review": {"after": S, "verdict": {...}}`` sends what it matches to review. A
vendor with a human-review flow answers the machine result, marked as not final, and starts one
review task per judged subject (:func:`start`): ``awaiting_machine`` until the machine result is
out (at once for a synchronous answer), then ``in_review``; ``after`` mock seconds later it enters
``reviewed`` and the vendor's ``decide`` delivers the final result (the rule's review verdict, or
the machine verdict confirmed). A test may decide earlier, once the machine result is out, with
a chosen verdict (:func:`finish`: ``MockServer.finish_review``, ``POST /__admin/reviews/{id}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...errors import InvalidSpecError
from . import schemas
from .tasks import Step, Task, TaskStore
from .verdict import Verdict

AWAITING_MACHINE, IN_REVIEW, REVIEWED = "awaiting_machine", "in_review", "reviewed"
LISTED = 10  # waiting reviews named in an error
Decide = Callable[[Task, Verdict], None]


@dataclass(frozen=True)
class Review:
    """A rule's review: how many mock seconds the reviewer takes (None: the vendor's default)
    and the final verdict (None: the machine verdict is confirmed)."""

    after: float | None = None
    verdict: Verdict | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Review:
        verdict = data.get("verdict")
        return cls(float(data["after"]) if "after" in data else None,
                   Verdict.from_json(verdict) if verdict is not None else None)


def task_id(request_id: str) -> str:
    """The id of the review task of a vendor request id (beside the request's own task)."""
    return f"review:{request_id}"


def start(tasks: TaskStore, request_id: str, vendor: str, endpoint: str, *, machine_after: float, after: float,
          machine: Verdict, final: Verdict, decide: Decide, data: dict[str, Any] | None = None) -> Task:
    """Start the review of ``request_id``, whose machine result (``machine``) is out after
    ``machine_after`` mock seconds: ``decide(task, final)`` runs ``after`` mock seconds later, or
    when :func:`finish` is called first. Start it after the request's own task, so that on the
    same mock instant the machine result goes first."""

    async def reviewed(task: Task) -> None:
        _decide(task, final)

    plan = [Step(after, REVIEWED, reviewed)]
    if machine_after > 0:  # else the machine result is out already: in review at once
        plan.insert(0, Step(machine_after, IN_REVIEW))
    return tasks.start(task_id(request_id), vendor, endpoint, AWAITING_MACHINE if machine_after > 0 else IN_REVIEW,
                       plan, {**(data or {}), "machine": machine, "decide": decide})


def _decide(task: Task, verdict: Verdict) -> None:
    """Run the vendor's decision once, then let go of it (it may hold the request's parts)."""
    decide: Decide | None = task.data.pop("decide", None)
    if decide is not None:
        decide(task, verdict)


def chosen_verdict(value: str | dict[str, Any], machine: Verdict) -> Verdict:
    """A reviewer's verdict: ``"pass"``; ``"review"`` or ``"reject"`` with the machine's labels;
    or a verdict in the rule format. Raises :class:`InvalidSpecError` when it is none of these."""
    if value == "pass":
        return Verdict.passed()
    if value in ("review", "reject"):
        if not machine.labels:
            raise InvalidSpecError(f'the machine result has no label to {value}: give a verdict such as '
                                   f'{{"risk": "{value}", "labels": [{{"category": "porn"}}]}}')
        return Verdict(str(value), machine.labels)
    if isinstance(value, dict):
        found = schemas.problems("modmock/rule.json#/$defs/verdict", value)
        if found:
            raise InvalidSpecError("not a valid verdict: " + "; ".join(p.describe() for p in found))
        return Verdict.from_json(value)
    raise InvalidSpecError(f'verdict must be "pass", "review", "reject" or a verdict object, not {value!r}')


def finish(tasks: TaskStore, request_id: str, value: str | dict[str, Any]) -> Task:
    """Decide the review of ``request_id`` now with the chosen verdict (run on the server's loop).
    Raises :class:`LookupError` when no review of that id is waiting."""
    task = tasks.get(task_id(request_id))
    if task is None or task.status != IN_REVIEW:
        waiting = [t.id.removeprefix("review:") for t in tasks.list() if t.id.startswith("review:")
                   and t.status == IN_REVIEW]
        listed = ", ".join(waiting[:LISTED]) + (f" and {len(waiting) - LISTED} more" if len(waiting) > LISTED else "")
        state = "was never sent to review" if task is None else (
            "has no machine result yet (move the clock past its processing time first)"
            if task.status == AWAITING_MACHINE else "was already reviewed")
        raise LookupError(f"request {request_id!r} {state}; waiting for review: {listed or 'none'}")
    verdict = chosen_verdict(value, task.data["machine"])
    tasks.stop(task.id, REVIEWED)
    _decide(task, verdict)
    return task
