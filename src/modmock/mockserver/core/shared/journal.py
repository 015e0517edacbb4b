"""The journal every process shares: entries written to Redis streams, read back into a mirror.

A request's entry is queued when it is recorded and written before its answer goes out (the
request's handler waits for :meth:`SharedJournal.drain`); entries queued meanwhile by other
requests go in the same round trip. Redis gives each entry its id, so every process reads one
order. :meth:`SharedJournal.pull` (before the admin API or a fixture reads) copies the entries
this process has not seen into the ring the in-memory journal reads from, so every listing works
as it does in one process. The streams are bounded as the in-memory rings are (``--journal-size``,
1,000 invalid entries).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ..journal import Entry, Journal, clip_body, clip_problems, too_deep
from ..jsonio import encode_json
from ..store import StoreUnavailable
from . import scripts
from .link import Link

log = logging.getLogger("modmock")


def _entry_json(entry: Entry) -> bytes:
    """The entry as :meth:`Entry.from_json` reads it back (without its id, which Redis gives):
    built field by field (``dataclasses.asdict`` costs a tenth of a request), orjson first."""
    data = {name: getattr(entry, name) for name in _FIELDS}
    data["problems"] = [vars(p) for p in entry.problems]
    data["warnings"] = [vars(p) for p in entry.warnings]
    if too_deep(entry.response):
        data["response"] = clip_body(entry.response)
    try:
        return encode_json(data)
    except (TypeError, ValueError):  # a value JSON has no form for (bytes, say): written as its repr
        return json.dumps(data, ensure_ascii=True, default=repr).encode("ascii")


_FIELDS = tuple(name for name in Entry.__dataclass_fields__ if name not in ("id", "problems", "warnings"))


class SharedJournal(Journal):
    """The journal's listings read this process's mirror; :meth:`record` writes to the shared one."""

    def __init__(self, link: Link, capacity: int = 10_000, invalid_capacity: int = 1_000) -> None:
        super().__init__(capacity, invalid_capacity)
        self.link = link
        self.invalid_capacity = invalid_capacity
        self._outbox: list[Entry] = []
        self._queued = self._written = 0  # entries recorded here, and of those written (in order)
        self._writing: asyncio.Future[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._seen = self._seen_invalid = 0  # the newest ids pulled into the mirror
        self._invalid_counted = 0  # invalid entries pulled, or counted as evicted before any pull
        self.epoch: int | None = None  # the shared journal's clears: a new one empties the mirror
        self.lost = 0  # entries an outage kept from the shared journal (logged)
        # Other writes that go in the same round trip (the store's tasks, timers, coverage): what
        # to call with their replies once the round trip succeeded, and once it failed.
        self.stage_extra: Callable[[Any], Awaitable[tuple[Callable[[list[Any]], None], Callable[[], None]]]] | None \
            = None
        self.lock: asyncio.Lock | None = None  # held while writing (the store's: its writes go in one order)

    # -- writing ---------------------------------------------------------------------------------
    def record(self, entry: Entry) -> None:
        """Queue ``entry`` for the shared journal (its id comes from there); observers hear of it now."""
        clip_problems(entry)
        self._outbox.append(entry)
        self._queued += 1
        self._observed(entry)
        if self._flusher is None or self._flusher.done():
            try:
                self._flusher = asyncio.get_running_loop().create_task(self._flush_soon())
            except RuntimeError:  # no loop (a test recording directly): the next drain writes it
                self._flusher = None

    async def _flush_soon(self) -> None:
        try:
            await self.drain()
        except StoreUnavailable:
            pass  # counted in ``lost`` and logged by the link

    async def drain(self) -> None:
        """Until every entry recorded here so far is in the shared journal (or lost to an outage)."""
        mine = self._queued
        while self._written < mine:
            if self._writing is None:  # a task of its own: a request cancelled meanwhile loses no one's entries
                loop = asyncio.get_running_loop()
                self._writing = loop.create_future()
                loop.create_task(self._write_logged())
            await asyncio.shield(self._writing)

    async def _write_logged(self) -> None:
        try:
            await self._write()
        except StoreUnavailable:
            pass  # counted in ``lost``, logged by the link

    async def _write(self) -> None:
        batch, self._outbox = self._outbox, []
        upto = self._queued
        done = self._writing = self._writing if self._writing is not None else asyncio.get_running_loop().create_future()
        try:
            record = self.link.script("record", scripts.RECORD)
            keys = [self.link.key("journal", "ids"), self.link.key("journal"), self.link.key("journal", "invalid"),
                    self.link.key("journal", "totals")]

            extra: list[tuple[Callable[[list[Any]], None], Callable[[], None]]] = []

            async def send() -> list[Any]:
                extra.clear()
                async with self.link.redis.pipeline(transaction=False) as pipe:
                    for entry in batch:
                        await record(keys=keys, client=pipe, args=[
                            _entry_json(entry), "1" if entry.valid else "0", self.capacity, self.invalid_capacity,
                            "1" if entry.disconnected else "0", "1" if entry.internal_error else "0"])
                    if self.stage_extra is not None:
                        extra.append(await self.stage_extra(pipe))
                    result: list[Any] = await pipe.execute()
                    return result

            try:
                if self.lock is not None:
                    async with self.lock:
                        ids = await self.link.call(send)
                else:
                    ids = await self.link.call(send)
                for entry, entry_id in zip(batch, ids):
                    entry.id = int(entry_id)
                    self._last_id = max(self._last_id, entry.id)
            except StoreUnavailable:
                self.lost += len(batch)
                for _, on_failure in extra:
                    on_failure()
                raise
            for on_success, _ in extra:
                on_success(ids[len(batch):])
        finally:
            self._written = upto
            self._writing = None
            done.set_result(None)

    # -- reading ---------------------------------------------------------------------------------
    async def pull(self, epoch: int) -> None:
        """Copy the entries this process has not seen into the mirror; the totals too."""
        if epoch != self.epoch:
            self._empty_mirror()
            self.epoch = epoch
            self.generation = epoch
        journal, invalid, totals = self.link.key("journal"), self.link.key("journal", "invalid"), \
            self.link.key("journal", "totals")

        async def read() -> list[Any]:
            async with self.link.redis.pipeline(transaction=False) as pipe:
                pipe.xrange(journal, f"({self._seen}-1", "+")
                pipe.xrange(invalid, f"({self._seen_invalid}-1", "+")
                pipe.hgetall(totals)
                result: list[Any] = await pipe.execute()
                return result

        fresh, fresh_invalid, counts = await self.link.call(read)
        with self._lock:
            for stream_id, fields in fresh:
                entry = self._entry(stream_id, fields)
                self._entries.append(entry)
                self._seen = entry.id
                self._last_id = max(self._last_id, entry.id)
            for stream_id, fields in fresh_invalid:
                entry = self._entry(stream_id, fields)
                if len(self._invalid) == self._invalid.maxlen and self._invalid[0].id > self._seen_upto:
                    self._invalid_evicted += 1
                self._invalid.append(entry)
                self._seen_invalid = entry.id
                self._invalid_counted += 1
            self._totals = {name: int(counts.get(name.encode(), 0)) for name in self._totals}
            missed = self._totals["invalid"] - self._invalid_counted  # trimmed before this process read them
            if missed > 0:
                self._invalid_evicted += missed
                self._invalid_counted += missed

    @staticmethod
    def _entry(stream_id: bytes, fields: dict[bytes, bytes]) -> Entry:
        entry = Entry.from_json(json.loads(fields[b"e"]))
        entry.id = int(stream_id.split(b"-")[0])
        return entry

    def _empty_mirror(self) -> None:
        with self._lock:
            self._entries.clear()
            self._invalid.clear()
            self._invalid_evicted = 0
            self._seen = self._seen_invalid = self._invalid_counted = 0
            self._totals = dict.fromkeys(self._totals, 0)

    def clear(self) -> None:
        """Empty the mirror (the shared journal is cleared by the store)."""
        self._empty_mirror()
