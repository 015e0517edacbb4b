"""The store several processes (and machines) share through one Redis server.

Shared and exact across processes: the journal and the invalid list (:mod:`.journal`); rules and
faults, each ``times`` counted once; the queued answers; QPS windows; concurrency places (leases
that end by themselves when a process dies); Alibaba nonces; AKOOL tokens; the mock clock (an
advance on any process moves every one); resets. Each process keeps its components as a mirror
of the shared state: :meth:`RedisStore.begin` (before a request: one round trip) brings the clock,
the rules and faults, and resets up to date; :meth:`RedisStore.refresh` (before a read) the
journal too. Decisions that must be exact are Lua scripts (:mod:`.scripts`).

Tasks, their timers and callback deliveries are shared too (:mod:`.work`, :mod:`.timers`): a
task one process accepted moves on, and its callbacks are made, on whichever process claims its
next timer, each timer once.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
import hashlib
import itertools
import json
import logging
import os
import random
import secrets
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable, Iterator
from typing import Any

from ...settings import describe_store
from ..callbacks import AllowList
from ..clock import Scheduler
from ..concurrency import InFlight
from ..coverage import Coverage
from ..faults import Drawn, Fault, FaultBook, make_fault
from ..nonces import NonceStore
from ..ratelimit import RateLimiter
from ..replay import Answer, ReplayQueue
from ..rules import Rule, RuleBook, make_rule
from ..store import Store, StoreUnavailable, Superseded
from ..tokens import TokenStore
from ..verdict import Subject
from . import commit, scripts, work
from .journal import SharedJournal
from .link import Link
from .pickling import Bound
from .timers import SharedScheduler
from .work import SharedDispatcher, SharedRecords, SharedTaskStore

log = logging.getLogger("modmock")
LEASE_SECONDS = 60.0  # wall seconds a concurrency place is held at most (a dead process's ends then)
TOKEN_GRACE = 3600.0  # an expired token is remembered this long (so it answers "expired", not "unknown")
SCENARIO_CLAIM_SECONDS = 7 * 24 * 3600  # a generation's scenario is loaded once (the claim expires unused)
LISTEN_WAIT = 0.25  # seconds the listener waits for a message before it looks whether to stop
META_FIELDS = ("generation", "config", "journal", "clock_mock0", "coverage", "run")

_fence: contextvars.ContextVar[int | None] = contextvars.ContextVar("modmock_store_fence", default=None)

def _digest(value: Hashable) -> str:
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


class SharedNonces(NonceStore):
    """Nonces every process remembers: ``SET NX`` with the window as its lifetime."""

    shared = True

    def __init__(self, link: Link) -> None:
        super().__init__()
        self.link = link

    async def claim(self, nonce: Hashable, window: float) -> bool:
        key, ms = self.link.key("nonce", _digest(nonce)), max(1, int(window * 1000))
        return bool(await self.link.call(lambda: self.link.redis.set(key, b"1", nx=True, px=ms)))


class SharedTokens(TokenStore):
    """Tokens every process can look up: issued into Redis, read into this process's view."""

    shared = True

    def __init__(self, link: Link) -> None:
        super().__init__()
        self.link = link

    async def create(self, owner: str, lifetime: float) -> str:
        token = self.issue(owner, lifetime)
        found = self.lookup(token)
        assert found is not None
        value = json.dumps(list(found))
        ms = max(1, int((lifetime + TOKEN_GRACE) * 1000))
        await self.link.call(lambda: self.link.redis.set(self.link.key("token", token), value, px=ms))
        return token

    async def prefetch(self, token: str | None) -> None:
        if not token or len(token) > 256:
            return
        raw = await self.link.call(lambda: self.link.redis.get(self.link.key("token", token)))
        with self._lock:
            if raw is None:
                self._tokens.pop(token, None)
            else:
                owner, until = json.loads(raw)
                self._tokens[token] = (str(owner), float(until))
                while len(self._tokens) > self.capacity:
                    self._tokens.popitem(last=False)


