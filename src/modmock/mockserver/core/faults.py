"""Injected faults: a vendor error code or a fixed latency for the next N requests.

A fault applies to one vendor (and optionally one endpoint). ``times`` counts the requests
it still applies to; ``None`` means until removed.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    """One injected fault; exactly one of ``error`` and ``latency`` is set."""

    id: int
    vendor: str | None
    endpoint: str | None
    error: dict[str, Any] | None = None
    latency: float | None = None
    remaining: int | None = 1

    def applies(self, vendor: str, endpoint: str) -> bool:
        return (self.vendor in (None, vendor)) and (self.endpoint in (None, endpoint))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "vendor": self.vendor, "endpoint": self.endpoint,
                               "times": self.remaining}
        if self.error is not None:
            out["error"] = self.error
        if self.latency is not None:
            out["latency"] = self.latency
        return out


@dataclass
class Drawn:
    """What the faults decided for one request."""

    error: dict[str, Any] | None = None
    latency: float = 0.0


class FaultBook:
    """Thread-safe list of faults, oldest first."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, *, vendor: str | None = None, endpoint: str | None = None,
            error: dict[str, Any] | None = None, latency: float | None = None,
            times: int | None = 1) -> Fault:
        if (error is None) == (latency is None):
            raise ValueError("a fault is either an error or a latency")
        fault = Fault(next(self._ids), vendor, endpoint, error, latency, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def draw(self, vendor: str, endpoint: str) -> Drawn:
        """Consume one use of the first error fault and of the first latency fault that apply."""
        drawn = Drawn()
        with self._lock:
            for kind in ("error", "latency"):
                for fault in self._faults:
                    if getattr(fault, kind) is None or not fault.applies(vendor, endpoint):
                        continue
                    if kind == "error":
                        drawn.error = fault.error
                    else:
                        drawn.latency = float(fault.latency or 0.0)
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    break
            self._faults = [f for f in self._faults if f.remaining is None or f.remaining > 0]
        return drawn

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def remove(self, fault_id: int | None = None) -> int:
        with self._lock:
            before = len(self._faults)
            self._faults = [] if fault_id is None else [f for f in self._faults if f.id != fault_id]
            return before - len(self._faults)
