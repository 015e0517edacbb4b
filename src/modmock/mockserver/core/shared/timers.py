"""The timers every process shares: one sorted set of due times in Redis, each timer fired once.

A timer's callback is written with :mod:`.pickling` when it is scheduled (before the answer of
the request that scheduled it goes out). Each process's driver claims the timers that fell due
(a Lua script moves them from ``timers`` to ``claimed`` with a lease of wall time), fires them,
and releases them once they ran. A process that dies while running one leaves its lease to run
out; another process claims the timer again and runs it. So a timer runs once, or (only when its
process died while running it) again from its start.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from ..clock import MockClock, Scheduler, TimerCallback, TimerHandle
from ..store import StoreUnavailable
from .commit import Batch
from .link import Link
from .pickling import Bound, ForgedWork

log = logging.getLogger("modmock")
LEASE = 30.0  # wall seconds a claimed timer is this process's; renewed while it runs
POLL = 1.0  # seconds the driver waits at most before it looks for timers other processes added
RUNNING = 32  # timers run at once here (each holds a connection to Redis while it runs)
OTHERS_WAIT = 30.0  # real seconds an advance waits at most for timers other processes are running

# Claim the timers due by ARGV[1] (at most ARGV[4]) and, with ARGV[5] == '1', those whose claim
# lapsed (their process died). KEYS: timers, claimed, due times, payloads. ARGV: latest due,
# wall now, lease end, limit, reclaim. A flat list: member, due, payload, ...
CLAIM = """
local out = {}
if ARGV[5] == '1' then
  local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, ARGV[4])
  for _, m in ipairs(lapsed) do
    redis.call('ZADD', KEYS[2], ARGV[3], m)
    table.insert(out, m)
    table.insert(out, redis.call('HGET', KEYS[3], m) or '0')
    table.insert(out, redis.call('HGET', KEYS[4], m) or '')
  end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[4])
for i = 1, #due, 2 do
  local m = due[i]
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[3], m)
  table.insert(out, m)
  table.insert(out, due[i + 1])
  table.insert(out, redis.call('HGET', KEYS[4], m) or '')
