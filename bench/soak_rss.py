"""Server memory over a long run: RSS of a ``mockserver`` process while it answers N requests.

The journal, the invalid list and the callback log are bounded rings, so RSS should rise
while they fill and then stay flat. Prints RSS at each tenth of the run.

    python bench/soak_rss.py [--requests 1000000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

BODY = json.dumps({"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC",
                   "data": {"img": "https://cdn.example.com/photos/clean.jpg", "tokenId": "user-1"}}).encode()
INVALID = json.dumps({"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY",
                      "data": {"img": "https://cdn.example.com/a.jpg"}}).encode()  # no tokenId: 1902


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def run(url: str, total: int, concurrency: int, pid: int) -> None:
    done = 0
    step = max(total // 10, 1)
    next_report = step
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def worker(share: int) -> None:
            nonlocal done, next_report
            for i in range(share):
                body = INVALID if i % 50 == 0 else BODY  # 2 % invalid requests fill the second ring too
                async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                done += 1
                if done >= next_report:
                    next_report += step
                    rate = done / (time.perf_counter() - started)
                    print(f"{done:>9} requests  RSS {rss_kib(pid) / 1024:7.1f} MiB  ({rate:.0f} req/s)", flush=True)

        await asyncio.gather(*(worker(total // concurrency) for _ in range(concurrency)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    port = 18125
    proc = subprocess.Popen([str(Path(sys.executable).parent / "mockserver"), "run", "--vendor", "deepcleer",
                             "--port", str(port), "--time-scale", "0", "--log-level", "warning"],
                            stdout=subprocess.DEVNULL)
    try:
        time.sleep(1.0)
        print(f"start: RSS {rss_kib(proc.pid) / 1024:.1f} MiB")
        asyncio.run(run(f"http://127.0.0.1:{port}/image/v4", args.requests, args.concurrency, proc.pid))
    finally:
        proc.terminate()
        proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
