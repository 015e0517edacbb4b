"""Injected faults: what a real vendor does on a bad day.

Kinds (DESIGN: the fault catalogue):

* ``error``: a documented vendor error code (``{"code": ..., "message": ...}``);
* ``latency``: seconds of real time before answering, fixed or drawn from ``[low, high]``;
* ``reset``: the connection is reset, no answer at all;
* ``empty``: HTTP 200 with an empty body;
* ``malformed``: HTTP 200 with a body that is not valid JSON.

A fault applies to one vendor and endpoint (or all), to the next ``times`` requests, or to a
seeded ``fraction`` of them, and optionally only for ``seconds`` of mock time.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import InvalidSpecError
from .jsonio import non_finite

ACTIONS = ("reset", "empty", "malformed")
MALFORMED_BODY = b'{"code": 200, "message": "OK", "data": {"res'  # cut off mid-way


class FaultAction(Exception):
    """Raised to make the route handler (core.exchange) reset the connection or answer badly."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind
KINDS = ("error", "latency", *ACTIONS)


@dataclass
class Fault:
    """One injected fault; ``remaining`` None means until removed (or expired)."""

    id: int
    kind: str
    vendor: str | None = None
    endpoint: str | None = None
    error: dict[str, Any] | None = None
    latency: tuple[float, float] | None = None
    remaining: int | None = 1
    fraction: float | None = None
    expires: float | None = None  # mock time
    spec: dict[str, Any] = field(default_factory=dict)

    def applies(self, vendor: str, endpoint: str, now: float, targeted: bool = False) -> bool:
        """Whether it applies to a request to ``endpoint`` now (``targeted``: only if it names it)."""
        if self.expires is not None and now >= self.expires:
            return False
        return self.vendor in (None, vendor) and (self.endpoint == endpoint or (not targeted and self.endpoint is None))

    def to_json(self) -> dict[str, Any]:
        return dict(self.spec, id=self.id, remaining=self.remaining, expires=self.expires)


@dataclass
class Drawn:
    """What the faults decided for one request."""

    error: dict[str, Any] | None = None
    latency: float = 0.0
    action: str | None = None  # reset | empty | malformed


def make_fault(spec: dict[str, Any], fault_id: int, now: float, *, remaining: int | None = None,
               expires: float | None = None) -> Fault:
    """The fault of a JSON form (schema ``rule.json#/$defs/fault``), added at mock time ``now``;
    ``remaining`` and ``expires`` override what the form says (a shared store's counts)."""
    broken = non_finite(spec)
    if broken is not None:
        raise InvalidSpecError(f"{broken} is NaN or infinite: not a JSON number")
    kinds = [k for k in KINDS if k in spec and spec[k] not in (None, False)]
    if len(kinds) != 1:
        raise InvalidSpecError(f"a fault has exactly one of {list(KINDS)}, not {kinds}")
    kind = kinds[0]
    latency = None
    if kind == "latency":
        value = spec["latency"]
        latency = (float(value[0]), float(value[1])) if isinstance(value, list) else (float(value),) * 2
        if not 0 <= latency[0] <= latency[1]:
            raise InvalidSpecError(f"latency range {value} must be 0 <= low <= high")
    error = spec["error"] if kind == "error" else None
    if isinstance(error, int):
        error = {"code": error}
    fraction = spec.get("fraction")
    times = spec.get("times", None if fraction is not None or "seconds" in spec else 1)
    if expires is None and "seconds" in spec:
        expires = now + float(spec["seconds"])
    return Fault(fault_id, kind, spec.get("vendor"), spec.get("endpoint"), error, latency,
                 times if remaining is None else remaining, fraction, expires, dict(spec))


class FaultBook:
    """Thread-safe list of faults, oldest first; fractions and ranges drawn from ``rng``."""

    def __init__(self, rng: random.Random | None = None, now: Callable[[], float] | None = None) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.rng = rng or random.Random()
        self._now = now or (lambda: 0.0)

    def add(self, spec: dict[str, Any]) -> Fault:
        """Add a fault from its JSON form (schema ``rule.json#/$defs/fault``)."""
        fault = make_fault(spec, next(self._ids), self._now())
        with self._lock:
            self._faults.append(fault)
        return fault

    def replace(self, faults: list[Fault]) -> None:
        """Hold exactly ``faults`` (a shared store's mirror, reloaded)."""
        with self._lock:
            self._faults = list(faults)

    def drop(self, fault_id: int) -> None:
        """Forget one fault here (used up elsewhere)."""
        with self._lock:
            self._faults = [f for f in self._faults if f.id != fault_id]

    @property
    def armed(self) -> bool:
        """Whether any fault is armed (read without the lock: a hint for the fast path)."""
        return bool(self._faults)

    def draw(self, vendor: str, endpoint: str, targeted: bool = False) -> Drawn:
        """Consume one use of the first applicable fault of each kind (error before actions);
        ``targeted``: of the faults that name ``endpoint`` only."""
        drawn = Drawn()
        if not self._faults:  # nothing armed: the common case, without the lock or the clock
            return drawn
        now = self._now()
        with self._lock:
            taken: set[str] = set()
            for fault in self._faults:
                if not self._chosen(fault, taken, vendor, endpoint, now, targeted):
                    continue
                self._apply(drawn, fault, taken)
                if fault.remaining is not None:
                    fault.remaining -= 1
            self._faults = [f for f in self._faults if (f.remaining is None or f.remaining > 0)
                            and (f.expires is None or now < f.expires)]
        return drawn

    async def draw_shared(self, vendor: str, endpoint: str, targeted: bool,
                          spend: Callable[[int], Awaitable[int]]) -> Drawn:
        """:meth:`draw` where the uses are counted elsewhere: ``spend(id)`` uses one and answers
        how many are left (-1: none was, so the next applicable fault of its kind is drawn)."""
        drawn = Drawn()
        now = self._now()
        taken: set[str] = set()
        for fault in list(self._faults):
            if not self._chosen(fault, taken, vendor, endpoint, now, targeted):
                continue
            if fault.remaining is not None:
                left = await spend(fault.id)
                if left <= 0:
                    self.drop(fault.id)
                if left < 0:
                    continue
                fault.remaining = left
            self._apply(drawn, fault, taken)
        return drawn

    def _chosen(self, fault: Fault, taken: set[str], vendor: str, endpoint: str, now: float, targeted: bool) -> bool:
        """Whether ``fault`` applies now, its kind is not drawn yet, and its fraction comes up."""
        if _group(fault) in taken or not fault.applies(vendor, endpoint, now, targeted):
            return False
        return fault.fraction is None or self.rng.random() < fault.fraction

    def _apply(self, drawn: Drawn, fault: Fault, taken: set[str]) -> None:
        taken.add(_group(fault))
        if fault.kind == "latency":
            assert fault.latency is not None
            drawn.latency = self.rng.uniform(*fault.latency)
        elif fault.kind == "error":
            drawn.error = fault.error
        else:
            drawn.action = fault.kind

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def remove(self, fault_id: int | None = None) -> int:
        with self._lock:
            before = len(self._faults)
            self._faults = [] if fault_id is None else [f for f in self._faults if f.id != fault_id]
            return before - len(self._faults)


def _group(fault: Fault) -> str:
    """A request draws one latency and one outcome (an error or an action) at most."""
    return "latency" if fault.kind == "latency" else "outcome"
