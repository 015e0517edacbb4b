"""Start+stop time of an in-process mock (``modmock.serve``) against a bare aiohttp app, in one run.

    python bench/bench_fixture.py [--runs 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

from aiohttp import web

import modmock
from modmock.mockserver.runner import ServerThread


def _bare() -> None:
    ServerThread(web.Application()).start().stop()


def _mock() -> None:
    modmock.serve("deepcleer").stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    _mock()  # imports and schema loading happen once per process; not part of each start
    timings: dict[str, list[float]] = {"bare": [], "mock": []}
    for _ in range(args.runs):
        for name, fn in (("bare", _bare), ("mock", _mock)):
            started = time.perf_counter()
            fn()
            timings[name].append((time.perf_counter() - started) * 1000)
    bare, mock = statistics.median(timings["bare"]), statistics.median(timings["mock"])
    print(f"start+stop median over {args.runs} runs: bare aiohttp {bare:.2f} ms, modmock.serve {mock:.2f} ms "
          f"({mock / bare:.2f}x)")
    print(f"modmock.serve p90 {statistics.quantiles(timings['mock'], n=10)[-1]:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
