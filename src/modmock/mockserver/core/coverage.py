"""Surface coverage: what a test session's requests exercised of each vendor, and what they
never did.

The counts survive ``reset`` (a fixture resets the mock before every test; coverage is the
session's), and are cleared only by :meth:`Coverage.clear`. What there is to exercise comes from
the vendor declarations (endpoints, documented error codes, task statuses) and from the mock's
own formats (fault kinds, callback outcomes), so a new vendor is covered with no code here.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

from .callbacks import Delivery
from .faults import KINDS
from .journal import UNMATCHED, Entry
from .tasks import Task
from .vendor import Vendor

FAULTS = (*KINDS, "replayed")  # what a fault or a queued answer may do to an answer
CALLBACK_OUTCOMES = ("first_try", "retried", "duplicate", "failed", "blocked")


def callback_outcomes(delivery: Delivery) -> list[str]:
    """What one ended delivery exercised of a receiver: delivered on the first attempt, or after
    retries; sent again after the receiver had answered (a duplicate to it); failed; blocked."""
    if delivery.state == "blocked":
        return ["blocked"]
    found = []
    if delivery.state == "delivered":
        found.append("first_try" if len(delivery.attempts) == 1 else "retried")
    elif delivery.state == "failed":
        found.append("failed")
    answered_before = any(a.status is not None for a in delivery.attempts[:-1])
    if answered_before:
        found.append("duplicate")
    return found


def _code(value: Any) -> Any:
    """An injected item- or action-level code (``"action:421"``) counts as its number."""
    if isinstance(value, str) and ":" in value:
        number = value.rpartition(":")[2]
        return int(number) if number.isdigit() else value
    return value


class Coverage:
    """Counts, per vendor, of endpoints called, codes answered, task statuses entered, callback
    outcomes, faults served and inferred rules a request met."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[tuple[str, Any]]] = {}

    def _add(self, vendor: str, kind: str, value: Any) -> None:
        with self._lock:
            self._counts.setdefault(vendor, Counter())[(kind, value)] += 1

    def request(self, entry: Entry) -> None:
        """One journaled request (observer of the journal)."""
        if entry.endpoint == UNMATCHED:
            return
        self._add(entry.vendor, "endpoint", entry.endpoint)
        if entry.code is not None:
            self._add(entry.vendor, "code", entry.code)
        if entry.injected_code is not None and _code(entry.injected_code) != entry.code:
            self._add(entry.vendor, "code", _code(entry.injected_code))
        if entry.fault is not None:
            self._add(entry.vendor, "fault", entry.fault)
        for problem in (*entry.problems, *entry.warnings):
            if problem.inferred:
                self._add(entry.vendor, "inferred", f"{entry.endpoint}: {problem.field} {problem.rule}")

    def status(self, task: Task) -> None:
        """A task entered a status (observer of the task store)."""
        self._add(task.vendor, "status", task.status)

    def callback(self, delivery: Delivery) -> None:
        """A delivery ended (observer of the callback dispatcher)."""
        for outcome in callback_outcomes(delivery):
            self._add(delivery.vendor, "callback", outcome)

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()

    def report(self, vendors: dict[str, Vendor]) -> dict[str, Any]:
        """Per vendor: each dimension's ``exercised`` counts and what was ``never`` exercised."""
        with self._lock:
            counts = {name: Counter(c) for name, c in self._counts.items()}
        return {name: _vendor_report(vendor, counts.get(name, Counter())) for name, vendor in vendors.items()}


def _vendor_report(vendor: Vendor, counts: Counter[tuple[str, Any]]) -> dict[str, Any]:
    def seen(kind: str) -> dict[str, int]:
        return {str(value): n for (k, value), n in sorted(counts.items(), key=lambda kv: str(kv[0][1]))
                if k == kind}

    def dimension(kind: str, universe: Iterable[Any]) -> dict[str, Any]:
        exercised = seen(kind)
        return {"exercised": exercised, "never": [str(v) for v in universe if str(v) not in exercised]}

    return {
        "endpoints": dimension("endpoint", [ep.id for ep in vendor.endpoints]),
        "codes": dimension("code", sorted(vendor.error_codes, key=str)),
        "task_statuses": dimension("status", vendor.task_statuses),
        "callbacks": dimension("callback", CALLBACK_OUTCOMES if _calls_back(vendor) else ()),
        "faults": dimension("fault", FAULTS),
        "inferred_rules_hit": seen("inferred"),
    }


def _calls_back(vendor: Vendor) -> bool:
    return any(ep.callback_schema for ep in vendor.endpoints)


def render_text(report: dict[str, Any]) -> list[str]:
    """The report as lines of text: per vendor and dimension, what was exercised and what never."""
    lines: list[str] = []
    titles = {"endpoints": "endpoints", "codes": "codes answered", "task_statuses": "task statuses",
              "callbacks": "callback outcomes", "faults": "faults"}
    for vendor, dims in report.items():
        lines.append(f"{vendor}:")
        for key, title in titles.items():
            dim = dims[key]
            if not dim["exercised"] and not dim["never"]:
                continue
            done = ", ".join(f"{k} ×{n}" for k, n in dim["exercised"].items()) or "-"
            lines.append(f"  {title:<24} exercised: {done}")
            if dim["never"]:
                lines.append(f"  {'':<24} never:     {', '.join(dim['never'])}")
        hits = dims["inferred_rules_hit"]
        if hits:
            lines.append(f"  {'inferred rules hit':<24} " + "; ".join(f"{k} ×{n}" for k, n in hits.items()))
    return lines
