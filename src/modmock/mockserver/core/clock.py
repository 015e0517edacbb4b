"""The mock clock and the one timer structure that runs every vendor wait.

Vendor waits (processing time, status transitions, callback retry intervals) are
scheduled on a :class:`Scheduler` in *mock seconds*. How long they take in real time
depends on the clock mode:

* ``time_scale=F`` (``F > 0``): a wait of ``w`` mock seconds takes ``w * F`` real seconds.
* ``time_scale=0``: waits take no real time; the clock jumps forward, order is kept.
* ``manual=True``: the clock is frozen; only :meth:`Scheduler.advance` moves it.

Wall time (signature windows, QPS windows, token lifetimes) never uses this clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

TimerCallback = Callable[[], Coroutine[Any, Any, None]]

FIRE_BATCH = 1000  # due timers fired per turn of the event loop


class MockClock:
    """Mock time in seconds since the epoch.

    It starts at wall time. With ``time_scale=F > 0`` it runs ``1/F`` times as fast as wall
    time (so a wait of ``w`` mock seconds lasts ``w * F`` real seconds); with ``F = 0`` it
    follows wall time and jumps over waits; ``manual`` freezes it between ``jump_to`` calls.
    """

    def __init__(self, *, manual: bool = False, start: float | None = None, time_scale: float = 1.0) -> None:
        if not math.isfinite(time_scale) or time_scale < 0:
            raise ValueError("time_scale must be a finite number >= 0")
        self.manual = manual
        self.time_scale = time_scale
        self._wall0 = time.time()
        self._mock0 = self._wall0 if start is None else start
        self.observers: list[Callable[[], None]] = []  # told after every jump (a shared store publishes it)

    def now(self) -> float:
        """The current mock time."""
        if self.manual:
            return self._mock0
        elapsed = time.time() - self._wall0
        return self._mock0 + (elapsed / self.time_scale if self.time_scale > 0 else elapsed)

    def real_seconds(self, mock_seconds: float) -> float:
        """How long ``mock_seconds`` of mock time last in real time."""
        if self.manual:
            return math.inf if mock_seconds > 0 else 0.0
        return max(mock_seconds, 0.0) * self.time_scale

    def jump_to(self, when: float) -> None:
        """Move the clock forward to ``when``; never backwards."""
        if not math.isfinite(when):
            raise ValueError("the mock clock only moves to finite times")
        delta = when - self.now()
        if delta > 0:
            self._mock0 += delta
            for observer in self.observers:
                observer()

    @property
    def origin(self) -> tuple[float, float]:
        """The wall time the clock counts from, and the mock time it showed then."""
        return self._wall0, self._mock0

    def adopt(self, wall0: float, mock0: float) -> None:
        """Count from another clock's origin (the processes of a shared store show one time)."""
        self._wall0, self._mock0 = wall0, mock0

    def catch_up(self, mock0: float) -> None:
        """Move to another process's later origin (its clock jumped); never backwards."""
        if mock0 > self._mock0:
            self._mock0 = mock0


@dataclass(order=True)
class _Timer:
    due: float
    seq: int
    callback: TimerCallback = field(compare=False)
    label: str = field(compare=False, default="")
    cancelled: bool = field(compare=False, default=False)


class TimerHandle:
    """A scheduled callback that can be cancelled."""

    def __init__(self, timer: _Timer) -> None:
        self._timer = timer

    @property
    def due(self) -> float:
        return self._timer.due

    def cancel(self) -> None:
        self._timer.cancelled = True
        self._timer.callback = _never_called  # what it referred to is freed now, not by the collector


async def _never_called() -> None:
    """The callback of a cancelled timer."""


