"""Callback delivery: allow-listed hosts, the vendor's retry schedule on the mock clock,
every attempt journaled.

A delivery is done on the status the vendor calls success (HTTP 200 by default; some vendors
also read the answer body). Any other status, a connection error or a timeout schedules the
next retry after the next interval of the vendor's schedule; when the schedule is used up the delivery has ``failed``. A callback
to a host outside the allow-list is journaled as one ``blocked`` attempt and not retried.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import aiohttp
import yarl

from .clock import Scheduler
from .isotime import iso
from .journal import clip_body, too_deep
from .urls import read_url

LOOPBACK_HOSTS = ("127.0.0.0/8", "::1", "localhost")
log = logging.getLogger("modmock")
ATTEMPT_TIMEOUT = 5.0  # real seconds a receiver has to answer one attempt
WARNED_HOSTS = 1000  # blocked hosts warned about once each (later ones at DEBUG)
ANSWER_KEEP = 1024  # characters of a receiver's answer kept in the journal
ANSWER_READ = 64 * 1024  # bytes of an answer read where the vendor judges its body
CONNECTIONS = 256  # callback connections open at once; more attempts wait for one (not timed)

ADMIN_PATH = "/__admin"  # never a callback or download target


def targets_admin(url: str) -> bool:
    """Whether ``url``'s path, as a server reads it (percent-escapes decoded, dot segments
    resolved, repeated slashes and case ignored), is under the admin API."""
    try:
        path = yarl.URL(url).path
    except (ValueError, TypeError):
        return True  # not a URL a receiver could be reached at: refuse
    return re.sub("/+", "/", path).lower().startswith(ADMIN_PATH)

class AllowList:
    """Host names and IP networks callbacks (and downloads) may go to."""

    def __init__(self, hosts: Iterable[str] = ()) -> None:
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for host in (*LOOPBACK_HOSTS, *hosts):
            self.add(host)

    def add(self, host: str) -> None:
        host = host.strip().lower().strip("[]")
        try:
            self.networks.append(ipaddress.ip_network(host, strict=False))
        except ValueError:
            self.names.add(host)

    def allows(self, url: str) -> bool:
        """Whether ``url`` may be called: an allow-listed host, and never the mock's own admin
        API (a callback must not reset or reconfigure the mock that sends it)."""
        host = read_url(url).host
        if not host:
            return False
        if host not in self.names:
            if not (host[0].isdigit() or ":" in host):  # a name not listed: no address to try
                return False
            try:
                address = ipaddress.ip_address(host)
            except ValueError:
                return False
            if not any(address in net for net in self.networks):
                return False
        return not targets_admin(url)  # an allowed host: still never the admin API

    def describe(self) -> list[str]:
        return sorted(self.names) + [str(n) for n in self.networks]


@dataclass
class Attempt:
    """One try: when (mock time), what came back, and the outcome."""

    number: int
    time: float
    outcome: str  # delivered | rejected | error | blocked | cancelled
    status: int | None = None
    error: str | None = None
    response: str | None = None


@dataclass
class Delivery:
    """One callback and its attempts."""

    id: int
    vendor: str
    endpoint: str
    url: str
    body: Any
    request_id: str | None
    state: str = "pending"  # pending | delivered | failed | blocked | cancelled
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt: float | None = None  # mock time of the next attempt while one is scheduled

    def to_json(self) -> dict[str, Any]:
        """The delivery as JSON values; a body echoing a deep value of the client's is clipped."""
        data = asdict(replace(self, body=None))
        data["body"] = clip_body(self.body) if too_deep(self.body) else self.body
        for attempt in data["attempts"]:
            attempt["time_iso"] = iso(attempt["time"])
        data["next_attempt_iso"] = iso(self.next_attempt) if self.next_attempt is not None else None
        return data


FINAL_STATES = ("delivered", "failed", "blocked", "cancelled")
DELIVERY_TOTALS = ("submitted", "attempts", *FINAL_STATES)


