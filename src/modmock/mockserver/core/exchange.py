"""One request's journey: its journal entry, and the route handlers that record it.

Each endpoint's handler runs the pipeline, renders any :class:`VendorError` through the vendor,
turns an unexpected exception into the vendor's service-failure error, and journals the request
with its answer. No aiohttp middleware runs on the way: the route of last resort journals the
near misses, and the admin routes carry their own guard.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import socket
import struct
import time
import traceback
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .body import ClientGone
from .context import Context, Incoming, Notebook
from .declaration import Operation
from .errors import Busy, VendorError
from .faults import MALFORMED_BODY, FaultAction
from .journal import UNMATCHED, Entry, Problem
from .jsonio import encode_json
from .pipeline import plan_of, run_operation
from .replay import Replayed
from .store import StoreUnavailable
from .vendor import Endpoint

if TYPE_CHECKING:
    from ..state import MockState
    from .vendor import Vendor

log = logging.getLogger("modmock")
request_log = logging.getLogger("modmock.requests")  # one INFO line per request
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
__all__ = ["Exchange", "encode_json", "unmatched_route", "vendor_routes"]


def log_request(entry: Entry, detail: str | None = None) -> None:
    """The request's one line: ``POST /image/v4 deepcleer:image_v4 → 200 1902 invalid:
    data.tokenId required`` (in JSON logs its parts are fields too)."""
    if not request_log.isEnabledFor(logging.INFO):
        return
    if detail is None:
        if entry.internal_error:
            detail = "internal error in the mock (see the journal)"
        elif entry.problems:
            detail = f"invalid: {entry.problems[0].field} {entry.problems[0].rule}"
        elif entry.warnings:
            detail = f"{len(entry.warnings)} warning(s): {entry.warnings[0].field} {entry.warnings[0].rule}"
    code = "" if entry.code is None else f" {entry.code}"
    request_log.info("%s %s %s:%s \u2192 %s%s%s", entry.method, entry.path, entry.vendor, entry.endpoint, entry.status,
                     code, f" {detail}" if detail else "", extra={"request": {
                         "id": entry.id, "method": entry.method, "path": entry.path, "vendor": entry.vendor,
                         "endpoint": entry.endpoint, "status": entry.status, "code": entry.code, "valid": entry.valid,
                         "detail": detail}})


def _journal_cut_off(state: MockState, request: web.Request, ex: Exchange) -> None:
    """Journal and log a request the shutdown cut off: who sent it and for how long it was open."""
    peer = getattr(request.protocol, "peername", None)  # kept by the protocol after the transport went
    who = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else request.remote or "an unknown peer"
    held = time.time() - ex.entry.wall_time
    ex.entry.disconnected = True
    ex.note(f"cut off by the server's shutdown after {held:.1f} s")
    state.journal.record(ex.entry)
    log.warning("shutdown: cut off %s %s from %s, open %.1f s", request.method, request.path_qs, who, held)


_MIMETYPES: dict[str | None, str] = {}  # aiohttp's reading of each Content-Type header seen (a few)


def _mimetype(request: web.Request) -> str:
    """``request.content_type``, remembered per header value: aiohttp parses it with the email
    package, a few microseconds each time, and clients send the same few values."""
    raw = request.headers.get("Content-Type")
    found = _MIMETYPES.get(raw)
    if found is None:
        found = request.content_type
        if len(_MIMETYPES) < 256:
            _MIMETYPES[raw] = found
    return found


class _RequestIncoming(Incoming):
    """The :class:`Incoming` view of an aiohttp request: each part is read from it when a hook
    asks (most ask for two or three; the query string, say, is parsed only when wanted)."""

    def __init__(self, request: web.Request) -> None:
        self._request = request

    method = property(lambda self: self._request.method)
    path = property(lambda self: self._request.path)
    path_qs = property(lambda self: self._request.path_qs)
    host = property(lambda self: self._request.host)
    query = property(lambda self: self._request.query)
    headers = property(lambda self: self._request.headers)
    params = property(lambda self: dict(self._request.match_info))
    content_type = property(lambda self: _mimetype(self._request))
    content_length = property(lambda self: self._request.content_length)


def incoming(request: web.Request) -> Incoming:
    """The parts of an aiohttp request a vendor's hooks may read (read-only views, no copies)."""
    return _RequestIncoming(request)


