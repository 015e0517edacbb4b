"""The mock clock and the one-heap scheduler."""

from __future__ import annotations

import asyncio

import pytest

from modmock.mockserver.core.clock import MockClock, Scheduler


async def test_manual_clock_fires_in_order_only_when_advanced() -> None:
    clock = MockClock(manual=True, start=1000.0)
    sched = Scheduler(clock)
    sched.start()
    fired: list[tuple[str, float]] = []

    def record(name: str):
        async def cb() -> None:
            fired.append((name, clock.now()))
        return cb

    sched.call_later(5, record("five"))
    sched.call_later(1, record("one"))
    sched.call_later(3, record("three"))
    await asyncio.sleep(0.01)
    assert fired == []
    await sched.advance(3)
    assert fired == [("one", 1001.0), ("three", 1003.0)]
    assert clock.now() == 1003.0
    await sched.run_until_idle()
    assert fired[-1] == ("five", 1005.0)
    await sched.stop()


async def test_time_scale_zero_is_instant_and_keeps_order() -> None:
    clock = MockClock(time_scale=0)
    sched = Scheduler(clock)
    sched.start()
    order: list[int] = []
    done = asyncio.Event()

    async def later() -> None:
        order.append(2)
        done.set()

    async def sooner() -> None:
        order.append(1)

    before = clock.now()
    sched.call_later(3600, later)
    sched.call_later(60, sooner)
    await asyncio.wait_for(done.wait(), 1.0)
    assert order == [1, 2]
    assert clock.now() - before >= 3600  # the mock clock jumped, real time did not pass
    await sched.stop()


async def test_callbacks_scheduled_while_running_are_run_until_idle() -> None:
    clock = MockClock(manual=True, start=0.0)
    sched = Scheduler(clock)
    sched.start()
    times: list[float] = []

    async def chain() -> None:
        times.append(clock.now())
        if len(times) < 4:
            sched.call_later(len(times), chain)

    sched.call_later(0.5, chain)
    await sched.run_until_idle()
    assert times == [0.5, 1.5, 3.5, 6.5]
    await sched.stop()


async def test_clear_cancels_everything_scheduled() -> None:
    clock = MockClock(manual=True, start=0.0)
    sched = Scheduler(clock)
    sched.start()
    fired: list[int] = []

    async def cb() -> None:
        fired.append(1)

    for i in range(10):
        sched.call_later(i + 1, cb)
    assert sched.pending == 10
    sched.clear()
    await sched.run_until_idle()
    assert fired == [] and sched.pending == 0
    await sched.stop()


async def test_stop_reports_what_never_ran() -> None:
    sched = Scheduler(MockClock(manual=True, start=0.0))
    sched.start()

    async def cb() -> None:
        pass

    sched.call_later(10, cb, label="retry 1")
    assert await sched.stop() == ["retry 1"]


@pytest.mark.parametrize("scale", [-1, float("nan"), float("inf")])
def test_unusable_time_scales_are_refused(scale: float) -> None:
    with pytest.raises(ValueError):
        MockClock(time_scale=scale)


async def test_a_fractional_time_scale_shortens_waits() -> None:
    """time_scale=0.05: 2 mock seconds last 0.1 real seconds, and the mock clock says 2 s passed."""
    import time
    clock = MockClock(time_scale=0.05)
    sched = Scheduler(clock)
    sched.start()
    fired = asyncio.Event()

    async def cb() -> None:
        fired.set()

    mock_start, real_start = clock.now(), time.monotonic()
    sched.call_later(2, cb)
    await asyncio.wait_for(fired.wait(), 1.5)  # the wait is 0.1 s real, far from 2 s
    real = time.monotonic() - real_start
    assert real >= 0.09
    assert clock.now() - mock_start >= 2.0
    await sched.stop()


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0])
async def test_advance_refuses_non_finite_or_negative_seconds(bad: float) -> None:
    clock = MockClock(manual=True, start=0.0)
    sched = Scheduler(clock)
    with pytest.raises(ValueError):
        await sched.advance(bad)
    assert clock.now() == 0.0


async def test_timers_fired_together_each_see_their_own_due_time() -> None:
    from modmock.mockserver.core.clock import MockClock, Scheduler

    clock = MockClock(time_scale=0.0)
    scheduler = Scheduler(clock)
    seen: list[float] = []
    start = clock.now()
    for delay in (5, 30, 100):
        async def note() -> None:
            seen.append(clock.now() - start)
        scheduler.call_later(delay, note)
    scheduler.start()
    for _ in range(100):
        if len(seen) == 3:
            break
        await asyncio.sleep(0.01)
    await scheduler.stop()
    assert [round(s) for s in seen] == [5, 30, 100]
