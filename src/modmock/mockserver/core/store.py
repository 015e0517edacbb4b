"""All mutable state of one server run, behind one interface.

A :class:`Store` holds every piece of state a request, the admin API or a fixture changes:

=============  ================================================  ==========================
component      what it keeps                                     cleared by ``reset()``
=============  ================================================  ==========================
journal        requests answered, and the bounded invalid list   yes
rules          verdict / error / delay rules                     yes
faults         injected failures                                 yes
replay         answers queued by the contract kit                yes
rates          QPS windows (wall time)                           yes
in_flight      concurrency leases                                no (requests still hold them)
nonces         used signature nonces (wall time)                 yes
tokens         issued bearer tokens (wall time)                  no (a real account keeps them)
tasks          asynchronous tasks and their status history       yes (pending steps cancelled)
deliveries     callback deliveries and every attempt             yes (pending ones cancelled)
=============  ================================================  ==========================

The request path asks ``rules``, ``faults`` and ``replay`` for ``armed`` (anything there at all,
read without a lock) before it asks anything else of them: a store of its own provides it too.

What changes state, or decides against a limit, goes through the store's ``async`` methods
(:meth:`Store.add_rule`, :meth:`Store.take_rule`, :meth:`Store.allow`, ...): the in-memory store
answers them at once from its components; a store shared by several processes
(:mod:`.shared`) asks the shared server, and keeps its components as this process's mirror of it
(``shared`` is True; :meth:`Store.begin` before a request and :meth:`Store.refresh` before a
read bring the mirror up to date).

Stores never read a clock of their own for vendor waits: tasks and deliveries are timed by the
run's scheduler on the mock clock, and wall-time windows take the time from the caller or from
``time``.
"""

from __future__ import annotations

import random
from collections.abc import Hashable
from typing import Any, Protocol

from .callbacks import AllowList, CallbackDispatcher
from .clock import Scheduler
from .concurrency import InFlight
from .faults import Drawn, Fault, FaultBook
from .journal import Journal
from .nonces import NonceStore
from .ratelimit import RateLimiter
from .replay import Answer, ReplayQueue
from .rules import Rule, RuleBook
from .tasks import TaskStore
from .tokens import TokenStore
from .verdict import Subject


class Superseded(Exception):
    """A change made for a generation of the shared state that a reset has since replaced."""


class StoreUnavailable(Exception):
    """The shared store cannot be reached: the request gets the vendor's service-failure answer."""


class Clearable(Protocol):
    def clear(self) -> None: ...


class Store:
    """The components every store provides (see the module docstring for what each keeps)."""

    journal: Journal
    rules: RuleBook
    faults: FaultBook
    replay: ReplayQueue
    rates: RateLimiter
    in_flight: InFlight
    nonces: NonceStore
    tokens: TokenStore
    tasks: TaskStore
    deliveries: CallbackDispatcher
    shared = False  # True for a store several processes share (its components mirror the shared state)

    # -- the lifecycle and the mirror (a shared store's; nothing to do in memory) ------------------
    async def open(self) -> None:
        """Connect (a shared store); called once the server's event loop runs."""

    async def close(self) -> None:
        """Write what is still queued and disconnect (a shared store)."""

    async def begin(self) -> None:
        """Before a request: this process's view of the clock, rules, faults and resets made
        current (a shared store)."""

    async def refresh(self) -> None:
        """Before a read of the whole mock (the admin API, a fixture): the journal and everything
        else brought up to date (a shared store)."""

    async def drain(self) -> None:
        """Until every journal entry recorded so far is stored where every process reads it."""

    # -- changes ---------------------------------------------------------------------------------
    async def add_rule(self, spec: dict[str, Any]) -> Rule:
        """Add a rule from its JSON form (checked by the caller)."""
        return self.rules.add(spec)

    async def remove_rules(self, rule_id: int | None = None) -> int:
        return self.rules.remove(rule_id)

    async def add_fault(self, spec: dict[str, Any]) -> Fault:
        """Add a fault from its JSON form (checked by the caller)."""
        return self.faults.add(spec)

    async def remove_faults(self, fault_id: int | None = None) -> int:
        return self.faults.remove(fault_id)

    async def add_answer(self, answer: Answer) -> None:
        """Queue an answer to replay (``respond_with``)."""
        self.replay.add(answer)

    async def clear_journal(self) -> None:
        self.journal.clear()

    async def reset_everywhere(self) -> int | None:
        """Reset the state every process shares (a shared store: this process's part at once,
        every other's when it hears of it); the generation this call made (the caller loads the
        run's scenario into it), or None when nothing is shared."""
        return None

    async def moved_clock(self) -> None:
        """The mock clock was moved here (advance, a jump over a wait): tell the other processes."""

    # -- decisions on the request path -----------------------------------------------------------
    async def take_answer(self, vendor: str, endpoint: str, targeted: bool = False) -> Answer | None:
        return self.replay.take(vendor, endpoint, targeted)

    async def draw_fault(self, vendor: str, endpoint: str, targeted: bool = False) -> Drawn:
        return self.faults.draw(vendor, endpoint, targeted)

    async def take_rule(self, vendor: str, endpoint: str, subject: Subject, *, reviews: bool = True) -> Rule | None:
        return self.rules.take(vendor, endpoint, subject, reviews=reviews)

    async def allow(self, key: Hashable, qps: int | None) -> bool:
        """One request under ``key`` within ``qps`` a second (wall time)."""
        return self.rates.allow(key, qps)

    def reset(self) -> None:
        """Cancel scheduled tasks and deliveries; clear the journal, rules, faults, replayed
        answers, rate windows and nonces. Tokens and leases held by requests in flight stay."""
        self.tasks.clear()
        self.deliveries.clear()
        self.journal.clear()
        self.rules.remove()
        self.faults.remove()
        self.replay.clear()
        self.rates.clear()
        self.nonces.clear()


class MemoryStore(Store):
    """Every component in this process's memory (thread-safe; the default)."""

    def __init__(self, scheduler: Scheduler, allow: AllowList, rng: random.Random, *,
                 journal_size: int = 10_000) -> None:
        self.scheduler = scheduler
        self.journal = Journal(capacity=journal_size)
        self.rules = RuleBook()
        self.faults = FaultBook(rng=rng, now=scheduler.clock.now)
        self.replay = ReplayQueue()
        self.rates = RateLimiter()
        self.in_flight = InFlight()
        self.nonces = NonceStore()
        self.tokens = TokenStore()
        self.tasks = TaskStore(scheduler, keep_finished=journal_size)
        self.deliveries = CallbackDispatcher(scheduler, allow, capacity=journal_size)

    def components(self) -> dict[str, Any]:
        """Each component by name (for diagnostics and tests of the interface)."""
        return {name: getattr(self, name) for name in Store.__annotations__}
