"""Tasks and callback deliveries every process shares: records in Redis, a mirror in each process.

Each task (its status, history, data, and the rest of its plan) and each delivery (its attempts
and retry plan) is one record, written with :mod:`.pickling` when it changes; a change stream
names what changed, and the store's ``begin`` (before each request and each timer) copies the
changed records into this process's mirror (a process that joins reads every record first), where the in-memory stores' code reads them
(``get``, ``list``, ``running_in``, ...). A task's next step and a delivery's next attempt are
shared timers (:mod:`.timers`): whichever process claims the timer runs it, on the record it
pulled, and writes the record back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from ..callbacks import AllowList, CallbackDispatcher, Delivery, _Plan
from ..clock import Scheduler
from ..store import StoreUnavailable
from ..tasks import Step, Task, TaskStore
from .commit import Batch, Reply
from .link import Link
from .pickling import Bound

log = logging.getLogger("modmock")
CHANGES_KEPT = 100_000  # entries of each change stream (a process reads it before every request)
ID_BLOCK = 10_000  # delivery ids taken from the shared counter at a time


class SharedRecords:
    """Records of one kind by id: the dirty ones written back, the changed ones pulled in."""

    def __init__(self, link: Link, bound: Bound, kind: str, worker: str) -> None:
        self.link, self.bound, self.kind, self.worker = link, bound, kind, worker
        self.current: Callable[[str, Any], bool] = lambda record_id, obj: True  # still this run's (not reset)
        self.dirty: dict[str, Any] = {}  # id -> the object to write (None: forget the record)
        self.writing: dict[str, int] = {}  # ids being written now (how many writes carry each)
        self.recheck: set[str] = set()  # changed elsewhere while this process was writing them: read later
        self.versions: dict[str, str] = {}  # id -> the version this process last read or wrote
        self.must_read: set[str] = set()  # a write of them was refused, or its reply lost: read before writing
        self.ended: Callable[[Any], bool] = lambda obj: False  # a record that has nothing left to run
        self.seen = "0-0"  # the newest change pulled

    def keys(self) -> tuple[str, str]:
        return self.link.key(self.kind), self.link.key(self.kind, "changes")

    def versions_key(self) -> str:
        return self.link.key(self.kind, "versions")

    def take(self, batch: Batch, kind: int) -> None:
        """Move the changed records into ``batch`` (taken at once, so two writes never carry one),
        each with the version this process last saw; what the reply says settles them. One that
        must be read first stays changed here until it was."""
        taken, self.dirty = self.dirty, {}
        written: list[str] = []
        for record_id, obj in taken.items():
            if obj is not None and not self.current(record_id, obj):
                continue  # a reset's leftovers
            if record_id in self.must_read:
                self.dirty[record_id] = obj
                continue
            seen = self.versions.get(record_id, "")
            if obj is None:
                batch.ops += ["x", str(kind), record_id, seen]
                self.versions.pop(record_id, None)
            else:
                try:
                    blob = self.bound.dumps(obj)
                except Exception:  # one record that cannot be written must not stop every later write
                    log.exception("%s record %s cannot be written to the shared store: kept here only", self.kind,
                                  record_id)
                    continue
                batch.ops += ["r", str(kind), record_id, seen, "1" if self.ended(obj) else "0", blob]
                self.versions[record_id] = batch.version
            written.append(record_id)
            self.writing[record_id] = self.writing.get(record_id, 0) + 1
        if not written:
            return
        batch.carrying = True

        def settle(reply: Reply) -> None:
            for record_id in written:
                left = self.writing.get(record_id, 1) - 1
                if left > 0:
                    self.writing[record_id] = left
                else:
                    self.writing.pop(record_id, None)
            if reply.status == "dup":  # applied by an earlier send whose reply was lost: read each back
                self.recheck.update(written)  # (a write of one meanwhile sends this batch's version: refused if it ended)
            else:
                self.must_read.update(record_id for of_kind, record_id in reply.refused if of_kind == kind)
        batch.settles.append(settle)

    @property
    def unread(self) -> bool:
        """Whether records are waiting to be read (changed elsewhere meanwhile, or refused)."""
        return bool(self.recheck or self.must_read)

    def read_changes(self, pipe: Any) -> None:
        pipe.xrange(self.keys()[1], f"({self.seen}", "+")

    async def fetch(self, changes: list[Any]) -> dict[str, Any]:
        """The records named by ``changes``, and those waiting to be read, that the mirror takes
        (None for one forgotten), newest state."""
        if not changes and not self.unread:
            return {}
        last_by = {fields[b"id"].decode(): fields.get(b"by", b"").decode() for _, fields in changes}
        # Skipped: a record this process wrote last (its mirror holds that). One it is changing
        # or writing now is read once that is over (the store then holds the later of the two).
        wanted = {i for i, by in last_by.items() if by != self.worker} | self.recheck | self.must_read
        busy = {i for i in wanted if i not in self.must_read and (i in self.dirty or i in self.writing)}
        found = await self.fetch_ids([i for i in wanted if i not in busy])
        self.recheck = (self.recheck - wanted) | busy  # (only once read: a failed read reads them all again)
        if changes:
            self.seen = changes[-1][0].decode()
        return self.resolve(found)

    async def fetch_ids(self, ids: list[str]) -> dict[str, tuple[Any, str, bool]]:
        """The records of ``ids`` as the shared store holds them, each with its version and
        whether it ended (None for one forgotten); the caller resolves them (:meth:`resolve`) at once
        (no await between)."""
        if not ids:
            return {}

        async def read() -> list[Any]:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                pipe.hmget(self.keys()[0], ids)
                pipe.hmget(self.versions_key(), ids)
                result: list[Any] = await pipe.execute()
                return result

        blobs, stamps = await self.link.call(read)
        found: dict[str, tuple[Any, str, bool]] = {}
        for record_id, blob, stamp in zip(ids, blobs, stamps):
            try:
                obj = self.bound.loads(blob) if blob is not None else None
            except Exception:  # left as it is here, and never read again until it changes
                log.exception("%s record %s could not be read: skipped", self.kind, record_id)
                self.must_read.discard(record_id)
                continue
            stamp = stamp.decode() if stamp is not None else ""
            found[record_id] = (obj, stamp[:-2], stamp.endswith("|1"))
        return found

    def resolve(self, found: dict[str, tuple[Any, str, bool]]) -> dict[str, Any]:
        """Of the records read, those the mirror takes, by id (None: forgotten); their versions
        are this process's from now on. One this process changed meanwhile is its own newer
        state (read again once written), except one it had to read first: a write of it here was
        refused, or its reply lost. That one is this process's when the store holds its write,
        and when it is unfinished there (the later write wins); else the store's is taken."""
        taken: dict[str, Any] = {}
        for record_id, (obj, version, ended) in found.items():
            if record_id in self.writing:
                self.recheck.add(record_id)
                continue
            if record_id in self.must_read:
                self.must_read.discard(record_id)
                if version and version == self.versions.get(record_id):
                    continue  # this process's write is the one the store holds
                if obj is not None and not ended and record_id in self.dirty:
                    self.versions[record_id] = version  # changed here since: written next, and wins
                    continue
                self.dirty.pop(record_id, None)
            elif record_id in self.dirty:
                self.recheck.add(record_id)
                continue
            if obj is None:
                self.versions.pop(record_id, None)
            else:
                self.versions[record_id] = version
            taken[record_id] = obj
        return taken

    def forget(self) -> None:
        """Everything this process knew of the shared records (a reset, or a store gone)."""
        self.dirty.clear()
        self.writing.clear()  # (a write a reset cancelled never settles)
        self.recheck.clear()
        self.must_read.clear()
        self.versions.clear()
        self.seen = "0-0"


