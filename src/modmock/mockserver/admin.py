"""The admin API under ``/__admin/``: journal, callbacks, tasks, rules, faults, reviews, clock, reset.

Served only to loopback peers unless ``--admin-allow`` names more networks. JSON in and out;
``?vendor=`` scopes the listings.
"""

from __future__ import annotations

import difflib
import ipaddress
import itertools
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiohttp import web

from . import dashboard
from .appkeys import STATE
from .core import reviews, schemas
from .core.body import BodyProblem, ClientGone, parse_json, read_bytes
from .core.coverage import render_text
from .core.journal import Problem
from .core.store import StoreUnavailable
from .openapi import openapi
from .settings import Settings, describe_store
from .state import MockState

PREFIX = "/__admin"
RULE_SCHEMA = "modmock/rule.json"
FAULT_SCHEMA = "modmock/rule.json#/$defs/fault"
ADMIN_MAX_BODY = 1024 * 1024
DEFAULT_LIMIT = 100  # journal entries in one listing unless ?limit= says otherwise
MAX_ADVANCE = 10 * 365 * 24 * 3600.0  # ten years of mock time in one call


class Guarded(Protocol):
    """What the admin guard reads: the run's settings (a mock's state, or the proxy's)."""

    settings: Settings


def allowed_peer(state: Guarded, peer: str | None) -> bool:
    """Whether ``peer`` is a loopback address, or in one of the run's ``admin_allow`` networks."""
    if not peer:
        return False
    try:
        address = ipaddress.ip_address(peer.split("%")[0])
    except ValueError:
        return False
    if address.is_loopback:
        return True
    return any(address in ipaddress.ip_network(c, strict=False) for c in state.settings.admin_allow)


WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_WRITES = frozenset({"POST", "PUT", "PATCH"})  # a page may send these without a preflight; DELETE it may not
SAME_SITE = frozenset({"same-origin", "none"})


log = logging.getLogger("modmock")
# A name or IPv4 address, or a bracketed IPv6 address (a zone too), then an optional port (RFC 3986);
# a bare IPv6 address is taken as it is.
HOST_HEADER = re.compile(r"\[(?P<bracketed>[0-9a-f:.]+(?:%(?:25)?[\w.~-]+)?)\](?::[0-9]{0,5})?"
                         r"|(?P<name>[^:\[\]/@%\s]+)(?::[0-9]{0,5})?|(?P<bare>[0-9a-f:.]*:[0-9a-f:.]*)")


def own_host(state: Guarded, host: str) -> bool:
    """A ``Host`` the admin API answers: an IP address, ``localhost``, or a name listed with
    ``--admin-host`` (a foreign name is what a DNS-rebinding page sends)."""
    match = HOST_HEADER.fullmatch(host.strip().lower())
    if match is None:  # not a name with an optional numeric port
        return False
    name = (match["bracketed"] or match["name"] or match["bare"]).replace("%25", "%")
    if name.endswith(".") and not name.endswith(".."):
        name = name[:-1]  # a fully qualified name: the same host
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name == "localhost" or name.endswith(".localhost") or name in {
        h.lower().removesuffix(".") for h in state.settings.admin_hosts}


def _refusal(state: Guarded, request: web.Request) -> str | None:
    """Why an admin request is refused (peer, Host, a browser's cross-origin write or another
    site's read), or None."""
    if not allowed_peer(state, request.remote):
        return "the admin API answers loopback peers only (see --admin-allow)"
    if not own_host(state, request.headers.get("Host", "")):
        return "the admin API answers its own Host names only: IP addresses, localhost, --admin-host NAME"
    if request.method in WRITES:
        site = request.headers.get("Sec-Fetch-Site")
        origin = request.headers.get("Origin")
        if (site is not None and site not in SAME_SITE) or (
                origin is not None and origin != "null" and urlsplit(origin).netloc.lower() != request.host.lower()):
            return "the admin API refuses writes from another origin"
        if origin == "null":
            return "the admin API refuses writes from another origin"
    elif request.headers.get("Sec-Fetch-Site") == "cross-site" and request.headers.get("Sec-Fetch-Mode") != "navigate":
        return "the admin API refuses requests another site's page makes"  # (a link followed to it is fine)
    return None


