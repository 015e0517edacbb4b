"""Work that any process may finish: tasks, their steps' actions, timers' callbacks, deliveries.

They are written to the shared store with cloudpickle (a vendor's step action is a closure over
the request it answers). What a closure holds of the process itself (the run's services, the
vendors, the store's components) is written as a name, and each process reads the name as its
own object (:class:`Bound`): so a task one worker accepted runs its next step, with the same
code, on whichever worker claims the step's timer.

Only the mock's own processes read these, from the Redis server the run names: that server must
be reachable by them alone (whoever can write its keys can run code in the workers, as with any
store of pickled jobs).
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import cloudpickle


class Bound:
    """This process's objects that pickled work refers to by name."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}
        self._objects: dict[str, Any] = {}

    def add(self, name: str, obj: Any) -> None:
        self._names[id(obj)] = name
        self._objects[name] = obj

    def dumps(self, obj: Any) -> bytes:
        out = io.BytesIO()
        _Pickler(out, self._names).dump(obj)
        return out.getvalue()

    def loads(self, data: bytes) -> Any:
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
