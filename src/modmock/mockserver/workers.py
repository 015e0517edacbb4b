"""``mockserver run --workers N``: N processes serving one port, as one mock through a shared store.

The master binds the port first (``SO_REUSEPORT``, not listening: port 0 picks a free one, and
no other program takes it meanwhile), then starts each worker with the same settings; each worker
binds the same port with ``SO_REUSEPORT``, so the kernel spreads connections over them. A worker
that dies is started again; SIGINT or SIGTERM stops them all (each gets its shutdown grace).
The ready file is written once every worker serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from .settings import Settings, SettingsError

log = logging.getLogger("modmock")
START_TIMEOUT = 60.0  # seconds a worker has to start serving
RESTART_PAUSE = 1.0  # seconds between a worker's death and its replacement (a crash loop stays slow)


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` with ``SO_REUSEPORT`` (not listening): the port is ours."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise SettingsError("--workers needs SO_REUSEPORT, which this platform lacks: run one process")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # without SO_REUSEPORT: in use is in use
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))  # (another --workers run holds it with SO_REUSEPORT: refused here)
        port = probe.getsockname()[1]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _worker_main(settings: Settings) -> None:
    """One worker: the single-process server, bound with SO_REUSEPORT (run in a fresh interpreter)."""
    from .cli import _serve
    from .logs import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the master stops the workers (with SIGTERM)
    asyncio.run(_serve(settings))


class Master:
    """Starts the workers, starts again one that dies, and stops them all."""

    def __init__(self, settings: Settings) -> None:
        from .core.shared.secret import store_key

        # One key for every worker, whatever this user's cache allows (see core.shared.secret).
        self.settings = replace(settings, store_secret=store_key(settings.store_secret).decode("utf-8"))
        self.context = multiprocessing.get_context("spawn")
        self.workers: dict[int, Any] = {}
        self.stopping = False
        self.folder = Path(tempfile.mkdtemp(prefix="modmock-workers-"))

    def _ready_path(self, index: int) -> Path:
        return self.folder / f"worker-{index}.json"

    def _start(self, index: int, port: int) -> None:
        ready = self._ready_path(index)
        ready.unlink(missing_ok=True)
        child = replace(self.settings, port=port, reuse_port=True, worker=index, ready_file=str(ready))
        process = self.context.Process(target=_worker_main, args=(child,), name=f"modmock-worker-{index}", daemon=False)
        process.start()
        self.workers[index] = process

    def _wait_ready(self, indexes: list[int]) -> list[dict[str, Any]]:
        deadline = time.monotonic() + START_TIMEOUT
        found: list[dict[str, Any]] = []
        for index in indexes:
            path = self._ready_path(index)
            while not path.exists():
                process = self.workers[index]
                if not process.is_alive():
                    raise SettingsError(f"worker {index} ended before it served (exit code {process.exitcode}); "
                                        "its error is above")
                if time.monotonic() > deadline:
                    raise SettingsError(f"worker {index} did not start serving within {START_TIMEOUT:g} s")
                time.sleep(0.05)
            found.append(json.loads(path.read_text(encoding="utf-8")))
        return found

    def run(self) -> int:
        settings = self.settings
        reserved = reserve_port(settings.host, settings.port)
        port = reserved.getsockname()[1]
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._stop)
        try:
            for index in range(settings.workers):
                self._start(index, port)
            ready = self._wait_ready(list(range(settings.workers)))
            self._announce(ready)
            self._supervise(port)
        finally:
            self._stop_all()
            reserved.close()
            for path in self.folder.iterdir():
                path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.folder.rmdir()
        return 0

    def _announce(self, ready: list[dict[str, Any]]) -> None:
        first = ready[0]
        pids = [process.pid for process in self.workers.values()]
        print(f"modmock: {len(ready)} workers at {first['url']} (pids {', '.join(map(str, pids))}), "
              f"sharing {first.get('store')}", flush=True)
        if self.settings.ready_file:
            target = Path(self.settings.ready_file)
            partial = target.with_name(target.name + ".partial")
            partial.write_text(json.dumps(dict(first, workers=pids), indent=2), encoding="utf-8")
            partial.replace(target)

    def _supervise(self, port: int) -> None:
        while not self.stopping:
            sentinels = {process.sentinel: index for index, process in self.workers.items()}
            for sentinel in multiprocessing.connection.wait(list(sentinels), timeout=0.5):
                if self.stopping:
                    break
                index = sentinels[sentinel]
                dead = self.workers[index]
                dead.join()
                log.warning("worker %d (pid %s) ended with exit code %s; starting another", index, dead.pid,
                            dead.exitcode)
                time.sleep(RESTART_PAUSE)
                if not self.stopping:
                    self._start(index, port)

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        self.stopping = True
        for process in self.workers.values():
            if process.is_alive():
                process.terminate()
        grace = self.settings.shutdown_grace + 5.0
        deadline = time.monotonic() + grace
        for process in self.workers.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                log.warning("worker pid %s did not stop within %g s: killed", process.pid, grace)
                process.kill()
                process.join()


def run_workers(settings: Settings) -> int:
    """Serve with ``settings.workers`` processes until SIGINT or SIGTERM; the exit status."""
    if sys.platform == "win32":  # pragma: no cover
        raise SettingsError("--workers needs SO_REUSEPORT (Linux, macOS, BSD)")
    return Master(settings).run()
