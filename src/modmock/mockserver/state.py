"""The state one server run shares between the vendor routes, the admin API and the fixture."""

from __future__ import annotations

import logging
from typing import Any

from .core.callbacks import AllowList, CallbackDispatcher
from .core.clock import MockClock, Scheduler
from .core.faults import FaultBook
from .core.journal import Journal
from .core.ratelimit import RateLimiter
from .core.rules import RuleBook
from .core.tasks import TaskStore
from .core.vendor import Vendor
from .settings import Settings

log = logging.getLogger("modmock")


class MockState:
    """Clock, scheduler, journal, rules, faults, limits, tasks, callbacks and vendors."""

    def __init__(self, settings: Settings) -> None:
        from .vendors import create_vendor

        self.settings = settings
        self.clock = MockClock(manual=settings.manual_clock, time_scale=settings.time_scale)
        self.scheduler = Scheduler(self.clock)
        self.journal = Journal(capacity=settings.journal_size)
        self.rules = RuleBook()
        self.faults = FaultBook()
        self.limiter = RateLimiter()
        self.tasks = TaskStore(self.scheduler)
        self.callbacks = CallbackDispatcher(self.scheduler, AllowList(settings.allow_callback_hosts))
        self.vendors: dict[str, Vendor] = {
            name: create_vendor(name, settings.config_for(name), settings) for name in settings.vendors
        }

    @property
    def max_body(self) -> int:
        return max((v.max_body for v in self.vendors.values()), default=1024 * 1024)

    async def start(self) -> None:
        self.scheduler.start()
        await self.callbacks.start()

    async def stop(self) -> None:
        """Let in-flight callback attempts finish briefly; journal the rest as cancelled."""
        dropped = await self.scheduler.stop(grace=2.0)
        for label in dropped:
            log.info("shutdown: cancelled %s", label)
        for delivery in await self.callbacks.close():
            log.info("shutdown: callback %d to %s cancelled after %d attempt(s)",
                     delivery.id, delivery.url, len(delivery.attempts) - 1)

    def reset(self) -> None:
        """Cancel scheduled work and clear journal, rules, faults, rate windows and tasks."""
        self.scheduler.clear()
        self.tasks.clear()
        self.callbacks.clear()
        self.journal.clear()
        self.rules.remove()
        self.faults.remove()
        self.limiter.clear()

    def credentials(self) -> dict[str, Any]:
        return {name: vendor.credentials() for name, vendor in self.vendors.items()}
