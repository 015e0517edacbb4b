"""Work that any process may finish: tasks, their steps' actions, timers' callbacks, deliveries.

They are pickled into the shared store (a vendor's step action is a closure over the request it
answers). A closure is written as a reference to its code in the installed package plus its cells
(each process rebuilds it from its own copy of the code: no code travels); what a closure holds of
the process itself (the run's services, the vendors, the store's components) is written as a
name, and each process reads the name as its own object (:class:`Bound`). So a task one worker
accepted runs its next step, with the same code, on whichever worker claims the step's timer
(the processes of one mock run one version of modmock).

Each piece of work is signed (HMAC-SHA256 with the run's key, :mod:`.secret`): a process runs
only work a process with the same key wrote, so a client of the Redis server that lacks the key
cannot make the mock run anything.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import io
import pickle
import types
from typing import Any

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


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, names: dict[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._bound = names

    def persistent_id(self, obj: Any) -> str | None:
        return self._bound.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        """A function of the mock's own code that is not importable by name (a closure a step's
        action is, a lambda) as a reference to its code in the installed package, and its cells:
        no code travels, and each process rebuilds the function from its own copy of the code."""
        if type(obj) is not types.FunctionType or not obj.__module__.startswith("modmock."):
            return NotImplemented
        if "<" not in obj.__qualname__:  # importable by name: pickle's own way
            return NotImplemented
        cells = tuple(_cell_value(cell) for cell in obj.__closure__ or ())
        where = (obj.__module__, obj.__qualname__, obj.__code__.co_name, obj.__code__.co_firstlineno, len(cells))
        return _skeleton, where, (cells, obj.__defaults__, obj.__kwdefaults__), None, None, _fill


_EMPTY = ("modmock: an empty cell",)


def _cell_value(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # a cell not yet filled (a name assigned after the function was made)
        return _EMPTY


def _find_code(module_name: str, qualname: str, name: str, line: int) -> types.CodeType:
    """The code object of the function ``qualname`` (first line ``line``) in ``module_name``."""
    module = importlib.import_module(module_name)
    head = qualname.split(".<locals>.")[0]
    top: Any = module
    for part in head.split("."):
        top = getattr(top, part)
    top = getattr(top, "__func__", top)
    pending: list[types.CodeType] = [top.__code__]
    while pending:
        code = pending.pop()
        if code.co_name == name and code.co_firstlineno == line:
            return code
        pending.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    raise pickle.UnpicklingError(f"no function {qualname} at line {line} in {module_name} (another version of modmock?)")


def _skeleton(module_name: str, qualname: str, name: str, line: int, cells: int) -> types.FunctionType:
    code = _find_code(module_name, qualname, name, line)
    module = importlib.import_module(module_name)
    function = types.FunctionType(code, module.__dict__, name, None, tuple(types.CellType() for _ in range(cells)))
    function.__qualname__ = qualname
    return function


def _fill(function: types.FunctionType, state: tuple[Any, Any, Any]) -> None:
    cells, defaults, kwdefaults = state
    for cell, value in zip(function.__closure__ or (), cells):
        if not (type(value) is tuple and value == _EMPTY):
            cell.cell_contents = value
    function.__defaults__, function.__kwdefaults__ = defaults, kwdefaults


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