class SharedTaskStore(TaskStore):
    """:class:`TaskStore` whose tasks every process sees and any process moves on."""

    def __init__(self, scheduler: Scheduler, records: SharedRecords, **bounds: int) -> None:
        super().__init__(scheduler, **bounds)
        self.records = records

    def _entered(self, task: Task) -> None:
        self.records.dirty[task.id] = task
        super()._entered(task)

    def touch(self, task: Task) -> None:
        self.records.dirty[task.id] = task

    def _schedule(self, task: Task, plan: list[Step]) -> None:
        """The task's next step is a shared timer that any process may fire. The timer carries
        the task's id, a token the task keeps (a step of a task stopped or started again finds
        another), and the rest of the plan with its actions (closures: pickled once, into the
        timer, never into the task's record, which every process reads)."""
        self.records.dirty[task.id] = task
        if not plan:
            task._timer = None
            self._mark_finished(task)
            return
        token = secrets.token_hex(8)
        step = plan[0]
        task.data["_step"] = token
        task._timer = self.scheduler.call_later(step.delay, _TaskStep(self, task.id, token, step, plan[1:]),
                                                label=f"task {task.id} -> {step.status}")

    async def enter(self, task_id: str, token: str, step: Step, rest: list[Step]) -> None:
        """Run ``step`` (then schedule ``rest``) if ``token`` is still the task's, on the task as
        the shared store holds it now."""
        task = self.get(task_id)
        if task is None or task.data.get("_step") != token:
            return  # stopped, or started again, after its timer fell due
        task.data.pop("_step")
        await self._enter(task, step, rest)

    def totals(self) -> dict[str, int]:
        """The tasks kept (every process's): started, finished, and running."""
        with self._lock:
            return {"started": len(self._tasks), "finished": len(self._finished),
                    "running": len(self._tasks) - len(self._finished)}

    def stop(self, task_id: str, status: str) -> Task | None:
        task = self.get(task_id)
        if task is not None:
            task.data.pop("_step", None)
        return super().stop(task_id, status)

    def _mark_finished(self, task: Task) -> None:
        self.records.dirty[task.id] = task
        super()._mark_finished(task)

    def _forget_finished(self, count: int) -> None:
        before = set(self._tasks)
        super()._forget_finished(count)
        for task_id in before - set(self._tasks):
            self.records.dirty[task_id] = None

    def accept(self, found: dict[str, Any]) -> None:
        """Records other processes changed, into the mirror (a task object is updated in place,
        so whatever holds it sees the change)."""
        with self._lock:
            for task_id, task in found.items():
                old = self._tasks.get(task_id)
                if old is not None and old.group is not None and task_id not in self._finished:
                    self._running_in[old.group] = max(0, self._running_in.get(old.group, 0) - 1)
                if task is None:
                    self._tasks.pop(task_id, None)
                    self._finished.pop(task_id, None)
                    continue
                if old is not None:
                    vars(old).update(vars(task))
                    task = old
                else:
                    self._tasks[task_id] = task
                if task.finished:
                    self._finished[task_id] = None
                else:
                    self._finished.pop(task_id, None)
                    if task.group is not None:
                        self._running_in[task.group] = self._running_in.get(task.group, 0) + 1


