"""The drift report: every difference the proxy saw between the vendor's real traffic and the
packaged schemas, grouped (one line per side, endpoint, kind, schema path and field), counted,
with the first value seen."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from .drift import Difference

SIDES = ("request", "response", "callback")


@dataclass
class Line:
    """One kind of difference at one place, however often it was seen."""

    side: str
    vendor: str
    endpoint: str
    difference: Difference
    count: int = 1
    statuses: set[int] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        return {"side": self.side, "vendor": self.vendor, "endpoint": self.endpoint, **self.difference.to_json(),
                "count": self.count, "statuses": sorted(self.statuses)}


class DriftReport:
    """Differences by place, in the order first seen; bounded (``capacity`` lines: past that,
    new places are counted in ``dropped``, never silently)."""

    def __init__(self, capacity: int = 2_000) -> None:
        self.capacity = capacity
        self._lines: dict[tuple[str, str, str, str, str, str], Line] = {}
        self._checked = dict.fromkeys(SIDES, 0)
        self.dropped = 0
        self._lock = threading.Lock()

    def add(self, side: str, vendor: str, endpoint: str, found: list[Difference], status: int | None = None) -> None:
        """What one body of ``side`` showed (``found`` may be empty: it was checked, and conformed)."""
        with self._lock:
            self._checked[side] += 1
            for item in found:
                key = (side, vendor, endpoint, item.kind, item.schema, item.field)
                line = self._lines.get(key)
                if line is None:
                    if len(self._lines) >= self.capacity:
                        self.dropped += 1
                        continue
                    line = self._lines[key] = Line(side, vendor, endpoint, item, count=0)
                line.count += 1
                if status is not None:
                    line.statuses.add(status)

    def lines(self) -> list[Line]:
        with self._lock:
            return list(self._lines.values())

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()
            self._checked = dict.fromkeys(SIDES, 0)
            self.dropped = 0

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            lines = [line.to_json() for line in self._lines.values()]
            checked = dict(self._checked)
        return {"checked": checked, "differences": lines, "dropped": self.dropped,
                "inferred": sum(1 for line in lines if line["inferred"])}


def render_text(report: dict[str, Any]) -> str:
    """The report (as ``to_json`` gives it) for a terminal: one block per endpoint and side."""
    checked = report.get("checked", {})
    lines: list[dict[str, Any]] = report.get("differences", [])
    head = (f"checked {checked.get('request', 0)} requests, {checked.get('response', 0)} answers and "
            f"{checked.get('callback', 0)} callbacks: ")
    if not lines:
        return head + "no difference from the packaged schemas\n"
    out = [head + f"{len(lines)} difference(s) ({report.get('inferred', 0)} against inferred rules)"]
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for line in lines:
        groups.setdefault((line["vendor"], line["endpoint"], line["side"]), []).append(line)
    for (vendor, endpoint, side), items in groups.items():
        out.append("")
        out.append(f"{vendor} {endpoint} ({side})")
        for item in items:
            mark = " [inferred rule]" if item["inferred"] else ""
            out.append(f"  {item['kind']}: {item['field']} x{item['count']}{mark}")
            out.append(f"    {item['detail']}")
            out.append(f"    schema {item['schema']}")
            if item["x-source"]:
                out.append(f"    source {item['x-source']}")
    if report.get("dropped"):
        out.append("")
        out.append(f"{report['dropped']} further difference(s) not listed (the report is full)")
    return "\n".join(out) + "\n"