class Exchange:
    """The journal entry being built for one request, and the context its stages fill in."""

    def __init__(self, state: MockState, vendor: Vendor, endpoint: str, request: web.Request) -> None:
        self.state = state
        self.vendor = vendor
        self.endpoint = endpoint
        self.entry = Entry(
            id=0, vendor=vendor.name, endpoint=endpoint, method=request.method,  # id: given when journaled
            path=request.path_qs, time=state.clock.now(), wall_time=time.time(),
        )
        self.context = Context(vendor.name, endpoint, incoming(request), state.services,
                               Notebook(self.entry, vendor.settings.strict))

    def problem(self, problem: Problem) -> None:
        self.context.notes.problem(problem)

    def note(self, text: str) -> None:
        self.context.notes.note(text)

    def json_response(self, body: Any, status: int = 200) -> web.Response:
        self.entry.status = status
        self.entry.response = body
        self.entry.code = body.get("code", body.get("Code")) if isinstance(body, dict) else None
        return web.Response(body=encode_json(body), status=status, content_type="application/json")

    def render_error(self, error: VendorError) -> web.Response:
        answer = self.vendor.render_error(error, self.context)
        return self.json_response(answer.body, answer.status)


def vendor_routes(state: MockState, vendor: Vendor) -> list[web.RouteDef]:
    """The aiohttp routes of ``vendor``'s declarations, each named ``"<vendor>:<endpoint id>"``."""
    defs = []
    for op in vendor.operations():
        ep = op.endpoint
        handler = _handler(state, vendor, op)
        defs.append(web.route("*" if ep.any_method else ep.method, ep.route or ep.path, handler,
                              name=f"{vendor.name}:{ep.id}"))
    return defs


ADMIN = "/__admin"
READS = frozenset({"GET", "HEAD"})