class CallbackDispatcher:
    """Posts callbacks and retries them on the scheduler; keeps a bounded delivery log."""

    def __init__(self, scheduler: Scheduler, allow: AllowList, capacity: int = 10_000) -> None:
        self.scheduler = scheduler
        self.allow = allow
        self.capacity = capacity
        self._log: deque[Delivery] = deque()  # past capacity only finished deliveries are forgotten
        self.observers: list[Callable[[Delivery], None]] = []  # told of every delivery that ends
        self._slack = max(10, capacity // 10)  # compaction runs once this many more came in
        self._compact_at = capacity + self._slack
        self._generation = 0  # bumped by clear(): a delivery of an earlier one counts no more
        self._ids: Iterator[int] = itertools.count(1)
        self._lock = threading.Lock()
        self._totals = dict.fromkeys(DELIVERY_TOTALS, 0)
        self._session: aiohttp.ClientSession | None = None
        self._changed: asyncio.Condition | None = None
        self._after: dict[int, list[tuple[Delivery, _Plan, float]]] = {}  # deliveries waiting for another to end
        self._warned: set[str] = set()  # hosts a blocked callback was warned about

    async def start(self) -> None:
        self._changed = asyncio.Condition()

    async def close(self) -> list[Delivery]:
        """Journal every unfinished delivery as cancelled, close the client session, and
        return the cancelled deliveries (those cut off mid-attempt included)."""
        with self._lock:
            pending = [d for d in self._log if d.state == "pending"]
        for delivery in pending:
            self._finish_cancelled(delivery)
        if self._session is not None:
            await self._session.close()
            self._session = None
        with self._lock:
            return [d for d in self._log if d.state == "cancelled"]

    def _finish_cancelled(self, delivery: Delivery) -> None:
        delivery.attempts.append(Attempt(len(delivery.attempts) + 1, self.scheduler.clock.now(), "cancelled"))
        self._end(delivery, "cancelled")

    def _end(self, delivery: Delivery, state: str, generation: int | None = None) -> None:
        delivery.state, delivery.next_attempt = state, None
        with self._lock:
            current = generation is None or generation == self._generation
            if current:
                self._totals[state] += 1
            waiting = self._after.pop(delivery.id, [])
        if current:
            for observer in self.observers:
                try:
                    observer(delivery)
                except Exception:
                    log.exception("delivery observer %r failed on delivery %d", observer, delivery.id)
        for later, plan, delay in waiting:  # their first attempts may go now
            if later.state == "pending":
                self._schedule_first(later, plan, delay)

    def _schedule_first(self, delivery: Delivery, plan: _Plan, delay: float) -> None:
        delivery.next_attempt = self.scheduler.clock.now() + delay
        self._later(delivery, plan, delay, f"callback {delivery.id} to {delivery.url}")

    def _later(self, delivery: Delivery, plan: _Plan, delay: float, label: str) -> None:
        """The next attempt of ``delivery``, ``delay`` mock seconds from now."""
        self.scheduler.call_later(delay, lambda: self._attempt(delivery, plan), label=label)

    def _warn_blocked(self, delivery: Delivery, why: str) -> None:
        """A warning the first time a host is blocked (later ones at DEBUG): the flag that allows it."""
        host = read_url(delivery.url).host or delivery.url
        warned = host in self._warned or len(self._warned) >= WARNED_HOSTS  # hosts come from clients: bounded
        level = logging.DEBUG if warned else logging.WARNING
        if not warned:
            self._warned.add(host)
        hint = "" if "admin API" in why else f" (serve(allow_callback_hosts=[{host!r}]) in tests)"
        log.log(level, "%s callback %d to %s blocked: %s%s", delivery.vendor, delivery.id, delivery.url, why, hint)

    def get(self, delivery_id: int) -> Delivery | None:
        """A delivery still in the log by its id."""
        with self._lock:
            return next((d for d in reversed(self._log) if d.id == delivery_id), None)

    def totals(self) -> dict[str, int]:
        """Deliveries since the start or the last clear, kept or not: submitted, attempts sent,
        each final state, and those still pending."""
        with self._lock:
            totals = dict(self._totals)
        totals["pending"] = totals["submitted"] - sum(totals[s] for s in FINAL_STATES)
        return totals

    def submit(self, *, vendor: str, endpoint: str, url: str, body: Any, request_id: str | None,
               schedule: Sequence[float], delay: float = 0.0, success: Sequence[int] = (200,),
               headers: dict[str, str] | None = None, accepts: Callable[[str], bool] | None = None,
               after: Delivery | None = None) -> Delivery:
        """Schedule the first attempt after ``delay`` mock seconds, and not before the delivery
        ``after`` has ended (a final result never overtakes the one it follows). A success status
        is a delivery when ``accepts(answer text)`` holds too (a vendor that reads the receiver's
        answer: at most ``ANSWER_READ`` bytes of it)."""
        delivery = Delivery(next(self._ids), vendor, endpoint, url, body, request_id)
        with self._lock:
            self._log.append(delivery)
            self._totals["submitted"] += 1
            if len(self._log) > self._compact_at:  # amortized: only after a tenth more came in
                self._forget_finished()
                self._compact_at = max(self.capacity, len(self._log)) + self._slack
        plan = _Plan(tuple(schedule), tuple(success), dict(headers or {}), self._generation, accepts)
        with self._lock:
            wait = after is not None and after.state == "pending"
            if wait:
                assert after is not None
                self._after.setdefault(after.id, []).append((delivery, plan, delay))
        if not wait:
            self._schedule_first(delivery, plan, delay)
        return delivery

    def _forget_finished(self) -> None:
        """Drop the oldest finished deliveries past ``capacity``; one still being tried stays (lock held)."""
        excess = len(self._log) - self.capacity
        while excess > 0 and self._log and self._log[0].state != "pending":  # the usual case: oldest first
            self._log.popleft()
            excess -= 1
        if excess <= 0:
            return
        kept: deque[Delivery] = deque()
        for delivery in self._log:
            if excess > 0 and delivery.state != "pending":
                excess -= 1
                continue
            kept.append(delivery)
        self._log = kept

    async def _attempt(self, delivery: Delivery, plan: _Plan) -> None:
        number = len(delivery.attempts) + 1
        now = self.scheduler.clock.now()
        delivery.next_attempt = None  # this one is being made
        if not self.allow.allows(delivery.url):
            why = "the mock's own admin API" if targets_admin(delivery.url) else \
                f"host not in the callback allow-list {self.allow.describe()} (add one with --allow-callback-host)"
            delivery.attempts.append(Attempt(number, now, "blocked", error=why))
            self._warn_blocked(delivery, why)
            self._end(delivery, "blocked", plan.generation)
            await self._notify()
            return
        attempt = await self._post(number, now, delivery, plan)
        delivery.attempts.append(attempt)
        with self._lock:
            if plan.generation == self._generation:
                self._totals["attempts"] += 1
        if attempt.outcome == "delivered":
            self._end(delivery, "delivered", plan.generation)
        elif number <= len(plan.schedule):
            delivery.next_attempt = self.scheduler.clock.now() + plan.schedule[number - 1]
            self._later(delivery, plan, plan.schedule[number - 1], f"callback {delivery.id} retry {number}")
        else:
            self._end(delivery, "failed", plan.generation)
        await self._notify()

    async def _post(self, number: int, now: float, delivery: Delivery, plan: _Plan) -> Attempt:
        if self._session is None:
            # The timeout runs from the connection, not from the wait for a free one: an attempt
            # journaled as timed out was really sent (or its connection really failed).
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=CONNECTIONS),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=ATTEMPT_TIMEOUT, sock_read=ATTEMPT_TIMEOUT))
        try:
            async with self._session.post(delivery.url, json=delivery.body, headers=plan.headers,
                                          allow_redirects=False) as resp:
                limit = ANSWER_READ if plan.accepts is not None else ANSWER_KEEP * 4
                raw, whole = await asyncio.wait_for(_read_some(resp, limit), ATTEMPT_TIMEOUT)
                text = _decoded(raw, resp.charset, judged=plan.accepts is not None)
                note = None
                if plan.accepts is not None and not whole:
                    delivered, note = False, f"answer over {ANSWER_READ} bytes: not read whole, not taken for success"
                else:
                    delivered = resp.status in plan.success and _accepted(plan.accepts, text)
                outcome = "delivered" if delivered else "rejected"
                return Attempt(number, now, outcome, status=resp.status, error=note, response=text[:ANSWER_KEEP])
        except asyncio.CancelledError:
            delivery.attempts.append(Attempt(number, now, "cancelled", error="server shutting down or reset"))
            self._end(delivery, "cancelled", plan.generation)
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
            return Attempt(number, now, "error", error=f"{type(exc).__name__}: {exc}")

    async def _notify(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, count: int, timeout: float, *, vendor: str | None = None) -> list[Delivery]:
        """Wait until ``count`` deliveries have finished (any final state)."""
        assert self._changed is not None

        def finished() -> list[Delivery]:
            return [d for d in self.deliveries(vendor=vendor) if d.state != "pending"]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: len(finished()) >= count), timeout)
        return finished()

    def deliveries(self, *, vendor: str | None = None) -> list[Delivery]:
        with self._lock:
            items = list(self._log)
        return [d for d in items if vendor is None or d.vendor == vendor]

    def clear(self) -> None:
        with self._lock:
            self._after.clear()
            self._log.clear()
            self._totals = dict.fromkeys(DELIVERY_TOTALS, 0)
            self._generation += 1


