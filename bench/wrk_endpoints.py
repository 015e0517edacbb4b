"""Throughput, latency, CPU and memory of modmock's endpoints under wrk, each against a bare
aiohttp handler answering the same bytes on the same event loop, rounds alternating in one run.

Servers run pinned to CPU 0; wrk (a compiled load generator, so the bare figure is not capped by
the client: ``apt-get install wrk``) and the callback receiver are pinned to CPU 1. Per scenario
and server: requests/s, p50 and p99 latency, server CPU microseconds per request (from
/proc/PID/stat) and RSS. Scenarios:

- ``deepcleer``: sync ``POST /image/v4``, validation and journal on, an accepted body (1100)
- ``jocloud``: sync ``POST /app/{appid}/v1/image/sync`` with the certificate token
- ``akool``: ``POST .../content/analysis/sentiment`` with a bearer token from getToken
- ``deepcleer-async``: ``/image/v4`` with a callback to a local receiver (callbacks delivered/s)
- ``alibaba``: V1-signed ImageBatchModeration, every request with its own nonce and signature
  (signed beforehand by this script, replayed once each by wrk): server CPU per request only

    python bench/wrk_endpoints.py [--rounds 3] [--seconds 5] [--connections 32] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from alibaba_signing import v1_query
from bench_async_burst import RECEIVER

HERE = Path(__file__).parent
TICKS = os.sysconf("SC_CLK_TCK")
BARE = r"""
import json, sys
from aiohttp import web
try:
    import uvloop
except ImportError:
    uvloop = None
answers = json.load(open(sys.argv[2]))
def handler_for(payload):
    body = payload.encode("latin-1")
    async def handler(request):
        await request.read()
        return web.Response(body=body, content_type="application/json")
    return handler
app = web.Application()
for path, payload in answers.items():
    app.router.add_post(path, handler_for(payload))
