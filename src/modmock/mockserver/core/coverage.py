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
    retries; sent again after the receiver had taken it (a 2xx answer the vendor did not count
    as success: a duplicate to the receiver); failed; blocked."""
    if delivery.state == "blocked":
        return ["blocked"]
    found = []
    if delivery.state == "delivered":
        found.append("first_try" if len(delivery.attempts) == 1 else "retried")
    elif delivery.state == "failed":
        found.append("failed")
    taken_before = any(a.status is not None and 200 <= a.status < 300 for a in delivery.attempts[:-1])
    if taken_before:
        found.append("duplicate")
    return found


INFERRED_KEYS = 500  # distinct inferred rules counted per vendor; the rest as one (a client may invent names)


def _code(value: Any) -> str | None:
    """A code as the report names it: a data item's injected code (``"data:421"``) as its
    number, an action's as ``action:421``; None for what is no code (a rule's ``job_failed``)."""
    if type(value) is int:  # the usual answer's code
        return str(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        level, _, number = value.partition(":")
        if number.isdigit():
            return number if level == "data" else value
    return None


class Coverage:
    """Counts, per vendor, of endpoints called, codes answered, task statuses entered, callback
    outcomes, faults served and inferred rules a request met."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[tuple[str, Any]]] = {}
        self._inferred: dict[str, int] = {}  # distinct inferred rules counted, per vendor
        self.unsent: dict[str, Counter[tuple[str, Any]]] | None = None  # a shared store's: counts to write

    def _unsent(self, vendor: str) -> Counter[tuple[str, Any]] | None:
        if self.unsent is None:
            return None
        found = self.unsent.get(vendor)
        if found is None:
            found = self.unsent[vendor] = Counter()
        return found

    def take_unsent(self) -> dict[str, Counter[tuple[str, Any]]]:
        """The counts made here since the last call (a shared store writes them)."""
        with self._lock:
            taken, self.unsent = self.unsent or {}, {}
        return taken

    def adopt(self, counts: dict[str, Counter[tuple[str, Any]]]) -> None:
        """Every process's counts, as a shared store holds them, plus those not yet written."""
        with self._lock:
            merged = {vendor: Counter(c) for vendor, c in counts.items()}
            for vendor, pending in (self.unsent or {}).items():
                merged.setdefault(vendor, Counter()).update(pending)
            self._counts = merged

    def _add(self, vendor: str, *keys: tuple[str, str]) -> None:
        """Count each (kind, value) once, under one hold of the lock (this runs per request)."""
        with self._lock:
            counts = self._counts.setdefault(vendor, Counter())
            unsent = self._unsent(vendor)
            for kind, value in keys:
                if kind == "inferred" and (kind, value) not in counts:
                    if self._inferred.get(vendor, 0) >= INFERRED_KEYS:
                        value = "(more inferred rules than the report keeps)"
                    else:
                        self._inferred[vendor] = self._inferred.get(vendor, 0) + 1
                counts[(kind, value)] += 1
                if unsent is not None:
                    unsent[(kind, value)] += 1

    def request(self, entry: Entry) -> None:
        """One journaled request (observer of the journal)."""
        if entry.endpoint == UNMATCHED:
            return
        answered = _code(entry.code) if entry.code is not None else None
        if entry.injected_code is None and not (entry.faults or entry.problems or entry.warnings):
            with self._lock:  # the usual request: an endpoint and a code, counted on the hot path
                counts = self._counts.get(entry.vendor)
                if counts is None:
                    counts = self._counts[entry.vendor] = Counter()
                counts["endpoint", entry.endpoint] += 1
                if answered is not None:
                    counts["code", answered] += 1
                if self.unsent is not None:
                    unsent = self._unsent(entry.vendor)
                    assert unsent is not None
                    unsent["endpoint", entry.endpoint] += 1
                    if answered is not None:
                        unsent["code", answered] += 1
            return
        keys = [("endpoint", entry.endpoint)]
        if answered is not None:
            keys.append(("code", answered))
        injected = _code(entry.injected_code)
        if injected is not None and injected != answered:  # an item's or action's code inside the envelope
            keys.append(("code", injected))
        keys += [("fault", fault) for fault in dict.fromkeys(entry.faults)]
        for problem in (*entry.problems, *entry.warnings):
            if problem.inferred:  # an unknown field's name is the client's: the rule is what counts
                where = problem.field if problem.rule != "unknown field" else "(a field)"
                keys.append(("inferred", f"{entry.endpoint}: {where} {problem.rule}"))
        self._add(entry.vendor, *keys)

    def status(self, task: Task) -> None:
        """A task entered a status (observer of the task store)."""
        self._add(task.vendor, ("status", task.status))

    def callback(self, delivery: Delivery) -> None:
        """A delivery ended (observer of the callback dispatcher)."""
        self._add(delivery.vendor, *(("callback", outcome) for outcome in callback_outcomes(delivery)))

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()
            self._inferred.clear()
            if self.unsent is not None:
                self.unsent = {}

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
