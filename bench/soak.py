"""A long mixed run: server RSS stays flat once its bounded rings are full, nothing fails inside
the mock, and no accepted work is lost.

One ``mockserver`` serving Deepcleer and Alibaba (pinned to CPU 0) gets N requests from this
process (CPU 1), in a fixed mix per 20 requests: 11 valid sync Deepcleer, 2 invalid Deepcleer
(no tokenId: 1902), 4 async Deepcleer whose callbacks go to a receiver that answers 500 to 30 %
of them (retried by the vendor's schedule), and 3 signed Alibaba V1 calls (one in ten signed
with a wrong secret). ``--time-scale 0``: vendor waits and retry intervals pass at once. A
warm-up of signed Alibaba requests first fills the nonce store to its bound (200,000: what 15
minutes at 220 QPS remember), so that every bounded structure is full before the run is measured.

Printed: RSS at each tenth of the run, the answers per kind, the server's running totals
(``/__admin/health``) and the receiver's count, then the checks: zero internal errors, every
accepted async request ended (its task finished, its delivery in a final state), and every
journaled attempt was received.

    python bench/soak.py [--requests 1000000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp
from alibaba_signing import v1_query
from wrk_image_v4 import BODY, _answer, _port

RECEIVER = r"""
import random, sys
from aiohttp import web
rng, counts = random.Random(7), {"received": 0, "refused": 0}
async def hook(request):
    await request.read()
    counts["received"] += 1
    if rng.random() < 0.3:
        counts["refused"] += 1
        return web.Response(status=500, text="flaky")
    return web.Response(text="ok")
async def count(request):
    return web.json_response(counts)
app = web.Application()
app.router.add_post("/hook", hook)
app.router.add_get("/count", count)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""
MIX = ["sync"] * 11 + ["invalid"] * 2 + ["async"] * 4 + ["alibaba"] * 3


def _rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def _get(url: str) -> dict:  # type: ignore[type-arg]
    return json.loads(urllib.request.urlopen(url, timeout=60).read())


class Load:
    """The mixed requests, and what came back for each kind."""

    def __init__(self, base: str, hook: str) -> None:
        self.base = base
        body = json.loads(BODY)
        self.bodies = {"sync": BODY.encode(),
                       "invalid": json.dumps({**body, "data": {"img": body["data"]["img"]}}).encode(),
                       "async": json.dumps({**body, "callback": hook}).encode()}
        self.answers: collections.Counter[tuple[str, object]] = collections.Counter()
        self.signed = 0

    async def one(self, session: aiohttp.ClientSession, kind: str) -> None:
        if kind == "alibaba":
            self.signed += 1
            bad = self.signed % 10 == 0
            url = f"{self.base}/?{v1_query(secret='wrong' if bad else 'test-secret')}"
            async with session.post(url) as answer:
                self.answers[(kind, (await answer.json())["Code"])] += 1
        else:
            async with session.post(f"{self.base}/image/v4", data=self.bodies[kind],
                                    headers={"Content-Type": "application/json"}) as answer:
                self.answers[(kind, (await answer.json())["code"])] += 1

    async def run(self, total: int, concurrency: int, on_tenth: object, kinds: list[str] = MIX) -> None:
        queue = iter(range(total))
        step = max(total // 10, 1)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
            async def worker() -> None:
                for i in queue:
                    await self.one(session, kinds[i % len(kinds)])
                    if (i + 1) % step == 0:
                        on_tenth(i + 1)  # type: ignore[operator]
            await asyncio.gather(*(worker() for _ in range(concurrency)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=200_000,
                        help="signed Alibaba requests first, to fill the nonce store to its bound (0: none)")
    args = parser.parse_args()
    port, hook_port = _port(), _port()
    config = Path(tempfile.mkdtemp()) / "soak.toml"
    config.write_text("[alibaba]\nqps = 1000000\n", encoding="utf-8")  # the soak is not about the rate limit
    mock = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-m", "modmock", "run", "--vendor", "deepcleer",
                             "--vendor", "alibaba", "--port", str(port), "--time-scale", "0", "--config",
                             str(config), "--log-level", "warning"], stdout=subprocess.DEVNULL)
    receiver = subprocess.Popen(["taskset", "-c", "1", sys.executable, "-c", RECEIVER, str(hook_port)])
    try:
        base, admin = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/__admin"
        _answer(base + "/image/v4")
        urllib.request.urlopen(urllib.request.Request(admin + "/reset", data=b"{}", method="POST",
                                                      headers={"Content-Type": "application/json"}), timeout=10)
        load = Load(base, f"http://127.0.0.1:{hook_port}/hook")
        idle = _rss_mib(mock.pid)
        print(f"idle: RSS {idle:.1f} MiB", flush=True)
        if args.warmup:  # fill the nonce store to its bound, as 15 minutes at 220 QPS would
            asyncio.run(Load(base, "").run(args.warmup, args.concurrency, lambda done: None, kinds=["alibaba"]))
            warm = _get(admin + "/health")
            print(f"warm-up: {args.warmup} signed Alibaba requests, {warm['nonces']} nonces remembered, "
                  f"RSS {_rss_mib(mock.pid):.1f} MiB", flush=True)
            urllib.request.urlopen(urllib.request.Request(admin + "/requests", method="DELETE"), timeout=10)
        started = time.monotonic()
        rss: list[float] = [_rss_mib(mock.pid)]
        print(f"{0:>9} requests  RSS {rss[0]:7.1f} MiB", flush=True)

        def tenth(done: int) -> None:
            rss.append(_rss_mib(mock.pid))
            print(f"{done:>9} requests  RSS {rss[-1]:7.1f} MiB  ({done / (time.monotonic() - started):.0f} req/s)",
                  flush=True)

        asyncio.run(load.run(args.requests, args.concurrency, tenth))
        while _get(admin + "/health")["pending_timers"]:
            time.sleep(0.5)
        time.sleep(1)
        totals = _get(admin + "/health")["totals"]
        received = _get(f"http://127.0.0.1:{hook_port}/count")
        print("answers:", ", ".join(f"{kind} {code}: {n}" for (kind, code), n in sorted(load.answers.items(),
                                                                                      key=str)))
        print("server totals:", json.dumps(totals))
        print("receiver:", json.dumps(received))
        accepted = load.answers[("async", 1100)]
        calls, tasks, requests = totals["callbacks"], totals["tasks"], totals["requests"]
        checks = {
            "requests journaled == sent": requests["requests"] == args.requests,
            "internal errors == 0": requests["internal_errors"] == 0,
            "tasks: every accepted async request finished": tasks["started"] == tasks["finished"] == accepted
                                                              and tasks["running"] == 0,
            "callbacks: one per accepted async request, none pending": calls["submitted"] == accepted
                                                                       and calls["pending"] == 0,
            "every journaled attempt was received": calls["attempts"] == received["received"],
        }
        for name, ok in checks.items():
            print(f"  {'ok  ' if ok else 'FAIL'} {name}")
        settled = rss[2:]  # after the first fifth: the rings are full
        print(f"RSS: idle {idle:.1f} MiB, after the warm-up {rss[0]:.1f} MiB; "
              f"from 20 % to the end {min(settled):.1f}-{max(settled):.1f} MiB "
              f"({max(settled) - settled[0]:+.1f} MiB)")
        return 0 if all(checks.values()) else 1
    finally:
        for proc in (mock, receiver):
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    raise SystemExit(main())
