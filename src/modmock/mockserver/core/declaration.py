"""What a vendor declares for each endpoint: the hooks the core pipeline calls, and their order.

The core owns the pipeline (:mod:`.pipeline`); a vendor never codes it. Per endpoint it declares
an :class:`Operation`: how the body is read, who the caller is, which cross-field rules hold,
the limits, the subjects to judge and one backend function. Where the vendor documents another
precedence it declares another ``order`` (a tuple of stage names), never other code.

Stages, in the default order:

``read``          the raw body, within the vendor's size limit
``decode``        JSON (or the query, or the vendor's own decoder); the content-type rule
``shape``         the body's root type (a JSON object), or the vendor's own shaping
``authenticate``  the caller (``Operation.authenticate``), or the vendor's documented error
``validate``      the request schema, then the vendor's cross-field checks; then ``prepare``
``limits``        QPS windows and concurrency leases (``Operation.limits``)
``subjects``      what is judged (``Operation.subjects``): decoded or downloaded media, items
``inject``        replayed answers, faults, then the matching rule, per subject
``verdict``       the rule's verdict, else the default rule's
``backend``       the vendor's own work: the answer, a task, a callback
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import VendorError
from .journal import Problem
from .rules import Rule
from .verdict import Subject, Verdict

if TYPE_CHECKING:
    from .context import Context
    from .vendor import Endpoint

STAGES = ("read", "decode", "shape", "authenticate", "validate", "limits", "subjects", "inject", "verdict",
          "backend")
DEFAULT_ORDER = STAGES
INJECTION = ("item", "batch", "request", "targeted")


@dataclass(frozen=True)
class Answer:
    """What the backend (or the vendor's error renderer) answers: a JSON body and its HTTP status."""

    body: Any
    status: int = 200


@dataclass(frozen=True)
class Limit:
    """One limit a request counts against: ``qps`` requests per second of wall time and
    ``concurrency`` in flight under ``key`` (None: unlimited); ``refuse(detail)`` is the vendor's error."""

    key: Hashable
    refuse: Callable[[str], VendorError]
    qps: int | None = None
    concurrency: int | None = None


@dataclass
class Item:
    """One thing the request asks to judge: its subject for rules and the default verdict,
    the vendor's own ``data`` about it, and what the core found (``outcome`` set before the
    ``inject`` stage skips it: an item already known to fail)."""

    subject: Subject
    data: Any = None
    outcome: VendorError | None = None
    rule: Rule | None = None
    verdict: Verdict | None = None


class ItemError(VendorError):
    """An error that ends one item of a request, not the request: an injected code the vendor
    reports per item (Jocloud's data-level codes) or per job (AKOOL's failed job)."""


Backend = Callable[["Context"], Awaitable[Answer | Any]]
Hook = Callable[["Context"], Any]
AsyncHook = Callable[["Context"], Awaitable[Any]]
Checks = Callable[[Any, Any], "list[Problem]"]


def _no_checks(body: Any, principal: Any) -> list[Problem]:
    return []


@dataclass(frozen=True)
class Operation:
    """One endpoint as a vendor declares it.

    ``body``: ``"json"`` (a JSON body, content type checked), ``"query"`` (the query string is
    the request), ``"raw"`` (bytes, left to ``shape``) or the vendor's own decoder. ``shape``: the body's root type, or a
    hook returning the body to validate (it may raise the vendor's error). ``checks(body,
    principal)``: the vendor's cross-field rules, a pure function of the body and the caller,
    run after the request schema (``schema=False`` where the checks encode the schema's rules
    themselves); ``rank`` orders the problems found (the first one counting is answered).
    ``prepare``: the typed request the backend reads (default: the body). ``injection``:
    ``"item"`` (replayed answers, faults and the rule for each item; an :class:`ItemError` ends
    the item, any other error the request), ``"batch"`` (replayed answers and faults once for the
    request, ending it; the rule for each item, its error ending that item) or ``"request"``
    (replayed answers and faults once; no rule: nothing is judged, e.g. a query). ``clean(body,
    principal)``: where the vendor can prove quickly (a compiled schema) that the body breaks no
    rule of the schema or the checks, True skips both; False proves nothing (both run).
    """

    endpoint: Endpoint
    backend: Backend
    body: str | Hook = "json"
    shape: type | Hook | None = dict
    authenticate: Hook | None = None
    checks: Checks = _no_checks
    prepare: Hook | None = None
    limits: Callable[[Context], list[Limit]] | None = None
    subjects: AsyncHook | None = None
    schema: bool = True
    rank: Callable[[Problem], Any] | None = None
    injection: str = "item"
    order: tuple[str, ...] = DEFAULT_ORDER
    content_type_hint: str = "application/json"
    body_hint: str = ""  # what a readable body is, in the journal (default: by ``body``)
    clean: Callable[[Any, Any], bool] | None = None  # a quick proof that schema and checks find nothing

    @property
    def id(self) -> str:
        return self.endpoint.id

    def __post_init__(self) -> None:
        unknown = [s for s in self.order if s not in STAGES]
        if unknown:
            raise ValueError(f"{self.endpoint.id}: unknown stage(s) {unknown}; stages are {list(STAGES)}")
        if len(set(self.order)) != len(self.order):
            raise ValueError(f"{self.endpoint.id}: a stage is named twice in {self.order}")
        if self.injection not in INJECTION:
            raise ValueError(f"{self.endpoint.id}: injection is one of {list(INJECTION)}, not {self.injection!r}")
        for first, then in (("read", "decode"), ("decode", "shape"), ("shape", "validate"), ("inject", "verdict"),
                            ("subjects", "inject"), ("authenticate", "limits"), ("validate", "subjects")):
            if first in self.order and then in self.order and self.order.index(first) > self.order.index(then):
                raise ValueError(f"{self.endpoint.id}: stage {first} must come before {then}")
        if self.order[-1:] != ("backend",):
            raise ValueError(f"{self.endpoint.id}: the backend is the last stage")
