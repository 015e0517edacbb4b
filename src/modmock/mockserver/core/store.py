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

Stores never read a clock of their own for vendor waits: tasks and deliveries are timed by the
run's scheduler on the mock clock, and wall-time windows take the time from the caller or from
``time``. :class:`MemoryStore` is the default; a store shared by several processes implements the
same components (each with the methods the in-memory class has) and is one new class.
"""

from __future__ import annotations

import random
from abc import ABC
from typing import Any, Protocol

from .callbacks import AllowList, CallbackDispatcher
from .clock import Scheduler
from .concurrency import InFlight
from .faults import FaultBook
from .journal import Journal
from .nonces import NonceStore
from .ratelimit import RateLimiter
from .replay import ReplayQueue
from .rules import RuleBook
from .tasks import TaskStore
from .tokens import TokenStore


class Clearable(Protocol):
    def clear(self) -> None: ...


class Store(ABC):
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
