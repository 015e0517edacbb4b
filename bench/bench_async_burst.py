"""How late callbacks start under a burst of asynchronous Deepcleer requests, against their due time.

The mock (``--time-scale 1``, so mock seconds are real seconds) runs pinned to CPU 0, a bare
receiver answering 200 to CPU 1, and the burst comes from this process (CPU 1). Lateness is the
first attempt's mock time minus the task's start plus the processing time (0.5 s by default).
Also printed: the server's RSS before, at the peak and after the work is done.

    python bench/bench_async_burst.py [--requests 20000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
import urllib.request

import aiohttp
from wrk_image_v4 import BODY, _answer, _port

RECEIVER = r"""
import sys
from aiohttp import web
async def ok(request):
    await request.read()
    return web.Response(text="ok")
app = web.Application()
app.router.add_post("/hook", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


async def _burst(url: str, body: bytes, count: int, concurrency: int) -> None:
    queue = iter(range(count))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def worker() -> None:
            for _ in queue:
                async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as answer:
                    assert (await answer.json())["code"] == 1100
        await asyncio.gather(*(worker() for _ in range(concurrency)))


def _get(url: str) -> dict:  # type: ignore[type-arg]
    return json.loads(urllib.request.urlopen(url, timeout=60).read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--bursts", type=int, default=1, help="bursts in a row (RSS after each is printed)")
    args = parser.parse_args()
    port, hook_port = _port(), _port()
    mock = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-m", "modmock", "run", "--vendor", "deepcleer",
                             "--port", str(port), "--time-scale", "1", "--log-level", "warning"],
                            stdout=subprocess.DEVNULL)
    receiver = subprocess.Popen(["taskset", "-c", "1", sys.executable, "-c", RECEIVER, str(hook_port)])
    try:
        url = f"http://127.0.0.1:{port}/image/v4"
        _answer(url)
        body = json.dumps({**json.loads(BODY), "callback": f"http://127.0.0.1:{hook_port}/hook"}).encode()
        admin = f"http://127.0.0.1:{port}/__admin"
        urllib.request.urlopen(urllib.request.Request(admin + "/reset", data=b"{}", method="POST",
                                                      headers={"Content-Type": "application/json"}), timeout=10)
        idle = _rss_kib(mock.pid)
        for burst in range(args.bursts):
            started = time.monotonic()
            asyncio.run(_burst(url, body, args.requests, args.concurrency))
            accepted = time.monotonic() - started
            peak = _rss_kib(mock.pid)
            while _get(admin + "/health").get("pending_timers", 1):
                time.sleep(0.5)
                peak = max(peak, _rss_kib(mock.pid))
            time.sleep(2)
            print(f"burst {burst + 1}: RSS peak {peak / 1024:.1f} MiB, after {_rss_kib(mock.pid) / 1024:.1f} MiB",
                  flush=True)
        tasks = {t["id"]: t["history"][0]["time"] for t in _get(admin + "/tasks")["tasks"]}
        deliveries = _get(admin + "/callbacks")["callbacks"]
        late = sorted(d["attempts"][0]["time"] - (tasks[d["request_id"]] + 0.5)
                      for d in deliveries if d["attempts"] and d["request_id"] in tasks)
        time.sleep(2)
        after = _rss_kib(mock.pid)
        states = {s: sum(1 for d in deliveries if d["state"] == s) for s in {d["state"] for d in deliveries}}
        print(f"{args.requests} async requests accepted in {accepted:.1f} s; deliveries {states}")
        print(f"callback start lateness: median {statistics.median(late):.3f} s, "
              f"p99 {late[int(0.99 * (len(late) - 1))]:.3f} s, max {late[-1]:.3f} s")
        print(f"server RSS: idle {idle / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB, after {after / 1024:.1f} MiB")
    finally:
        for proc in (mock, receiver):
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
