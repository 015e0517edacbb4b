"""The Lua script every write of shared work goes through, on a real Redis: each batch applied
once, none from another generation, and no record that ended brought back by a writer that had
not seen it end."""

from __future__ import annotations

import uuid

import pytest

from modmock.mockserver.core.shared import scripts

redis = pytest.importorskip("redis")


@pytest.fixture
def commit(redis_url):
    client = redis.Redis.from_url(redis_url)
    prefix = f"test-commit-{uuid.uuid4().hex[:10]}"
    names = ["meta", "applied", "tasks", "tasks:versions", "tasks:changes", "deliveries", "deliveries:versions",
             "deliveries:changes", "timers", "timers:claimed", "timers:due", "timers:payload", "coverage"]
    keys = {name: f"{prefix}:{name}" for name in names}
    client.hset(keys["meta"], mapping={"run": "run-1", "generation": 3})
    script = client.register_script(scripts.COMMIT)
    numbers = iter(range(1, 1000))

    def send(*ops: str, number: int | None = None, generation: int = 3, worker: str = "worker-1") -> list[str]:
        head = [worker, str(next(numbers) if number is None else number), "run-1", str(generation), "1000"]
        applied = [keys[n] if n != "applied" else f"{keys[n]}:{worker}" for n in names]
        return [item.decode() for item in script(keys=applied, args=[*head, *ops])]

    send.client, send.keys = client, keys  # type: ignore[attr-defined]
    yield send
    client.delete(*keys.values())
    client.close()


def _version(commit, record_id: str) -> bytes | None:
    return commit.client.hget(commit.keys["tasks:versions"], record_id)


def test_a_batch_sent_again_is_applied_once(commit) -> None:
    assert commit("r", "0", "t1", "", "0", "first", "a", "m1", "5", "p", number=7) == ["ok"]
    commit.client.zrem(commit.keys["timers"], "m1")  # the timer fired meanwhile
    assert commit("r", "0", "t1", "", "0", "first", "a", "m1", "5", "p", number=7) == ["dup"]
    assert commit.client.zscore(commit.keys["timers"], "m1") is None
    assert commit.client.xlen(commit.keys["tasks:changes"]) == 1


def test_a_batch_of_another_generation_only_gives_claims_back_and_adds_its_counts(commit) -> None:
    commit.client.zadd(commit.keys["timers:claimed"], {"m0": 1e12})
    reply = commit("r", "0", "t1", "", "0", "old", "a", "m1", "5", "p", "l", "m0", "n", "13", "field", "2",
                   generation=2)
    assert reply == ["stale"]
    assert not commit.client.exists(commit.keys["tasks"], commit.keys["timers"])
    assert commit.client.zscore(commit.keys["timers:claimed"], "m0") is None
    assert commit.client.hget(commit.keys["coverage"], "field") == b"2"  # coverage is the run's, across resets


def test_a_record_that_ended_is_not_written_by_one_that_had_not_seen_it_end(commit) -> None:
    assert commit("r", "0", "t1", "", "0", "running", number=1) == ["ok"]
    assert _version(commit, "t1") == b"worker-1:1|0"
    assert commit("r", "0", "t1", "worker-1:1", "1", "stopped", number=2) == ["ok"]
    assert commit("r", "0", "t1", "worker-1:1", "0", "a step that raced the stop", number=3) == ["ok", "0:t1"]
    assert commit.client.hget(commit.keys["tasks"], "t1") == b"stopped" and _version(commit, "t1") == b"worker-1:2|1"
    assert commit("r", "0", "t1", "worker-1:2", "0", "started again", number=4) == ["ok"]  # by one that saw it end
    assert _version(commit, "t1") == b"worker-1:4|0"


def test_writes_kept_from_before_a_stop_elsewhere_are_all_refused(commit) -> None:
    commit("r", "0", "t1", "", "0", "running", number=1)
    commit("r", "0", "t1", "worker-1:1", "1", "stopped", number=1, worker="worker-2")
    # worker-1 sends a write kept from before the stop, and one it made on top of that one
    reply = commit("r", "0", "t1", "worker-1:1", "0", "step", "r", "0", "t1", "worker-1:2", "0", "next step",
                   number=2)
    assert reply == ["ok", "0:t1", "0:t1"]
    assert commit.client.hget(commit.keys["tasks"], "t1") == b"stopped"


def test_an_unfinished_record_is_written_by_the_later_writer(commit) -> None:
    commit("r", "1", "d1", "", "0", "attempt 1", number=1)
    commit("r", "1", "d1", "worker-1:1", "0", "attempt 2", number=2)
    assert commit("r", "1", "d1", "worker-1:1", "0", "attempt 2, elsewhere", number=3) == ["ok"]
    assert commit.client.hget(commit.keys["deliveries"], "d1") == b"attempt 2, elsewhere"
    assert commit.client.xlen(commit.keys["deliveries:changes"]) == 3


def test_a_record_is_forgotten_only_as_seen(commit) -> None:
    commit("r", "0", "t1", "", "1", "done", number=1)
    assert commit("x", "0", "t1", "", number=2) == ["ok", "0:t1"]  # had not seen it written
    assert commit("x", "0", "t1", "worker-1:1", number=3) == ["ok"]
    assert not commit.client.hexists(commit.keys["tasks"], "t1") and _version(commit, "t1") is None
    assert commit("r", "0", "t1", "worker-1:1", "0", "a write after it was forgotten", number=4) == ["ok", "0:t1"]
    assert not commit.client.hexists(commit.keys["tasks"], "t1")


def test_timers_are_added_cancelled_released_and_given_back_unrun(commit) -> None:
    assert commit("a", "m1", "5.5", "p1", "a", "m2", "6", "p2", "c", "m2") == ["ok"]
    assert commit.client.zrange(commit.keys["timers"], 0, -1, withscores=True) == [(b"m1", 5.5)]
    commit.client.zrem(commit.keys["timers"], "m1")
    commit.client.zadd(commit.keys["timers:claimed"], {"m1": 1e12})  # claimed, then cut off by a reset
    assert commit("q", "m1") == ["ok"]
    assert commit.client.zrange(commit.keys["timers"], 0, -1, withscores=True) == [(b"m1", 5.5)]
    commit.client.zrem(commit.keys["timers"], "m1")
    commit.client.zadd(commit.keys["timers:claimed"], {"m1": 1e12})
    assert commit("l", "m1") == ["ok"]  # it ran: gone, with its due time and payload
    assert not commit.client.exists(commit.keys["timers"], commit.keys["timers:claimed"],
                                    commit.keys["timers:due"], commit.keys["timers:payload"])


def test_counts_are_added(commit) -> None:
    commit("n", "13", "field", "2")
    commit("n", "13", "field", "3")
    assert commit.client.hget(commit.keys["coverage"], "field") == b"5"


def test_a_malformed_batch_is_refused_before_anything_is_written(commit) -> None:
    for ops in (("a", "m1", "5", "p", "z", "m2"), ("a", "m1", "5", "p", "r", "0", "t1"),
                ("a", "m1", "5", "p", "r", "2", "t1", "", "0", "blob"), ("a", "m1", "soon", "p"),
                ("a", "m1", "5", "p", "n", "2", "field", "1"), ("a", "m1", "5", "p", "n", "13", "field", "1.5")):
        with pytest.raises(redis.ResponseError, match="malformed op"):
            commit(*ops, number=5)
    assert not commit.client.exists(commit.keys["timers"], commit.keys["applied"] + ":worker-1")
    assert commit("a", "m1", "5", "p", number=5) == ["ok"]  # its number was not spent