run = dict(host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
if uvloop is not None and sys.argv[3] == "uvloop":
    run["loop"] = uvloop.new_event_loop()
web.run_app(app, **run)
"""
LUA = """wrk.method = "POST"
wrk.body = [==[%s]==]
%s
"""
LUA_VARY = """local n = 0
request = function()  -- every request its own image URL and ids, as real traffic has (no cache helps)
  n = n + 1
  return wrk.format(nil, nil, nil, (string.gsub(wrk.body, "@N@", tostring(n))))
end
"""
LUA_LINES = """local lines, i = {}, 0
for line in io.lines("%s") do lines[#lines + 1] = line end
init = function(args) i = tonumber(args[1]) end  -- where this run starts: no nonce is sent twice
request = function()
  i = i + 1
  return wrk.format("POST", "/?" .. lines[(i - 1) %% #lines + 1], nil, "")
end
"""


def _port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _wait(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Scenario:
    """One measured endpoint: its vendor, path, body and headers, and how wrk sends it."""

    name: str
    vendor: str
    path: str
    body: bytes
    headers: dict[str, str]
    lines: Path | None = None  # one pre-signed query string per request (Alibaba)
    ratio: bool = True  # a throughput ratio against bare means something
    extra: list[str] = field(default_factory=list)

    def lua(self, folder: Path) -> Path:
        headers = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in self.headers.items())
        script = LUA % (self.body.decode(), headers)
        if self.lines is not None:
            script += LUA_LINES % self.lines
        elif b"@N@" in self.body:
            script += LUA_VARY
        path = folder / f"{self.name}.lua"
        path.write_text(script, encoding="utf-8")
        return path


class Offset:
    """How many pre-signed requests earlier wrk runs used up (each run starts past them)."""

    used = 0


def _wrk(url: str, script: Path, seconds: float, connections: int) -> dict[str, float]:
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency",
                          "-s", str(script), url, "--", str(Offset.used)],
                         capture_output=True, text=True, check=True).stdout

    def latency(pct: str) -> float:
        value, unit = re.search(rf"{pct}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    Offset.used += total + 2 * connections  # those still in flight when wrk stopped were sent too
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50": latency("50"), "p99": latency("99"), "requests": total, "non2xx": int(bad.group(1)) if bad else 0}


class Mock:
    """One ``mockserver run`` process for a scenario's vendor."""

    def __init__(self, vendor: str, extra: list[str]) -> None:
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-m", "modmock", "run", "--vendor", vendor,
                                      "--port", str(self.port), "--time-scale", "0", "--log-level", "warning", *extra],
                                     stdout=subprocess.DEVNULL)
        _wait(self.url + "/__admin/health")

    def health(self) -> dict:  # type: ignore[type-arg]
        return json.loads(urllib.request.urlopen(self.url + "/__admin/health", timeout=30).read())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def _scenarios(mocks: dict[str, Mock], hook: str, folder: Path, signed: int) -> list[Scenario]:
    deepcleer = json.dumps({"accessKey": "xxxx", "appId": "default", "eventId": "default",
                            "type": "POLITY_EROTIC_VIOLENT",
                            "data": {"img": "https://cdn.example.com/photos/@N@/clean.jpg",
                                     "tokenId": "user-@N@"}}).encode()
    json_type = {"Content-Type": "application/json"}
    found = []
    if "deepcleer" in mocks:
        found.append(Scenario("deepcleer", "deepcleer", "/image/v4", deepcleer, json_type))
        found.append(Scenario("deepcleer-async", "deepcleer", "/image/v4",
                              json.dumps({**json.loads(deepcleer), "callback": hook}).encode(), json_type))
    if "jocloud" in mocks:
        body = json.dumps({"data": [{"dataId": "bench-@N@", "url": "https://cdn.example.com/uploads/@N@/clean.jpg"}]})
        found.append(Scenario("jocloud", "jocloud", "/app/123456/v1/image/sync", body.encode(),
                              {**json_type, "token": "Basic cWF3c2VkcmZ0ZzphYmNkZWZnaGlqaw=="}))
    if "akool" in mocks:
        _, answer = _post(mocks["akool"].url + "/api/open/v3/getToken", json.dumps(
            {"clientId": "mock-client-id01", "clientSecret": "mock-client-secret-00001"}).encode(), json_type)
        token = json.loads(answer)["token"]
        body = json.dumps({"type": 1, "content": "https://cdn.example.com/uploads/@N@/photo.jpg"}).encode()
        found.append(Scenario("akool", "akool", "/api/open/v3/content/analysis/sentiment", body,
                              {**json_type, "Authorization": f"Bearer {token}"}))
    if "alibaba" in mocks:
        lines = folder / "alibaba-signed.txt"  # signed just before its rounds (a signature lasts 15 minutes)
        found.append(Scenario("alibaba", "alibaba", "/", b"", {}, lines=lines, ratio=False))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", nargs="*", metavar="NAME", help="scenarios to run (default: all)")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio",
                        help="the bare server's event loop: the one the mock runs on")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        raise SystemExit("needs wrk and taskset (Debian: apt-get install wrk util-linux)")
    wanted = set(args.only or ["deepcleer", "jocloud", "akool", "deepcleer-async", "alibaba"])
    vendors = {name.split("-")[0] for name in wanted}
    folder = Path(tempfile.mkdtemp(prefix="modmock-wrk-"))
    config = folder / "config.toml"
    config.write_text("[alibaba]\nqps = 1000000\n", encoding="utf-8")  # measured here: the work, not the limit
    hook_port = _port()
    procs: list[subprocess.Popen[bytes]] = [subprocess.Popen(["taskset", "-c", "1", sys.executable, "-c", RECEIVER,
                                                              str(hook_port)])]
    mocks: dict[str, Mock] = {}
    try:
        for vendor in sorted(vendors):
            mocks[vendor] = Mock(vendor, ["--config", str(config)] if vendor == "alibaba" else [])
        signed = int(8_000 * (2 + args.seconds * args.rounds))  # more than wrk sends: no nonce twice
        scenarios = [s for s in _scenarios(mocks, f"http://127.0.0.1:{hook_port}/hook", folder, signed)
                     if s.name in wanted]
        answers = {}
        for scenario in scenarios:
            if scenario.lines is not None:
                continue
            status, answer = _post(mocks[scenario.vendor].url + scenario.path, scenario.body, scenario.headers)
            assert status == 200, (scenario.name, answer[:300])
            answers[f"/{scenario.name}{scenario.path}"] = answer.decode("latin-1")  # the bare's route for it
        (folder / "answers.json").write_text(json.dumps(answers), encoding="utf-8")
        bare_port = _port()
        bare = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c", BARE, str(bare_port),
                                 str(folder / "answers.json"), args.loop])
        procs.append(bare)
        bare_url = f"http://127.0.0.1:{bare_port}"
        _wait(bare_url + "/")
        print(f"wrk -t1 -c{args.connections}, {args.seconds:g} s x {args.rounds} rounds after a 2 s warm-up; "
              f"servers on CPU 0, wrk and the callback receiver on CPU 1; bare on {args.loop}")
        for scenario in scenarios:
            mock = mocks[scenario.vendor]
            if scenario.lines is not None:
                scenario.lines.write_text("\n".join(v1_query() for _ in range(signed)) + "\n", encoding="ascii")
                Offset.used = 0
            script = scenario.lua(folder)
            sides = {"mock": (mock.url, mock.proc.pid)}
            if scenario.ratio:
                sides = {"bare": (f"{bare_url}/{scenario.name}", bare.pid), **sides}
            for url, _ in sides.values():
                _wrk(url + scenario.path, script, 2, args.connections)  # warm-up
            rows: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
            for rnd in range(1, args.rounds + 1):
                for side, (url, pid) in sides.items():
                    before = mock.health()["totals"] if side == "mock" else None
                    before_cpu = _cpu_seconds(pid)
                    result = _wrk(url + scenario.path, script, args.seconds, args.connections)
                    result["cpu_us"] = (_cpu_seconds(pid) - before_cpu) / max(result["requests"], 1) * 1e6
                    result["rss"] = _rss_mib(pid)
                    if side == "mock" and scenario.name == "deepcleer-async":
                        after = mock.health()["totals"]
                        result["callbacks"] = (after["callbacks"]["delivered"]
                                               - before["callbacks"]["delivered"]) / args.seconds  # type: ignore[index]
                    rows[side].append(result)
                    extra = f"  callbacks {result['callbacks']:.0f}/s" if "callbacks" in result else ""
                    print(f"{scenario.name:16} round {rnd} {side:4}: {result['rps']:8.0f} req/s  "
                          f"p50 {result['p50']:6.2f} ms  p99 {result['p99']:6.2f} ms  "
                          f"CPU {result['cpu_us']:6.1f} us/req  RSS {result['rss']:6.1f} MiB"
                          f"{'  non-2xx ' + str(int(result['non2xx'])) if result['non2xx'] else ''}{extra}",
                          flush=True)
            _summary(scenario, rows)
    finally:
        for mock in mocks.values():
            mock.stop()
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    return 0


def _summary(scenario: Scenario, rows: dict[str, list[dict[str, float]]]) -> None:
    refused = sum(r["non2xx"] for r in rows["mock"])
    if refused:
        print(f"!! {scenario.name}: the mock refused {refused:.0f} requests (non-2xx): these figures are "
              "not the accepted path", flush=True)
    def med(side: str, key: str) -> float:
        return statistics.median(r[key] for r in rows[side])

    mock = f"{med('mock', 'rps'):.0f} req/s, p99 {med('mock', 'p99'):.2f} ms, CPU {med('mock', 'cpu_us'):.0f} us/req"
    per_round = ", ".join(f"{r['p99']:.2f}" for r in rows["mock"])
    if "bare" in rows:
        print(f"== {scenario.name}: {med('mock', 'rps') / med('bare', 'rps'):.2f}x bare "
              f"({mock}; bare {med('bare', 'rps'):.0f} req/s, p99 {med('bare', 'p99'):.2f} ms, "
              f"CPU {med('bare', 'cpu_us'):.0f} us/req); p99 {med('mock', 'p99') / med('bare', 'p99'):.2f}x bare; "
              f"mock p99 per round {per_round} ms", flush=True)
    else:
        print(f"== {scenario.name}: {mock}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
