"""The one request pipeline every endpoint of every vendor runs (see :mod:`.declaration`).

Each stage is a small function of the :class:`~.context.Context`; :func:`run` calls them in the
order the endpoint declares. Errors are the vendor's own (:class:`~.errors.VendorError`), raised
here and rendered by the exchange middleware; every problem is journaled with its field and rule.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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

    def __init__(self, vendor: Vendor, op: Operation, ctx: Context, request: web.Request, store: Store) -> None:
        self.vendor, self.op, self.ctx, self.request, self.store = vendor, op, ctx, request, store
        self.leases = ExitStack()
        self.answer = Answer(None)


async def _maybe(value: Any) -> Any:
    """``value``, awaited when it is awaitable (a hook may be sync or async)."""
    return await value if hasattr(type(value), "__await__") else value


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


async def decode(run: Run) -> None:
    """The body as the endpoint reads it: JSON (with the content-type rule), the query, or raw."""
    ctx, op = run.ctx, run.op
    if callable(op.body):
        ctx.body = await _maybe(op.body(ctx))
        return
    if op.body == "query":
        ctx.body = dict(ctx.incoming.query)
        ctx.notes.set_body(ctx.body)
        return
    if op.body == "raw":
        ctx.body = ctx.raw
        return
    try:
        ctx.body = parse_json(ctx.raw)
    except BodyProblem as problem:
        _body_problem(run, problem, ctx.raw)
    ctx.notes.set_body(ctx.body, ctx.incoming.content_length)
    ctype = ctx.incoming.content_type.lower()
    if not _is_json_type(ctype) and _is_json_type(_doubled_name(ctx.incoming.headers.get("Content-Type", ""))):
        ctx.note("Content-Type repeats its own name (as Deepcleer's Node.js demo sends it): read as JSON")
        return
    if not _is_json_type(ctype):
        wrong = Problem("Content-Type", "application/json", ctx.incoming.content_type, op.content_type_hint,
                        inferred=True)
        if ctx.strict:
            ctx.notes.problem(wrong)
            raise run.vendor.invalid(wrong, op.id, f"Content-Type {ctx.incoming.content_type} is not application/json")
        ctx.notes.warn(wrong)


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


async def shape(run: Run) -> None:
    """The body's root type, or the vendor's own shaping hook (which returns the body to validate)."""
    ctx, op = run.ctx, run.op
    if op.shape is None:
        return
    if isinstance(op.shape, type):
        if not isinstance(ctx.body, op.shape):
            name = _JSON_NAMES.get(op.shape) or op.shape.__name__
            ctx.notes.problem(Problem("(body)", "type", type(ctx.body).__name__, f"a JSON {name}"))
            raise run.vendor.body_error(BodyProblem("type", f"the body must be a JSON {name}"))
        return
    ctx.body = await _maybe(op.shape(ctx))


async def authenticate(run: Run) -> None:
    """The caller, as the vendor's scheme finds it (or its documented error)."""
    if run.op.authenticate is not None:
        run.ctx.principal = await _maybe(run.op.authenticate(run.ctx))


async def validate(run: Run) -> None:
    """The request schema, then the vendor's cross-field checks; the first problem that counts
    (documented, or inferred under ``--strict``) is answered with the vendor's error."""
    ctx, op = run.ctx, run.op
    found = problems(run.vendor, op, ctx.body, ctx.principal)
    fatal = ctx.notes.judge(found)
    if fatal is not None:
        raise run.vendor.invalid(fatal, op.id)
    ctx.request = await _maybe(op.prepare(ctx)) if op.prepare is not None else ctx.body


def problems(vendor: Vendor, op: Operation, body: Any, principal: Any) -> list[Problem]:
    """Every rule ``body`` breaks: the request schema (where the endpoint declares one and
    validates by it), then the vendor's checks, in the vendor's rank order."""
    found = schemas.problems(op.endpoint.request_schema, body) if op.schema and op.endpoint.request_schema else []
    found += op.checks(body, principal)
    return sorted(found, key=op.rank) if op.rank is not None else found


