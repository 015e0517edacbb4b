"""The state one server run shares between the vendor routes, the admin API and the fixture."""

from __future__ import annotations

import difflib
import logging
import random
import secrets
import time
from collections.abc import Callable
from typing import Any

from ..errors import InvalidSpecError
from .core.callbacks import AllowList, CallbackDispatcher
from .core.clock import MockClock, Scheduler
from .core.context import Services
from .core.coverage import Coverage
from .core.faults import FaultBook
from .core.journal import UNMATCHED, Journal
from .core.replay import ReplayQueue
from .core.rules import RuleBook, error_spec
from .core.store import MemoryStore, Store, Superseded
from .core.tasks import TaskStore
from .core.vendor import Vendor
from .settings import Settings, SettingsError

log = logging.getLogger("modmock")


def unknown_name(kind: str, value: str, known: list[str], where: str) -> str:
    """The refusal of an unknown name, with the nearest known one."""
    near = difflib.get_close_matches(value, known, n=1, cutoff=0.5)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"no {kind} {value!r} {where}{hint} (known: {', '.join(known) or 'none'})"
StoreFactory = Callable[..., Store]


def store_factory(settings: Settings) -> StoreFactory:
    """The store ``settings.store`` names: None for this process's memory, ``redis://`` for a
    store every process and machine of the mock shares."""
    if settings.store is None:
        return MemoryStore
    from .core.shared import redis_store_factory
    factory: StoreFactory = redis_store_factory(settings.store, settings.store_secret)
    return factory


def process_seed(settings: Settings) -> int | str | None:
    """What seeds the run's generator: ``--seed``; with a shared store, the seed and this process's
    worker index (each worker draws its own reproducible ids: the same ids on two processes would
    be one task), or a seed of its own for a process outside ``--workers``."""
    if settings.seed is None or settings.store is None:
        return settings.seed
    mine = settings.worker if settings.worker is not None else secrets.token_hex(8)
    return f"{settings.seed}:{mine}"


def refuse_colliding_routes(vendors: dict[str, Vendor]) -> None:
    """Vendors share one port only when no method and path are claimed twice."""
    claimed: dict[tuple[str, str], str] = {}
    for name, vendor in vendors.items():
        for ep in vendor.endpoints:
            other = claimed.setdefault((ep.method, ep.path), name)
            if other != name:
                raise SettingsError(f"{other} and {name} both serve {ep.method} {ep.path}: "
                                    "run them on separate ports")


