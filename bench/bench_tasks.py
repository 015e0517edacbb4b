"""Many pending tasks on the mock clock: the cost per task stays flat as the count grows.

Schedules N asynchronous tasks (each: 0.5 mock s of processing, then a callback delivery with
the Deepcleer retry schedule to a host outside the allow-list, so no network is used), then
runs them all with ``run_until_idle``. One heap and one driver serve every timer; a sleeping
coroutine per task would grow memory and scheduling cost instead.

    python bench/bench_tasks.py [--tasks 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from modmock.mockserver.core.tasks import Step, Task
from modmock.mockserver.settings import Settings
from modmock.mockserver.state import MockState


async def measure(count: int) -> tuple[float, float, int]:
    state = MockState(Settings(manual_clock=True))
    await state.start()

    async def deliver(task: Task) -> None:
        state.callbacks.submit(vendor="deepcleer", endpoint="image_v4", url="http://blocked.example/cb",
                               body={"requestId": task.id}, request_id=task.id, schedule=(1, 2, 3))

    started = time.perf_counter()
    for i in range(count):
        state.tasks.start(f"t{i}", "deepcleer", "image_v4", "processing", [Step(0.5, "done", deliver)])
    scheduled = time.perf_counter() - started
    pending = state.scheduler.pending
    started = time.perf_counter()
    await state.scheduler.run_until_idle(max_steps=10 * count)
    ran = time.perf_counter() - started
    assert all(t.status == "done" for t in state.tasks.list())
    await state.stop()
    return scheduled, ran, pending


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    args = parser.parse_args()
    small = max(args.tasks // 10, 1)
    results = {n: asyncio.run(measure(n)) for n in (small, args.tasks)}
    for n, (scheduled, ran, pending) in results.items():
        print(f"{n:>7} tasks: {pending} timers pending; schedule {scheduled / n * 1e6:6.1f} us/task, "
              f"run to idle {ran / n * 1e6:6.1f} us/task (processing + 1 blocked callback attempt)")
    (s1, r1, _), (s2, r2, _) = results[small], results[args.tasks]
    print(f"per-task cost at {args.tasks} vs {small}: schedule {s2 / args.tasks / (s1 / small):.2f}x, "
          f"run {r2 / args.tasks / (r1 / small):.2f}x (1.00x = no growth)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