class RedisStore(Store):
    """The components every process shares through Redis (``--store redis://HOST:PORT/DB``)."""

    shared = True
    journal: SharedJournal
    tasks: SharedTaskStore
    deliveries: SharedDispatcher
    scheduler: SharedScheduler

    def __init__(self, scheduler: Scheduler, allow: AllowList, rng: random.Random, *, url: str, key: bytes,
                 journal_size: int = 10_000) -> None:
        self.link = Link(url)
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.bound = Bound(key)
        self.clock = scheduler.clock
        self.scheduler = SharedScheduler(self.clock, self.link, self.bound, self.worker)
        self.scheduler.before_fire = self.begin
        self.scheduler.flush = self.drain
        self.scheduler.flush_releasing = self.drain_releasing
        self.scheduler.ready = lambda: self._opened
        del scheduler  # this store's timers are the shared ones
        self.journal = SharedJournal(self.link, capacity=journal_size)
        self.journal.stage_extra = self._stage_work  # one round trip for an answer's entry and its work
        self.rules = RuleBook()
        self.faults = FaultBook(rng=rng, now=self.clock.now)
        self.replay = ReplayQueue()
        self.rates = RateLimiter()
        self.in_flight = InFlight()
        self.nonces = SharedNonces(self.link)
        self.tokens = SharedTokens(self.link)
        self.task_records = SharedRecords(self.link, self.bound, "tasks", self.worker)
        self.delivery_records = SharedRecords(self.link, self.bound, "deliveries", self.worker)
        self.tasks = SharedTaskStore(self.scheduler, self.task_records, keep_finished=journal_size)
        self.deliveries = SharedDispatcher(self.scheduler, allow, self.delivery_records, capacity=journal_size)
        self.deliveries.pull = self.begin
        self.task_records.current = lambda task_id, task: self.tasks.get(task_id) is task
        self.task_records.ended = lambda task: bool(task.finished)
        self.delivery_records.ended = lambda delivery: delivery.state != "pending"
        self._batches: list[commit.Batch] = []  # made, not yet known to be applied (sent again, whole, in order)
        self._batch_numbers = itertools.count(1)
        self._commit_keys = [self._key("meta"), self._key("applied", self.worker)]
        for records in (self.task_records, self.delivery_records):
            table, changes = records.keys()
            self._commit_keys += [table, records.versions_key(), changes]
        self._commit_keys += self.scheduler._keys()
        self.delivery_records.current = lambda delivery_id, d: self.deliveries.get(int(delivery_id)) is d
        self._flushing = asyncio.Lock()
        self._carrying = 0  # writes in flight that carry tasks, deliveries or timers (an answer may wait for them)
        self.journal.lock = self._flushing  # one order for every write of this process
        for name, component in (("scheduler", self.scheduler), ("tasks", self.tasks), ("deliveries", self.deliveries),
                                ("clock", self.clock), ("store", self), ("rules", self.rules), ("faults", self.faults),
                                ("replay", self.replay), ("journal", self.journal), ("nonces", self.nonces),
                                ("tokens", self.tokens), ("link", self.link)):
            self.bound.add(name, component)
        self._members = itertools.count(1)
        self._seen: dict[str, int] = {}  # the meta counters this process's mirror is at
        # The generation this process's work is made in: moved by its own part of a reset only
        # (a resetting process knows the new generation before it has cleared its old work).
        self._stamp = 0
        self._opened = False
        self._listener: asyncio.Task[None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._pull_task: asyncio.Task[None] | None = None  # the read of the shared state running now
        self._pull_seq: dict[asyncio.Task[None], int] = {}
        self._pulls_started = 0
        self._held: set[tuple[str, str]] = set()  # concurrency places this process holds (key, lease)
        self._closing = False
        self._publishing: asyncio.Task[None] | None = None
        self.on_reset: Callable[[], None] | None = None  # this process's part of another's reset
        self.on_join: Callable[[], Awaitable[None]] | None = None  # joined the shared state (first, or again)
        self.coverage: Coverage | None = None
        self.vendor_names: list[str] = []
        self.clock.observers.append(self._clock_jumped)

    def bind(self, services: Any, vendors: dict[str, Any], coverage: Coverage | None = None) -> None:
        """Name this process's services and vendors, so that work any process pickled (a step's
        action is a closure over them) reads them as this process's own; count ``coverage`` for
        every process (each writes what it counted, a read adds them all up)."""
        self.vendor_names = list(vendors)
        if coverage is not None:
            self.coverage = coverage
            coverage.unsent = {}
        self.bound.add("services", services)
        for field in dataclasses.fields(services):  # whatever a closure takes from the services
            self.bound.add(f"services:{field.name}", getattr(services, field.name))
        for name, vendor in vendors.items():
            self.bound.add(f"vendor:{name}", vendor)
            for attr, value in vars(vendor).items():
                if type(value).__module__.startswith("modmock."):
                    self.bound.add(f"vendor:{name}:{attr}", value)

    # -- keys ------------------------------------------------------------------------------------
    def _key(self, *parts: object) -> str:
        return self.link.key(*parts)

    # -- lifecycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        """Join the shared state: its clock origin (the first process's), its counters, its
        rules and faults; then listen for the others' clock moves and resets."""
        await self.link.check()  # a wrong password or database stops the start, with its reason
        try:
            await self._join()
        except StoreUnavailable:
            pass  # logged by the link; the first request that reaches the store joins then
        self._listener = asyncio.get_running_loop().create_task(self._listen())
        self._renewer = asyncio.get_running_loop().create_task(self._renew_leases())

    def _forget_shared(self) -> None:
        """This process's mirror of a shared state that is gone (its server restarted empty)."""
        self.journal.clear()
        self.tasks.clear()
        self.deliveries.clear()
        for records in (self.task_records, self.delivery_records):
            records.forget()
        self.deliveries._block.clear()  # the id counter starts again: so do the blocks
        self.scheduler.clear()

    async def _join(self) -> None:
        meta = self._key("meta")

        async def join() -> list[Any]:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                wall0, mock0 = self.clock.origin
                pipe.hsetnx(meta, "clock_wall0", repr(wall0))
                pipe.hsetnx(meta, "clock_mock0", repr(mock0))
                pipe.hsetnx(meta, "run", secrets.token_hex(8))  # this incarnation of the shared state
                pipe.hmget(meta, "clock_wall0", "clock_mock0", "generation", "config", "journal", "run")
                result: list[Any] = await pipe.execute()
                return result

        *_, (wall0, mock0, generation, config, journal, run) = await self.link.call(join)
        rejoined = self._opened and run.decode() != self._seen.get("run")
        if rejoined:  # the shared state this process knew is gone: forget its mirror of it
            self._forget_shared()
        if self._opened:
            self.clock.catch_up(float(mock0))
        else:
            self.clock.adopt(float(wall0), float(mock0))
        self._seen = {"generation": int(generation or 0), "journal": int(journal or 0), "config": -1,
                      "run": run.decode()}
        self._stamp = self._seen["generation"]
        self.journal.epoch = self.journal.generation = int(journal or 0)
        self.deliveries._generation = self._seen["generation"]
        await self._load_config(int(config or 0))
        if not self.deliveries._block:
            await self.deliveries.take_ids()
        if rejoined:
            self.reset()
        await self._load_work()
        self._opened = True
        if self.on_join is not None:
            await self.on_join()

    async def _load_work(self) -> None:
        """Every task and delivery record (a process that joins, or joins again, reads them all;
        then the change streams, from their newest entry)."""
        async def read() -> list[Any]:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                for records in (self.task_records, self.delivery_records):
                    table, changes = records.keys()
                    pipe.xrevrange(changes, "+", "-", count=1)
                    pipe.hkeys(table)
                result: list[Any] = await pipe.execute()
                return result

        task_last, task_ids, delivery_last, delivery_ids = await self.link.call(read)
        for records, last, ids, mirror in ((self.task_records, task_last, task_ids, self.tasks.accept),
                                           (self.delivery_records, delivery_last, delivery_ids, self.deliveries.accept)):
            names = [i.decode() for i in ids]
            if names:
                mirror(records.resolve(await records.fetch_ids(names)))  # (those changed here: newer)
            records.seen = last[0][0].decode() if last else "0-0"  # (a failed read: all of them again)

    async def close(self) -> None:
        self._closing = True  # the listener ends at its next wait (redis-py's wait may swallow a cancel)
        for task in (self._listener, self._publishing, self._renewer):
            if task is not None:
                with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
                    await asyncio.wait_for(asyncio.shield(task), LISTEN_WAIT * 4)
                if not task.done():
                    task.cancel()
        with contextlib.suppress(StoreUnavailable):
            await self.journal.drain()
        await self.link.close()

    async def _listen(self) -> None:
        """Another process moved the clock, reset, or changed the rules: catch up now (so a timer
        due on the moved clock fires without waiting for this process's next request)."""
        channel = self._key("events")
        while not self._closing:
            pubsub = self.link.redis.pubsub()
            try:
                await pubsub.subscribe(channel)
                while not self._closing:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_WAIT)
                    if message is not None and message.get("data") != self.worker.encode():
                        with contextlib.suppress(StoreUnavailable):
                            await self.begin()
                        self.scheduler.wake()
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                raise
            except Exception as exc:  # the server went away: try again (the link logs the outage)
                log.debug("shared store listener: %s", exc)
                await asyncio.sleep(LISTEN_WAIT * 4)
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _renew_leases(self) -> None:
        """Keep the places of requests still in flight here (a latency fault may hold one for
        minutes); a process that dies stops renewing, and its places end with their lease."""
        while not self._closing:
            for _ in range(int(LEASE_SECONDS / 3 / LISTEN_WAIT)):
                if self._closing:
                    return
                await asyncio.sleep(LISTEN_WAIT)
            held = list(self._held)
            if held:
                with contextlib.suppress(StoreUnavailable):
                    await self.link.call(functools.partial(self._renew, held, time.time() + LEASE_SECONDS))

    async def _renew(self, held: list[tuple[str, str]], until: float) -> None:
        async with self.link.redis.pipeline(transaction=False) as pipe:
            for places, lease in held:
                pipe.zadd(places, {lease: until}, xx=True)
                pipe.pexpire(places, int(LEASE_SECONDS * 1000) + 1000)
            await pipe.execute()

    async def _publish(self) -> None:
        await self.link.call(lambda: self.link.redis.publish(self._key("events"), self.worker))

    # -- the mirror ------------------------------------------------------------------------------
    async def begin(self) -> None:
        """Bring this process's mirror up to date with a read that starts after this call did:
        concurrent callers share one read (the one running when they came may have started
        before their request, so they wait for the next), so a burst of requests reads once."""
        if not self._opened:
            await self._join()
            return
        need = self._pulls_started + 1
        while True:
            task = self._pull_task
            if task is None or task.done():
                self._pulls_started += 1
                task = self._pull_task = asyncio.get_running_loop().create_task(self._pull())
                self._pull_seq[task] = self._pulls_started
            if self._pull_seq.get(task, 0) >= need:
                await asyncio.shield(task)
                return
            with contextlib.suppress(StoreUnavailable):
                await asyncio.shield(task)

    async def _pull(self) -> None:
        try:
            await self._pull_once()
        finally:
            self._pull_seq.pop(asyncio.current_task(), None)  # type: ignore[arg-type]

    async def _pull_once(self) -> None:
        async def read() -> list[Any]:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                pipe.hmget(self._key("meta"), *META_FIELDS)
                self.task_records.read_changes(pipe)
                self.delivery_records.read_changes(pipe)
                pipe.xrange(self.task_records.keys()[1], "-", "+", count=1)
                pipe.xrange(self.delivery_records.keys()[1], "-", "+", count=1)
                result: list[Any] = await pipe.execute()
                return result

        values, task_changes, delivery_changes, task_first, delivery_first = await self.link.call(read)
        if values[3] is None or (values[5] is not None and values[5].decode() != self._seen.get("run")):
            log.warning("shared store %s holds another incarnation of this mock's state (restarted empty?): "
                        "joining it; the journal, rules, faults, tasks and timers it held are gone",
                        describe_store(self.link.url))
            await self._join()
            return

        generation, config, journal = (int(v or 0) for v in values[:3])
        if generation != self._seen["generation"] or generation != self._stamp:
            self._reset_into(generation)  # another process reset: so does this one, then reads all
            await self._load_work()
            task_changes = delivery_changes = []
        elif _trimmed(self.task_records.seen, task_first) or _trimmed(self.delivery_records.seen, delivery_first):
            await self._load_work()  # this process fell behind the change streams: every record again
            task_changes = delivery_changes = []
        if journal != self._seen["journal"]:
            self._seen["journal"] = journal
            self.journal.clear()
        cleared = int(values[4] or 0)
        if cleared != self._seen.get("coverage", cleared):
            if self.coverage is not None:  # another process started coverage again
                self.coverage.clear()
        self._seen["coverage"] = cleared
        self.clock.catch_up(float(values[3]))
        if config != self._seen["config"]:
            await self._load_config(config)
        if task_changes or self.task_records.unread:
            self.tasks.accept(await self.task_records.fetch(task_changes))
        if delivery_changes or self.delivery_records.unread:
            self.deliveries.accept(await self.delivery_records.fetch(delivery_changes))

    async def refresh(self) -> None:
        await self.begin()
        await self.drain()
        await self.journal.pull(self._seen["journal"])
        self.scheduler._estimate = int(await self.link.call(lambda: self.link.redis.zcard(self._key("timers"))))
        if self.coverage is not None:
            await self._pull_coverage(self.coverage)

    async def _pull_coverage(self, coverage: Coverage) -> None:
        async def read() -> list[Any]:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                for vendor in self.vendor_names:
                    pipe.hgetall(self._key("coverage", vendor))
                result: list[Any] = await pipe.execute()
                return result

        counts: dict[str, Counter[tuple[str, Any]]] = {}
        for vendor, fields in zip(self.vendor_names, await self.link.call(read)):
            counts[vendor] = Counter({tuple(json.loads(key)): int(n) for key, n in fields.items()})
        coverage.adopt(counts)

    async def clear_coverage(self) -> None:
        """Start every process's coverage again."""
        keys = [self._key("coverage", vendor) for vendor in self.vendor_names]

        async def clear() -> None:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                if keys:
                    pipe.delete(*keys)
                pipe.hincrby(self._key("meta"), "coverage", 1)
                await pipe.execute()

        if self.coverage is not None:
            self.coverage.clear()
        await self.link.call(clear)
        await self.begin()

    async def drain(self) -> None:
        await self.journal.drain()
        await self._flush_work(counts=False)  # (coverage counts ride the next write: no answer waits for them)

    def _pending_work(self, counts: bool = True) -> bool:
        """Tasks, deliveries or timers changed here and not yet written, or a batch kept for
        sending again (``counts``: or coverage counted)."""
        return bool(self._batches or self.task_records.dirty or self.delivery_records.dirty
                    or self.scheduler._outbox or self.scheduler._requeue
                    or (counts and self.coverage is not None and self.coverage.unsent))

    def _new_batch(self, release: list[str] | None = None) -> commit.Batch | None:
        """What changed here since the last batch (tasks and deliveries, then the timers
        scheduled here, so a timer another process claims finds its record written; then the
        claims of ``release``, then the coverage counted here), or None when nothing did."""
        number = next(self._batch_numbers)
        batch = commit.Batch(number, [self.worker, str(number), self._seen.get("run", ""),
                                      str(self._stamp), str(work.CHANGES_KEPT)])
        self.task_records.take(batch, 0)
        self.delivery_records.take(batch, 1)
        self.scheduler.take(batch)
        for member in release or ():
            batch.ops += ["l", member]
        unsent = self.coverage.take_unsent() if self.coverage is not None else {}
        for vendor, counts in unsent.items():
            for key, n in counts.items():
                batch.count(self._key("coverage", vendor), json.dumps(list(key)), n)
        if not batch.ops:
            return None
        if batch.carrying:
            self._carrying += 1
        return batch

    async def _stage_work(self, pipe: Any, release: list[str] | None = None) -> tuple[
            Callable[[list[Any]], None], Callable[[], None]]:
        """The batches to write into ``pipe``: those kept from a write that failed (sent again,
        whole, first), then a new one; what to call with their replies once the write ran, and
        once it failed (they are kept for the next write)."""
        batch = self._new_batch(release)
        if batch is not None:
            self._batches.append(batch)
        sending = list(self._batches)
        apply = commit.script(self.link)
        for item in sending:
            await apply(keys=item.keys(self._commit_keys), args=[*item.head, *item.ops], client=pipe)

        def done(replies: list[Any]) -> None:
            del self._batches[:len(sending)]
            for item, raw in zip(sending, replies):
                item.settle(commit.Reply.parse(raw))
                if item.carrying:
                    self._carrying -= 1

        def failed() -> None:
            pass  # kept in ``_batches``: the next write sends them again (each is applied once)
        return done, failed

    async def drain_releasing(self, members: list[str]) -> None:
        """:meth:`drain`, and the claims of timers that ran here given back in the same round trip."""
        await self.journal.drain()
        await self._flush_work(members)

    async def _flush_work(self, release: list[str] | None = None, *, counts: bool = True) -> None:
        """What :meth:`_stage_work` writes, in a round trip of its own (no journal entry waits);
        ``release``: claims of timers that ran here, given back once their writes are in. Every
        write of this process holds one lock (the journal's too): a write that finds nothing left
        to carry has waited for the one that took it, so whoever waits on it (an answer, a release)
        goes on only once it is in Redis."""
        if not release and not self._pending_work(counts) and not self._carrying:
            return  # nothing to write, and no write in flight carrying work of this process
        async with self._flushing:
            if not self._pending_work(counts) and not release:
                return

            async def write() -> list[Any]:
                async with self.link.redis.pipeline(transaction=False) as pipe:
                    staged.append(await self._stage_work(pipe, release))
                    result: list[Any] = await pipe.execute()
                    return result

            staged: list[tuple[Callable[[list[Any]], None], Callable[[], None]]] = []
            replies = await self.link.call(write)
            for done, _ in staged:
                done(replies)

    async def _load_config(self, version: int) -> None:
        """The rules, faults and queued answers as the shared store holds them now."""
        async def read() -> list[Any]:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                for name in ("rules", "rules:left", "faults", "faults:left"):
                    pipe.hgetall(self._key(name))
                pipe.lrange(self._key("replay"), 0, -1)
                pipe.hget(self._key("meta"), "config")
                result: list[Any] = await pipe.execute()
                return result

        rules, rules_left, faults, faults_left, answers, current = await self.link.call(read)
        self.rules.replace(sorted((make_rule(json.loads(spec), int(rid), _left(rules_left, rid))
                                   for rid, spec in rules.items()), key=lambda r: r.id))
        loaded = []
        for fid, raw in faults.items():
            data = json.loads(raw)
            loaded.append(make_fault(data["spec"], int(fid), 0.0, remaining=_left(faults_left, fid),
                                     expires=data.get("expires")))
        self.faults.replace(sorted(loaded, key=lambda f: f.id))
        self.replay.clear()
        for raw in answers:
            data = json.loads(raw)
            self.replay._queue.append(Answer(data["value"], data["status"], data["vendor"], data["endpoint"]))
        self._seen["config"] = int(current or version)

    # -- changes ---------------------------------------------------------------------------------
    async def _add(self, kind: str, stored: dict[str, Any], times: int | None) -> int:
        add = self.link.script("add", scripts.ADD)
        keys = [self._key(kind, "ids"), self._key(kind), self._key(kind, "left"), self._key("meta")]
        fence = _fence.get()
        args = [json.dumps(stored), "" if times is None else str(times), "" if fence is None else str(fence)]
        new_id = int(await self.link.call(lambda: add(keys=keys, args=args)))
        if new_id < 0:
            raise Superseded(f"generation {fence} of the shared state was reset meanwhile")
        await self._load_config(-1)
        await self._publish_quietly()
        return new_id

    @contextlib.contextmanager
    def fenced(self, generation: int | None = None) -> Iterator[None]:
        """Rules and faults added in this context (this task) go in only while ``generation``
        (this process's, by default) is the shared state's, else :class:`Superseded`: a scenario
        loaded for a generation that a later reset replaced adds nothing (that reset's process
        loads it)."""
        token = _fence.set(self._seen.get("generation", 0) if generation is None else generation)
        try:
            yield
        finally:
            _fence.reset(token)

    async def add_rule(self, spec: dict[str, Any]) -> Rule:
        make_rule(spec, 0)  # refused here, before anything is shared
        rule_id = await self._add("rules", spec, spec.get("times"))
        return next((r for r in self.rules.list() if r.id == rule_id), None) or make_rule(spec, rule_id)

    async def add_fault(self, spec: dict[str, Any]) -> Fault:
        fault = make_fault(spec, 0, self.clock.now())
        fault_id = await self._add("faults", {"spec": spec, "expires": fault.expires}, fault.remaining)
        fault.id = fault_id
        return next((f for f in self.faults.list() if f.id == fault_id), fault)

    async def _remove(self, kind: str, item_id: int | None) -> int:
        remove = self.link.script("remove", scripts.REMOVE)
        keys = [self._key(kind), self._key(kind, "left"), self._key("meta")]
        removed = int(await self.link.call(lambda: remove(keys=keys, args=["" if item_id is None else str(item_id)])))
        await self._load_config(-1)
        await self._publish_quietly()
        return removed

    async def remove_rules(self, rule_id: int | None = None) -> int:
        return await self._remove("rules", rule_id)

    async def remove_faults(self, fault_id: int | None = None) -> int:
        return await self._remove("faults", fault_id)

    async def add_answer(self, answer: Answer) -> None:
        ReplayQueue().add(answer)  # refused here, before anything is shared
        raw = json.dumps({"value": answer.value, "status": answer.status, "vendor": answer.vendor,
                          "endpoint": answer.endpoint})

        async def push() -> None:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                pipe.rpush(self._key("replay"), raw)
                pipe.hincrby(self._key("meta"), "config", 1)
                await pipe.execute()

        await self.link.call(push)
        await self._load_config(-1)

    async def clear_journal(self) -> None:
        async def clear() -> None:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                pipe.delete(self._key("journal"), self._key("journal", "invalid"), self._key("journal", "totals"))
                pipe.hincrby(self._key("meta"), "journal", 1)
                await pipe.execute()

        await self.journal.drain()
        await self.link.call(clear)
        await self.begin()

    async def reset_everywhere(self) -> int | None:
        await self.journal.drain()
        data = [self._key(name) for name in ("rules", "rules:left", "faults", "faults:left", "replay")]
        data += [self._key("journal"), self._key("journal", "invalid"), self._key("journal", "totals")]
        data += [self._key(*parts) for parts in (("tasks",), ("tasks", "changes"), ("tasks", "versions"),
                                                 ("deliveries",), ("deliveries", "changes"),
                                                 ("deliveries", "versions"), ("timers",), ("timers", "claimed"),
                                                 ("timers", "due"), ("timers", "payload"))]

        async def wipe() -> int:
            async with self.link.redis.pipeline(transaction=True) as pipe:
                pipe.delete(*data)
                pipe.hincrby(self._key("meta"), "journal", 1)
                pipe.hincrby(self._key("meta"), "config", 1)
                pipe.hincrby(self._key("meta"), "generation", 1)
                result = await pipe.execute()
            generation = int(result[-1])
            self._reset_into(generation)  # at once: no work of this process is made between the two
            claim = self._key("scenario", f"{self._seen.get('run')}:{generation}")  # the resetter loads it
            await self.link.redis.set(claim, self.worker, nx=True, ex=SCENARIO_CLAIM_SECONDS)
            async for key in self.link.redis.scan_iter(match=self._key("rate", "*"), count=1000):
                await self.link.redis.delete(key)
            async for key in self.link.redis.scan_iter(match=self._key("nonce", "*"), count=1000):
                await self.link.redis.delete(key)
            return generation

        generation = await self.link.call(wipe)
        self.task_records.seen = self.delivery_records.seen = "0-0"
        await self.begin()
        await self._publish_quietly()
        return generation

    def _reset_into(self, generation: int) -> None:
        """This process's part of a reset that made ``generation`` (its own, or another's)."""
        self._seen["generation"] = generation
        if self.on_reset is not None:
            self.on_reset()
        else:
            self.reset()

    async def claim_scenario(self) -> bool:
        """Whether this process loads the run's scenario (the first of a generation to ask does)."""
        key = self._key("scenario", f"{self._seen.get('run')}:{self._seen.get('generation', 0)}")
        return bool(await self.link.call(lambda: self.link.redis.set(key, self.worker, nx=True,
                                                                     ex=SCENARIO_CLAIM_SECONDS)))

    # -- the clock -------------------------------------------------------------------------------
    def _clock_jumped(self) -> None:
        """The clock jumped here (over a wait, or an advance): publish it once the loop is free
        (an advance publishes once, at its end)."""
        if self.scheduler.quiet or (self._publishing is not None and not self._publishing.done()):
            return
        try:
            self._publishing = asyncio.get_running_loop().create_task(self._publish_clock())
        except RuntimeError:
            pass

    async def _publish_clock(self) -> None:
        published = None
        while published != self.clock.origin[1]:  # a jump made while publishing is published too
            published = self.clock.origin[1]
            try:
                await self.moved_clock()
            except StoreUnavailable:
                return

    async def moved_clock(self) -> None:
        jump = self.link.script("jump", scripts.JUMP)
        mock0 = await self.link.call(lambda: jump(keys=[self._key("meta")], args=[repr(self.clock.origin[1])]))
        self.clock.catch_up(float(mock0))
        await self._publish_quietly()

    async def _publish_quietly(self) -> None:
        with contextlib.suppress(StoreUnavailable):
            await self._publish()

    # -- decisions -------------------------------------------------------------------------------
    async def _spend(self, kind: str, item_id: int) -> int:
        spend = self.link.script("spend", scripts.SPEND)
        keys = [self._key(kind, "left"), self._key(kind), self._key("meta")]
        return int(await self.link.call(lambda: spend(keys=keys, args=[str(item_id)])))

    async def take_rule(self, vendor: str, endpoint: str, subject: Subject, *, reviews: bool = True) -> Rule | None:
        for rule in self.rules.matching(vendor, endpoint, subject, reviews=reviews):
            if rule.remaining is None:
                return rule
            left = await self._spend("rules", rule.id)
            if left <= 0:
                self.rules.drop(rule.id)
            if left >= 0:
                rule.remaining = left
                return rule
        return None

    async def draw_fault(self, vendor: str, endpoint: str, targeted: bool = False) -> Drawn:
        if not self.faults.armed:
            return Drawn()
        return await self.faults.draw_shared(vendor, endpoint, targeted, lambda fid: self._spend("faults", fid))

    async def take_answer(self, vendor: str, endpoint: str, targeted: bool = False) -> Answer | None:
        if not self.replay.armed:
            return None
        take = self.link.script("take_answer", scripts.TAKE_ANSWER)
        raw = await self.link.call(lambda: take(keys=[self._key("replay"), self._key("meta")],
                                                args=[vendor, endpoint, "1" if targeted else "0"]))
        await self._load_config(-1)
        if raw is None:
            return None
        data = json.loads(raw)
        return Answer(data["value"], data["status"], data["vendor"], data["endpoint"])

    async def allow(self, key: Hashable, qps: int | None) -> bool:
        if qps is None:
            return True
        rate = self.link.script("rate", scripts.RATE)
        args = [repr(time.time()), str(qps), f"{self.worker}:{next(self._members)}"]
        return bool(await self.link.call(lambda: rate(keys=[self._key("rate", _digest(key))], args=args)))

    async def hold(self, key: Hashable, limit: int) -> str | None:
        """One place under ``key`` (at most ``limit`` held): the lease to release, or None when full."""
        hold = self.link.script("hold", scripts.HOLD)
        now, lease = time.time(), f"{self.worker}:{next(self._members)}"
        args = [repr(now), str(limit), lease, repr(now + LEASE_SECONDS)]
        places = self._key("flight", _digest(key))
        taken = await self.link.call(lambda: hold(keys=[places], args=args))
        if not taken:
            return None
        self._held.add((places, lease))
        return lease

    async def release(self, leases: list[tuple[Hashable, str]]) -> None:
        """Give back places :meth:`hold` took (a lease not given back ends by itself)."""
        for key, lease in leases:
            self._held.discard((self._key("flight", _digest(key)), lease))

        async def give_back() -> None:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                for key, lease in leases:
                    pipe.zrem(self._key("flight", _digest(key)), lease)
                await pipe.execute()

        with contextlib.suppress(StoreUnavailable):
            await self.link.call(give_back)

    def reset(self) -> None:
        """This process's part of a reset: its mirror and its tasks and deliveries."""
        super().reset()
        for records in (self.task_records, self.delivery_records):
            records.forget()
        self._stamp = self._seen.get("generation", 0)
        self.deliveries._generation = self._seen.get("generation", 0)
        self.rules.replace([])
        self.faults.replace([])
        self.replay.clear()
        self._seen["config"] = -1  # reloaded from the shared store by the next begin


def _stream_id(value: str) -> tuple[int, int]:
    ms, _, seq = value.partition("-")
    return int(ms), int(seq or 0)


def _trimmed(seen: str, first: list[Any]) -> bool:
    """Whether changes after ``seen`` were trimmed from their stream before this process read them."""
    if seen == "0-0" or not first:
        return False
    return _stream_id(first[0][0].decode()) > _stream_id(seen)


def _left(counts: dict[bytes, bytes], item_id: bytes) -> int | None:
    raw = counts.get(item_id)
    return int(raw) if raw is not None else None
