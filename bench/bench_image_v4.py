"""Requests/s and latency of sync POST /image/v4 against a bare aiohttp handler, in one run.

Both servers run as separate processes pinned to CPU 0; the load generator runs here, pinned
to CPU 1. Rounds alternate bare / mock so both see the same machine state. The mock runs in its
default configuration (validation and journal on) and answers 1100; the bare handler returns
the very bytes the mock returned.

    python bench/bench_image_v4.py [--rounds 4] [--seconds 5] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

BODY = json.dumps({
    "accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC_VIOLENT",
    "data": {"img": "https://cdn.example.com/photos/clean.jpg", "tokenId": "user-123"},
}).encode()

BARE_SERVER = r"""
import sys
from aiohttp import web
payload = open(sys.argv[2], "rb").read()
async def handler(request):
    await request.read()
    return web.Response(body=payload, content_type="application/json")
app = web.Application()
app.router.add_post("/image/v4", handler)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and os.cpu_count() and os.cpu_count() > 1:
        os.sched_setaffinity(0, {cpu})


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_up(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.post(url, data=BODY, headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


async def _load(url: str, seconds: float, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def worker() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                async with session.post(url, data=BODY, headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                    if r.status != 200:
                        raise RuntimeError(f"status {r.status}")
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    mock_port, bare_port = _free_port(), _free_port()
    bindir = Path(sys.executable).parent
    mock = subprocess.Popen([str(bindir / "mockserver"), "run", "--vendor", "deepcleer", "--port", str(mock_port),
                             "--time-scale", "0", "--log-level", "warning"],
                            stdout=subprocess.DEVNULL, preexec_fn=lambda: _pin(0))
    mock_url = f"http://127.0.0.1:{mock_port}/image/v4"
    bare = None
    try:
        asyncio.run(_wait_up(mock_url))
        import urllib.request
        req = urllib.request.Request(mock_url, data=BODY, headers={"Content-Type": "application/json"})
        payload = urllib.request.urlopen(req).read()
        assert json.loads(payload)["code"] == 1100
        with tempfile.NamedTemporaryFile(delete=False, suffix=".json") as fh:
            fh.write(payload)
        bare = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(bare_port), fh.name],
                                preexec_fn=lambda: _pin(0))
        bare_url = f"http://127.0.0.1:{bare_port}/image/v4"
        asyncio.run(_wait_up(bare_url))
        _pin(1)
        results: dict[str, list[tuple[float, float, float]]] = {"bare": [], "mock": []}
        for rnd in range(1, args.rounds + 1):
            for name, url in (("bare", bare_url), ("mock", mock_url)):
                rps, lat = asyncio.run(_load(url, args.seconds, args.concurrency))
                results[name].append((rps, _p(lat, 0.5), _p(lat, 0.99)))
                p50, p99 = _p(lat, 0.5), _p(lat, 0.99)
                print(f"round {rnd} {name:4}: {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms", flush=True)
        bare_rps = statistics.median(r[0] for r in results["bare"])
        mock_rps = statistics.median(r[0] for r in results["mock"])
        print(f"\nmedian bare {bare_rps:.0f} req/s, mock {mock_rps:.0f} req/s: ratio {mock_rps / bare_rps:.2f}x")
        print("mock p99 per round (ms): " + ", ".join(f"{r[2]:.2f}" for r in results["mock"]))
        print(f"concurrency {args.concurrency}, {args.seconds:g} s per round, server CPU 0, load CPU 1 "
              "(a Python load generator: at high rates it may be the limit of the bare figure)")
    finally:
        for proc in (mock, bare):
            if proc is not None:
                proc.terminate()
                proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
