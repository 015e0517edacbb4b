"""Checking a request against a vendor's contract without running a server."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..mockserver.core.journal import Problem
from ..mockserver.core.vendor import Vendor
from ..mockserver.settings import Settings
from ..mockserver.vendors import create_vendor


@dataclass
class RequestReport:
    """What a request breaks: ``problems`` the vendor refuses, ``warnings`` for inferred rules."""

    vendor: str
    endpoint: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.valid and not self.warnings:
            return f"{self.vendor}:{self.endpoint}: valid"
        lines = [f"{self.vendor}:{self.endpoint}: {len(self.problems)} problem(s), {len(self.warnings)} warning(s)"]
        lines += [f"  problem: {p.describe()}" for p in self.problems]
        lines += [f"  warning: {p.describe()}" for p in self.warnings]
        return "\n".join(lines)


@cache
def vendor(name: str) -> Vendor:
    """A vendor with its default configuration, for offline checks and drawing (no server state)."""
    return create_vendor(name, {}, Settings(vendors=[name]))


def check_request(vendor_name: str, endpoint: str, request: Any, *, strict: bool = False) -> RequestReport:
    """Which fields of ``request`` break which rules of ``vendor_name``'s ``endpoint``.

    Deepcleer requests are the JSON body; Alibaba requests are the parameters (``Service``,
    ``ServiceParameters``) without the signature. ``strict`` counts inferred rules as problems.
    """
    the_vendor = vendor(vendor_name)
    the_vendor.endpoint(endpoint)  # an unknown endpoint raises KeyError naming it
    report = RequestReport(vendor_name, endpoint)
    for problem in the_vendor.check_request(endpoint, request):
        (report.problems if strict or not problem.inferred else report.warnings).append(problem)
    return report
