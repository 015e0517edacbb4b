"""Unfinished work is never evicted: running tasks and deliveries still being tried stay past the
bounds, finished ones go first, and past the bound of running work the vendor says it is busy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from modmock.mockserver.app import build_app
from modmock.mockserver.core.callbacks import AllowList, CallbackDispatcher
from modmock.mockserver.core.clock import MockClock, Scheduler
from modmock.mockserver.core.errors import Busy
from modmock.mockserver.core.store import MemoryStore
from modmock.mockserver.core.tasks import Step, TaskStore
from modmock.mockserver.settings import Settings
from modmock.mockserver.state import MockState


async def test_running_tasks_stay_and_finished_ones_go() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    tasks = TaskStore(scheduler, capacity=10)
    for i in range(5):
        tasks.start(f"done-{i}", "v", "e", "new", [Step(1, "done")])
    for i in range(5):
        tasks.start(f"running-{i}", "v", "e", "new", [Step(100, "done")])
    await scheduler.advance(2)  # the first five have finished
    for i in range(5):
        tasks.start(f"more-{i}", "v", "e", "new", [Step(100, "done")])
    ids = {t.id for t in tasks.list()}
    assert {f"running-{i}" for i in range(5)} <= ids and {f"more-{i}" for i in range(5)} <= ids
    with pytest.raises(Busy):
        tasks.start("one-too-many", "v", "e", "new", [Step(100, "done")])
    with pytest.raises(Busy):
        tasks.ensure_room(1)


async def _turns_until(done: Callable[[], object], turns: int = 100) -> None:
    """Let the event loop turn until ``done()`` holds (at most ``turns`` times)."""
    for _ in range(turns):
        if done():
            return
        await asyncio.sleep(0)


async def test_finished_tasks_are_kept_to_their_own_bound() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    tasks = TaskStore(scheduler, capacity=1_000, keep_finished=10)
    for i in range(50):
        tasks.start(f"done-{i}", "v", "e", "new", [Step(1, "done")])
    tasks.start("running", "v", "e", "new", [Step(100, "done")])
    await scheduler.advance(2)
    ids = [t.id for t in tasks.list()]
    assert "running" in ids and "done-49" in ids and "done-0" not in ids
    assert len(ids) <= 1 + 10 + 10 // 10 + 1  # the bound, plus the amortized slack


async def test_a_task_is_finished_only_once_its_last_action_has_run() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    tasks = TaskStore(scheduler)
    seen: list[bool] = []
    release = asyncio.Event()

    async def deliver(task) -> None:  # type: ignore[no-untyped-def]
        seen.append(task.finished)
        await release.wait()

    task = tasks.start("t", "v", "e", "new", [Step(1, "done", deliver)])
    advancing = asyncio.ensure_future(scheduler.advance(2))
    await _turns_until(lambda: seen)
    assert seen == [False] and not task.finished  # still running while it delivers
    release.set()
    await advancing
    await _turns_until(lambda: task.finished)
    assert task.finished and task.status == "done"


def test_deliveries_being_tried_stay_past_the_bound() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    dispatcher = CallbackDispatcher(scheduler, AllowList(), capacity=10)
    pending = [dispatcher.submit(vendor="v", endpoint="e", url=f"http://127.0.0.1:1/{i}", body={}, request_id=None,
                                 schedule=()) for i in range(30)]
    assert {d.id for d in dispatcher.deliveries()} == {d.id for d in pending}  # none is finished: all kept
    for delivery in pending[:25]:
        delivery.state = "delivered"
    for _ in range(2):  # compaction is amortized: it runs once a tenth of the bound more came in
        dispatcher.submit(vendor="v", endpoint="e", url="http://127.0.0.1:1/x", body={}, request_id=None, schedule=())
    kept = dispatcher.deliveries()
    assert len(kept) <= 12 and all(d in kept for d in pending[25:])


class SmallStore(MemoryStore):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.tasks = TaskStore(self.tasks.scheduler, capacity=3)


async def test_past_the_bound_the_vendor_answers_busy_and_accepts_nothing(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(vendors=["deepcleer"], port=0, manual_clock=True)
    state = MockState(settings, store=SmallStore)
    client = await aiohttp_client(build_app(settings, state))  # a real server on 127.0.0.1
    body = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "EROTIC",
            "callback": "http://127.0.0.1:1/hook", "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u"}}
    codes = [(await (await client.post("/image/v4", json=body)).json())["code"] for _ in range(4)]
    assert codes == [1100, 1100, 1100, 1901]
    assert len(state.tasks.list()) == 3 and "unfinished work" in state.journal.entries()[-1].notes[-1]


async def test_totals_after_a_reset_count_the_new_work_only() -> None:

    from aiohttp import web
    from aiohttp.test_utils import TestServer

    release = asyncio.Event()

    async def stall(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", stall)
    async with TestServer(app, host="127.0.0.1") as receiver:
        scheduler = Scheduler(MockClock(manual=True))
        scheduler.start()
        dispatcher = CallbackDispatcher(scheduler, AllowList())
        await dispatcher.start()
        url = str(receiver.make_url("/hook"))
        dispatcher.submit(vendor="v", endpoint="e", url=url, body={}, request_id=None, schedule=())
        advancing = asyncio.ensure_future(scheduler.advance(0))
        for _ in range(200):  # until the attempt is in flight
            await asyncio.sleep(0.01)
            if scheduler._running:
                break
        assert scheduler._running
        scheduler.clear()
        dispatcher.clear()  # what reset() does: the attempt in flight is cancelled
        await advancing
        assert dispatcher.totals()["cancelled"] == 0 and dispatcher.totals()["pending"] == 0
        dispatcher.submit(vendor="v", endpoint="e", url=url, body={}, request_id=None, schedule=(), delay=100)
        assert dispatcher.totals()["pending"] == 1  # the new one is pending, whatever the old one did
        release.set()
        await scheduler.stop(grace=1)
        await dispatcher.close()


async def test_an_id_started_again_ends_the_old_run() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    tasks = TaskStore(scheduler)
    ran: list[str] = []

    async def act(task) -> None:  # type: ignore[no-untyped-def]
        ran.append(task.data["run"])

    tasks.start("same", "v", "e", "new", [Step(10, "done", act)], {"run": "first"})
    tasks.start("same", "v", "e", "new", [Step(10, "done", act)], {"run": "second"})
    await scheduler.advance(20)
    assert ran == ["second"]  # the first run's step was cancelled
    assert tasks.totals() == {"started": 2, "finished": 2, "running": 0}


async def test_stop_during_the_last_action_finishes_once_it_ends() -> None:
    scheduler = Scheduler(MockClock(manual=True))
    tasks = TaskStore(scheduler)
    release = asyncio.Event()

    async def deliver(task) -> None:  # type: ignore[no-untyped-def]
        await release.wait()

    task = tasks.start("t", "v", "e", "new", [Step(1, "done", deliver)])
    advancing = asyncio.ensure_future(scheduler.advance(2))
    await _turns_until(lambda: task.status == "done")
    tasks.stop("t", "stopped")
    assert not task.finished and tasks.totals()["running"] == 1  # its action still runs
    release.set()
    await advancing
    await _turns_until(lambda: task.finished)
    assert task.finished and tasks.totals() == {"started": 1, "finished": 1, "running": 0}