def refused(state: Guarded, request: web.Request, *, body: bool = True) -> web.Response | None:
    """The answer to an admin request from a peer outside the allow-list, with a foreign
    ``Host``, or a write a web page of another origin sends (writes must carry JSON); None
    when it may be served."""
    refusal = _refusal(state, request)
    if refusal is not None:
        return reply({"error": refusal}, status=403)
    if body and request.method in JSON_WRITES and request.content_type != "application/json":
        return reply({"error": "admin writes take Content-Type: application/json "
                                           f"(sent {request.content_type})"}, status=400)
    return None


def guarded(handler: Callable[[web.Request], Awaitable[web.StreamResponse]], *, body: bool = True) -> Callable[
        [web.Request], Awaitable[web.StreamResponse]]:
    """``handler`` behind the admin guard (:func:`refused`; ``body=False``: a handler that reads
    no body, such as the 405 of another method, is not refused for its Content-Type)."""
    async def guarded_handler(request: web.Request) -> web.StreamResponse:
        state = _state(request)
        refusal = refused(state, request, body=body)
        if refusal is not None:
            return refusal
        try:
            await state.store.refresh()  # a shared store: what every process did, not only this one
            answer = await handler(request)
            await state.store.drain()  # what the handler changed, where every process reads it
            return answer
        except StoreUnavailable as down:
            return reply({"error": f"the shared store is unavailable: {down}"}, status=503)

    guarded_handler.__doc__ = handler.__doc__
    return guarded_handler


def _state(request: web.Request) -> MockState:
    return request.app[STATE]


