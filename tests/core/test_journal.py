"""The bounded journal and the separate list of invalid requests."""

from __future__ import annotations

from modmock.mockserver.core.journal import Entry, Journal, clip_body


def _entry(journal: Journal, valid: bool) -> Entry:
    return Entry(id=0, vendor="v", endpoint="e", method="POST", path="/", time=0, wall_time=0,
                 valid=valid)


def test_ring_is_bounded() -> None:
    journal = Journal(capacity=5, invalid_capacity=2)
    for _ in range(12):
        journal.record(_entry(journal, True))
    assert len(journal) == 5
    assert [e.id for e in journal.entries()] == [8, 9, 10, 11, 12]


def test_invalid_requests_outlive_the_ring_and_evictions_are_counted() -> None:
    journal = Journal(capacity=2, invalid_capacity=2)
    bad = _entry(journal, False)
    journal.record(bad)
    for _ in range(5):
        journal.record(_entry(journal, True))
    invalid, evicted = journal.invalid()
    assert [e.id for e in invalid] == [bad.id] and evicted == 0
    for _ in range(2):
        journal.record(_entry(journal, False))
    invalid, evicted = journal.invalid()
    assert len(invalid) == 2 and evicted == 0  # the one pushed out had been seen
    for _ in range(3):
        journal.record(_entry(journal, False))
    _, evicted = journal.invalid()
    assert evicted == 1  # three new ones in a list of two: one went unseen


def test_large_bodies_are_clipped() -> None:
    clipped = clip_body({"data": {"img": "A" * 100_000}})
    assert len(clipped["data"]["img"]) < 20_000


def test_wide_and_deep_bodies_are_clipped() -> None:
    wide = clip_body({f"k{i}": i for i in range(5000)})
    assert len(wide) == 201 and "4800 more keys" in wide["..."]
    deep: object = 1
    for _ in range(50):
        deep = {"a": deep}
    node = clip_body(deep)
    for _ in range(16):
        node = node["a"]  # type: ignore[index]
    assert node == "...[nested deeper than 16]"


def test_ids_follow_the_order_entries_are_kept() -> None:
    """A request answered later than one that came after it is journaled with the later id, so a
    poller's since misses neither."""
    journal = Journal(capacity=10)
    slow, fast = _entry(journal, True), _entry(journal, True)
    journal.record(fast)
    journal.record(slow)
    assert [e.id for e in journal.entries()] == sorted(e.id for e in journal.entries())
    assert journal.latest_id == slow.id


def test_ids_are_never_reused_across_a_clear() -> None:
    journal = Journal(capacity=10)
    for _ in range(3):
        journal.record(_entry(journal, True))
    journal.clear()
    assert journal.latest_id == 3 and journal.generation == 1
    journal.record(_entry(journal, True))
    assert [e.id for e in journal.entries()] == [4]
