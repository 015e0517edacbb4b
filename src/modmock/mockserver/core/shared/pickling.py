"""Work that any process may finish: tasks, their steps' actions, timers' callbacks, deliveries.

They are written to the shared store with cloudpickle (a vendor's step action is a closure over
the request it answers). What a closure holds of the process itself (the run's services, the
vendors, the store's components) is written as a name, and each process reads the name as its
own object (:class:`Bound`): so a task one worker accepted runs its next step, with the same
code, on whichever worker claims the step's timer.

Each piece of work is signed (HMAC-SHA256 with the run's key, :mod:`.secret`): a process runs
only work a process with the same key wrote, so a client of the Redis server that lacks the key
cannot make the mock run anything.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import pickle
from typing import Any

import cloudpickle

MAC_SIZE = 32


class ForgedWork(pickle.UnpicklingError):
    """Work whose signature is not the run's key's: written by a process with another key (a
    misconfiguration), or by someone who is not the mock."""


class Bound:
    """This process's objects that pickled work refers to by name, and the key that signs it."""

    def __init__(self, key: bytes) -> None:
        self._names: dict[int, str] = {}
        self._objects: dict[str, Any] = {}
        self._key = key

    def add(self, name: str, obj: Any) -> None:
        self._names[id(obj)] = name
        self._objects[name] = obj

    def dumps(self, obj: Any) -> bytes:
        out = io.BytesIO()
        _Pickler(out, self._names).dump(obj)
        data = out.getvalue()
        return hmac.new(self._key, data, hashlib.sha256).digest() + data

    def loads(self, signed: bytes) -> Any:
        """The work ``signed`` holds; :class:`ForgedWork` (nothing is read) when its signature is wrong."""
        mac, data = signed[:MAC_SIZE], signed[MAC_SIZE:]
        if not hmac.compare_digest(mac, hmac.new(self._key, data, hashlib.sha256).digest()):
            raise ForgedWork("work in the shared store not signed with this run's key (--store-secret)")
        return _Unpickler(io.BytesIO(data), self._objects).load()


class _Pickler(cloudpickle.Pickler):  # type: ignore[misc]  # (cloudpickle ships no types)
    def __init__(self, file: io.BytesIO, names: dict[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._bound = names

    def persistent_id(self, obj: Any) -> str | None:
        return self._bound.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, objects: dict[str, Any]) -> None:
        super().__init__(file)
        self._bound = objects

    def persistent_load(self, pid: Any) -> Any:
        try:
            return self._bound[pid]
        except KeyError:
            raise pickle.UnpicklingError(f"{pid!r} is not an object of this process (a vendor not served here?)") \
                from None