class MockState:
    """One server run: the clock and scheduler, the store (every piece of mutable state), the
    services handed to vendor backends, and the vendors."""

    def __init__(self, settings: Settings, store: StoreFactory | None = None) -> None:
        """``store`` builds the run's store from its scheduler, allow-list and seeded generator
        (by default the one ``settings.store`` names: in memory, or shared through Redis)."""
        from .vendors import create_vendor

        if store is None:
            store = store_factory(settings)
        self.settings = settings
        self.clock = MockClock(manual=settings.manual_clock, time_scale=settings.time_scale)
        self.scheduler = Scheduler(self.clock)
        self.seed = process_seed(settings)
        self.random = random.Random(self.seed)
        allow = AllowList(settings.allow_callback_hosts)
        self.shutdown_deadline: float | None = None  # monotonic time the shutdown must end by, once begun
        self.store: Store = store(self.scheduler, allow, self.random, journal_size=settings.journal_size)
        self.scheduler = getattr(self.store, "scheduler", self.scheduler)  # a shared store's are every process's
        self.services = Services(self.clock, self.scheduler, self.store.tasks, self.store.deliveries,
                                 self.store.rules, self.store.nonces, self.store.tokens, allow, self.random,
                                 self.store)
        self.vendors: dict[str, Vendor] = {
            name: create_vendor(name, settings.config_for(name), settings) for name in settings.vendors
        }
        refuse_colliding_routes(self.vendors)
        self.coverage = Coverage()  # the run's, across resets: what the client's tests exercised
        self.store.journal.observers.append(self.coverage.request)
        self.store.tasks.observers.append(self.coverage.status)
        self.store.deliveries.observers.append(self.coverage.callback)
        if not self.store.shared:  # a shared store's scenario is loaded once for every process, at start
            self._load_scenario()
        else:
            self.store.on_reset = self.reset_here  # type: ignore[attr-defined]  # a reset, this process's or another's
            self.store.bind(self.services, self.vendors, self.coverage)  # type: ignore[attr-defined]

    # The store's components, as the admin API and the fixture read them.
    @property
    def journal(self) -> Journal:
        return self.store.journal

    @property
    def rules(self) -> RuleBook:
        return self.store.rules

    @property
    def faults(self) -> FaultBook:
        return self.store.faults

    @property
    def replay(self) -> ReplayQueue:
        return self.store.replay

    @property
    def tasks(self) -> TaskStore:
        return self.store.tasks

    @property
    def callbacks(self) -> CallbackDispatcher:
        return self.store.deliveries

    def _load_scenario(self) -> None:
        if self.settings.scenario:
            from .scenarios import load
            for skipped in load(self, self.settings.scenario):
                log.info("scenario %s: skipped a %s", self.settings.scenario, skipped)
        for answer in self._replayed():
            self.store.replay.add(answer)

    def _replayed(self) -> list[Any]:
        """The recorded answers this run replays (``--replay DIR``, a scenario's ``"replay"``), in order."""
        from .core.recordings import recordings
        from .scenarios import replay_folder

        folders = [(f"--scenario {self.settings.scenario}: its \"replay\"", replay_folder(self.settings.scenario))
                   if self.settings.scenario else ("", None), ("--replay", self.settings.replay)]
        answers = []
        for flag, folder in folders:
            if not folder:
                continue
            try:
                found = recordings(folder)
            except ValueError as exc:
                raise SettingsError(f"{flag} {folder}: {exc}") from None
            for item in found:
                vendor = self.vendors.get(item.vendor)
                if vendor is None:
                    continue  # a vendor this run does not serve
                if item.endpoint not in {ep.id for ep in vendor.endpoints}:
                    raise SettingsError(f"{flag} {folder}: {item.file} answers {item.endpoint!r}, which "
                                        f"{item.vendor} does not have")
                answers.append(item.answer())
        return answers

    @property
    def max_body(self) -> int:
        return max((v.max_body for v in self.vendors.values()), default=1024 * 1024)

    async def start(self) -> None:
        if self.store.shared:  # first: a store that cannot be used stops the start
            self.store.on_join = self._joined  # type: ignore[attr-defined]
            await self.store.open()
        self.scheduler.start()
        await self.callbacks.start()

    async def _joined(self) -> None:
        """A shared store was joined (at start, when it came up, or again after it lost its state):
        the run's scenario, once per generation of it."""
        if (self.settings.scenario or self.settings.replay) and \
                await self.store.claim_scenario():  # type: ignore[attr-defined]
            await self._load_scenario_shared()

    async def stop(self) -> None:
        """Let in-flight callback attempts finish briefly; journal the rest as cancelled."""
        left = self.settings.shutdown_grace
        if self.shutdown_deadline is not None:  # the connections' grace ran first: the rest of it
            left = max(0.0, self.shutdown_deadline - time.monotonic())
        dropped = await self.scheduler.stop(grace=left)
        for label in dropped:
            log.info("shutdown: cancelled %s", label)
        for delivery in await self.callbacks.close():
            log.info("shutdown: callback %d to %s cancelled (%d attempt(s) before)",
                     delivery.id, delivery.url, len(delivery.attempts) - 1)
        await self.store.close()

    def reset(self) -> None:
        """Back to the start: cancel scheduled work; clear journal, rules, faults, rate windows,
        nonces and tasks; re-seed the generator and re-apply the run's scenario."""
        self.reset_here()
        self._load_scenario()

    def reset_here(self) -> None:
        """This process's part of a reset (every process of a shared store makes its own)."""
        self.scheduler.clear()
        self.store.reset()
        self.random.seed(self.seed)

    async def reset_all(self) -> None:
        """:meth:`reset`, for every process sharing the store."""
        if not self.store.shared:
            self.reset()
            return
        generation = await self.store.reset_everywhere()  # (which runs reset_here, as for another's reset)
        await self._load_scenario_shared(generation)

    async def _load_scenario_shared(self, generation: int | None = None) -> None:
        """The run's scenario, into the shared state's ``generation`` (this process's, by
        default): nothing when a later reset replaced it (that reset's process loads it)."""
        if not self.settings.scenario and not self.settings.replay:
            return
        from .scenarios import load_async
        try:
            with self.store.fenced(generation):  # type: ignore[attr-defined]
                skipped = await load_async(self, self.settings.scenario) if self.settings.scenario else []
                for answer in self._replayed():
                    await self.store.add_answer(answer)
        except Superseded:
            log.info("scenario %s: not loaded here (a later reset loads it)", self.settings.scenario)
            return
        for item in skipped:
            log.info("scenario %s: skipped a %s", self.settings.scenario, item)

    # -- changes, as the admin API and the fixture make them (every process sees them) ---------
    async def put_rule(self, spec: dict[str, Any]) -> Any:
        """:meth:`add_rule`, through the store (shared with every process when it is)."""
        self.check_rule(spec)
        return await self.store.add_rule(spec)

    async def put_fault(self, spec: dict[str, Any]) -> Any:
        """:meth:`add_fault`, through the store."""
        return await self.store.add_fault(self.checked_fault(spec))

    async def advance(self, seconds: float) -> None:
        """Move the mock clock forward, firing what falls due here; every process sees the time."""
        await self.scheduler.advance(seconds)
        await self.store.moved_clock()

    async def clear_coverage(self) -> None:
        """Start the surface coverage again (every process's, with a shared store)."""
        if self.store.shared:
            await self.store.clear_coverage()  # type: ignore[attr-defined]
        else:
            self.coverage.clear()

    async def run_until_idle(self) -> None:
        await self.scheduler.run_until_idle()
        await self.store.moved_clock()

    def check_target(self, vendor: str | None = None, endpoint: str | None = None, *,
                     unmatched: bool = False) -> None:
        """Refuse a vendor this run does not serve, or an endpoint id that it (or no served vendor)
        has, naming the nearest; ``unmatched``: the journal's near misses are a valid endpoint."""
        if vendor is not None and vendor not in self.vendors:
            raise InvalidSpecError(unknown_name("vendor", vendor, list(self.vendors), "served here"))
        if endpoint is None or (unmatched and endpoint == UNMATCHED):
            return
        names = [ep.id for name in ([vendor] if vendor else list(self.vendors)) for ep in self.vendors[name].endpoints]
        if endpoint not in names:
            raise InvalidSpecError(unknown_name("endpoint", endpoint, names, f"of {vendor or ', '.join(self.vendors)}"))

    def check_injectable(self, vendor: str | None, error: dict[str, Any] | None, endpoint: str | None = None) -> None:
        """Refuse an injected error that is not a documented code of the vendor(s) it targets
        (at ``endpoint``, when it names one)."""
        if error is None:
            return
        if vendor is not None and vendor not in self.vendors:
            raise InvalidSpecError(f"vendor {vendor!r} is not served here (serving {', '.join(self.vendors)})")
        for name in [vendor] if vendor else list(self.vendors):
            served = {ep.id for ep in self.vendors[name].endpoints}
            codes = self.vendors[name].injectable_at(endpoint if endpoint in served else None)
            if error.get("code") not in codes:
                where = f" at {endpoint}" if endpoint in served else ""
                raise InvalidSpecError(f"{error.get('code')!r} is not a documented {name} error code{where}; "
                                       f"use one of {sorted(codes, key=str)}")

    def add_fault(self, spec: dict[str, Any]) -> Any:
        """Add a fault from its JSON form (already schema-valid), checking its target and error code."""
        return self.faults.add(self.checked_fault(spec))

    def checked_fault(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A fault's JSON form once its target and error code are checked (the error normalised)."""
        self.check_target(spec.get("vendor"), spec.get("endpoint"))
        error = error_spec(spec["error"]) if "error" in spec else None
        self.check_injectable(spec.get("vendor"), error, spec.get("endpoint"))
        return dict(spec, error=error) if error is not None else spec

    def add_rule(self, spec: dict[str, Any]) -> Any:
        """Add a rule from its JSON form (already schema-valid), checking its error code."""
        self.check_rule(spec)
        return self.rules.add(spec)

    def check_rule(self, spec: dict[str, Any]) -> None:
        """Refuse a rule whose target, error code or review this run cannot serve."""
        vendor = spec.get("match", {}).get("vendor")
        self.check_target(vendor, spec.get("match", {}).get("endpoint"))
        if "error" in spec:
            self.check_injectable(vendor, error_spec(spec["error"]))
        if "review" in spec:
            self.check_reviewable(vendor)

    def check_reviewable(self, vendor: str | None) -> None:
        """Refuse a review rule when no vendor it targets has a human-review flow."""
        if vendor is not None and vendor not in self.vendors:
            raise InvalidSpecError(f"vendor {vendor!r} is not served here (serving {', '.join(self.vendors)})")
        targets = [vendor] if vendor else list(self.vendors)
        if not any(self.vendors[name].reviews for name in targets):
            having = [name for name, v in self.vendors.items() if v.reviews]
            raise InvalidSpecError(f"{' and '.join(targets)} has no human-review flow: a rule's review applies to "
                                   f"{', '.join(having) or 'none of the vendors served here'}")

    def credentials(self) -> dict[str, Any]:
        return {name: vendor.credentials() for name, vendor in self.vendors.items()}
