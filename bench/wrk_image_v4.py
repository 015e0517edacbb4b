"""Requests/s and p99 of sync POST /image/v4 under wrk, against a bare aiohttp handler in one run,
and against the mock from another source tree (``--compare``: did a change make it slower?).
``wrk_endpoints.py`` measures every vendor.

The servers run pinned to CPU 0, wrk (a compiled load generator, so the bare figure is not capped
by the client) pinned to CPU 1; rounds alternate between the servers. ``--compare DIR`` adds the
mock from another source tree (e.g. an older checkout's ``src``), measured in the same rounds.

    python bench/wrk_image_v4.py [--rounds 3] [--seconds 5] [--connections 32] [--compare OLD/src]
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

BODY = json.dumps({
    "accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC_VIOLENT",
    "data": {"img": "https://cdn.example.com/photos/@N@/clean.jpg", "tokenId": "user-@N@"},
})
BARE = r"""
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
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[%s]]
local n = 0
request = function()  -- every request its own image URL and token, as real traffic has
  n = n + 1
  return wrk.format(nil, nil, nil, (string.gsub(wrk.body, "@N@", tostring(n))))
end
"""


def _port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["taskset", "-c", "0", *argv], env=env, stdout=subprocess.DEVNULL)


def _answer(url: str) -> bytes:
    for _ in range(200):
        try:
            request = urllib.request.Request(url, data=BODY.encode(), headers={"Content-Type": "application/json"})
            return urllib.request.urlopen(request, timeout=2).read()
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def _mock(src: str | None) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    env = dict(os.environ, **({"PYTHONPATH": src} if src else {}))
    proc = _start([sys.executable, "-m", "modmock", "run", "--vendor", "deepcleer", "--port", str(port),
                   "--time-scale", "0", "--log-level", "warning"], env)
    return proc, f"http://127.0.0.1:{port}/image/v4"


def _wrk(url: str, script: str, seconds: float, connections: int) -> tuple[float, float]:
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency",
                          "-s", script, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--compare", metavar="SRC", help="also measure the mock from this source tree")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        raise SystemExit("needs wrk and taskset (Debian: apt-get install wrk util-linux)")
    procs, urls = [], {}
    try:
        mock, urls["mock"] = _mock(None)
        procs.append(mock)
        if args.compare:
            old, urls["compare"] = _mock(args.compare)
            procs.append(old)
        payload = _answer(urls["mock"])
        assert json.loads(payload)["code"] == 1100
        for url in urls.values():
            _answer(url)
        with tempfile.NamedTemporaryFile("wb", delete=False, suffix=".json") as fh:
            fh.write(payload)
        bare_port = _port()
        procs.append(_start([sys.executable, "-c", BARE, str(bare_port), fh.name]))
        urls = {"bare": f"http://127.0.0.1:{bare_port}/image/v4", **urls}
        _answer(urls["bare"])
        with tempfile.NamedTemporaryFile("w", delete=False, suffix=".lua") as lua:
            lua.write(LUA % BODY)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in urls}
        _wrk(urls["mock"], lua.name, 2, args.connections)  # warm-up
        for rnd in range(1, args.rounds + 1):
            for name, url in urls.items():
                rps, p99 = _wrk(url, lua.name, args.seconds, args.connections)
                results[name].append((rps, p99))
                print(f"round {rnd} {name:8}: {rps:8.0f} req/s  p99 {p99:7.2f} ms", flush=True)
        bare = statistics.median(r[0] for r in results["bare"])
        print()
        for name, rows in results.items():
            rps, p99 = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
            print(f"median {name:8}: {rps:8.0f} req/s ({rps / bare:.2f}x bare)  p99 {p99:.2f} ms")
        print(f"wrk -c{args.connections}, {args.seconds:g} s per round, servers on CPU 0, wrk on CPU 1")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
