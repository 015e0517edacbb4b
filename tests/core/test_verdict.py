"""The normative default verdict rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modmock.mockserver.core.verdict import (
    ALIASES,
    CATEGORIES,
    MediaProblem,
    Subject,
    Verdict,
    check_media,
    default_verdict,
)


@pytest.mark.parametrize(("url", "risk", "categories"), [
    ("https://cdn.example.com/porn/1.jpg", "reject", ["porn"]),
    ("https://example.com/fixtures/clean.jpg", "pass", []),
    ("https://example.com/porn-review.jpg", "review", ["porn"]),
    ("https://example.com/a/NSFW_gore.png", "reject", ["porn", "violence"]),
    ("https://porn.example.com/clean.jpg", "pass", []),  # the host is not scanned
    ("https://example.com/clean.jpg?img=porn", "pass", []),  # nor the query
])
def test_url_examples(url: str, risk: str, categories: list[str]) -> None:
    verdict = default_verdict(Subject(url=url))
    assert verdict.risk == risk
    assert [label.category for label in verdict.labels] == categories


def test_data_id_and_text_are_scanned() -> None:
    assert default_verdict(Subject(data_id="sex.jpg")).labels[0].category == "sexy"
    assert default_verdict(Subject(text="buy DRUGS here")).labels[0].category == "contraband"


@pytest.mark.parametrize("word", sorted(set(CATEGORIES) | set(ALIASES)))
def test_every_category_and_alias_flags_its_category(word: str) -> None:
    verdict = default_verdict(Subject(url=f"https://x.example/{word}.jpg"))
    assert verdict.risk == "reject"
    assert verdict.labels[0].category == ALIASES.get(word, word)
    assert verdict.labels[0].confidence == 0.97
    review = default_verdict(Subject(url=f"https://x.example/{word}-review.jpg"))
    assert (review.risk, review.labels[0].confidence) == ("review", 0.6)


@given(st.lists(st.text(alphabet="bcdfghjklmnpqstvwxz", min_size=1, max_size=8), max_size=5))
def test_words_that_are_not_categories_pass(words: list[str]) -> None:
    words = [w for w in words if w not in ALIASES and w not in CATEGORIES]
    assert default_verdict(Subject(url="https://x.example/" + "/".join(words))).risk == "pass"


def test_download_failures() -> None:
    with pytest.raises(MediaProblem) as failed:
        check_media(Subject(url="https://img.invalid/a.jpg"))
    assert failed.value.kind == "download_failed"
    with pytest.raises(MediaProblem) as slow:
        check_media(Subject(url="https://cdn.example.com/timeout/a.jpg"))
    assert slow.value.kind == "download_timeout"
    check_media(Subject(url="https://cdn.example.com/timeouts/a.jpg"))  # a whole word only


def test_restricted_to_drops_categories_not_asked_for() -> None:
    verdict = default_verdict(Subject(url="https://x.example/porn/qr.jpg"))
    assert [lb.category for lb in verdict.restricted_to({"qrcode"}).labels] == ["qrcode"]
    assert verdict.restricted_to({"politics"}) == Verdict.passed()
