"""What the shared store costs, and what a second worker gives, under wrk, in one run.

Two comparisons, rounds alternating so both sides see the same machine:

- ``store``: one worker with the in-memory store against one worker with the Redis store
  (``--store redis://``), same endpoint and body; the ratio is Redis / memory.
- ``workers``: the Redis store with ``--workers 1`` against ``--workers 2``.

The mock's processes run on CPU 0 (with ``--workers 2``, the second worker on CPU 1); wrk and
redis-server (started here, on a free loopback port, without persistence) on CPU 1. Per side:
requests/s, p50/p99, CPU microseconds per request of the mock's processes and of Redis; before
each round both sides have finished their jobs' steps (the other side's backlog would share the
core). The
scenarios: Deepcleer's sync ``/image/v4`` (an accepted body, every request its own URL) and AKOOL's
job submission (a task, its timers and its records go through the store).

    python bench/wrk_store.py [--rounds 3] [--seconds 5] [--connections 32] [--only store workers]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from wrk_endpoints import Scenario, _cpu_seconds, _port, _post, _wait, _wrk


def _children(pid: int) -> list[int]:
    found = []
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(p) for p in child.read_text().split()]
    return found


class Server:
    """``mockserver run`` with a store and a number of workers, pinned as the module says."""

    def __init__(self, vendor: str, store: str | None, workers: int, folder: Path) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        ready = folder / f"ready-{self.port}.json"
        cpus = "0" if workers == 1 else "0,1"
        args = ["taskset", "-c", cpus, sys.executable, "-m", "modmock", "run", "--vendor", vendor, "--port",
                str(self.port), "--time-scale", "0", "--log-level", "warning", "--ready-file", str(ready)]
        if store:
            args += ["--store", store]
        if workers > 1:
            args += ["--workers", str(workers)]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        for _ in range(600):
            if ready.exists():
                break
            time.sleep(0.05)
        _wait(self.url + "/__admin/health")
        self.pids = [self.proc.pid, *_children(self.proc.pid)] if workers > 1 else [self.proc.pid]
        if workers > 1:  # one worker per core: the kernel would otherwise keep both on CPU 0
            for cpu, pid in enumerate(self.pids[1:]):
                subprocess.run(["taskset", "-pc", str(cpu % 2), str(pid)], check=True, capture_output=True)

    def cpu(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.pids)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def _settle(servers: dict[str, Server], limit: float = 60.0) -> None:
    """Wait until no server has work left (jobs' steps run after their answers): a round measures
    its own side, not the other side's backlog on the same core."""
    deadline = time.monotonic() + limit
    busy: list[str] = []
    while time.monotonic() < deadline:
        busy = []
        for side, server in servers.items():
            health = json.loads(urllib.request.urlopen(server.url + "/__admin/health", timeout=30).read())
            if health["pending_timers"] > 0 or health["totals"]["tasks"]["running"] > 0:
                busy.append(f"{side}: {health['pending_timers']} timers, {health['totals']['tasks']['running']} tasks")
        if not busy:
            return
        time.sleep(0.5)
    print(f"!! work still pending after {limit:g} s ({'; '.join(busy)}): the next round shares the core with it",
          flush=True)
    for side, server in servers.items():
        tasks = json.loads(urllib.request.urlopen(server.url + "/__admin/tasks", timeout=30).read())["tasks"]
        stuck = [t for t in tasks if t["status"] not in ("completed", "failed", "done", "ended", "stopped")]
        if stuck:
            print(f"!! {side}: {len(stuck)} task(s) unfinished, e.g. {stuck[:2]}", flush=True)


def _scenario(name: str, server: Server) -> Scenario:
    json_type = {"Content-Type": "application/json"}
    if name == "deepcleer":
        body = json.dumps({"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC",
                           "data": {"img": "https://cdn.example.com/photos/@N@/clean.jpg", "tokenId": "user-@N@"}})
        return Scenario("deepcleer", "deepcleer", "/image/v4", body.encode(), json_type)
    _, answer = _post(server.url + "/api/open/v3/getToken", json.dumps(
        {"clientId": "mock-client-id01", "clientSecret": "mock-client-secret-00001"}).encode(), json_type)
    body = json.dumps({"type": 4, "content": "kind words @N@"})
    return Scenario("akool", "akool", "/api/open/v3/content/analysis/sentiment", body.encode(),
                    {**json_type, "Authorization": f"Bearer {json.loads(answer)['token']}"})


def _compare(title: str, vendor: str, sides: dict[str, tuple[str | None, int]], redis_pid: int, folder: Path,
             args: argparse.Namespace) -> None:
    servers = {side: Server(vendor, store, workers, folder) for side, (store, workers) in sides.items()}
    try:
        scripts = {side: _scenario(vendor, server).lua(folder / side) for side, server in servers.items()}
        rows: dict[str, list[dict[str, float]]] = {side: [] for side in servers}
        for side, server in servers.items():
            _wrk(server.url + _scenario_path(vendor), scripts[side], 2, args.connections)  # warm-up
        for rnd in range(1, args.rounds + 1):
            for side, server in servers.items():
                _settle(servers)
                before, redis_before = server.cpu(), _cpu_seconds(redis_pid)
                result = _wrk(server.url + _scenario_path(vendor), scripts[side], args.seconds, args.connections)
                done = max(result["requests"], 1)
                result["cpu_us"] = (server.cpu() - before) / done * 1e6
                result["redis_us"] = (_cpu_seconds(redis_pid) - redis_before) / done * 1e6
                rows[side].append(result)
                print(f"{title:8} {vendor:9} round {rnd} {side:13}: {result['rps']:7.0f} req/s  "
                      f"p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  mock CPU {result['cpu_us']:6.1f} "
                      f"us/req  Redis CPU {result['redis_us']:5.1f} us/req"
                      f"{'  non-2xx ' + str(int(result['non2xx'])) if result['non2xx'] else ''}", flush=True)
        first, second = list(rows)

        def med(side: str, key: str) -> float:
            return statistics.median(r[key] for r in rows[side])

        print(f"== {title} {vendor}: {second} {med(second, 'rps'):.0f} req/s against {first} "
              f"{med(first, 'rps'):.0f}: {med(second, 'rps') / med(first, 'rps'):.2f}x; p99 {med(second, 'p99'):.2f} "
              f"against {med(first, 'p99'):.2f} ms; mock CPU {med(second, 'cpu_us'):.0f} against "
              f"{med(first, 'cpu_us'):.0f} us/req; Redis CPU {med(second, 'redis_us'):.0f} us/req", flush=True)
    finally:
        for server in servers.values():
            server.stop()


def _scenario_path(vendor: str) -> str:
    return "/image/v4" if vendor == "deepcleer" else "/api/open/v3/content/analysis/sentiment"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", nargs="*", choices=["store", "workers"], default=["store", "workers"])
    parser.add_argument("--vendors", nargs="*", choices=["deepcleer", "akool"], default=["deepcleer", "akool"])
    args = parser.parse_args()
    for tool in ("wrk", "taskset", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"needs {tool} (Debian: apt-get install wrk util-linux redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="modmock-store-bench-"))
    for side in ("memory", "redis", "1 worker", "2 workers"):
        (folder / side).mkdir()
    port = _port()
    redis = subprocess.Popen(["taskset", "-c", "1", "redis-server", "--port", str(port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    store = f"redis://127.0.0.1:{port}/0"
    print(f"wrk -t1 -c{args.connections}, {args.seconds:g} s x {args.rounds} rounds after a 2 s warm-up; the mock on "
          "CPU 0 (a second worker on CPU 1), wrk and redis-server on CPU 1")
    try:
        for vendor in args.vendors:
            if "store" in args.only:
                _compare("store", vendor, {"memory": (None, 1), "redis": (f"{store}?prefix=a-{vendor}", 1)},
                         redis.pid, folder, args)
            if "workers" in args.only:
                _compare("workers", vendor, {"1 worker": (f"{store}?prefix=b-{vendor}", 1),
                                             "2 workers": (f"{store}?prefix=c-{vendor}", 2)}, redis.pid, folder, args)
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
