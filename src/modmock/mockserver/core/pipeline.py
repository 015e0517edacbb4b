"""The one request pipeline every endpoint of every vendor runs (see :mod:`.declaration`).

Each stage is a small function of the :class:`Run`; :func:`run_operation` calls them in the
order the endpoint declares (:func:`plan_of`: the stages that can do nothing for the endpoint are
left out). A stage that has nothing to wait for returns None; one that waits (for the body, a
vendor's async hook, the backend) returns what to await. Errors are the vendor's own (:class:`~.errors.VendorError`), raised
here and rendered by the route handler (core.exchange); every problem is journaled with its field and rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import schemas
from .body import JSON_TYPES, BodyProblem, excerpt, parse_json, read_bytes
from .concurrency import TooManyInFlight
from .context import Context
from .declaration import Answer, Item, ItemError, Operation
from .errors import VendorError
from .faults import FaultAction
from .journal import Problem
from .replay import Replayed
from .rules import Rule
from .verdict import Subject, default_verdict

if TYPE_CHECKING:
    from .store import Store
    from .vendor import Vendor


class Run:
    """One request through the stages: the context, the raw aiohttp request (read only by the
    ``read`` stage), the store, and the leases to release at the end."""

    __slots__ = ("vendor", "op", "ctx", "request", "store", "leases", "shared_leases", "answer")

    def __init__(self, vendor: Vendor, op: Operation, ctx: Context, request: web.Request, store: Store) -> None:
        self.vendor, self.op, self.ctx, self.request, self.store = vendor, op, ctx, request, store
        self.leases: ExitStack | None = None  # made when a concurrency lease is taken
        self.shared_leases: list[tuple[Any, str]] | None = None  # (key, lease) held in a shared store
        self.answer = Answer(None)


Stage = Callable[[Run], "Awaitable[None] | None"]


def _set(target: Any, name: str, value: Any) -> Awaitable[None] | None:
    """Set ``target.name`` to a hook's ``value``: at once, or once awaited when it is awaitable
    (a hook may be sync or async)."""
    if hasattr(type(value), "__await__"):
        async def later() -> None:
            setattr(target, name, await value)
        return later()
    setattr(target, name, value)
    return None


# -- stages ------------------------------------------------------------------------------------
async def read(run: Run) -> None:
    """The raw body within the vendor's size limit; an oversized one is the vendor's error."""
    try:
        run.ctx.raw = await read_bytes(run.request, run.vendor.max_body)
    except BodyProblem as problem:
        _body_problem(run, problem, b"")


def _body_problem(run: Run, problem: BodyProblem, raw: bytes) -> None:
    """Journal what was wrong with the body (and what was sent), raise the vendor's error."""
    length = run.ctx.incoming.content_length
    sent = excerpt(raw) if raw else f"{length or 'a chunked body of too many'} bytes"
    run.ctx.notes.problem(Problem("(body)", problem.rule, sent,
                                  f"{_expected_body(run.op)} of at most {run.vendor.max_body} bytes ({problem.detail})"))
    raise run.vendor.body_error(problem) from None


def _expected_body(op: Operation) -> str:
    return op.body_hint or ("a JSON object in UTF-8" if op.body == "json" else "a readable body")


def decode(run: Run) -> Awaitable[None] | None:
    """The body as the endpoint reads it: JSON (with the content-type rule), the query, or raw."""
    ctx, op = run.ctx, run.op
    if callable(op.body):
        return _set(ctx, "body", op.body(ctx))
    if op.body == "query":
        ctx.body = dict(ctx.incoming.query)
        ctx.notes.set_body(ctx.body)
        return None
    if op.body == "raw":
        ctx.body = ctx.raw
        return None
    try:
        ctx.body = parse_json(ctx.raw)
    except BodyProblem as problem:
        _body_problem(run, problem, ctx.raw)
    ctx.notes.set_body(ctx.body, ctx.incoming.content_length)
    ctype = ctx.incoming.content_type.lower()
    if _is_json_type(ctype):
        return None
    if _is_json_type(_doubled_name(ctx.incoming.headers.get("Content-Type", ""))):
        ctx.note("Content-Type repeats its own name (as Deepcleer's Node.js demo sends it): read as JSON")
        return None
    wrong = Problem("Content-Type", "application/json", ctx.incoming.content_type, op.content_type_hint,
                    inferred=True)
    if ctx.strict:
        ctx.notes.problem(wrong)
        raise run.vendor.invalid(wrong, op.id, f"Content-Type {ctx.incoming.content_type} is not application/json")
    ctx.notes.warn(wrong)
    return None


def _is_json_type(ctype: str) -> bool:
    return ctype in JSON_TYPES or ctype.endswith("+json")


