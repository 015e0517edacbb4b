"""Rules (priority, newest first, times) and faults (next N requests)."""

from __future__ import annotations

from modmock.mockserver.core.faults import FaultBook
from modmock.mockserver.core.rules import RuleBook
from modmock.mockserver.core.verdict import Subject

CAT = Subject(url="https://cdn.example.com/cats/1.jpg", data_id="d1", token_id="t1", content=b"abc")


def test_priority_then_newest_first_and_times() -> None:
    book = RuleBook()
    low = book.add({"match": {"vendor": "deepcleer"}, "verdict": {"risk": "review"}})
    high = book.add({"match": {"url_regex": "cats"}, "verdict": {"risk": "reject"}, "priority": 5, "times": 2})
    assert book.take("deepcleer", "image_v4", CAT) is high
    assert book.take("deepcleer", "image_v4", CAT) is high
    assert book.take("deepcleer", "image_v4", CAT) is low  # high was used up
    newer = book.add({"match": {}, "error": 1903})
    assert book.take("deepcleer", "image_v4", CAT) is newer


def test_every_match_key_must_hold() -> None:
    book = RuleBook()
    sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # sha256("abc")
    book.add({"match": {"vendor": "deepcleer", "endpoint": "image_v4", "data_id": "d1", "token_id": "t1",
                        "content_sha256": sha, "url_regex": "cats/\\d"}, "delay": 0})
    assert book.take("deepcleer", "image_v4", CAT) is not None
    assert book.take("deepcleer", "image_v4", Subject(url=CAT.url, data_id="d2")) is None
    assert book.take("alibaba", "image_v4", CAT) is None


def test_faults_apply_for_the_next_n_requests_of_their_scope() -> None:
    faults = FaultBook()
    faults.add({"vendor": "deepcleer", "endpoint": "image_v4", "error": {"code": 1903}, "times": 2})
    faults.add({"latency": 0.25})
    first = faults.draw("deepcleer", "image_v4")
    assert first.error == {"code": 1903} and first.latency == 0.25
    assert faults.draw("other", "x").error is None
    assert faults.draw("deepcleer", "image_v4").error == {"code": 1903}
    assert faults.draw("deepcleer", "image_v4").error is None
    assert faults.list() == []


def test_a_seeded_fraction_is_reproducible() -> None:
    import random

    def pattern(seed: int) -> list[bool]:
        faults = FaultBook(rng=random.Random(seed))
        faults.add({"empty": True, "fraction": 0.3})
        return [faults.draw("v", "e").action == "empty" for _ in range(200)]

    assert pattern(7) == pattern(7) and pattern(7) != pattern(8)
    assert 35 <= sum(pattern(7)) <= 85  # about 30 % of 200


def test_latency_range_is_drawn_within_its_bounds() -> None:
    import random
    faults = FaultBook(rng=random.Random(1))
    faults.add({"latency": [0.1, 0.3], "times": 50})
    drawn = [faults.draw("v", "e").latency for _ in range(50)]
    assert all(0.1 <= d <= 0.3 for d in drawn) and len(set(drawn)) > 40


def test_faults_can_last_for_mock_seconds() -> None:
    now = [100.0]
    faults = FaultBook(now=lambda: now[0])
    faults.add({"error": 1903, "seconds": 30})
    assert all(faults.draw("v", "e").error for _ in range(5))  # unlimited while it lasts
    now[0] = 130.0
    assert faults.draw("v", "e").error is None and faults.list() == []


def test_one_error_and_one_latency_per_request() -> None:
    faults = FaultBook()
    faults.add({"reset": True})
    faults.add({"error": 1903})
    faults.add({"latency": 0.1})
    drawn = faults.draw("v", "e")
    assert (drawn.action, drawn.error, drawn.latency) == ("reset", None, 0.1)
    assert faults.draw("v", "e").error == {"code": 1903}
