"""Starting the sites of one run (HTTP or HTTPS, plus an optional redirect listener), from the
CLI's event loop or from a background thread for fixtures and ``serve()``."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import json
import logging
import shutil
import signal
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from .appkeys import STATE
from .settings import Settings
from .tls import make_tls, redirect_app

T = TypeVar("T")
log = logging.getLogger("modmock")

# aiohttp's defaults (8190) are too small for the longest documented URLs in a query string.
HANDLER_ARGS: dict[str, Any] = {"max_line_size": 64 * 1024, "max_field_size": 64 * 1024}


@dataclass
class Sites:
    """What is listening: the main URL and port, the redirect port, the CA bundle."""

    url: str
    port: int
    redirect_port: int | None = None
    ca_bundle: Path | None = None
    runners: list[web.AppRunner] = field(default_factory=list)
    grace: float = 2.0  # real seconds open connections get at shutdown
    temporary: Path | None = None  # a folder made for this run (the TLS CA bundle's), removed at close

    async def close(self) -> None:
        """Stop listening; connections still open get the shutdown grace period, then are cut."""
        deadline = time.monotonic() + self.grace
        for runner in reversed(self.runners):
            state = runner.app.get(STATE) if isinstance(runner, web.AppRunner) else None
            if state is not None:
                state.shutdown_deadline = deadline  # callbacks get what is left of the same grace
            held = len(runner.server.connections) if runner.server else 0
            if held:
                log.info("shutdown: %d client connection(s) open on %s; closing them within %g s",
                         held, runner.addresses, self.grace)
            await runner.cleanup()
        self.runners.clear()
        if self.temporary is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            self.temporary = None


def _url(scheme: str, host: str, port: int) -> str:
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


async def start_sites(app: web.Application, settings: Settings) -> Sites:
    """Serve ``app`` on ``settings.host:port`` (TLS with ``settings.tls``), and the redirect
    listener on ``settings.http_redirect_port`` when set."""
    tls = make_tls(settings.tls_hosts, settings.tls_dir) if settings.tls else None
    # Connections still open at shutdown get the grace period, not aiohttp's 60 s default: aiohttp
    # waits twice (for the handler, then for it to end once its body is cancelled), half each.
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=settings.shutdown_grace / 2,
                           **HANDLER_ARGS)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port, ssl_context=tls.context if tls else None,
                       reuse_address=True, reuse_port=settings.reuse_port or None)
    try:
        await site.start()
    except OSError:  # the port is taken, say: the folder made for this run's CA goes too
        await runner.cleanup()
        if tls is not None and tls.temporary is not None:
            shutil.rmtree(tls.temporary, ignore_errors=True)
        raise
    port = int(runner.addresses[0][1])
    sites = Sites(_url("https" if tls else "http", settings.host, port), port,
                  ca_bundle=tls.ca_bundle if tls else None, runners=[runner], grace=settings.shutdown_grace,
                  temporary=tls.temporary if tls else None)
    if settings.http_redirect_port is not None:
        default = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        assert tls is not None  # settings.validate(): the redirect needs --tls
        redirect = web.AppRunner(redirect_app(port, tls.names, default), handle_signals=False, access_log=None,
                                 shutdown_timeout=settings.shutdown_grace / 2)
        await redirect.setup()
        sites.runners.insert(0, redirect)
        try:
            await web.TCPSite(redirect, settings.host, settings.http_redirect_port, reuse_address=True).start()
        except OSError:  # its port is taken: nothing of this run stays listening, nor its CA folder
            await sites.close()
            raise
        sites.redirect_port = int(redirect.addresses[0][1])
    return sites


def write_ready_file(path: str, data: dict[str, Any]) -> None:
    """Write ``--ready-file`` whole (readers never see a half-written file)."""
    ready = Path(path)
    partial = ready.with_name(ready.name + ".partial")
    partial.write_text(json.dumps(data, indent=2), encoding="utf-8")
    partial.replace(ready)


async def serve_until_signalled(sites: Sites) -> None:
    """Serve until SIGINT or SIGTERM, then close ``sites``."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    await stop.wait()
    logging.getLogger("modmock").info("shutting down")
    await sites.close()


# Collection thresholds for a process that is only the mock (``mockserver run``): young objects are
# collected every 20,000 allocations rather than 700, so full collections over the journal's
# long-lived entries are rare (a full collection every ~5,000 requests cost a p99 of 80 ms; measured
# on CPython 3.11, whose collector reads the three numbers as generations).
GC_THRESHOLDS = (20_000, 20, 50)


def tune_gc() -> None:
    """For a process that serves the mock alone: freeze what startup loaded (schemas, vendors)
    out of the collector's sight, and collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class ServerThread:
    """Serve ``app`` from a daemon thread with its own event loop."""

    def __init__(self, app: web.Application, settings: Settings | None = None) -> None:
        self.app = app
        self.settings = settings or Settings(port=0)
        self.loop = asyncio.new_event_loop()
        self.sites: Sites | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, name="modmock-server", daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        try:
            self.sites = self.call(start_sites(self.app, self.settings))
        except BaseException:
            self.stop()
            raise
        return self

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        """Run ``coro`` on the server's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coro`` on the server's loop without waiting."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        if self.sites is not None:
            self.call(self.sites.close())
            self.sites = None
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    @property
    def url(self) -> str:
        assert self.sites is not None, "not started"
        return self.sites.url

    @property
    def port(self) -> int:
        assert self.sites is not None, "not started"
        return self.sites.port
