"""The client under test: a user's adapter, loaded from ``package.module:function``, and what
one call of it came to.

An adapter takes the mock's URL and credentials, performs one moderation call with the user's
client and returns the client's decision (or raises). Optional attributes on the function:

* ``errors``: the client's own documented exception classes (anything else raised is a crash);
* ``decisions``: what the client returns for each risk, e.g. ``{"pass": True, "review": False,
  "reject": False}`` (default: the strings ``"pass"``, ``"review"``, ``"reject"``, any case);
* ``receiver``: the client's callback handler, called with each decoded callback body and
  returning the decision it took (or None for a delivery it recognised as a duplicate).

An adapter with a ``callback_url`` keyword is called with one for the asynchronous items. For a
vendor whose answer is a job (AKOOL), the adapter takes a ``sleep`` keyword too: it polls until
the job ends, calling ``sleep(seconds)`` between two polls (the suite's sleep moves the mock
clock), and returns the decision; with ``callback_url`` it returns the acknowledgement and the
``receiver`` decides.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RISKS = ("pass", "review", "reject")

# Raised by a client without declared errors, these mean its code broke, not that it refused.
PROGRAMMING_ERRORS: tuple[type[BaseException], ...] = (
    LookupError, TypeError, AttributeError, NameError, AssertionError, ZeroDivisionError, RecursionError)


@dataclass(frozen=True)
class Outcome:
    """One adapter call: the value it returned, or what it raised."""

    value: Any = None
    raised: BaseException | None = None
    trace: str = ""
    hung: float | None = None  # the real seconds it was given when it never returned

    def describe(self) -> str:
        if self.hung is not None:
            return f"did not return within {self.hung:g} s"
        if self.raised is None:
            return f"returned {self.value!r}"
        return f"raised {type(self.raised).__name__}: {self.raised}"


class ClientUnderTest:
    """A loaded adapter with its declared errors, decisions and receiver."""

    def __init__(self, adapter: Callable[..., Any], name: str = "", like: Any = None) -> None:
        """``like``: where ``errors``, ``decisions`` and ``receiver`` are read when the adapter
        has none of its own (the adapter a ``job`` belongs to)."""
        if not callable(adapter):
            raise TypeError(f"{name or adapter!r} is not callable")
        self.adapter = adapter
        self.name = name or getattr(adapter, "__qualname__", repr(adapter))

        def declared(attribute: str, default: Any) -> Any:
            """The adapter's own attribute, else the one of ``like``."""
            return _attribute(adapter, like, attribute, default)

        errors = declared("errors", ()) or ()
        self.errors: tuple[type[BaseException], ...] = (errors,) if isinstance(errors, type) else tuple(errors)
        self.decisions: dict[str, Any] = dict(declared("decisions", None) or {r: r for r in RISKS})
        missing = sorted(set(RISKS) - set(self.decisions))
        if missing:
            raise ValueError(f"{self.name}.decisions lacks {missing}; it needs pass, review and reject")
        self.receiver: Callable[[Any], Any] | None = declared("receiver", None)
        self.takes_callback_url = "callback_url" in _parameters(adapter)
        self.takes_sleep = "sleep" in _parameters(adapter)

    @classmethod
    def load(cls, spec: str) -> ClientUnderTest:
        """Import ``package.module:function`` (the current directory is importable, as in pytest)."""
        module_name, sep, attr = spec.partition(":")
        if not sep or not module_name or not attr:
            raise ValueError(f"--client must look like package.module:function, not {spec!r}")
        if "" not in sys.path and "." not in sys.path:
            sys.path.insert(0, "")
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
        return cls(target, spec)

    def call(self, url: str, credentials: Any, **kwargs: Any) -> Outcome:
        try:
            return Outcome(value=self.adapter(url, credentials, **kwargs))
        except Exception as exc:
            return Outcome(raised=exc, trace=traceback.format_exc())

    def call_within(self, seconds: float, url: str, credentials: Any, **kwargs: Any) -> Outcome:
        """:meth:`call` in a thread of its own, given ``seconds`` of real time to return (a client
        polling without the suite's ``sleep`` would never see its job end). What the suite's
        sleep raises to stop a client (a :class:`BaseException`) is returned as raised too."""
        done: list[Outcome] = []

        def run() -> None:
            try:
                done.append(self.call(url, credentials, **kwargs))
            except BaseException as exc:  # the suite's own stop signal too: reported
                done.append(Outcome(raised=exc, trace=traceback.format_exc()))

        worker = threading.Thread(target=run, name="modmock-contract-client", daemon=True)
        worker.start()
        worker.join(seconds)
        return done[0] if done else Outcome(hung=seconds)

    def means(self, value: Any, risk: str) -> bool:
        """The client's returned ``value`` is its decision for ``risk``."""
        return _same(value, self.decisions[risk])

    def risk_of(self, value: Any) -> str | None:
        """The most severe risk the returned ``value`` may stand for; None when it is no decision."""
        for risk in reversed(RISKS):
            if self.means(value, risk):
                return risk
        return None

    def refused(self, outcome: Outcome) -> bool:
        """The call raised one of the client's own errors (or, with none declared, anything but a
        programming error)."""
        if outcome.raised is None:
            return False
        if self.errors:
            return isinstance(outcome.raised, self.errors)
        return not isinstance(outcome.raised, PROGRAMMING_ERRORS)

    def error_names(self) -> str:
        return ", ".join(e.__name__ for e in self.errors) if self.errors else "any non-programming error"


def _attribute(owner: Any, like: Any, attribute: str, default: Any) -> Any:
    if hasattr(owner, attribute):
        return getattr(owner, attribute)
    return getattr(like, attribute, default) if like is not None else default


def _same(value: Any, mine: Any) -> bool:
    if isinstance(value, str) and isinstance(mine, str):
        return value.lower() == mine.lower()
    if isinstance(value, bool) or isinstance(mine, bool):  # True is not 1 here
        return type(value) is type(mine) and value == mine
    return bool(value == mine)


def _parameters(fn: Callable[..., Any]) -> list[str]:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return []
