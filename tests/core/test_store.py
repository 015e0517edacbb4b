"""All mutable state behind one Store: what each component keeps, what reset clears, and a run
that takes another store implementation without any other change."""

from __future__ import annotations

import random

from modmock.mockserver.app import build_app
from modmock.mockserver.core.callbacks import AllowList
from modmock.mockserver.core.clock import MockClock, Scheduler
from modmock.mockserver.core.journal import Entry, Journal
from modmock.mockserver.core.store import MemoryStore, Store
from modmock.mockserver.settings import Settings
from modmock.mockserver.state import MockState

COMPONENTS = {"journal", "rules", "faults", "replay", "rates", "in_flight", "nonces", "tokens", "tasks", "deliveries"}


def _store() -> MemoryStore:
    return MemoryStore(Scheduler(MockClock(manual=True)), AllowList(), random.Random(0))


def test_the_store_has_every_component() -> None:
    assert set(Store.__annotations__) == COMPONENTS
    assert set(_store().components()) == COMPONENTS


def test_reset_clears_state_but_keeps_tokens() -> None:
    store = _store()
    store.rules.add({"match": {}, "verdict": {"risk": "pass"}})
    store.faults.add({"error": {"code": 1903}})
    store.nonces.use("n", 900)
    assert store.rates.allow("k", 1)
    token = store.tokens.issue("client", 60)
    store.journal.record(Entry(1, "v", "e", "POST", "/", 0.0, 0.0))
    store.reset()
    assert (store.rules.list(), store.faults.list(), len(store.journal)) == ([], [], 0)
    assert store.nonces.use("n", 900) and store.rates.allow("k", 1)  # both usable again
    assert store.tokens.lookup(token) is not None


class CountingJournal(Journal):
    recorded = 0

    def record(self, entry: Entry) -> None:
        CountingJournal.recorded += 1
        super().record(entry)


class CountingStore(MemoryStore):
    """Another store: one component replaced, nothing else in the server changed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.journal = CountingJournal()


async def test_a_run_uses_the_store_it_is_given(aiohttp_client) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(vendors=["deepcleer"], port=0, manual_clock=True)
    state = MockState(settings, store=CountingStore)
    client = await aiohttp_client(build_app(settings, state))  # a real server on 127.0.0.1
    answer = await client.post("/image/v4", json={"accessKey": "nope"})
    assert (await answer.json())["code"] in (1902, 9101)
    assert CountingJournal.recorded == 1 and state.journal.entries()[0].endpoint == "image_v4"