async def _read_some(resp: aiohttp.ClientResponse, limit: int) -> tuple[bytes, bool]:
    """Up to ``limit`` bytes of an answer's body (the rest is not read), and whether that was all."""
    data = bytearray()
    while len(data) <= limit:
        chunk = await resp.content.read(limit + 1 - len(data))
        if not chunk:
            break
        data += chunk
    return bytes(data[:limit]), len(data) <= limit


def _decoded(raw: bytes, charset: str | None, *, judged: bool) -> str:
    """An answer's text in its declared charset; an answer a vendor judges is JSON, so without a
    charset its encoding is told by its first bytes (UTF-8, -16 or -32, a BOM dropped)."""
    encoding = charset or (json.detect_encoding(raw) if judged else "utf-8")
    try:
        text = raw.decode(encoding, "replace")
    except LookupError:
        text = raw.decode("utf-8", "replace")
    return text.lstrip("\ufeff") if judged else text


def _accepted(accepts: Callable[[str], bool] | None, text: str) -> bool:
    """Whether a vendor that reads the receiver's answer takes ``text`` for success (a predicate
    that fails on it does not)."""
    if accepts is None:
        return True
    try:
        return bool(accepts(text))
    except Exception:  # a hostile answer must not end the delivery unseen
        return False


@dataclass(frozen=True)
class _Plan:
    schedule: tuple[float, ...]
    success: tuple[int, ...]
    headers: dict[str, str]
    generation: int  # the dispatcher's at submit: totals count the attempts of this one only
    accepts: Callable[[str], bool] | None = None  # the answer body a delivery needs, beside its status
