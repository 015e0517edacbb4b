"""The bounded journal of requests, and the separate bounded list of invalid ones.

Every request gets an :class:`Entry`. The ring keeps the newest ``capacity`` entries. An
invalid request is also kept in a second ring; :meth:`Journal.invalid_unseen` tells whether
any was evicted before a test looked at it (``assert_all_requests_valid`` fails then).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .isotime import iso

BODY_KEEP = 4 * 1024  # characters of one string in a journaled body (a base64 image is cut)

log = logging.getLogger("modmock")


@dataclass
class Problem:
    """One broken rule: which field, which rule, what was sent, what the vendor expects."""

    field: str
    rule: str
    sent: Any = None
    expected: str = ""
    inferred: bool = False
    suggestion: Any = None  # the nearest valid value, where there is one

    def describe(self) -> str:
        sent = repr(self.sent)
        if len(sent) > 80:
            sent = sent[:77] + "..."
        tag = " (inferred rule)" if self.inferred else ""
        text = f"{self.field}: {self.rule}{tag}; sent {sent}; expected {self.expected}"
        if self.suggestion is not None:
            nearest = repr(self.suggestion)
            text += f"; nearest valid: {nearest if len(nearest) <= 80 else nearest[:77] + '...'}"
        return text


UNMATCHED = "(unmatched)"  # the endpoint of a request no endpoint serves (a near miss)


@dataclass
class Entry:
    """One request as the mock saw and answered it."""

    id: int
    vendor: str
    endpoint: str
    method: str
    path: str
    time: float
    wall_time: float
    body: Any = None
    status: int = 0
    response: Any = None
    code: Any = None
    valid: bool = True
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    request_id: str | None = None
    disconnected: bool = False  # the client went away before its request was read
    internal_error: bool = False  # the mock itself failed (a bug: never what a client sent)
    faults: list[str] = field(default_factory=list)  # what faults did: error, latency, reset, empty, malformed, replayed
    injected_code: Any = None  # the code a fault or rule forced (an item-level one included)

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON values; an answer echoing a deep value of the client's is clipped."""
        data = asdict(replace(self, response=None))
        data["response"] = clip_body(self.response) if too_deep(self.response) else self.response
        data["time_iso"], data["wall_time_iso"] = iso(self.time), iso(self.wall_time)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """The entry :meth:`to_json` wrote (a shared store's journal keeps that form)."""
        known = {name: value for name, value in data.items() if name in ENTRY_FIELDS}
        for name in ("problems", "warnings"):
            known[name] = [Problem(**p) for p in known.get(name) or []]
        known.setdefault("id", 0)
        return cls(**known)


ENTRY_FIELDS = frozenset(Entry.__dataclass_fields__)
ITEMS_KEEP = 200  # keys of an object or items of a list kept in the journal
DEPTH_KEEP = 16


def clip_body(body: Any, depth: int = 0) -> Any:
    """Keep large bodies from filling memory: long strings, big containers and deep nesting
    are cut; the structure a test looks at is kept."""
    if isinstance(body, str):
        return body if len(body) <= BODY_KEEP else body[:BODY_KEEP] + f"...[{len(body)} chars]"
    if isinstance(body, bytes):
        return clip_body(body.decode("utf-8", "replace"), depth)
    if isinstance(body, (dict, list)) and depth >= DEPTH_KEEP:
        return f"...[nested deeper than {DEPTH_KEEP}]"
    if isinstance(body, dict):
        items = list(body.items())
        kept = {str(k): clip_body(v, depth + 1) for k, v in items[:ITEMS_KEEP]}
        if len(items) > ITEMS_KEEP:
            kept["..."] = f"[{len(items) - ITEMS_KEEP} more keys]"
        return kept
    if isinstance(body, list):
        return [clip_body(v, depth + 1) for v in body[:ITEMS_KEEP]]
    return body


def too_deep(value: Any) -> bool:
    """Nested deeper than the journal keeps (checked without recursion)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= DEPTH_KEEP:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return False


TOTALS = ("requests", "invalid", "disconnected", "internal_errors")


def clip_problems(entry: Entry) -> None:
    """What a client sent, as an entry's problems quote it, clipped (size, depth)."""
    for problem in (*entry.problems, *entry.warnings):
        problem.sent = clip_body(problem.sent)
        problem.suggestion = clip_body(problem.suggestion)


