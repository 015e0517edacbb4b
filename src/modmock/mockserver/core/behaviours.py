"""What a vendor declares it does of what its documents describe, behaviour by behaviour.

Each vendor folder holds ``behaviours.toml``: a ``source`` line and one ``[[behaviour]]`` table
per documented behaviour, with its ``status`` and the tests that prove it. The docs site renders
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
    rows = []
    for number, raw in enumerate(data.get("behaviour", []), 1):
        at = f"{where}, behaviour {number}"
        unknown = set(raw) - {"item", "status", "notes", "tests"}
        if unknown:
            raise DeclarationError(f"{at}: unknown keys {sorted(unknown)}")
        if not isinstance(raw.get("item"), str) or not raw["item"].strip():
            raise DeclarationError(f"{at}: 'item' must be a non-empty string")
        if raw.get("status") not in STATUSES:
            raise DeclarationError(f"{at}: 'status' must be one of {list(STATUSES)}, not {raw.get('status')!r}")
        tests = raw.get("tests", [])
        if not isinstance(tests, list) or not all(isinstance(t, str) and "::" in t for t in tests):
            raise DeclarationError(f"{at}: 'tests' must be a list of pytest node ids (file.py::test)")
        if "not yet" in str(raw.get("notes", "")) and raw["status"] not in ("partly", "not yet"):
            raise DeclarationError(f"{at}: its notes say part of it is 'not yet' done: its status is 'partly'")
        if raw["status"] in PROVEN and not tests:
            raise DeclarationError(f"{at}: a {raw['status']!r} behaviour must name the tests that show it")
        rows.append(Behaviour(raw["item"].strip(), raw["status"], str(raw.get("notes", "")).strip(), tuple(tests)))
    if not isinstance(data.get("source"), str) or not rows:
        raise DeclarationError(f"{where}: needs a 'source' string and at least one behaviour")
    return Behaviours(data["source"].strip(), tuple(rows))
