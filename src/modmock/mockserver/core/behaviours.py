"""What a vendor declares it does of what its documents describe, behaviour by behaviour.

Each vendor folder holds ``behaviours.toml``: a ``source`` line and one ``[[behaviour]]`` table
per documented behaviour, with its ``status``, ``notes``, the tests that prove it and, where it
rests on another document than the declaration's, its own ``source``. The docs site renders
it as the vendor's coverage table, and a test checks that every named test exists, so the table
cannot claim what no test shows.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Every status a behaviour may have, with what it means (the docs print this legend).
STATUSES: dict[str, str] = {
    "done": "implemented as documented, and tested",
    "inferred": "the documents are silent; modmock's choice is tested and marked (x-inferred or the notes)",
    "partly": "implemented in part: the notes say which part is missing",
    "injectable only": "the mock cannot produce it from content, but a fault or rule injects it",
    "rule only": "produced only when a rule asks for it",
    "not yet": "documented by the vendor, not implemented by modmock",
    "not applicable": "documented, but it belongs to another of the vendor's products",
}
#: Statuses that claim something the mock does, so they must name a test that shows it.
PROVEN = frozenset(STATUSES) - {"not yet", "not applicable"}


class DeclarationError(ValueError):
    """A ``behaviours.toml`` that does not follow the format above."""


@dataclass(frozen=True)
class Behaviour:
    """One documented behaviour: what it is, how far modmock implements it, and the proof."""

    item: str
    status: str
    notes: str = ""
    tests: tuple[str, ...] = ()  # pytest node ids, ``tests/path.py::test_name``
    source: str = ""  # where this row rests, when it is not the declaration's own ``source``


@dataclass(frozen=True)
class Behaviours:
    """A vendor's whole declaration: the documents it rests on and every behaviour."""

    source: str
    rows: tuple[Behaviour, ...]

    def not_done(self) -> tuple[Behaviour, ...]:
        """The behaviours modmock does not (fully) implement yet."""
        return tuple(row for row in self.rows if row.status in ("not yet", "partly"))


def load_behaviours(package: str) -> Behaviours:
    """Read and check ``behaviours.toml`` of the vendor folder ``package``."""
    try:
        text = (resources.files(package) / "behaviours.toml").read_text(encoding="utf-8")
    except OSError as exc:
        raise DeclarationError(f"{package}/behaviours.toml: {exc}") from exc
    return parse_behaviours(text, f"{package}/behaviours.toml")


def parse_behaviours(text: str, where: str = "behaviours.toml") -> Behaviours:
    """Check one declaration's text: known keys and statuses, and a test for every claim."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeclarationError(f"{where}: {exc}") from exc
    unknown = set(data) - {"source", "behaviour"}
    if unknown:
        raise DeclarationError(f"{where}: unknown top-level keys {sorted(unknown)} (a declaration has 'source' "
                               "and '[[behaviour]]' tables)")
    if not isinstance(data.get("source"), str) or not data["source"].strip() or not data.get("behaviour"):
        raise DeclarationError(f"{where}: needs a 'source' string and at least one behaviour")
    rows = [_row(raw, f"{where}, behaviour {number}") for number, raw in enumerate(data["behaviour"], 1)]
    seen: set[str] = set()
    for row in rows:
        if row.item in seen:
            raise DeclarationError(f"{where}: the item {row.item!r} is declared twice")
        seen.add(row.item)
    return Behaviours(data["source"].strip(), tuple(rows))


def _row(raw: dict[str, object], at: str) -> Behaviour:
    """One ``[[behaviour]]`` table, checked."""
    unknown = set(raw) - {"item", "status", "notes", "source", "tests"}
    if unknown:
        raise DeclarationError(f"{at}: unknown keys {sorted(unknown)}")
    item, status, notes, source = raw.get("item"), raw.get("status"), raw.get("notes", ""), raw.get("source", "")
    if not isinstance(item, str) or not item.strip():
        raise DeclarationError(f"{at}: 'item' must be a non-empty string")
    if not isinstance(status, str) or status not in STATUSES:
        raise DeclarationError(f"{at}: 'status' must be one of {list(STATUSES)}, not {status!r}")
    if not isinstance(notes, str) or not isinstance(source, str):
        raise DeclarationError(f"{at}: 'notes' and 'source' are strings")
    tests = raw.get("tests", [])
    if not isinstance(tests, list) or not all(isinstance(t, str) and ".py::test" in t for t in tests) \
            or len(set(tests)) != len(tests):
        raise DeclarationError(f"{at}: 'tests' must be a list of distinct pytest node ids (file.py::test_name)")
    if "not yet" in notes.lower() and status not in ("partly", "not yet"):
        raise DeclarationError(f"{at}: its notes say part of it is 'not yet' done: its status is 'partly'")
    if status == "partly" and not notes.strip():
        raise DeclarationError(f"{at}: a 'partly' behaviour says in its notes which part is missing")
    if status in PROVEN and not tests:
        raise DeclarationError(f"{at}: a {status!r} behaviour must name the tests that show it")
    return Behaviour(item.strip(), status, notes.strip(), tuple(tests), source.strip())
