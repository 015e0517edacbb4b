"""What a vendor's hooks and backend see of one request: the request, the caller, the items,
the services they may use and the journal notes. Never aiohttp, the app or the server state,
so a backend is unit-tested by building a :class:`Context` by hand (:func:`make_context`).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .callbacks import AllowList, CallbackDispatcher
from .clock import MockClock, Scheduler
from .declaration import Item
from .journal import BODY_KEEP, Entry, Problem, clip_body
from .nonces import NonceStore
from .rules import RuleBook
from .tasks import TaskStore
from .tokens import TokenStore

SMALL_BODY = BODY_KEEP  # a body this small cannot hold anything clip_body would cut


def seeded_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID from ``rng`` (the run's seeded generator, outside a request too)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def seeded_hex(rng: random.Random) -> str:
    """``seeded_uuid(rng).hex``, without building the UUID (the same bits: RFC 4122 version 4)."""
    bits = rng.getrandbits(128) & ~(0xC000 << 48) | (0x8000 << 48)
    return f"{bits & ~(0xF000 << 64) | (4 << 76):032x}"


class Incoming:
    """The HTTP request as the vendor's hooks read it (no body: that is ``Context.body``).

    ``headers`` names are case-insensitive; ``params`` are the path parameters (``{appid}``)."""

    FIELDS = ("method", "path", "path_qs", "host", "query", "headers", "params", "content_type", "content_length")

    def __init__(self, method: str, path: str, path_qs: str, host: str, query: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
                 content_type: str = "application/json", content_length: int | None = None) -> None:
        self.method, self.path, self.path_qs, self.host = method, path, path_qs, host
        self.query: Mapping[str, str] = query if query is not None else {}
        self.headers: Mapping[str, str] = headers if headers is not None else {}
        self.params: Mapping[str, str] = params if params is not None else {}
        self.content_type = content_type
        self.content_length = content_length

    def header_lists(self) -> dict[str, list[str]]:
        """Every header by lower-case name, repeated ones in the order sent."""
        lists: dict[str, list[str]] = {}
        for name, value in self.headers.items():
            lists.setdefault(name.lower(), []).append(value)
        return lists


@dataclass
class Services:
    """What a backend may use: the mock clock and scheduler, tasks, callbacks, rules (for a
    task that judges again later), nonces, tokens, the callback allow-list and the seeded
    random generator."""

    clock: MockClock
    scheduler: Scheduler
    tasks: TaskStore
    callbacks: CallbackDispatcher
    rules: RuleBook
    nonces: NonceStore
    tokens: TokenStore
    allow: AllowList
    random: random.Random
    store: Any = None  # the run's store (a task that judges again later takes its rules through it)

    def uuid(self) -> uuid.UUID:
        return seeded_uuid(self.random)

    def uuid_hex(self) -> str:
        return seeded_hex(self.random)

    def uuid_text(self) -> str:
        """``str(self.uuid())``, without building the UUID."""
        h = seeded_hex(self.random)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Notebook:
    """The journal entry of one request, as hooks may write it: problems, warnings, notes."""

    def __init__(self, entry: Entry, strict: bool) -> None:
        self.entry = entry
        self.strict = strict

    def problem(self, problem: Problem) -> None:
        """A broken rule that makes the request invalid."""
        self.entry.problems.append(problem)
        self.entry.valid = False

    def warn(self, problem: Problem) -> None:
        """A broken inferred rule that was served anyway (non-strict mode)."""
        self.entry.warnings.append(problem)

    def judge(self, found: Iterable[Problem]) -> Problem | None:
        """Journal every problem: documented ones (and inferred ones when strict) make the
        request invalid, the rest are warnings. Returns the first problem that counts."""
        fatal = None
        for p in found:
            if self.strict or not p.inferred:
                self.problem(p)
                fatal = fatal or p
            else:
                self.warn(p)
        return fatal

    def note(self, text: str) -> None:
        self.entry.notes.append(text)

    def set_body(self, body: Any, size: int | None = None) -> None:
        """Journal the request body; one known to be small (``size`` bytes) is kept as it is."""
        self.entry.body = body if size is not None and size <= SMALL_BODY else clip_body(body)


@dataclass
class Context:
    """One request on its way through the pipeline; each stage fills in its part."""

    vendor: str
    endpoint: str
    incoming: Incoming
    services: Services
    notes: Notebook
    raw: bytes = b""
    body: Any = None
    principal: Any = None
    request: Any = None
    items: list[Item] = field(default_factory=list)
    answered: list[Callable[[], None]] | None = None  # run once the answer has been sent (when_answered)

    @property
    def strict(self) -> bool:
        return self.notes.strict

    @property
    def request_id(self) -> str | None:
        return self.notes.entry.request_id

    def new_request_id(self, value: str | None = None) -> str:
        """Set the request id (a random hex UUID unless the vendor gives its own form)."""
        rid = value or self.services.uuid_hex()
        self.notes.entry.request_id = rid
        return rid

    def uuid(self) -> uuid.UUID:
        """A version-4 UUID from the run's seeded generator (``--seed`` makes it reproducible)."""
        return self.services.uuid()

    def uuid_text(self) -> str:
        """``str(self.uuid())``: the same seeded bits, faster."""
        return self.services.uuid_text()

    def note(self, text: str) -> None:
        self.notes.note(text)

    def when_answered(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the client has the whole answer (work that must not overtake it,
        such as a later result about it); never when the request ends in an error."""
        if self.answered is None:
            self.answered = []
        self.answered.append(action)


def make_context(vendor: str, endpoint: str, *, body: Any = None, principal: Any = None, request: Any = None,
                 items: list[Item] | None = None, incoming: Incoming | None = None, strict: bool = False,
                 seed: int | None = 0, manual_clock: bool = True) -> Context:
    """A context without a server, for unit tests of a backend or a hook: fresh in-memory
    services on a manual mock clock (nothing runs until the test advances it)."""
    from .store import MemoryStore

    clock = MockClock(manual=manual_clock, time_scale=0.0)
    scheduler = Scheduler(clock)
    rng = random.Random(seed)
    allow = AllowList()
    store = MemoryStore(scheduler, allow, rng)
    services = Services(clock, scheduler, store.tasks, store.deliveries, store.rules, store.nonces, store.tokens,
                        allow, rng, store)
    entry = Entry(id=1, vendor=vendor, endpoint=endpoint, method="POST", path="/", time=clock.now(), wall_time=0.0)
    incoming = incoming or Incoming("POST", "/", "/", "127.0.0.1")
    return Context(vendor, endpoint, incoming, services, Notebook(entry, strict), body=body, principal=principal,
                   request=request, items=list(items or []))