def unmatched_route(state: MockState, admin_guard: Callable[[web.Request], web.StreamResponse | None],
                    admin_unknown: Callable[[web.Request], web.StreamResponse]) -> web.RouteDef:
    """The route of last resort (aiohttp tries it after every other): a request no endpoint
    serves, by path or by method, is a near miss; an unknown admin path is refused or a JSON 404.
    What a browser asks by itself is not client traffic and is never journaled: ``/favicon.ico``
    (404), ``/`` and ``/__admin`` (redirected to the admin API, ``/__admin/``)."""
    async def unmatched(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith(ADMIN + "/"):
            refused = admin_guard(request)
            return refused if refused is not None else admin_unknown(request)
        if request.method in READS and path in ("/", ADMIN):
            raise web.HTTPFound(ADMIN + "/")
        if request.method in READS and path == "/favicon.ico":
            raise web.HTTPNotFound()
        return await _unmatched(state, request)

    return web.route("*", "/{tail:.*}", unmatched, name="modmock:unmatched")


def _root_visit(request: web.Request) -> bool:
    """A browser (or a readiness probe) opening the server's root: a read with no query string, no
    body and no credentials, which no vendor's API call at ``/`` is (Alibaba's carry a signature)."""
    headers = request.headers
    return request.method in READS and not request.query_string and not request.body_exists \
        and "Authorization" not in headers and not any(name.lower().startswith("x-acs-") for name in headers)


def _handler(state: MockState, vendor: Vendor, op: Operation) -> Handler:
    """The route handler of one endpoint: the pipeline, the vendor's rendering of its errors
    and of an unexpected exception (the service-failure error), and the journal entry."""
    endpoint, plan = op.endpoint.id, plan_of(op)
    at_root = op.endpoint.path == "/"  # a browser or a probe opening the server lands here too

    async def handle(request: web.Request) -> web.StreamResponse:
        if at_root and _root_visit(request):
            raise web.HTTPFound(ADMIN + "/")  # not client traffic: never journaled
        store, down = state.store, None
        if store.shared:
            try:
                await store.begin()
            except StoreUnavailable as exc:
                down = exc
        ex = Exchange(state, vendor, endpoint, request)
        answered = None
        try:
            if down is not None:
                raise down
            answer = await run_operation(vendor, op, ex.context, request, store, plan)
            response = ex.json_response(answer.body, answer.status)
            answered = ex.context.answered
        except FaultAction as action:
            return await _act(action.kind, request, ex, state)
        except Replayed as replayed:
            response = ex.json_response(replayed.body, replayed.status)
        except VendorError as error:
            for p in error.problems:
                ex.problem(p)
            response = ex.render_error(error)
        except Busy as busy:
            ex.note(f"refused: {busy} (unfinished work is never dropped)")
            log.warning("%s %s refused: %s", request.method, request.path, busy)
            response = ex.render_error(vendor.busy(str(busy)))
        except StoreUnavailable as unavailable:
            down = unavailable  # (kept: the name ``as`` binds is gone after the except block)
            ex.note(f"the shared store is unavailable ({unavailable}): the vendor's service-failure answer")
            response = ex.render_error(vendor.internal_error("the mock's shared store is unavailable"))
        except ClientGone as gone:
            ex.entry.disconnected = True
            ex.note(f"client disconnected: {gone}")
            state.journal.record(ex.entry)
            await _stored(store)
            log_request(ex.entry, f"client disconnected ({gone})")
            return web.Response(status=400)  # nobody reads it: the connection is gone
        except web.HTTPException:
            raise
        except asyncio.CancelledError:  # the server is shutting down and its grace period is over
            _journal_cut_off(state, request, ex)
            raise
        except Exception:
            log.exception("internal error on %s %s", request.method, request.path)
            ex.entry.internal_error = True
            ex.note("internal error: " + traceback.format_exc(limit=5))
            response = ex.render_error(vendor.internal_error())
        state.journal.record(ex.entry)
        if store.shared and down is None:  # (the store is down: the entry is written once it is back)
            await _stored(store)
        log_request(ex.entry)
        if answered:
            await _answer_then(request, response, answered)
        return response

    handle.__doc__ = f"{op.endpoint.method} {op.endpoint.path}: {op.endpoint.summary}"
    return handle


async def _stored(store: Any) -> None:
    """Wait until the request's journal entry is where every process reads it (a shared store;
    an unreachable one was logged, and the answer is not held back for it)."""
    if store.shared:
        try:
            await store.drain()
        except StoreUnavailable:
            pass


async def _answer_then(request: web.Request, response: web.Response, actions: list[Callable[[], None]]) -> None:
    """Send the whole answer now, then run what had to wait for it (even when the client went
    away meanwhile: the request was accepted)."""
    try:
        await response.prepare(request)
        await response.write_eof()
    except ConnectionError as gone:  # the client hung up; its request was still accepted
        log.info("%s %s: client went away before the whole answer (%s)", request.method, request.path, gone)
    finally:
        for action in actions:
            try:
                action()
            except Exception:  # one failing action must not stop the others, nor reach aiohttp
                log.exception("after answering %s %s", request.method, request.path)


async def _act(kind: str, request: web.Request, ex: Exchange, state: MockState) -> web.StreamResponse:
    """Carry out a fault action: reset the connection, or answer an empty or malformed body."""
    ex.note(f"injected fault: {kind}")
    ex.entry.faults.append(kind)
    if kind == "reset":
        ex.entry.status = 0
        state.journal.record(ex.entry)
        await _stored(state.store)
        log_request(ex.entry, "connection reset (injected fault)")
        transport = request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:  # SO_LINGER 0: the peer sees a reset, not a clean close
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        raise asyncio.CancelledError()
    body = MALFORMED_BODY if kind == "malformed" else b""
    ex.entry.status, ex.entry.response = 200, body.decode()
    state.journal.record(ex.entry)
    await _stored(state.store)
    log_request(ex.entry, f"{kind} body (injected fault)")
    return web.Response(body=body, status=200, content_type="application/json")


def near_miss(state: MockState, method: str, path: str) -> tuple[Vendor, Endpoint, list[str]]:
    """The served endpoint closest to ``method path``, and what differs (WireMock-style)."""
    def score(item: tuple[Vendor, Endpoint]) -> float:
        ep = item[1]
        return difflib.SequenceMatcher(None, ep.path, path).ratio() + (0.5 if ep.method == method else 0.0)

    vendor, ep = max(((v, ep) for v in state.vendors.values() for ep in v.endpoints), key=score)
    differs = []
    if ep.method != method:
        differs.append(f"method {method}, expected {ep.method}")
    if ep.path != path:
        differs.append(f"path {path}, expected {ep.path}")
    return vendor, ep, differs


async def _unmatched(state: MockState, request: web.Request) -> web.Response:
    """No route matched: journal a near-miss report (invalid) and answer the closest vendor's 404."""
    vendor, ep, differs = near_miss(state, request.method, request.path)
    ex = Exchange(state, vendor, UNMATCHED, request)
    report = f"no endpoint {request.method} {request.path}; closest is {vendor.name}:{ep.id} " \
             f"{ep.method} {ep.path} ({'; '.join(differs)})"
    ex.problem(Problem("(path)", "no such endpoint", f"{request.method} {request.path}",
                       f"{ep.method} {ep.path} ({vendor.name}:{ep.id}); differs: {'; '.join(differs)}"))
    response = ex.render_error(vendor.not_found(report))
    state.journal.record(ex.entry)
    await _stored(state.store)
    log_request(ex.entry, f"near miss: closest is {vendor.name}:{ep.id} {ep.method} {ep.path} ({'; '.join(differs)})")
    return response