class Journal:
    """Thread-safe bounded journal, with running totals of everything it was given."""

    def __init__(self, capacity: int = 10_000, invalid_capacity: int = 1_000) -> None:
        self._entries: deque[Entry] = deque(maxlen=capacity)
        self._invalid: deque[Entry] = deque(maxlen=invalid_capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._invalid_evicted = 0
        self._seen_upto = 0  # invalid entries with id <= this were reported
        self._totals = dict.fromkeys(TOTALS, 0)
        self._last_id = 0
        self.generation = 0  # counts clears: a page that follows the journal drops what it holds
        self.observers: list[Callable[[Entry], None]] = []  # told of every entry kept (surface coverage)

    @property
    def capacity(self) -> int:
        """How many entries the ring keeps."""
        return self._entries.maxlen or 0

    @property
    def latest_id(self) -> int:
        """The id of the newest entry journaled (ids are never reused, a clear keeps counting): a
        listing's ``since`` for the next poll."""
        return self._last_id

    def record(self, entry: Entry) -> None:
        """Keep ``entry``; what a client sent is clipped first (size, depth), so no listing of the
        journal can fail on it."""
        clip_problems(entry)
        with self._lock:
            entry.id = next(self._ids)  # in the order entries are kept: a poller's ``since`` misses none
            self._last_id = entry.id
            self._entries.append(entry)
            totals = self._totals
            totals["requests"] += 1
            if entry.internal_error:
                totals["internal_errors"] += 1
            if entry.disconnected:
                totals["disconnected"] += 1
            if not entry.valid:
                totals["invalid"] += 1
                if len(self._invalid) == self._invalid.maxlen and self._invalid[0].id > self._seen_upto:
                    self._invalid_evicted += 1
                self._invalid.append(entry)
        self._observed(entry)

    def _observed(self, entry: Entry) -> None:
        for observer in self.observers:  # a failing observer never costs a request its answer
            try:
                observer(entry)
            except Exception:
                log.exception("journal observer %r failed on entry %d", observer, entry.id)

    def entries(self, *, vendor: str | None = None, endpoint: str | None = None,
                valid: bool | None = None) -> list[Entry]:
        """The kept entries, oldest first, that match every filter given."""
        with self._lock:
            items = list(self._entries)
        return [
            e for e in items
            if (vendor is None or e.vendor == vendor)
            and (endpoint is None or e.endpoint == endpoint)
            and (valid is None or e.valid == valid)
        ]

    def newest(self, limit: int, *, since: int = 0, vendor: str | None = None, endpoint: str | None = None,
               valid: bool | None = None) -> list[Entry]:
        """Up to ``limit`` matching entries newer than id ``since``, the newest of them, newest first."""
        with self._lock:
            items = list(self._entries)
        found: list[Entry] = []
        for e in reversed(items):
            if e.id <= since or len(found) >= limit:
                break
            if (vendor is None or e.vendor == vendor) and (endpoint is None or e.endpoint == endpoint) \
                    and (valid is None or e.valid == valid):
                found.append(e)
        return found

    def get(self, entry_id: int) -> Entry | None:
        """A kept entry by its id."""
        with self._lock:
            return next((e for e in reversed(self._entries) if e.id == entry_id), None)

    def page(self, limit: int, *, since: int | None = None, vendor: str | None = None, endpoint: str | None = None,
             valid: bool | None = None) -> tuple[list[Entry], bool]:
        """A page of matching entries, newest first, and whether more match beyond it. Without
        ``since``: the newest ``limit``; with it: the ``limit`` oldest of those newer than ``since``,
        so that a poller passing the newest id it got as the next ``since`` sees every entry."""
        with self._lock:
            items = list(self._entries)
        matching = [e for e in items if (since is None or e.id > since) and (vendor is None or e.vendor == vendor)
                    and (endpoint is None or e.endpoint == endpoint) and (valid is None or e.valid == valid)]
        chosen = matching[-limit:] if since is None else matching[:limit]
        return chosen[::-1], len(matching) > len(chosen)

    def invalid(self, *, vendor: str | None = None) -> tuple[list[Entry], int]:
        """Invalid entries kept, and how many were evicted unseen; marks them seen."""
        with self._lock:
            items = [e for e in self._invalid if vendor is None or e.vendor == vendor]
            evicted = self._invalid_evicted
            if self._invalid:
                self._seen_upto = self._invalid[-1].id
            self._invalid_evicted = 0
        return items, evicted

    def totals(self) -> dict[str, int]:
        """Requests journaled since the start or the last clear, kept or not: all, invalid,
        disconnected, and the mock's own internal errors."""
        with self._lock:
            return dict(self._totals)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._invalid.clear()
            self._invalid_evicted = 0
            self._totals = dict.fromkeys(TOTALS, 0)
            self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)