class _TaskStep:
    """The callback of a task's next step: the store (a name), the task's id, the step's token,
    the step and the rest of the plan."""

    def __init__(self, store: SharedTaskStore, task_id: str, token: str, step: Step, rest: list[Step]) -> None:
        self.store, self.task_id, self.token, self.step, self.rest = store, task_id, token, step, rest

    async def __call__(self) -> None:
        await self.store.enter(self.task_id, self.token, self.step, self.rest)


class SharedDispatcher(CallbackDispatcher):
    """:class:`CallbackDispatcher` whose deliveries every process sees and any process retries."""

    def __init__(self, scheduler: Scheduler, allow: AllowList, records: SharedRecords, capacity: int = 10_000) -> None:
        super().__init__(scheduler, allow, capacity=capacity)
        self.records = records
        self._block: list[int] = []  # delivery ids this process may give
        self._refilling: asyncio.Task[None] | None = None
        self._waiting: dict[int, set[int]] = {}  # delivery id -> deliveries that wait for it to end
        self._index: dict[int, Delivery] = {}  # the mirror's deliveries by id

    def get(self, delivery_id: int) -> Delivery | None:
        return self._index.get(delivery_id)

    # -- ids ---------------------------------------------------------------------------------
    async def take_ids(self) -> None:
        """A block of delivery ids from the shared counter (every process's ids differ)."""
        key = self.records.link.key("deliveries", "ids")
        last = int(await self.records.link.call(lambda: self.records.link.redis.incrby(key, ID_BLOCK)))
        self._block.extend(range(last - ID_BLOCK + 1, last + 1))

    def _next_id(self) -> int:
        if len(self._block) < ID_BLOCK // 2 and (self._refilling is None or self._refilling.done()):
            with contextlib.suppress(RuntimeError):
                self._refilling = asyncio.get_running_loop().create_task(self._refill())
        if not self._block:
            raise StoreUnavailable("no delivery ids left to give (the shared store was out of reach)")
        return self._block.pop(0)

    async def _refill(self) -> None:
        with contextlib.suppress(StoreUnavailable):
            await self.take_ids()

    # -- deliveries ----------------------------------------------------------------------------
    def submit(self, *, vendor: str, endpoint: str, url: str, body: Any, request_id: str | None,
               schedule: Any, delay: float = 0.0, success: Any = (200,), headers: dict[str, str] | None = None,
               accepts: Callable[[str], bool] | None = None, after: Delivery | None = None) -> Delivery:
        self._ids = iter([self._next_id()])  # the base class takes its id from here
        delivery = super().submit(vendor=vendor, endpoint=endpoint, url=url, body=body, request_id=request_id,
                                  schedule=schedule, delay=delay, success=success, headers=headers,
                                  accepts=accepts, after=after)
        if after is not None:  # waiting for ``after`` to end: whichever process ends it starts this one
            with self._lock:
                queued = next(((plan, wait) for d, plan, wait in self._after.get(after.id, []) if d is delivery), None)
            if queued is not None:
                vars(delivery)["_waits"] = (after.id, *queued)
                self._waiting.setdefault(after.id, set()).add(delivery.id)
        self._index[delivery.id] = delivery
        self.records.dirty[str(delivery.id)] = delivery
        return delivery

    def _later(self, delivery: Delivery, plan: _Plan, delay: float, label: str) -> None:
        vars(delivery)["_plan"] = plan
        vars(delivery).pop("_waits", None)
        self.records.dirty[str(delivery.id)] = delivery
        self.scheduler.call_later(delay, _Attempt(self, delivery.id, len(delivery.attempts) + 1), label=label)

    async def attempt(self, delivery_id: int, number: int) -> None:
        """Make attempt ``number`` of the delivery, on its record as the shared store holds it."""
        delivery = self.get(delivery_id)
        if delivery is None or delivery.state != "pending" or len(delivery.attempts) + 1 != number:
            return  # made already (a lapsed claim run again), or the delivery ended
        plan: _Plan = vars(delivery)["_plan"]
        try:
            await self._attempt(delivery, plan)
        finally:
            self.records.dirty[str(delivery.id)] = delivery

    def totals(self) -> dict[str, int]:
        """The deliveries kept (every process's): submitted, attempts, each final state, pending."""
        items = self.deliveries()
        totals = dict.fromkeys(("submitted", "attempts", "delivered", "failed", "blocked", "cancelled"), 0)
        totals["submitted"] = len(items)
        for delivery in items:
            totals["attempts"] += sum(1 for a in delivery.attempts if a.outcome not in ("blocked", "cancelled"))
            if delivery.state in totals:
                totals[delivery.state] += 1
        totals["pending"] = sum(1 for d in items if d.state == "pending")
        return totals

    def _end(self, delivery: Delivery, state: str, generation: int | None = None) -> None:
        self.records.dirty[str(delivery.id)] = delivery
        super()._end(delivery, state, generation)
        for waiting_id in self._waiting.pop(delivery.id, set()):  # started here, whoever submitted them
            later = self.get(waiting_id)
            waits = vars(later).get("_waits") if later is not None else None
            if later is not None and waits is not None and later.state == "pending":
                self._schedule_first(later, waits[1], waits[2])

    async def close(self) -> list[Delivery]:
        """Stop delivering here: unfinished deliveries are the other processes' to go on with."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        return []

    async def wait_for(self, count: int, timeout: float, *, vendor: str | None = None) -> list[Delivery]:
        """Wait until ``count`` deliveries (made by any process) have finished."""
        deadline = time.monotonic() + timeout
        while True:
            finished = [d for d in self.deliveries(vendor=vendor) if d.state != "pending"]
            if len(finished) >= count:
                return finished
            if time.monotonic() >= deadline:
                raise asyncio.TimeoutError()
            await asyncio.sleep(0.05)
            if self.pull is not None:
                with contextlib.suppress(StoreUnavailable):
                    await self.pull()

    pull: Callable[[], Any] | None = None  # the store's begin (brings the mirror up to date)

    def accept(self, found: dict[str, Any]) -> None:
        """Records other processes changed, into the mirror (updated in place)."""
        with self._lock:
            for raw_id, delivery in found.items():
                delivery_id = int(raw_id)
                old = self._index.get(delivery_id)
                if delivery is None:
                    if old is not None:
                        self._log.remove(old)
                        del self._index[delivery_id]
                    continue
                if old is not None:
                    vars(old).update(vars(delivery))
                else:
                    self._log.append(delivery)
                    self._index[delivery_id] = delivery
                waits = vars(delivery).get("_waits")
                if waits is not None and delivery.state == "pending":
                    self._waiting.setdefault(waits[0], set()).add(delivery_id)

    def _forget_finished(self) -> None:
        before = {d.id for d in self._log}
        super()._forget_finished()
        for delivery_id in before - {d.id for d in self._log}:
            self.records.dirty[str(delivery_id)] = None
            self._index.pop(delivery_id, None)

    def clear(self) -> None:
        super().clear()
        self._waiting.clear()
        self._index.clear()


class _Attempt:
    """The callback of a delivery's next attempt: the dispatcher (a name), the id, the number."""

    def __init__(self, dispatcher: SharedDispatcher, delivery_id: int, number: int) -> None:
        self.dispatcher, self.delivery_id, self.number = dispatcher, delivery_id, number

    async def __call__(self) -> None:
        await self.dispatcher.attempt(self.delivery_id, self.number)
