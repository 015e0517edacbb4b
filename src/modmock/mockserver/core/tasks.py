"""Asynchronous tasks as a transition table on the mock clock.

A task moves through the statuses of its plan, one step after another; each step waits
its delay in mock seconds and may run an action (deliver a callback, say). Statuses only
move forward. ``reset`` cancels every pending step.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .clock import Scheduler, TimerHandle
from .errors import Busy
from .isotime import iso

log = logging.getLogger("modmock")
Action = Callable[["Task"], Awaitable[None]]


@dataclass(frozen=True)
class Step:
    """Wait ``delay`` mock seconds, enter ``status``, then run ``action`` if any."""

    delay: float
    status: str
    action: Action | None = None


@dataclass
class Task:
    """One task: its vendor, endpoint, current status and history of (mock time, status)."""

    id: str
    vendor: str
    endpoint: str
    status: str
    history: list[tuple[float, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    _timer: TimerHandle | None = field(default=None, repr=False)
    _acting: bool = field(default=False, repr=False)  # its last step's action is running
    group: Hashable | None = field(default=None, repr=False)  # counted with its group while it runs

    @property
    def next_due(self) -> float | None:
        """The mock time its next step falls due; None when none is scheduled."""
        return self._timer.due if self._timer is not None else None

    @property
    def finished(self) -> bool:
        """No step of its plan is left and no action is running (a live stream's plan ends with
        the stream)."""
        return self._timer is None and not self._acting

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "vendor": self.vendor, "endpoint": self.endpoint,
                "status": self.status, "history": [{"time": t, "time_iso": iso(t), "status": s} for t, s in self.history]}


class TaskStore:
    """Bounded store of tasks: at most ``capacity`` in all, of which at most ``keep_finished``
    finished ones (the oldest finished are dropped first; a running task never is)."""

    def __init__(self, scheduler: Scheduler, capacity: int = 100_000, keep_finished: int = 10_000) -> None:
        self.scheduler = scheduler
        self.capacity = capacity
        self.keep_finished = min(keep_finished, capacity)
        self._tasks: OrderedDict[str, Task] = OrderedDict()
        self._finished: OrderedDict[str, None] = OrderedDict()  # ids of tasks with no step left, oldest first
        self._started = self._ended = 0  # since the start or the last clear, kept or not
        self._running_in: dict[Hashable, int] = {}  # running tasks per group (vendor concurrency of jobs)
        self._lock = threading.Lock()
        self.observers: list[Callable[[Task], None]] = []  # told of every status a task enters

    def _entered(self, task: Task) -> None:
        for observer in self.observers:
            try:
                observer(task)
            except Exception:
                log.exception("task observer %r failed on task %s", observer, task.id)

    def start(self, task_id: str, vendor: str, endpoint: str, initial: str,
              plan: Sequence[Step], data: dict[str, Any] | None = None, group: Hashable | None = None) -> Task:
        """Create a task in ``initial`` status and schedule its plan. Past ``capacity`` the
        oldest finished tasks are forgotten; a running task never is: when ``capacity`` tasks
        are still running, :class:`Busy` is raised and nothing is started. A task of a ``group``
        counts in :meth:`running_in` until it finishes."""
        task = Task(task_id, vendor, endpoint, initial, [(self.scheduler.clock.now(), initial)], dict(data or {}),
                    group=group)
        with self._lock:
            if len(self._tasks) >= self.capacity:  # amortized: a tenth of the bound at a time
                self._forget_finished(max(1, self.capacity // 10))
            if len(self._tasks) >= self.capacity:
                raise Busy(f"{len(self._tasks)} tasks are still running (the mock keeps at most {self.capacity})")
            replaced = self._tasks.get(task_id)
            if replaced is not None and replaced._timer is not None:  # an id started again: the old run ends
                replaced._timer.cancel()
                replaced._timer = None
                if task_id not in self._finished:
                    self._ended += 1
                    self._leave_group(replaced)
            self._tasks[task_id] = task
            self._started += 1
            if group is not None:
                self._running_in[group] = self._running_in.get(group, 0) + 1
            self._finished.pop(task_id, None)  # an id started again is running again
        self._entered(task)
        self._schedule(task, list(plan))
        return task

    def _schedule(self, task: Task, plan: list[Step]) -> None:
        if not plan:
            task._timer = None
            self._mark_finished(task)
            return
        step, rest = plan[0], plan[1:]
        handle: list[TimerHandle] = []

        async def enter() -> None:
            mine = handle.pop()  # the timer no longer refers to itself: no cycle left for the collector
            if task._timer is not mine:  # stopped (or started again) after its timer fell due
                return
            await self._enter(task, step, rest)

        handle.append(self.scheduler.call_later(step.delay, enter, label=f"task {task.id} -> {step.status}"))
        task._timer = handle[0]

    async def _enter(self, task: Task, step: Step, rest: list[Step]) -> None:
        """``task`` enters ``step``'s status and runs its action; the rest of the plan is scheduled."""
        task.status = step.status
        task.history.append((self.scheduler.clock.now(), step.status))
        self._entered(task)
        if rest:  # the next step is due on the clock, however long this action takes
            self._schedule(task, rest)
        else:
            task._acting = True
        try:
            if step.action is not None:
                await step.action(task)
        except Exception as exc:
            log.exception("task %s: entering %s failed", task.id, step.status)
            task.data.setdefault("errors", []).append(f"{step.status}: {type(exc).__name__}: {exc}")
        finally:
            self.touch(task)  # what the action changed (a shared store writes it)
            if not rest:  # finished once its last action has run (or stop() came meanwhile), not before
                task._acting = False
                self._schedule(task, rest)

    def touch(self, task: Task) -> None:
        """``task``'s data changed outside its steps (a live stream's report): a shared store
        writes it for the other processes; in memory there is nothing to do."""

    def ensure_room(self, count: int) -> None:
        """Raise :class:`Busy` unless ``count`` more tasks can start (finished ones forgotten first)."""
        with self._lock:
            if len(self._tasks) + count > self.capacity:
                self._forget_finished(max(count, self.capacity // 10))
            if len(self._tasks) + count > self.capacity:
                raise Busy(f"{len(self._tasks)} tasks are still running and this request needs {count} more "
                           f"(the mock keeps at most {self.capacity})")

    def _mark_finished(self, task: Task) -> None:
        with self._lock:
            if self._tasks.get(task.id) is task and task.id not in self._finished:
                self._finished[task.id] = None
                self._ended += 1
                self._leave_group(task)
                excess = len(self._finished) - self.keep_finished
                if excess > max(1, self.keep_finished // 10):  # amortized, as at the total bound
                    self._forget_finished(excess)

    def _leave_group(self, task: Task) -> None:
        """A task of a group stops running (lock held)."""
        if task.group is not None and self._running_in.get(task.group, 0) > 0:
            self._running_in[task.group] -= 1

    def running_in(self, group: Hashable) -> int:
        """How many tasks of ``group`` are running (e.g. one account's jobs of one API)."""
        with self._lock:
            return self._running_in.get(group, 0)

    def _forget_finished(self, count: int) -> None:
        """Drop up to ``count`` of the oldest tasks with nothing left to run (lock held)."""
        while count > 0 and self._finished:
            task_id, _ = self._finished.popitem(last=False)
            self._tasks.pop(task_id, None)
            count -= 1

    def stop(self, task_id: str, status: str) -> Task | None:
        """End a task early: cancel its pending steps and enter ``status``; None when unknown."""
        task = self.get(task_id)
        if task is None:
            return None
        if task._timer is not None:
            task._timer.cancel()
            task._timer = None
        task.status = status
        task.history.append((self.scheduler.clock.now(), status))
        self._entered(task)
        if not task._acting:  # else it is finished once its running action ends
            self._mark_finished(task)
        return task

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self._tasks.get(task_id)

    def list(self, *, vendor: str | None = None) -> list[Task]:
        with self._lock:
            items = list(self._tasks.values())
        return [t for t in items if vendor is None or t.vendor == vendor]

    def totals(self) -> dict[str, int]:
        """Tasks started and finished since the start or the last clear, and those running now."""
        with self._lock:
            return {"started": self._started, "finished": self._ended,
                    "running": len(self._tasks) - len(self._finished)}

    def clear(self) -> None:
        with self._lock:
            self._started = self._ended = 0
            self._running_in.clear()
            for task in self._tasks.values():
                if task._timer is not None:
                    task._timer.cancel()
            self._tasks.clear()
            self._finished.clear()