def _doubled_name(value: str) -> str:
    """The media type of a header value that repeats its name, ``Content-Type: application/json;
    charset=utf-8`` (ishumei/api-demo v4/nodejs/lib/utils.js sends that, and the real service
    serves it), else an empty string."""
    name, colon, rest = value.partition(":")
    if not colon or name.strip().lower() != "content-type":
        return ""
    kind = rest.partition(";")[0].strip().lower()
    top, slash, sub = kind.partition("/")
    return kind if slash and top.isalnum() and sub and " " not in sub else ""


_JSON_NAMES: dict[type, str] = {dict: "object", list: "array", str: "string"}


def shape(run: Run) -> Awaitable[None] | None:
    """The body's root type, or the vendor's own shaping hook (which returns the body to validate)."""
    ctx, op = run.ctx, run.op
    if op.shape is None:
        return None
    if isinstance(op.shape, type):
        if not isinstance(ctx.body, op.shape):
            name = _JSON_NAMES.get(op.shape) or op.shape.__name__
            ctx.notes.problem(Problem("(body)", "type", type(ctx.body).__name__, f"a JSON {name}"))
            raise run.vendor.body_error(BodyProblem("type", f"the body must be a JSON {name}"))
        return None
    return _set(ctx, "body", op.shape(ctx))


def authenticate(run: Run) -> Awaitable[None] | None:
    """The caller, as the vendor's scheme finds it (or its documented error)."""
    if run.op.authenticate is None:
        return None
    return _set(run.ctx, "principal", run.op.authenticate(run.ctx))


def validate(run: Run) -> Awaitable[None] | None:
    """The request schema, then the vendor's cross-field checks; the first problem that counts
    (documented, or inferred under ``--strict``) is answered with the vendor's error."""
    ctx, op = run.ctx, run.op
    found = problems(run.vendor, op, ctx.body, ctx.principal)
    if found:
        fatal = ctx.notes.judge(found)
        if fatal is not None:
            raise run.vendor.invalid(fatal, op.id)
    if op.prepare is None:
        ctx.request = ctx.body
        return None
    return _set(ctx, "request", op.prepare(ctx))


def problems(vendor: Vendor, op: Operation, body: Any, principal: Any) -> list[Problem]:
    """Every rule ``body`` breaks: the request schema (where the endpoint declares one and
    validates by it), then the vendor's checks, in the vendor's rank order (none, without looking
    further, when the vendor's quick ``clean`` proof holds)."""
    if op.clean is not None and op.clean(body, principal):
        return []
    found = schemas.problems(op.endpoint.request_schema, body) if op.schema and op.endpoint.request_schema else []
    found += op.checks(body, principal)
    return sorted(found, key=op.rank) if op.rank is not None else found


def limits(run: Run) -> Awaitable[None] | None:
    """Concurrency leases (held until the answer is rendered), then QPS windows (wall time)."""
    if run.op.limits is None:
        return None
    if run.store.shared:
        return _shared_limits(run)
    for limit in run.op.limits(run.ctx):
        if limit.concurrency is not None:
            if run.leases is None:
                run.leases = ExitStack()
            try:
                run.leases.enter_context(run.store.in_flight.slot(limit.key, limit.concurrency))
            except TooManyInFlight as busy:
                raise limit.refuse(f"{busy.limit} requests already in flight") from None
        if limit.qps is not None and not run.store.rates.allow(limit.key, limit.qps):
            raise limit.refuse(f"more than {limit.qps} requests in one second")
    return None


async def _shared_limits(run: Run) -> None:
    """The limits of a store several processes share: each place and window is the shared one."""
    assert run.op.limits is not None
    store: Any = run.store  # a shared store (``hold`` and ``release`` are its own)
    for limit in run.op.limits(run.ctx):
        if limit.concurrency is not None:
            lease = await store.hold(limit.key, limit.concurrency)
            if lease is None:
                raise limit.refuse(f"{limit.concurrency} requests already in flight")
            if run.shared_leases is None:
                run.shared_leases = []
            run.shared_leases.append((limit.key, lease))
        if limit.qps is not None and not await store.allow(limit.key, limit.qps):
            raise limit.refuse(f"more than {limit.qps} requests in one second")


async def subjects(run: Run) -> None:
    """What is judged: the vendor's items (decoded or downloaded media), else one empty subject."""
    hook = run.op.subjects
    run.ctx.items = list(await hook(run.ctx)) if hook is not None else [Item(Subject())]


def inject(run: Run) -> Awaitable[None] | None:
    """Replayed answers and faults, then the matching rule, as the endpoint declares
    (``Operation.injection``): per item, once for the request then a rule per item, or once.
    Nothing to do (and nothing to await) while nothing is armed."""
    store = run.store
    if not (store.replay.armed or store.faults.armed or store.rules.armed):
        return None
    return _inject(run)