end
return out
"""


class SharedTimerHandle(TimerHandle):
    """A shared timer by its name; it can be cancelled from any process (it pickles as a name)."""

    def __init__(self, scheduler: SharedScheduler, member: str, due: float) -> None:
        self.scheduler, self.member, self._due = scheduler, member, due

    @property
    def due(self) -> float:
        return self._due

    def cancel(self) -> None:
        self.scheduler.cancel(self.member)


class SharedScheduler(Scheduler):
    """:class:`Scheduler` over the shared sorted set (same API: ``call_later``, ``advance``, ...)."""

    def __init__(self, clock: MockClock, link: Link, bound: Bound, worker: str) -> None:
        super().__init__(clock)
        self.link, self.bound, self.worker = link, bound, worker
        self._members = itertools.count(1)
        self._outbox: list[tuple[str, str, float, bytes, str]] = []  # (add | cancel, member, due, payload, label)
        self._claimed: set[str] = set()  # members this process is running
        self._estimate = 0  # timers pending in the shared set, as last read
        self.fired = 0  # timers this process claimed and ran
        self.ready: Callable[[], bool] = lambda: True  # joined the shared state (the store says)
        self._slots = asyncio.Semaphore(RUNNING)
        self._unreleased: set[str] = set()  # ran, but their writes have not reached Redis yet
        self._requeue: set[str] = set()  # claims a reset cut off here, given back unrun with the next write
        self._left: set[str] = set()  # claimed but not run here (unreadable here): left to their lease
        self._renewed = 0.0
        self._warned_forged = False
        self.quiet = False  # an advance in progress: its jumps are published once, at its end
        self._closing = False
        self.before_fire: Callable[[], Awaitable[None]] | None = None  # the store's begin
        self.flush: Callable[[], Awaitable[None]] | None = None  # the store's drain
        self.flush_releasing: Callable[[list[str]], Awaitable[None]] | None = None  # drain, claims given back

    def _keys(self) -> list[str]:
        key = self.link.key
        return [key("timers"), key("timers", "claimed"), key("timers", "due"), key("timers", "payload")]

    # -- scheduling -------------------------------------------------------------------------
    def call_later(self, delay: float, callback: TimerCallback, label: str = "") -> TimerHandle:
        if not math.isfinite(delay):
            raise ValueError("a delay must be finite")
        due = self.clock.now() + max(delay, 0.0)
        member = f"{next(self._members):012d}:{self.worker}"  # equal due times keep this process's order
        self._outbox.append(("add", member, due, self.bound.dumps(callback), label))
        self.wake()
        return SharedTimerHandle(self, member, due)

    def cancel(self, member: str) -> None:
        self._outbox.append(("cancel", member, 0.0, b"", ""))

    def take(self, batch: Batch) -> None:
        """Move the timers scheduled and cancelled here, and the claims of those cut off by a
        reset, into ``batch`` (taken from the outbox at once: two writes never carry one timer,
        which would add it again after it fired)."""
        ops, self._outbox = self._outbox, []
        for kind, member, due, payload, _label in ops:
            batch.ops += ["a", member, repr(due), payload] if kind == "add" else ["c", member]
        if ops:
            batch.carrying = True
        for member in self._requeue:
            batch.ops += ["q", member]
        self._requeue.clear()

    @property
    def pending(self) -> int:
        return self._estimate + sum(1 for op in self._outbox if op[0] == "add")

    # -- running ----------------------------------------------------------------------------
    async def _flushed(self) -> bool:
        """Whether what ran here is written (an outage: it is written later, before release)."""
        if self.flush is None:
            return True
        try:
            await self.flush()
        except StoreUnavailable:
            return False
        return True

    def _latest_due(self) -> str:
        """What the driver may claim: what fell due, or (waits take no real time) the next."""
        if not self.clock.manual and self.clock.time_scale == 0:
            return "+inf"
        return repr(self.clock.now())

    async def _claim_and_fire(self, latest: str, limit: int, reclaim: bool) -> int:
        claim = self.link.script("timers_claim", CLAIM)
        wall = time.time()
        args = [latest, repr(wall), repr(wall + LEASE), str(limit), "1" if reclaim else "0"]
        found = await self.link.call(lambda: claim(keys=self._keys(), args=args))
        for i in range(0, len(found), 3):
            member = found[i].decode()
            self._claimed.add(member)
            self.fired += 1
            self._fire_shared(member, float(found[i + 1]), found[i + 2])
        return len(found) // 3

    def _fire_shared(self, member: str, due: float, payload: bytes) -> None:
        async def run() -> None:
            async with self._slots:
                try:
                    callback = self.bound.loads(payload) if payload else None
                except Exception as unreadable:  # left to its lease: a process that can read it runs it then
                    self._claimed.discard(member)
                    self._left.add(member)
                    if not self._warned_forged:
                        why = "is --store-secret the same on every process?" if isinstance(unreadable, ForgedWork) \
                            else "a vendor this process does not serve?"
                        log.error("timer %s not run here (%s): %s", member, why, unreadable)
                        self._warned_forged = True
                    return
                if callback is not None:
                    if self.before_fire is not None:
                        try:
                            await self.before_fire()  # the records it works on, as the store holds them
                        except StoreUnavailable:
                            self._claimed.discard(member)  # not run: claimed again once its lease ends
                            return
                    self.clock.jump_to(due)  # when it starts, a callback sees its own due time
                    try:
                        await callback()
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        log.exception("timer %s failed", member)
                if await self._flushed_releasing(member):
                    self._claimed.discard(member)
                else:
                    self._unreleased.add(member)  # kept claimed (renewed) until its writes are in Redis

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _flushed_releasing(self, member: str) -> bool:
        """What ran here written, and ``member``'s claim given back, in one round trip."""
        if self.flush_releasing is None:
            return await self._flushed() and await self._release(member)
        try:
            await self.flush_releasing([member])
        except StoreUnavailable:
            return False
        return True

    async def _release(self, member: str) -> bool:
        """Give back ``member``'s claim; False when the store could not be reached (kept, renewed)."""
        timers, claimed, dues, payloads = self._keys()

        async def release() -> None:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                pipe.zrem(claimed, member)
                pipe.hdel(dues, member)
                pipe.hdel(payloads, member)
                await pipe.execute()

        try:
            await self.link.call(release)
        except StoreUnavailable:
            return False
        self._claimed.discard(member)
        return True

    async def _renew(self) -> None:
        self._renewed = time.monotonic()
        if not self._claimed:
            return
        claimed = self._keys()[1]
        until = time.time() + LEASE
        members = list(self._claimed)

        async def renew() -> None:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                for member in members:
                    pipe.zadd(claimed, {member: until}, xx=True)
                await pipe.execute()

        with contextlib.suppress(StoreUnavailable):
            await self.link.call(renew)

    async def _head(self) -> tuple[float | None, int]:
        timers = self._keys()[0]

        async def head() -> list[Any]:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                pipe.zrange(timers, 0, 0, withscores=True)
                pipe.zcard(timers)
                result: list[Any] = await pipe.execute()
                return result

        first, count = await self.link.call(head)
        return (float(first[0][1]) if first else None), int(count)

    async def _drive(self) -> None:
        assert self._wake is not None
        while not self._closing:
            head: float | None = None
            try:
                if not self.ready() and self.before_fire is not None:
                    await self.before_fire()  # joins the shared state (and its clock) first
                if self.ready():
                    if await self._flushed() and self._unreleased:
                        for member in list(self._unreleased):
                            if await self._release(member):
                                self._unreleased.discard(member)
                    if time.monotonic() - self._renewed > LEASE / 3:
                        await self._renew()
                    free = RUNNING - len(self._running)
                    if free <= 0:  # every slot running: claim more once one is free
                        await asyncio.sleep(0.01)
                        continue
                    if await self._claim_and_fire(self._latest_due(), free, reclaim=True):
                        await asyncio.sleep(0)
                        continue
                    head, self._estimate = await self._head()
            except StoreUnavailable:
                pass  # logged by the link; looked at again after the poll
            except Exception:  # the driver must outlive any one failure, or no timer fires here again
                log.exception("shared timers: the driver's turn failed; trying again after %g s", POLL)
            timeout = POLL
            if head is not None:
                timeout = min(POLL, max(0.0, self.clock.real_seconds(head - self.clock.now())))
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def stop(self, grace: float = 2.0) -> list[str]:
        """Stop claiming; running callbacks get ``grace`` real seconds. Timers not yet due stay
        in the shared set for the other processes (none is dropped)."""
        if self._driver is not None:  # asked to end, not cancelled: redis-py may swallow a cancel mid-call
            self._closing = True
            self.wake()
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(asyncio.shield(self._driver), POLL * 3)
            if not self._driver.done():
                self._driver.cancel()
            self._driver = None
        await self._flushed()
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=grace)
            for task in late:  # their claims lapse: another process runs them again
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        return []

    def clear(self) -> None:
        """Forget what this process scheduled and runs (a reset). The timers it was running are
        cut off and given back unrun with the next write (one claimed after the reset falls due
        again, for any process; one the reset removed is gone)."""
        self._outbox.clear()
        self._requeue |= self._claimed - self._unreleased
        self._claimed.clear()
        self._left.clear()
        for task in list(self._running):
            task.cancel()

    # -- test control -------------------------------------------------------------------------
    @contextlib.contextmanager
    def _advancing(self) -> Iterator[None]:
        self.quiet = True
        try:
            yield
        finally:
            self.quiet = False

    async def _next_one(self, latest: str) -> bool:
        """Fire the next timer due by ``latest`` here, once what this process runs has ended;
        while other processes run timers (whose work may schedule more), wait for them first.
        False when nothing is left to fire."""
        deadline = time.monotonic() + OTHERS_WAIT
        while True:
            await self._settle()
            await self._flushed()
            if await self._claim_and_fire(latest, 1, reclaim=False):
                return True
            if self._running:  # this process's driver fired one meanwhile: its work may schedule more
                continue
            if time.monotonic() > deadline or not await self._others_running():
                return False
            await asyncio.sleep(0.02)

    async def _others_running(self) -> bool:
        claimed = self._keys()[1]
        held = await self.link.call(lambda: self.link.redis.zrangebyscore(claimed, repr(time.time()), "+inf"))
        return any(member.decode() not in self._claimed and member.decode() not in self._left for member in held)

    async def advance(self, seconds: float) -> None:
        """Move the clock forward, firing (here) every shared timer due by then, in order, and
        waiting for those other processes are running."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("advance() takes a finite number of seconds >= 0")
        target = self.clock.now() + seconds
        with self._advancing():
            while await self._next_one(repr(target)):
                pass
            self.clock.jump_to(target)
        await self._settle()
        await self._flushed()

    async def run_until_idle(self, max_steps: int = 100_000) -> None:
        with self._advancing():
            for _ in range(max_steps):
                if not await self._next_one("+inf"):
                    return
        raise RuntimeError(f"still busy after {max_steps} timers")
