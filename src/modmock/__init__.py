"""modmock: an offline, vendor-compatible mock server for content-moderation APIs.

The public surface is this module (``serve``, ``MockServer``, the verdict types and the objects
a mock hands back: journal entries and their problems, deliveries and attempts, rules, faults,
tasks, the callback sink) and :mod:`modmock.errors`; everything else may move.

    with modmock.serve("deepcleer") as mock:
        requests.post(mock.url + "/image/v4", json=...)
        mock.assert_all_requests_valid()
"""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import (
    InvalidRequestsError,
    InvalidSpecError,
    MockAssertionError,
    ModmockError,
    NotRunningError,
    SettingsError,
)
from .fixtures.sink import CallbackSink, Received
from .mockserver.core.callbacks import Attempt, Delivery
from .mockserver.core.faults import Fault
from .mockserver.core.journal import Entry, Problem
from .mockserver.core.recordings import Recorded, recordings
from .mockserver.core.rules import Rule
from .mockserver.core.tasks import Task
from .mockserver.core.verdict import CATEGORIES, Label, Verdict
from .mockserver.mock import MockServer
from .mockserver.settings import Settings

__all__ = [
    "CATEGORIES",
    "Attempt",
    "CallbackSink",
    "Delivery",
    "Entry",
    "Fault",
    "InvalidRequestsError",
    "InvalidSpecError",
    "Label",
    "MockAssertionError",
    "MockServer",
    "ModmockError",
    "NotRunningError",
    "Problem",
    "Received",
    "Recorded",
    "Rule",
    "Settings",
    "SettingsError",
    "Task",
    "Verdict",
    "errors",
    "recordings",
    "serve",
]
__version__ = "0.1.0"


def serve(*vendors: str, time_scale: float = 0.0, clock: str = "auto", port: int = 0,
          host: str = "127.0.0.1", strict: bool = False, config: dict[str, Any] | None = None,
          allow_callback_hosts: list[str] | None = None, seed: int | None = None,
          scenario: str | None = None, tls: bool = False, tls_hosts: list[str] | None = None,
          http_redirect_port: int | None = None, store: str | None = None,
          store_secret: str | None = None, replay: str | None = None) -> MockServer:
    """A mock server for ``vendors`` (default: deepcleer), to use as a context manager.

    ``time_scale=0`` (the default here) makes vendor waits instant; ``clock="manual"``
    freezes the mock clock until ``advance()`` or ``run_until_idle()``. ``seed`` makes ids and
    drawn values reproducible; ``scenario`` loads a scenario file (or a shipped one by name);
    ``tls=True`` serves HTTPS (trust ``mock.ca_bundle``); ``store="redis://HOST:PORT/DB"``
    shares the state with every other mock on that store (other processes, other machines;
    ``store_secret``: the key that signs its work, the same on every machine); ``replay``
    queues the answers recorded in a folder (``mockserver proxy --record DIR``).
    """
    if clock not in ("auto", "manual"):
        raise SettingsError('clock must be "auto" or "manual"')
    settings = Settings(
        vendors=list(vendors) or ["deepcleer"], host=host, port=port, time_scale=time_scale,
        manual_clock=clock == "manual", strict=strict, vendor_config=dict(config or {}),
        allow_callback_hosts=list(allow_callback_hosts or []), seed=seed, scenario=scenario,
        tls=tls, tls_hosts=list(tls_hosts or []), http_redirect_port=http_redirect_port, store=store,
        store_secret=store_secret, replay=replay,
    )
    return MockServer(settings).start()
