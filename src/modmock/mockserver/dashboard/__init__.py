"""The dashboard at ``/__admin/``: static files shipped in the package (no build step, no CDN)
and a live feed of the journal as server-sent events.

The page reads the admin API like any client; ``GET /__admin/events`` streams what changed: new
journal entries, batched (at most ``BATCH`` per event, the rest counted as skipped, so a few
thousand requests a second cost the page one small event every ``TICK`` seconds), and a summary of
the mock (totals, mock time, pending timers) with each event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from importlib import resources
from typing import Any

from aiohttp import web

from ..appkeys import STATE
from ..core.isotime import iso
from ..core.journal import Entry, Journal

log = logging.getLogger("modmock")

TICK = 0.25  # real seconds between looks at the journal
BATCH = 200  # journal entries in one event at most
FILES = {"dashboard.js": "text/javascript", "dashboard.css": "text/css", "index.html": "text/html"}
POLICY = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _file(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


def wants_page(request: web.Request) -> bool:
    """A browser asking for a page (the admin API answers JSON to everyone else)."""
    return "text/html" in request.headers.get("Accept", "")


async def page(request: web.Request) -> web.Response:
    """The dashboard's page."""
    return web.Response(body=_file("index.html"), content_type="text/html", charset="utf-8", headers=POLICY)


async def static(request: web.Request) -> web.Response:
    """One of the dashboard's own files (no other name is served)."""
    name = request.match_info["name"]
    if name not in FILES:
        raise web.HTTPNotFound(text=json.dumps({"error": f"no dashboard file {name!r}"}), content_type="application/json")
    return web.Response(body=_file(name), content_type=FILES[name], charset="utf-8", headers=POLICY)


def summary(request: web.Request) -> dict[str, Any]:
    """What the page shows beside the journal: totals, the mock clock, what is armed."""
    state = request.app[STATE]
    now = state.clock.now()
    return {"time": now, "time_iso": iso(now), "manual_clock": state.clock.manual,
            "pending_timers": state.scheduler.pending, "scenario": state.settings.scenario,
            "vendors": list(state.vendors), "rules": len(state.rules.list()), "faults": len(state.faults.list()),
            "totals": {"requests": state.journal.totals(), "tasks": state.tasks.totals(),
                       "callbacks": state.callbacks.totals()}}


def row(entry: Entry) -> dict[str, Any]:
    """What the live feed sends of a journal entry: its row (``GET /__admin/requests/{id}`` has the rest)."""
    return {"id": entry.id, "time": entry.time, "time_iso": iso(entry.time), "wall_time_iso": iso(entry.wall_time),
            "method": entry.method, "path": entry.path, "vendor": entry.vendor, "endpoint": entry.endpoint,
            "status": entry.status, "code": entry.code, "valid": entry.valid, "request_id": entry.request_id}


# The last event made for each journal, shared by every page open on it: (since, latest, bytes).
_made: weakref.WeakKeyDictionary[Journal, tuple[int, int, bytes]] = weakref.WeakKeyDictionary()


def _event(request: web.Request, since: int) -> tuple[bytes, int]:
    """The event for entries after ``since``: at most ``BATCH`` newest rows plus every invalid one
    among those left out (so a filter on invalid requests misses none), and the summary."""
    state = request.app[STATE]
    journal = state.journal
    latest = journal.latest_id
    last = _made.get(journal)
    made = last[2] if last is not None and last[:2] == (since, latest) else None
    if made is None:
        fresh = journal.newest(BATCH, since=since)
        skipped = 0
        if fresh and latest - since > len(fresh):
            shown = {e.id for e in fresh}
            fresh += [e for e in journal.newest(BATCH, since=since, valid=False) if e.id not in shown]
            fresh.sort(key=lambda e: -e.id)
            skipped = min(latest - since, len(journal)) - len(fresh)  # (kept ones only: a clear drops the rest)
        body = {"requests": [row(e) for e in fresh], "skipped": max(0, skipped), "latest": latest,
                "generation": journal.generation, "summary": summary(request)}
        made = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
        if latest > since:  # a heartbeat's summary is made afresh each time (the clock moves)
            _made[journal] = (since, latest, made)
    return made, latest


async def _refreshed(state: Any) -> None:
    """A shared store's journal brought up to date (an outage: the page shows what it had)."""
    try:
        await state.store.refresh()
    except Exception as exc:  # the store's outage is logged once by the store; the stream goes on
        log.debug("dashboard: store refresh failed: %s", exc)


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: ``{"requests": [rows, newest first], "skipped": n, "summary": {...}}``
    each time the journal has new entries (and every few seconds regardless, as a heartbeat)."""
    state = request.app[STATE]
    raw = request.query.get("since", "0")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise web.HTTPBadRequest(text=json.dumps({"error": f"since must be an entry id, not {raw[:40]!r}"}),
                                 content_type="application/json")
    since = int(raw)
    stream = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                         "X-Accel-Buffering": "no"})
    quiet = 0
    try:
        await stream.prepare(request)
        while state.shutdown_deadline is None:  # a shutdown ends the stream (the page reconnects later)
            await _refreshed(state)
            latest = state.journal.latest_id  # (ids are never reused: a clear needs no start again)
            if latest > since or quiet >= 12:
                data, since = _event(request, since)
                await stream.write(b"data: " + data + b"\n\n")
                quiet = 0
            else:
                quiet += 1
            await asyncio.sleep(TICK)
    except ConnectionError:  # the page was closed (or never waited for the answer)
        pass
    return stream
