"""Injected behaviour shared by every vendor: faults first, then the matching rule.

A fault's error answers before any rule is consulted, so a rule's ``times`` is not spent on
a request a fault answered. Latency (fault or rule ``delay``) is real time.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from .errors import VendorError
from .exchange import Exchange
from .faults import FaultAction
from .replay import Replayed
from .rules import Rule
from .verdict import Subject

ErrorFor = Callable[[Any, "str | None"], VendorError]


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"fault {value}"
    if isinstance(value, int):
        return f"error {value}"
    return "body"


async def inject(ex: Exchange, subject: Subject, error_for: ErrorFor) -> Rule | None:
    """Apply faults, then the matching rule's delay or error; return the rule for its verdict."""
    vendor, endpoint = ex.vendor.name, ex.endpoint
    queued = ex.state.replay.take(vendor, endpoint)
    if queued is not None:
        ex.note(f"replayed a queued answer ({_kind(queued.value)})")
        if isinstance(queued.value, str):
            raise FaultAction(queued.value)
        if isinstance(queued.value, int) and not isinstance(queued.value, bool):
            raise error_for(queued.value, None)
        raise Replayed(queued.value, queued.status)
    drawn = ex.state.faults.draw(vendor, endpoint)
    if drawn.latency > 0:
        ex.note(f"injected latency {drawn.latency:g} s")
        await asyncio.sleep(drawn.latency)
    if drawn.error is not None:
        ex.note(f"injected error {drawn.error['code']} (fault)")
        raise error_for(drawn.error["code"], drawn.error.get("message"))
    if drawn.action is not None:
        raise FaultAction(drawn.action)
    rule = ex.state.rules.take(vendor, endpoint, subject)
    if rule is not None and rule.delay:
        ex.note(f"rule {rule.id}: delay {rule.delay:g} s")
        await asyncio.sleep(rule.delay)
    if rule is not None and rule.error is not None:
        ex.note(f"rule {rule.id}: error {rule.error['code']}")
        raise error_for(rule.error["code"], rule.error.get("message"))
    return rule
