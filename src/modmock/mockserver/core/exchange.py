"""One request's journey: its journal entry, and the middleware that records it.

The middleware finds the vendor and endpoint from the route name (``vendor:endpoint``),
renders any :class:`VendorError` through the vendor, turns an unexpected exception into
the vendor's service-failure error, and journals the request with its answer.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import random
import logging
import socket
import struct
import time
import traceback
import uuid
from typing import TYPE_CHECKING, Any, Awaitable, Callable, TypeVar

from aiohttp import web

from .body import BodyProblem, excerpt, is_json_content_type, parse_json, read_bytes
from .errors import VendorError
from .faults import MALFORMED_BODY, FaultAction
from .replay import Replayed
from .journal import BODY_KEEP, Entry, Problem, clip_body

from .vendor import Endpoint

if TYPE_CHECKING:
    from ..state import MockState
    from .vendor import Vendor

log = logging.getLogger("modmock")
T = TypeVar("T")
SMALL_BODY = BODY_KEEP  # a body this small cannot hold anything clip_body would cut


def seeded_uuid(rng: "random.Random") -> uuid.UUID:
    """A version-4 UUID from ``rng`` (the run's seeded generator, outside a request too)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class Exchange:
    """The journal entry being built for one request, plus what handlers need at hand."""

    def __init__(self, state: "MockState", vendor: "Vendor", endpoint: str, request: web.Request) -> None:
        self.state = state
        self.vendor = vendor
        self.endpoint = endpoint
        self.host = request.host
        self.headers = request.headers
        self.entry = Entry(
            id=state.journal.new_id(), vendor=vendor.name, endpoint=endpoint, method=request.method,
            path=request.path_qs, time=state.clock.now(), wall_time=time.time(),
        )

    def random_uuid(self) -> uuid.UUID:
        """A version-4 UUID from the run's seeded generator (``--seed`` makes it reproducible)."""
        return seeded_uuid(self.state.random)

    def new_request_id(self, value: str | None = None) -> str:
        """Set the request id (a random hex UUID unless the vendor gives its own form)."""
        rid = value or self.random_uuid().hex
        self.entry.request_id = rid
        return rid

    def problem(self, problem: Problem) -> None:
        """A broken rule that makes the request invalid."""
        self.entry.problems.append(problem)
        self.entry.valid = False

    def warn(self, problem: Problem) -> None:
        """A broken inferred rule that was served anyway (non-strict mode)."""
        self.entry.warnings.append(problem)

    def judge(self, found: list[Problem], strict: bool) -> Problem | None:
        """Journal every problem: documented ones (and inferred ones when strict) make the
        request invalid, the rest are warnings. Returns the first problem that counts."""
        fatal = None
        for p in found:
            if strict or not p.inferred:
                self.problem(p)
                fatal = fatal or p
            else:
                self.warn(p)
        return fatal

    def note(self, text: str) -> None:
        self.entry.notes.append(text)

    async def read_body(self, request: web.Request, parse: Callable[[bytes], T], expected: str) -> T:
        """The body, read within the vendor's size limit and parsed; on a :class:`BodyProblem`
        the problem is journaled (with what was sent) and the vendor's own error raised."""
        raw = b""
        try:
            raw = await read_bytes(request, self.vendor.max_body)
            return parse(raw)
        except BodyProblem as problem:
            sent = excerpt(raw) if raw else f"{request.content_length or 'a chunked body of too many'} bytes"
            self.problem(Problem("(body)", problem.rule, sent,
                                 f"{expected} of at most {self.vendor.max_body} bytes ({problem.detail})"))
            raise self.vendor.body_error(problem) from None

    async def read_json(self, request: web.Request, refuse: Callable[[str], VendorError], expected: str) -> Any:
        """The JSON body (journaled). A content type other than JSON is an inferred rule: a
        warning, or under ``--strict`` the vendor error ``refuse(detail)``."""
        body = await self.read_body(request, parse_json, "a JSON object in UTF-8")
        self.set_body(body, request.content_length)
        if not is_json_content_type(request):
            wrong = Problem("Content-Type", "application/json", request.content_type, expected, inferred=True)
            if self.vendor.settings.strict:
                self.problem(wrong)
                raise refuse(f"Content-Type {request.content_type} is not application/json")
            self.warn(wrong)
        return body

    def set_body(self, body: Any, size: int | None = None) -> None:
        """Journal the body; one known to be small (``size`` bytes) is kept as it is."""
        self.entry.body = body if size is not None and size <= SMALL_BODY else clip_body(body)

    def json_response(self, body: Any, status: int = 200) -> web.Response:
        self.entry.status = status
        self.entry.response = body
        self.entry.code = body.get("code", body.get("Code")) if isinstance(body, dict) else None
        return web.Response(body=encode_json(body), status=status, content_type="application/json")


# Where the middleware leaves the Exchange for the handler (a typed key on aiohttp >= 3.12).
EXCHANGE: Any = web.RequestKey("modmock_exchange", Exchange) if hasattr(web, "RequestKey") else "modmock.exchange"

def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON; characters UTF-8 cannot carry (lone surrogates) are escaped."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _act(kind: str, request: web.Request, ex: Exchange, state: "MockState") -> web.StreamResponse:
    """Carry out a fault action: reset the connection, or answer an empty or malformed body."""
    ex.note(f"injected fault: {kind}")
    if kind == "reset":
        ex.entry.status = 0
        state.journal.record(ex.entry)
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
    return web.Response(body=body, status=200, content_type="application/json")


def near_miss(state: "MockState", method: str, path: str) -> tuple["Vendor", Endpoint, list[str]]:
    """The served endpoint closest to ``method path``, and what differs (WireMock-style)."""
    def score(item: tuple["Vendor", Endpoint]) -> float:
        ep = item[1]
        return difflib.SequenceMatcher(None, ep.path, path).ratio() + (0.5 if ep.method == method else 0.0)

    vendor, ep = max(((v, ep) for v in state.vendors.values() for ep in v.endpoints), key=score)
    differs = []
    if ep.method != method:
        differs.append(f"method {method}, expected {ep.method}")
    if ep.path != path:
        differs.append(f"path {path}, expected {ep.path}")
    return vendor, ep, differs


async def _unmatched(state: "MockState", request: web.Request) -> web.Response:
    """No route matched: journal a near-miss report (invalid) and answer the closest vendor's 404."""
    vendor, ep, differs = near_miss(state, request.method, request.path)
    ex = Exchange(state, vendor, "(unmatched)", request)
    report = f"no endpoint {request.method} {request.path}; closest is {vendor.name}:{ep.id} " \
             f"{ep.method} {ep.path} ({'; '.join(differs)})"
    ex.problem(Problem("(path)", "no such endpoint", f"{request.method} {request.path}",
                       f"{ep.method} {ep.path} ({vendor.name}:{ep.id}); differs: {'; '.join(differs)}"))
    response = vendor.render_error(vendor.not_found(report), ex)
    state.journal.record(ex.entry)
    return response


def exchange_middleware(state: "MockState") -> Any:
    """Middleware journaling every vendor request and rendering vendor errors."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        name = request.match_info.route.name or ""
        vendor_name, _, endpoint = name.partition(":")
        vendor = state.vendors.get(vendor_name)
        if vendor is None or not endpoint:
            if request.path.startswith("/__admin/"):
                return await handler(request)
            try:
                return await handler(request)
            except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
                return await _unmatched(state, request)
        ex = Exchange(state, vendor, endpoint, request)
        request[EXCHANGE] = ex
        try:
            response = await handler(request)
        except FaultAction as action:
            return await _act(action.kind, request, ex, state)
        except Replayed as replayed:
            response = ex.json_response(replayed.body, replayed.status)
        except VendorError as error:
            for p in error.problems:
                ex.problem(p)
            response = vendor.render_error(error, ex)
        except web.HTTPException:
            raise
        except Exception:  # noqa: BLE001 - any bug answers the vendor's own failure code
            log.exception("internal error on %s %s", request.method, request.path)
            ex.note("internal error: " + traceback.format_exc(limit=5))
            response = vendor.render_error(vendor.internal_error(), ex)
        state.journal.record(ex.entry)
        log.debug("%s %s -> %s %s", request.method, request.path, ex.entry.status, ex.entry.code)
        return response

    return middleware