class Scheduler:
    """One heap of timers and one driver coroutine, whatever the number of timers."""

    def __init__(self, clock: MockClock) -> None:
        self.clock = clock
        self._heap: list[_Timer] = []
        self._seq = itertools.count()
        self._wake: asyncio.Event | None = None
        self._driver: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()

    # -- scheduling -----------------------------------------------------------------
    def call_later(self, delay: float, callback: TimerCallback, label: str = "") -> TimerHandle:
        """Run ``callback`` after ``delay`` mock seconds."""
        if not math.isfinite(delay):
            raise ValueError("a delay must be finite")
        timer = _Timer(self.clock.now() + max(delay, 0.0), next(self._seq), callback, label)
        heapq.heappush(self._heap, timer)
        if self._wake is not None:
            self._wake.set()
        return TimerHandle(timer)

    def wake(self) -> None:
        """Look at the clock again (another process moved it): fire what fell due."""
        if self._wake is not None:
            self._wake.set()

    @property
    def pending(self) -> int:
        """Timers not yet fired (cancelled ones excluded)."""
        return sum(1 for t in self._heap if not t.cancelled)

    # -- running --------------------------------------------------------------------
    def start(self) -> None:
        """Start the driver on the running loop."""
        self._wake = asyncio.Event()
        self._driver = asyncio.get_running_loop().create_task(self._drive())

    async def stop(self, grace: float = 2.0) -> list[str]:
        """Stop the driver, let running callbacks finish for ``grace`` real seconds,
        cancel the rest. Returns the labels of everything that never ran or was cut off."""
        if self._driver is not None:
            self._driver.cancel()
            await asyncio.gather(self._driver, return_exceptions=True)
            self._driver = None
        dropped = [t.label for t in self._heap if not t.cancelled]
        self._heap.clear()
        if self._running:
            _, late = await asyncio.wait(set(self._running), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        return dropped

    def clear(self) -> None:
        """Cancel every scheduled timer and every running callback (used by reset)."""
        for timer in self._heap:
            timer.cancelled = True
        self._heap.clear()
        for task in list(self._running):
            task.cancel()

    def _real_delay(self, timer: _Timer) -> float:
        return self.clock.real_seconds(timer.due - self.clock.now())

    def _fire(self, timer: _Timer) -> None:
        async def run() -> None:
            self.clock.jump_to(timer.due)  # when it starts, a callback sees its own due time
            await timer.callback()

        task = asyncio.get_running_loop().create_task(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    def _pop_due(self) -> _Timer | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        if not self._heap:
            return None
        if self._real_delay(self._heap[0]) <= 0:
            return heapq.heappop(self._heap)
        return None

    async def _drive(self) -> None:
        assert self._wake is not None
        while True:
            fired = 0  # every due timer in one go (in order), so a busy loop cannot starve them
            while fired < FIRE_BATCH and (timer := self._pop_due()) is not None:
                self._fire(timer)
                fired += 1
            if fired:
                await asyncio.sleep(0)
                continue
            self._wake.clear()
            head = self._heap[0] if self._heap else None
            timeout = None if head is None else self._real_delay(head)
            if timeout is not None and math.isinf(timeout):
                timeout = None
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    # -- test control -----------------------------------------------------------------
    async def advance(self, seconds: float) -> None:
        """Move the clock forward, firing due timers in order, and wait for them."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError("advance() takes a finite number of seconds >= 0")
        target = self.clock.now() + seconds
        while True:
            await self._settle()
            head = self._next_live()
            if head is None or head.due > target:
                break
            heapq.heappop(self._heap)
            self._fire(head)
        self.clock.jump_to(target)
        await self._settle()

    async def run_until_idle(self, max_steps: int = 100_000) -> None:
        """Fire every timer, including the ones that firing schedules, until none is left."""
        for _ in range(max_steps):
            await self._settle()
            head = self._next_live()
            if head is None:
                return
            heapq.heappop(self._heap)
            self._fire(head)
        raise RuntimeError(f"still busy after {max_steps} timers")

    def _next_live(self) -> _Timer | None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0] if self._heap else None

    async def _settle(self) -> None:
        """Wait until no fired callback is running."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
