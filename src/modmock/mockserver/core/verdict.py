"""The canonical verdict and the deterministic default rule (DESIGN: Default verdict rule).

A vendor parses its request into a :class:`Subject` (what the rule may scan), the core
decides a :class:`Verdict`, and the vendor renders it in its own labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .urls import RECENT, read_url

CATEGORIES: tuple[str, ...] = (
    "porn", "sexy", "violence", "terrorism", "politics", "ads", "abuse", "contraband",
    "religion", "minors", "bullying", "spam", "qrcode", "moan", "silence", "speech", "lyrics", "custom",
)

ALIASES: dict[str, str] = {
    "sex": "sexy",
    "nude": "porn",
    "nsfw": "porn",
    "gore": "violence",
    "blood": "violence",
    "violent": "violence",
    "terror": "terrorism",
    "political": "politics",
    "ad": "ads",
    "advert": "ads",
    "profanity": "abuse",
    "drugs": "contraband",
    "minor": "minors",
    "qr": "qrcode",
}
REJECT_CONFIDENCE = 0.97
REVIEW_CONFIDENCE = 0.6
_WORD_SPLIT = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Label:
    """One finding: a canonical category, an optional vendor sub-label, a confidence 0..1."""

    category: str
    confidence: float
    sublabel: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """An overall risk (pass / review / reject) and the labels behind it."""

    risk: str
    labels: tuple[Label, ...] = ()

    @classmethod
    def passed(cls) -> Verdict:
        return _PASSED

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        """Build from the rule format: ``{"risk": ..., "labels": [{"category": ...}]}``."""
        labels = tuple(
            Label(
                category=item["category"],
                confidence=float(item.get("confidence", REJECT_CONFIDENCE)),
                sublabel=item.get("sublabel"),
                details=dict(item.get("details", {})),
            )
            for item in data.get("labels", [])
        )
        return cls(data["risk"], labels)

    def restricted_to(self, categories: Iterable[str] | None) -> Verdict:
        """Keep only the labels of the categories asked for; nothing left means pass."""
        if categories is None:
            return self
        if not self.labels:
            return _PASSED
        wanted = categories if isinstance(categories, (Mapping, AbstractSet)) else set(categories)
        kept = tuple(label for label in self.labels if label.category in wanted)
        if not kept:
            return Verdict.passed()
        return Verdict(self.risk, kept)


_PASSED = Verdict("pass")  # immutable: one for every clean answer


@dataclass(frozen=True)
class Subject:
    """What one moderated item offers the rules: content URL, text, data id, raw bytes."""

    url: str | None = None
    text: str | None = None
    data_id: str | None = None
    token_id: str | None = None
    content: bytes | None = None


class MediaProblem(Exception):
    """The default rule's simulated media failures."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind  # "download_failed" or "download_timeout"
        self.detail = detail


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable http(s) URL, or None when it is."""
    return read_url(url).problem


def words_of(subject: Subject) -> list[str]:
    """The words the default rule scans: URL path, text and data id, lower-cased."""
    words: list[str] = list(path_words(subject.url)) if subject.url else []
    for part in (subject.text, subject.data_id):
        if part:
            words.extend(w for w in _WORD_SPLIT.split(part.lower()) if w)
    return words


@lru_cache(maxsize=RECENT)
def path_words(url: str) -> tuple[str, ...]:
    """The lower-case words of a URL's path (the default rule reads them twice per request)."""
    return tuple(w for w in _WORD_SPLIT.split(read_url(url).path.lower()) if w)


def check_media(subject: Subject) -> None:
    """Raise :class:`MediaProblem` for a ``.invalid`` host or a ``timeout`` path word."""
    if not subject.url:
        return
    url = read_url(subject.url)
    if url.problem:
        raise MediaProblem("download_failed", f"cannot download {subject.url}: {url.problem}")
    if url.host == "invalid" or url.host.endswith(".invalid"):
        raise MediaProblem("download_failed", f"cannot download {subject.url}: host {url.host} does not resolve")
    if "timeout" in path_words(subject.url):
        raise MediaProblem("download_timeout", f"timed out downloading {subject.url}")


def default_verdict(subject: Subject) -> Verdict:
    """The normative default rule: category words and aliases, ``review``, else pass."""
    words = words_of(subject)
    review = "review" in words
    found: list[str] = []
    for word in words:
        category = word if word in CATEGORIES else ALIASES.get(word)
        if category is not None and category not in found:
            found.append(category)
    if not found:
        return Verdict.passed()
    confidence = REVIEW_CONFIDENCE if review else REJECT_CONFIDENCE
    risk = "review" if review else "reject"
    return Verdict(risk, tuple(Label(category, confidence) for category in found))
