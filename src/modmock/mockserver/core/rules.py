"""Rules added at run time: match a request, then force a verdict, an error or a delay.

Format (DESIGN, normative; schema ``schemas/modmock/rule.json``)::

    {"match": {"vendor": "deepcleer", "url_regex": "cats"},
     "verdict": {"risk": "reject", "labels": [{"category": "porn"}]},
     "times": 1, "priority": 10}

A rule may also send what it matches to human review (``"review": {"after": 600, "verdict":
{...}}``, :mod:`.reviews`), with its verdict as the machine result or the default rule's.

Higher priority first, then newest first; ``times`` limits how often a rule is used.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ...errors import InvalidSpecError
from .jsonio import non_finite
from .reviews import Review
from .verdict import Subject, Verdict

MATCH_KEYS = ("vendor", "endpoint", "url_regex", "text_contains", "content_sha256", "data_id", "token_id")


@dataclass
class Rule:
    """One rule; ``remaining`` is ``None`` for unlimited use."""

    id: int
    match: dict[str, str]
    verdict: Verdict | None = None
    error: dict[str, Any] | None = None
    delay: float | None = None
    remaining: int | None = None
    priority: int = 0
    source: dict[str, Any] = field(default_factory=dict)
    review: Review | None = None  # sent to human review (vendors with a review flow)

    def matches(self, vendor: str, endpoint: str, subject: Subject) -> bool:
        m = self.match
        if "vendor" in m and m["vendor"] != vendor:
            return False
        if "endpoint" in m and m["endpoint"] != endpoint:
            return False
        if "url_regex" in m and not (subject.url and re.search(m["url_regex"], subject.url)):
            return False
        if "text_contains" in m and not (subject.text and m["text_contains"] in subject.text):
            return False
        if "content_sha256" in m and (
                subject.content is None or hashlib.sha256(subject.content).hexdigest() != m["content_sha256"].lower()):
            return False
        if "data_id" in m and m["data_id"] != subject.data_id:
            return False
        return not ("token_id" in m and m["token_id"] != subject.token_id)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.source)
        out["id"] = self.id
        out["remaining"] = self.remaining
        return out


def error_spec(value: Any) -> dict[str, Any]:
    """Normalise ``"error": 1903`` and ``"error": {"code": 1903, "message": ...}``."""
    if isinstance(value, dict):
        return dict(value)
    return {"code": value}


def make_rule(spec: dict[str, Any], rule_id: int, remaining: int | None = None) -> Rule:
    """The rule of a JSON form (already schema-valid); ``remaining`` overrides its ``times``
    (a shared store's count of uses left). Raises :class:`InvalidSpecError` for a NaN, an
    infinity or a broken regular expression."""
    broken = non_finite(spec)
    if broken is not None:
        raise InvalidSpecError(f"{broken} is NaN or infinite: not a JSON number")
    pattern = spec.get("match", {}).get("url_regex")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise InvalidSpecError(f"match.url_regex {pattern!r} is not a regular expression: {exc}") from None
    return Rule(
        id=rule_id,
        match=dict(spec.get("match", {})),
        verdict=Verdict.from_json(spec["verdict"]) if "verdict" in spec else None,
        error=error_spec(spec["error"]) if "error" in spec else None,
        delay=float(spec["delay"]) if "delay" in spec else None,
        remaining=spec.get("times") if remaining is None else remaining,
        priority=int(spec.get("priority", 0)),
        source=dict(spec),
        review=Review.from_json(spec["review"]) if "review" in spec else None,
    )


class RuleBook:
    """Thread-safe list of rules, consulted newest and highest priority first."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, spec: dict[str, Any]) -> Rule:
        """Add a rule from its JSON form (already schema-valid)."""
        rule = make_rule(spec, next(self._ids))
        with self._lock:
            self._rules.append(rule)
        return rule

    def replace(self, rules: list[Rule]) -> None:
        """Hold exactly ``rules`` (a shared store's mirror, reloaded)."""
        with self._lock:
            self._rules = list(rules)

    def matching(self, vendor: str, endpoint: str, subject: Subject, *, reviews: bool = True) -> list[Rule]:
        """The rules that match, in the order they are consulted (none used up)."""
        with self._lock:
            ordered = sorted(self._rules, key=lambda r: (-r.priority, -r.id))
        return [rule for rule in ordered if (reviews or rule.review is None) and rule.matches(vendor, endpoint, subject)]

    def drop(self, rule_id: int) -> None:
        """Forget one rule here (used up elsewhere)."""
        with self._lock:
            self._rules = [r for r in self._rules if r.id != rule_id]

    def take(self, vendor: str, endpoint: str, subject: Subject, *, reviews: bool = True) -> Rule | None:
        """The first matching rule, its use counted; exhausted rules are dropped. A vendor without
        a human-review flow (``reviews=False``) is never given a review rule."""
        if not self._rules:  # nothing armed: the common case, without the lock
            return None
        with self._lock:
            ordered = sorted(self._rules, key=lambda r: (-r.priority, -r.id))
            for rule in ordered:
                if (reviews or rule.review is None) and rule.matches(vendor, endpoint, subject):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    @property
    def armed(self) -> bool:
        """Whether any rule is armed (read without the lock: a hint for the fast path)."""
        return bool(self._rules)

    def list(self) -> list[Rule]:
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: int | None = None) -> int:
        """Remove one rule by id, or all; returns how many were removed."""
        with self._lock:
            before = len(self._rules)
            self._rules = [] if rule_id is None else [r for r in self._rules if r.id != rule_id]
            return before - len(self._rules)
