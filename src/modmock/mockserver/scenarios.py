"""Scenario files: rules and faults in one JSON document, loaded at start (``--scenario``).

A name without a path (``throttled``) means one of the scenarios shipped in
``modmock/fixtures/scenarios/``. Entries for vendors this run does not serve are skipped.
"""

from __future__ import annotations

import difflib
import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core import schemas
from .settings import SettingsError

if TYPE_CHECKING:
    from .state import MockState

SCHEMA = "modmock/rule.json#/$defs/scenario"


def shipped() -> list[str]:
    """Names of the scenarios shipped with modmock."""
    folder = resources.files("modmock") / "fixtures" / "scenarios"
    return sorted(item.name.removesuffix(".json") for item in folder.iterdir() if item.name.endswith(".json"))


def describe(name: str) -> str:
    """What a scenario does: its ``description``, else the count of its rules and faults."""
    doc = read(name)
    text = doc.get("description")
    return str(text) if text else f"{len(doc.get('rules', []))} rule(s), {len(doc.get('faults', []))} fault(s)"


def read(name: str) -> dict[str, Any]:
    """A scenario by path, or by the name of a shipped one; validated by its schema."""
    path = Path(name)
    if not path.exists() and name not in shipped():
        near = difflib.get_close_matches(name, shipped(), n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise SettingsError(f"--scenario {name}: no such file, nor a shipped scenario{hint} ({', '.join(shipped())})")
    try:
        if path.exists():
            text = path.read_text(encoding="utf-8")
        else:
            text = (resources.files("modmock") / "fixtures" / "scenarios" / f"{name}.json").read_text("utf-8")
        doc = json.loads(text)
    except (OSError, ValueError) as exc:
        raise SettingsError(f"--scenario {name}: {exc}") from None
    found = schemas.problems(SCHEMA, doc)
    if found:
        raise SettingsError(f"--scenario {name} is not a valid scenario: {found[0].describe()}")
    scenario: dict[str, Any] = doc
    return scenario


def replay_folder(name: str) -> str | None:
    """The folder of recordings a scenario replays (its ``"replay"``, relative to the file), or None."""
    folder = read(name).get("replay")
    if not folder:
        return None
    path = Path(folder)
    if not path.is_absolute() and Path(name).exists():
        path = Path(name).resolve().parent / path
    return str(path)


def load(state: MockState, name: str) -> list[str]:
    """Add a scenario's rules and faults to ``state``; returns what was skipped, and why."""
    entries, skipped = _entries(state, name)
    for kind, entry in entries:
        try:
            state.add_rule(entry) if kind == "rule" else state.add_fault(entry)
        except ValueError as exc:
            raise SettingsError(f"--scenario {name}: {kind} {entry}: {exc}") from None
    return skipped


async def load_async(state: MockState, name: str) -> list[str]:
    """:func:`load` through the store (a shared store: once for every process)."""
    entries, skipped = _entries(state, name)
    for kind, entry in entries:
        try:
            await (state.put_rule(entry) if kind == "rule" else state.put_fault(entry))
        except ValueError as exc:
            raise SettingsError(f"--scenario {name}: {kind} {entry}: {exc}") from None
    return skipped


def _entries(state: MockState, name: str) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """The scenario's rules and faults for the vendors served, and what was skipped, and why."""
    doc = read(name)
    chosen: list[tuple[str, dict[str, Any]]] = []
    skipped = []
    served = {ep.id for vendor in state.vendors.values() for ep in vendor.endpoints}
    for kind, entries in (("rule", doc.get("rules", [])), ("fault", doc.get("faults", []))):
        for entry in entries:
            target = entry.get("match", {}) if kind == "rule" else entry
            vendor, endpoint = target.get("vendor"), target.get("endpoint")
            if vendor is not None and vendor not in state.vendors:
                skipped.append(f"{kind} for {vendor} (not served)")
                continue
            if vendor is None and endpoint is not None and endpoint not in served:
                skipped.append(f"{kind} for endpoint {endpoint} (no vendor served here has it)")
                continue
            chosen.append((kind, entry))
    return chosen, skipped