async def _inject(run: Run) -> None:
    ctx, store, vendor, mode = run.ctx, run.store, run.vendor, run.op.injection
    if mode == "targeted":  # only what names this endpoint: the rest is for the vendor's others
        await inject_faults(ctx, store, vendor, targeted=True)
        return
    if mode != "item":
        await inject_faults(ctx, store, vendor)
        if mode == "request":
            return
    for item in ctx.items:
        if item.outcome is not None:
            continue
        try:
            if mode == "item":
                await inject_faults(ctx, store, vendor)
            item.rule = await inject_rule(ctx, store, vendor, item.subject)
        except ItemError as failure:
            item.outcome = failure
        except VendorError as failure:
            if mode != "batch":
                raise
            item.outcome = failure  # a rule's error ends this item of the batch


def verdict(run: Run) -> None:
    """The rule's verdict, else the default rule's, for each item not already decided."""
    for item in run.ctx.items:
        if item.outcome is None:
            item.verdict = verdict_of(item.rule, item.subject)


async def backend(run: Run) -> None:
    answer = await run.op.backend(run.ctx)
    run.answer = answer if isinstance(answer, Answer) else Answer(answer)


STAGE_FUNCTIONS: dict[str, Stage] = {
    "read": read, "decode": decode, "shape": shape, "authenticate": authenticate, "validate": validate,
    "limits": limits, "subjects": subjects, "inject": inject, "verdict": verdict, "backend": backend,
}


def plan_of(op: Operation) -> tuple[Stage, ...]:
    """The stage functions of ``op`` in its declared order, without those it declares nothing for
    (no shape, no authentication hook, no limits)."""
    idle = {"shape": op.shape is None, "authenticate": op.authenticate is None, "limits": op.limits is None}
    return tuple(STAGE_FUNCTIONS[name] for name in op.order if not idle.get(name, False))


async def run_operation(vendor: Vendor, op: Operation, ctx: Context, request: web.Request,
                        store: Store, plan: Sequence[Stage] | None = None) -> Answer:
    """Every declared stage in order (``plan``: :func:`plan_of` the operation, made once); the
    backend's answer."""
    flow = Run(vendor, op, ctx, request, store)
    try:
        vendor.begin(ctx)
        for stage in plan_of(op) if plan is None else plan:
            waiting = stage(flow)
            if waiting is not None:
                await waiting
        return flow.answer
    finally:
        if flow.leases is not None:
            flow.leases.close()
        if flow.shared_leases is not None:
            await store.release(flow.shared_leases)  # type: ignore[attr-defined]


# -- injection and verdicts, also for work that judges again later (live reports) --------------
def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"fault {value}"
    if isinstance(value, int):
        return f"error {value}"
    return "body"


async def inject_faults(ctx: Context, store: Store, vendor: Vendor, targeted: bool = False) -> None:
    """A queued answer first, then faults (latency, an error, a broken answer). A fault's error
    answers before any rule is consulted, so a rule's ``times`` is not spent on a request a fault
    answered. Latency is real time."""
    name, endpoint = vendor.name, ctx.endpoint
    queued = await store.take_answer(name, endpoint, targeted)
    if queued is not None:
        ctx.note(f"replayed a queued answer ({_kind(queued.value)})")
        ctx.notes.entry.faults.append("replayed")
        if isinstance(queued.value, str):
            raise FaultAction(queued.value)
        if isinstance(queued.value, int) and not isinstance(queued.value, bool):
            ctx.notes.entry.injected_code = queued.value
            raise vendor.for_code(queued.value, None)
        raise Replayed(queued.value, queued.status)
    drawn = await store.draw_fault(name, endpoint, targeted)
    if drawn.latency > 0:
        ctx.note(f"injected latency {drawn.latency:g} s")
        ctx.notes.entry.faults.append("latency")
        await asyncio.sleep(drawn.latency)
    if drawn.error is not None:
        ctx.note(f"injected error {drawn.error['code']} (fault)")
        ctx.notes.entry.faults.append("error")
        ctx.notes.entry.injected_code = drawn.error["code"]
        raise vendor.for_code(drawn.error["code"], drawn.error.get("message"))
    if drawn.action is not None:
        raise FaultAction(drawn.action)


async def inject_rule(ctx: Context, store: Store, vendor: Vendor, subject: Subject) -> Rule | None:
    """The matching rule's delay or error; the rule (for its verdict)."""
    rule = await store.take_rule(vendor.name, ctx.endpoint, subject, reviews=vendor.reviews)
    if rule is not None and rule.delay:
        ctx.note(f"rule {rule.id}: delay {rule.delay:g} s")
        await asyncio.sleep(rule.delay)
    if rule is not None and rule.error is not None:
        ctx.note(f"rule {rule.id}: error {rule.error['code']}")
        ctx.notes.entry.injected_code = rule.error["code"]
        raise vendor.for_code(rule.error["code"], rule.error.get("message"))
    return rule


def verdict_of(rule: Rule | None, subject: Subject) -> Any:
    """The rule's verdict where it has one, else the default rule's."""
    return rule.verdict if rule is not None and rule.verdict is not None else default_verdict(subject)