async def limits(run: Run) -> None:
    """Concurrency leases (held until the answer is rendered), then QPS windows (wall time)."""
    if run.op.limits is None:
        return
    for limit in run.op.limits(run.ctx):
        if limit.concurrency is not None:
            try:
                run.leases.enter_context(run.store.in_flight.slot(limit.key, limit.concurrency))
            except TooManyInFlight as busy:
                raise limit.refuse(f"{busy.limit} requests already in flight") from None
        if limit.qps is not None and not run.store.rates.allow(limit.key, limit.qps):
            raise limit.refuse(f"more than {limit.qps} requests in one second")


async def subjects(run: Run) -> None:
    """What is judged: the vendor's items (decoded or downloaded media), else one empty subject."""
    hook = run.op.subjects
    run.ctx.items = list(await hook(run.ctx)) if hook is not None else [Item(Subject())]


async def inject(run: Run) -> None:
    """Replayed answers and faults, then the matching rule, as the endpoint declares
    (``Operation.injection``): per item, once for the request then a rule per item, or once."""
    ctx, store, vendor, mode = run.ctx, run.store, run.vendor, run.op.injection
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


async def verdict(run: Run) -> None:
    """The rule's verdict, else the default rule's, for each item not already decided."""
    for item in run.ctx.items:
        if item.outcome is None:
            item.verdict = verdict_of(item.rule, item.subject)


async def backend(run: Run) -> None:
    answer = await run.op.backend(run.ctx)
    run.answer = answer if isinstance(answer, Answer) else Answer(answer)


STAGE_FUNCTIONS: dict[str, Callable[[Run], Awaitable[None]]] = {
    "read": read, "decode": decode, "shape": shape, "authenticate": authenticate, "validate": validate,
    "limits": limits, "subjects": subjects, "inject": inject, "verdict": verdict, "backend": backend,
}


async def run_operation(vendor: Vendor, op: Operation, ctx: Context, request: web.Request,
                        store: Store) -> Answer:
    """Every declared stage in order; the backend's answer."""
    flow = Run(vendor, op, ctx, request, store)
    with flow.leases:
        vendor.begin(ctx)
        for stage in op.order:
            await STAGE_FUNCTIONS[stage](flow)
        return flow.answer


# -- injection and verdicts, also for work that judges again later (live reports) --------------
def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"fault {value}"
    if isinstance(value, int):
        return f"error {value}"
    return "body"


async def inject_faults(ctx: Context, store: Store, vendor: Vendor) -> None:
    """A queued answer first, then faults (latency, an error, a broken answer). A fault's error
    answers before any rule is consulted, so a rule's ``times`` is not spent on a request a fault
    answered. Latency is real time."""
    name, endpoint = vendor.name, ctx.endpoint
    queued = store.replay.take(name, endpoint)
    if queued is not None:
        ctx.note(f"replayed a queued answer ({_kind(queued.value)})")
        if isinstance(queued.value, str):
            raise FaultAction(queued.value)
        if isinstance(queued.value, int) and not isinstance(queued.value, bool):
            raise vendor.for_code(queued.value, None)
        raise Replayed(queued.value, queued.status)
    drawn = store.faults.draw(name, endpoint)
    if drawn.latency > 0:
        ctx.note(f"injected latency {drawn.latency:g} s")
        await asyncio.sleep(drawn.latency)
    if drawn.error is not None:
        ctx.note(f"injected error {drawn.error['code']} (fault)")
        raise vendor.for_code(drawn.error["code"], drawn.error.get("message"))
    if drawn.action is not None:
        raise FaultAction(drawn.action)


async def inject_rule(ctx: Context, store: Store, vendor: Vendor, subject: Subject) -> Rule | None:
    """The matching rule's delay or error; the rule (for its verdict)."""
    rule = store.rules.take(vendor.name, ctx.endpoint, subject, reviews=vendor.reviews)
    if rule is not None and rule.delay:
        ctx.note(f"rule {rule.id}: delay {rule.delay:g} s")
        await asyncio.sleep(rule.delay)
    if rule is not None and rule.error is not None:
        ctx.note(f"rule {rule.id}: error {rule.error['code']}")
        raise vendor.for_code(rule.error["code"], rule.error.get("message"))
    return rule


def verdict_of(rule: Rule | None, subject: Subject) -> Any:
    """The rule's verdict where it has one, else the default rule's."""
    return rule.verdict if rule is not None and rule.verdict is not None else default_verdict(subject)