def reply(data: Any, status: int = 200, *, pretty: bool = False, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON answer in readable UTF-8 (no ``\\u`` escapes), indented when asked (``?pretty=1``)."""
    text = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None)
    # A lone surrogate a client sent cannot be UTF-8: it stays the JSON escape it came as.
    body = text.encode("utf-8", "backslashreplace")
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8", headers=headers)


def _reply(request: web.Request, data: Any, status: int = 200) -> web.Response:
    return reply(data, status, pretty=request.query.get("pretty", "") not in ("", "0", "false"))


def _bad(message: str, problems: list[Problem] | None = None) -> web.Response:
    body: dict[str, Any] = {"error": message}
    if problems:
        body["problems"] = [p.describe() for p in problems]
    return reply(body, status=400)


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}, ensure_ascii=False), content_type="application/json")


async def _json(request: web.Request) -> Any:
    """The body as strict JSON (UTF-8, no NaN/Infinity, bounded size and depth), else a 400."""
    try:
        return parse_json(await read_bytes(request, ADMIN_MAX_BODY))
    except BodyProblem as problem:
        raise _bad_request(f"the body must be JSON: {problem.detail}") from None
    except ClientGone as gone:  # nobody reads the answer; not the mock's failure
        log.info("%s %s: client disconnected (%s)", request.method, request.path, gone)
        raise _bad_request(str(gone)) from None


async def _specs(request: web.Request, schema: str, what: str) -> list[Any]:
    """One spec or a list of them from the body, each valid against ``schema``, else a 400."""
    body = await _json(request)
    specs = body if isinstance(body, list) else [body]
    for spec in specs:
        found = schemas.problems(schema, spec)
        if found:
            raise web.HTTPBadRequest(content_type="application/json", text=json.dumps(
                {"error": f"not a valid {what} (schemas/{schema})", "problems": [p.describe() for p in found]}))
    return specs


def _id(request: web.Request) -> int | None:
    """The ``?id=`` of a DELETE, or None for all; a 400 when it is not a number."""
    raw = request.query.get("id")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise _bad_request(f"id must be a number, not {raw!r}") from None


def _count(request: web.Request, name: str, default: int, maximum: int) -> int:
    """A non-negative whole number from the query, at most ``maximum``; a 400 otherwise."""
    raw = request.query.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,19}", raw):
        raise _bad_request(f"{name} must be a whole number from 0 to {maximum}, not {raw[:40]!r}")
    return min(int(raw), maximum)


def _target(request: web.Request) -> tuple[str | None, str | None]:
    """The ``?vendor=`` and ``?endpoint=`` filters, each a name the run knows (else a 400 naming
    the nearest)."""
    vendor, endpoint = request.query.get("vendor"), request.query.get("endpoint")
    try:
        _state(request).check_target(vendor, endpoint, unmatched=True)
    except ValueError as exc:
        raise _bad_request(str(exc)) from None
    return vendor, endpoint


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    if value.lower() not in ("true", "false", "1", "0"):
        raise _bad_request(f"valid must be true or false, not {value!r}")
    return value.lower() in ("true", "1")


async def health(request: web.Request) -> web.Response:
    """Status, the mock clock, what is armed, and the running totals (``dashboard.summary``)."""
    state = _state(request)
    return reply({"status": "ok", **dashboard.summary(request), "journal": len(state.journal),
                  "nonces": len(state.store.nonces), "store": describe_store(state.settings.store),
                  "process": {"pid": os.getpid(), "worker": state.settings.worker}})


async def get_requests(request: web.Request) -> web.Response:
    """The journal, newest first: the newest ``limit`` entries (100 by default); with ``since``,
    the oldest ``limit`` of those newer than it (``more``: others wait for the next page, whose
    ``since`` is this page's ``latest``)."""
    vendor, endpoint = _target(request)
    journal = _state(request).journal
    since = _count(request, "since", 0, 2**63) if "since" in request.query else None
    entries, more = journal.page(_count(request, "limit", DEFAULT_LIMIT, journal.capacity), since=since,
                                 vendor=vendor, endpoint=endpoint, valid=_flag(request.query.get("valid")))
    latest = entries[0].id if entries else (since if since is not None else journal.latest_id)
    return _reply(request, {"requests": [e.to_json() for e in entries], "latest": latest, "more": more,
                            "kept": len(journal), "generation": journal.generation})


async def get_request(request: web.Request) -> web.Response:
    """One journal entry whole, by its id."""
    raw = request.match_info["entry_id"]
    entry = _state(request).journal.get(int(raw)) if re.fullmatch(r"[0-9]{1,19}", raw) else None
    if entry is None:
        return reply({"error": f"no journal entry {raw[:40]!r} is kept (the journal keeps the newest ones)"}, status=404)
    return _reply(request, {"request": entry.to_json()})


async def delete_requests(request: web.Request) -> web.Response:
    """Empty the journal (every process's, with a shared store)."""
    await _state(request).store.clear_journal()
    return reply({"cleared": True})


async def get_callbacks(request: web.Request) -> web.Response:
    """Every callback delivery, with each attempt (time, status, outcome) and the next retry."""
    vendor, endpoint = _target(request)
    items = [d for d in _state(request).callbacks.deliveries(vendor=vendor) if endpoint in (None, d.endpoint)]
    return _reply(request, {"callbacks": [d.to_json() for d in items]})


async def get_tasks(request: web.Request) -> web.Response:
    """Every task of the asynchronous endpoints, with its status history."""
    vendor, endpoint = _target(request)
    items = [t for t in _state(request).tasks.list(vendor=vendor) if endpoint in (None, t.endpoint)]
    return _reply(request, {"tasks": [t.to_json() for t in items]})


async def get_coverage(request: web.Request) -> web.Response:
    """What the requests since the start (or the last clear) exercised of each vendor, and what
    they never did; ``?format=text`` for the terminal's table."""
    state = _state(request)
    report = state.coverage.report(state.vendors)
    if request.query.get("format") == "text":
        return web.Response(text="\n".join(render_text(report)) + "\n")
    return _reply(request, {"coverage": report})


async def delete_coverage(request: web.Request) -> web.Response:
    """Start counting surface coverage again."""
    await _state(request).clear_coverage()
    return _reply(request, {"cleared": True})


async def index(request: web.Request) -> web.Response:
    """The dashboard for a browser; for any other client, what the admin API serves."""
    if dashboard.wants_page(request):
        return await dashboard.page(request)
    state = _state(request)
    return _reply(request, {"modmock": "admin API", "vendors": list(state.vendors), "dashboard": f"{PREFIX}/",
                            "endpoints": _endpoint_list(request.app.router)})


async def get_rules(request: web.Request) -> web.Response:
    """The rules armed, in the order they are tried."""
    vendor, endpoint = _target(request)
    rules = [r for r in _state(request).rules.list() if vendor in (None, r.match.get("vendor", vendor))
             and endpoint in (None, r.match.get("endpoint", endpoint))]
    return _reply(request, {"rules": [r.to_json() for r in rules]})


async def post_rules(request: web.Request) -> web.Response:
    """Add one rule, or a list of them, in the rule format (modmock/rule.json)."""
    specs = await _specs(request, RULE_SCHEMA, "rule")
    try:
        added = [await _state(request).put_rule(spec) for spec in specs]
    except ValueError as exc:
        return _bad(str(exc))
    return reply({"rules": [r.to_json() for r in added]}, status=201)


async def delete_rules(request: web.Request) -> web.Response:
    """Remove every rule, or one (?id=N)."""
    return reply({"removed": await _state(request).store.remove_rules(_id(request))})


async def get_faults(request: web.Request) -> web.Response:
    """The faults armed, with the uses left."""
    vendor, endpoint = _target(request)
    faults = [f for f in _state(request).faults.list() if vendor in (None, f.vendor or vendor)
              and endpoint in (None, f.endpoint or endpoint)]
    return _reply(request, {"faults": [f.to_json() for f in faults]})


async def post_faults(request: web.Request) -> web.Response:
    """Add one fault, or a list of them, in the fault format (modmock/rule.json#/$defs/fault)."""
    specs = await _specs(request, FAULT_SCHEMA, "fault")
    try:
        added = [await _state(request).put_fault(spec) for spec in specs]
    except ValueError as exc:
        return _bad(str(exc))
    return reply({"faults": [f.to_json() for f in added]}, status=201)


async def delete_faults(request: web.Request) -> web.Response:
    """Remove every fault, or one (?id=N)."""
    return reply({"removed": await _state(request).store.remove_faults(_id(request))})


async def advance_clock(request: web.Request) -> web.Response:
    """Move the mock clock forward ({"seconds": S}), firing every step and callback due by then."""
    body = await _json(request)
    seconds = body.get("seconds") if isinstance(body, dict) else None
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_ADVANCE:
        return _bad(f'expected {{"seconds": N}} with 0 <= N <= {MAX_ADVANCE:g}')
    state = _state(request)
    await state.advance(float(seconds))
    return reply({"time": state.clock.now(), "pending_timers": state.scheduler.pending})


async def finish_review(request: web.Request) -> web.Response:
    """Finish a human review now: ``{"verdict": "pass" | "review" | "reject" | {verdict}}``."""
    body = await _json(request)
    if not isinstance(body, dict) or set(body) - {"verdict"}:
        return _bad('expected {"verdict": "pass" | "review" | "reject" | a verdict object}')
    state = _state(request)
    try:
        task = reviews.finish(state.tasks, request.match_info["request_id"], body.get("verdict", "pass"))
    except LookupError as exc:
        return reply({"error": str(exc).strip("'\"")}, status=404)
    except ValueError as exc:
        return _bad(str(exc))
    return reply({"task": task.to_json()})


async def run_clock(request: web.Request) -> web.Response:
    """Run every scheduled step and callback retry until nothing is left (the mock clock jumps)."""
    state = _state(request)
    try:
        await state.run_until_idle()
    except RuntimeError as exc:  # more steps than one call runs: a plan that keeps making work
        return _bad(str(exc))
    return reply({"time": state.clock.now(), "pending_timers": state.scheduler.pending})


async def reset(request: web.Request) -> web.Response:
    """Back to the start: journal, rules, faults, tasks, callbacks, rate windows (the scenario loaded again)."""
    await _state(request).reset_all()
    return reply({"reset": True})


async def get_openapi(request: web.Request) -> web.Response:
    """The OpenAPI document of the vendors served."""
    return reply(openapi(list(_state(request).vendors.values())))


async def get_schemas(request: web.Request) -> web.Response:
    """The packaged JSON Schemas: of every vendor served and modmock's own, or of one (?vendor=NAME)."""
    state = _state(request)
    wanted = request.query.get("vendor")
    if wanted is not None and wanted != "modmock":
        _target(request)
    names = [wanted] if wanted else [*state.vendors, "modmock"]
    return reply({name: schemas.vendor_schemas(name) for name in names})


def _not_allowed(allowed: set[str]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def not_allowed(request: web.Request) -> web.StreamResponse:
        methods = sorted(allowed)
        return reply({"error": f"{request.path} takes {', '.join(methods)}, not {request.method}",
                      "allowed": methods}, status=405, headers={"Allow": ", ".join(methods)})
    return not_allowed


def _endpoint_list(router: web.UrlDispatcher) -> list[str]:
    """``METHOD /__admin/...`` of every admin route (the catch-alls left out)."""
    found = []
    for route in router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith(PREFIX) and route.method not in ("*", "HEAD"):
            found.append(f"{route.method} {path}")
    return sorted(set(found), key=lambda line: (line.split()[1], line))


def unknown_admin_path(request: web.Request) -> web.Response:
    """A JSON 404 for a path under the admin API that it does not serve, with the nearest one."""
    known = _endpoint_list(request.app.router)
    paths = sorted({line.split()[1] for line in known})
    near = difflib.get_close_matches(request.path, paths, n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]}?" if near else ""
    return reply({"error": f"no admin endpoint {request.method} {request.path}{hint}", "endpoints": known},
                 status=404)


def routes() -> list[web.RouteDef]:
    """The admin routes, each behind the guard; another method on an admin path is a 405."""
    defs: list[web.RouteDef] = []
    for path, group in itertools.groupby(_admin_routes(), key=lambda r: r.path):
        served = list(group)
        allowed = {r.method for r in served} | ({"HEAD"} if any(r.kwargs.get("allow_head") for r in served) else set())
        defs += [web.route(r.method, r.path, guarded(r.handler), **r.kwargs) for r in served]
        defs.append(web.route("*", path, guarded(_not_allowed(allowed), body=False)))
    return defs


def _admin_routes() -> list[web.RouteDef]:
    p = PREFIX
    return [
        web.get(f"{p}/", index),
        web.get(f"{p}/health", health),
        web.get(f"{p}/requests", get_requests),
        web.delete(f"{p}/requests", delete_requests),
        web.get(f"{p}/requests/{{entry_id}}", get_request),
        web.get(f"{p}/callbacks", get_callbacks),
        web.get(f"{p}/tasks", get_tasks),
        web.get(f"{p}/coverage", get_coverage),
        web.delete(f"{p}/coverage", delete_coverage),
        web.get(f"{p}/rules", get_rules),
        web.post(f"{p}/rules", post_rules),
        web.delete(f"{p}/rules", delete_rules),
        web.get(f"{p}/faults", get_faults),
        web.post(f"{p}/faults", post_faults),
        web.delete(f"{p}/faults", delete_faults),
        web.post(f"{p}/clock/advance", advance_clock),
        web.post(f"{p}/clock/run", run_clock),
        web.get(f"{p}/events", dashboard.events),
        web.get(f"{p}/static/{{name}}", dashboard.static),
        web.post(f"{p}/reviews/{{request_id}}", finish_review),
        web.post(f"{p}/reset", reset),
        web.get(f"{p}/openapi.json", get_openapi),
        web.get(f"{p}/schemas", get_schemas),
    ]
