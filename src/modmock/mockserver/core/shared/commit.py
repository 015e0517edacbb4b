"""One write of a process's work to the shared store, applied by one Lua script whole and once.

A batch holds the task and delivery records changed here, the timers scheduled and cancelled
here, the claims of timers that ran here, and the coverage counted here. Three things make a
write safe when processes race and replies get lost:

- **A number.** Each process numbers its batches; the script applies a batch only if its number
  is above the last one applied for that process. A batch whose reply was lost is kept and sent
  again, whole, before anything newer: applied once, whether or not the first send arrived.
- **A generation.** A batch made before a reset this process had not yet seen (or in a shared
  state that is gone) writes nothing but the claims it gives back.
- **A version per record**: the batch that wrote it last. A writer sends the version it last
  read or wrote; a record that ended (or was forgotten) in a version the writer had not seen is
  refused, and the writer reads it before writing it again: a stop is not undone by a step that
  raced it. Any other record is written (the later of two writes of an unfinished record wins,
  so no step loses its timer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import scripts

KINDS = ("tasks", "deliveries")  # the kind numbers the script reads


@dataclass
class Reply:
    """What the script answered for one batch."""

    status: str  # ok | dup (applied by an earlier send) | stale (another generation: only claims and counts)
    refused: set[tuple[int, str]] = field(default_factory=set)  # (kind, id) of the records not written

    @classmethod
    def parse(cls, raw: list[Any]) -> Reply:
        status, *rest = (item.decode() if isinstance(item, bytes) else str(item) for item in raw)
        refused = set()
        for item in rest:
            kind, _, record_id = item.partition(":")
            refused.add((int(kind), record_id))
        return cls(status, refused)


@dataclass
class Batch:
    """The ops of one write and what to call once a reply for it came."""

    number: int
    head: list[Any]  # worker, number, run, generation, change entries kept
    ops: list[Any] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)  # hashes counts are added to (KEYS after the fixed ones)
    settles: list[Callable[[Reply], None]] = field(default_factory=list)
    carrying: bool = False  # tasks, deliveries or timers (an answer may wait for them)

    def count(self, key: str, name: str, by: int) -> None:
        if key not in self.counted:
            self.counted.append(key)
        self.ops += ["n", str(FIXED_KEYS + self.counted.index(key) + 1), name, str(by)]

    def keys(self, fixed: list[str]) -> list[str]:
        return [*fixed, *self.counted]

    @property
    def version(self) -> str:
        """The version of every record this batch writes."""
        return f"{self.head[0]}:{self.number}"

    def settle(self, reply: Reply) -> None:
        for step in self.settles:
            step(reply)


FIXED_KEYS = 12  # meta, applied, 3 per kind of record, 4 of the timers


def script(link: Any) -> Any:
    return link.script("commit", scripts.COMMIT)
