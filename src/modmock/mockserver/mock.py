"""The object tests hold: a running mock server with its journal, rules, faults and clock.

``modmock.serve(...)`` returns it, and the pytest fixtures (``deepcleer_mock``, ...) are it.
Methods that wait have ``*_async`` twins for tests running their own event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..errors import InvalidRequestsError as InvalidRequestsError  # re-exported: raised from here
from ..errors import InvalidSpecError, MockAssertionError, NotRunningError
from .app import build_app
from .appkeys import STATE
from .core import reviews
from .core.callbacks import Delivery
from .core.faults import Fault
from .core.journal import Entry
from .core.recordings import Recorded
from .core.replay import Answer
from .core.rules import Rule
from .runner import ServerThread
from .settings import Settings
from .state import MockState


class MockServer:
    """A mock server running in a background thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._server: ServerThread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> MockServer:
        app = build_app(self.settings)
        self.state: MockState = app[STATE]
        self._server = ServerThread(app, self.settings).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> MockServer:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def _thread(self) -> ServerThread:
        if self._server is None:
            raise NotRunningError("the mock server is not running")
        return self._server

    # -- where and who --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return self._thread.url

    @property
    def port(self) -> int:
        return self._thread.port

    @property
    def ca_bundle(self) -> str | None:
        """Path of the run's CA bundle when serving HTTPS (``tls=True``), else None."""
        sites = self._thread.sites
        return str(sites.ca_bundle) if sites and sites.ca_bundle else None

    @property
    def redirect_url(self) -> str | None:
        """The plain-HTTP listener that redirects to HTTPS, when there is one."""
        sites = self._thread.sites
        return f"http://{self.settings.host}:{sites.redirect_port}" if sites and sites.redirect_port else None

    @property
    def admin_url(self) -> str:
        return self.url + "/__admin"

    @property
    def vendors(self) -> list[str]:
        return list(self.state.vendors)

    @property
    def credentials(self) -> dict[str, Any]:
        """The accepted test credentials; by vendor name when several vendors are served."""
        creds = self.state.credentials()
        return next(iter(creds.values())) if len(creds) == 1 else creds

    # -- what happened --------------------------------------------------------------------------
    def _refreshed(self) -> MockState:
        """The state, a shared store's mirror brought up to date first (what every process did)."""
        if self.state.store.shared:
            self._thread.call(self.state.store.refresh())
        return self.state

    @property
    def requests(self) -> list[Entry]:
        """The journal, oldest first."""
        return self._refreshed().journal.entries()

    @property
    def callbacks(self) -> list[Delivery]:
        """Callback deliveries with every attempt, oldest first."""
        return self._refreshed().callbacks.deliveries()

    def coverage(self) -> dict[str, Any]:
        """What the requests since the start exercised of each vendor, and what they never did:
        endpoints, codes answered, task statuses, callback outcomes, faults, inferred rules met.
        Kept across :meth:`reset` (it is the session's); ``clear_coverage`` starts it again."""
        return self._refreshed().coverage.report(self.state.vendors)

    def clear_coverage(self) -> None:
        if self.state.store.shared:  # every process's, through the server
            self._thread.call(self.state.clear_coverage())
        else:
            self.state.coverage.clear()

    def assert_called(self, endpoint: str, times: int | None = None) -> list[Entry]:
        """Fail unless ``endpoint`` was called (exactly ``times`` times, when given); an endpoint
        id no served vendor has is refused (:class:`InvalidSpecError`, naming the nearest)."""
        self.state.check_target(endpoint=endpoint, unmatched=True)
        calls = self._refreshed().journal.entries(endpoint=endpoint)
        if (times is None and not calls) or (times is not None and len(calls) != times):
            seen = sorted({f"{e.vendor}:{e.endpoint}" for e in self.requests}) or ["nothing"]
            want = "at least once" if times is None else f"{times} time(s)"
            raise MockAssertionError(f"expected {endpoint} to be called {want}, it was called {len(calls)} "
                                 f"time(s); the journal holds: {', '.join(seen)}")
        return calls

    def assert_all_requests_valid(self) -> None:
        """Fail with a report of every invalid request: field, rule, sent, expected."""
        invalid, evicted = self._refreshed().journal.invalid()
        if not invalid and not evicted:
            return
        lines = [f"{len(invalid)} invalid request(s) sent to the mock:"]
        for e in invalid:
            lines.append(f"- #{e.id} {e.method} {e.path} ({e.vendor}:{e.endpoint}) answered {e.code}")
            lines.extend(f"    {p.describe()}" for p in e.problems)
        if evicted:
            lines.append(f"... and {evicted} more evicted from the bounded list before they were checked")
        raise InvalidRequestsError("\n".join(lines))

    # -- steering -------------------------------------------------------------------------------
    def add_rule(self, rule: dict[str, Any] | None = None, **fields: Any) -> Rule:
        """Add a rule (DESIGN rule format), as a dict or as keyword arguments."""
        from .core import schemas

        spec = dict(rule or {}, **fields)
        found = schemas.problems("modmock/rule.json", spec)
        if found:
            raise InvalidSpecError("not a valid rule: " + "; ".join(p.describe() for p in found))
        added: Rule = self._thread.call(self.state.put_rule(spec))
        return added

    def add_fault(self, fault: dict[str, Any] | None = None, **fields: Any) -> Fault:
        """Add a fault (DESIGN fault format): one of ``error``, ``latency`` (seconds or
        ``[low, high]``), ``reset``, ``empty``, ``malformed``; with ``times``, ``fraction``,
        ``seconds``, ``vendor``, ``endpoint``."""
        from .core import schemas

        spec = {k: v for k, v in dict(fault or {}, **fields).items() if v is not None}
        if isinstance(spec.get("latency"), tuple):
            spec["latency"] = list(spec["latency"])
        found = schemas.problems("modmock/rule.json#/$defs/fault", spec)
        if found:
            raise InvalidSpecError("not a valid fault: " + "; ".join(p.describe() for p in found))
        injected: Fault = self._thread.call(self.state.put_fault(spec))
        return injected

    def fail_next(self, code: Any, times: int = 1, endpoint: str | None = None,
                  vendor: str | None = None, message: str | None = None) -> None:
        """Answer the next ``times`` requests with the vendor error ``code``."""
        error = {"code": code} if message is None else {"code": code, "message": message}
        self.add_fault(error=error, times=times, endpoint=endpoint, vendor=vendor)

    def add_latency(self, seconds: float | tuple[float, float], times: int = 1, endpoint: str | None = None,
                    vendor: str | None = None) -> None:
        """Delay the next ``times`` answers by ``seconds`` of real time (or a drawn ``(low, high)``)."""
        self.add_fault(latency=seconds, times=times, endpoint=endpoint, vendor=vendor)

    def respond_with(self, *answers: Any, status: int = 200, vendor: str | None = None,
                     endpoint: str | None = None) -> None:
        """Queue answers for the next valid requests, replayed in order: a response body (sent
        with ``status``), a vendor error code, a fault (``"reset"``, ``"empty"``, ``"malformed"``),
        or a recorded answer (``modmock.recordings(DIR)``: its own status and endpoint).

        Draw them inside ``@given`` and Hypothesis shrinks a failure to the smallest answer that
        breaks the client."""
        self.state.check_target(vendor, endpoint)
        vendor = vendor or (self.vendors[0] if len(self.vendors) == 1 else None)
        for value in answers:
            if isinstance(value, Recorded):  # a recorded answer: its own status, vendor and endpoint
                self.state.check_target(value.vendor, value.endpoint)
                self._thread.call(self.state.store.add_answer(value.answer()))
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                self.state.check_injectable(vendor, {"code": value}, endpoint)
            self._thread.call(self.state.store.add_answer(Answer(value, status, vendor, endpoint)))

    def finish_review(self, request_id: str, verdict: str | dict[str, Any] = "pass") -> None:
        """Finish the human review of ``request_id`` now (a rule with ``review`` sent it there):
        ``verdict`` is ``"pass"``, ``"review"`` or ``"reject"`` (with the machine result's labels)
        or a verdict in the rule format. The final result is delivered and queryable at once."""
        async def _finish() -> None:
            await self.state.store.refresh()  # a review another process started
            reviews.finish(self.state.tasks, request_id, verdict)
            await self.state.store.drain()
        try:
            self._thread.call(_finish())
        except LookupError as exc:
            raise MockAssertionError(str(exc)) from None

    def reset(self) -> None:
        """Cancel scheduled work; clear journal, rules, faults, rate windows, tasks."""
        self._thread.call(self.state.reset_all())

    # -- time -----------------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Move the mock clock forward, running everything that falls due."""
        self._thread.call(self.state.advance(seconds))

    def run_until_idle(self) -> None:
        """Run every scheduled step and callback retry until nothing is left."""
        self._thread.call(self.state.run_until_idle())

    def wait_for_callbacks(self, n: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """Wait (real time) until ``n`` callback deliveries have finished; return them."""
        try:
            return self._thread.call(self.state.callbacks.wait_for(n, timeout), timeout + 5)
        except (TimeoutError, asyncio.TimeoutError):
            raise MockAssertionError(self._callback_timeout(n, timeout)) from None

    def _callback_timeout(self, n: int, timeout: float) -> str:
        deliveries = self.callbacks
        done = [d for d in deliveries if d.state != "pending"]
        hint = " (manual clock: call advance() or run_until_idle() first)" if self.state.clock.manual else ""
        return (f"expected {n} finished callback deliveries within {timeout} s, got {len(done)} "
                f"of {len(deliveries)} started{hint}")

    async def advance_async(self, seconds: float) -> None:
        await asyncio.wrap_future(self._thread.submit(self.state.advance(seconds)))

    async def run_until_idle_async(self) -> None:
        await asyncio.wrap_future(self._thread.submit(self.state.run_until_idle()))

    async def wait_for_callbacks_async(self, n: int = 1, timeout: float = 5.0) -> list[Delivery]:
        try:
            return await asyncio.wrap_future(self._thread.submit(self.state.callbacks.wait_for(n, timeout)))
        except (TimeoutError, asyncio.TimeoutError):
            raise MockAssertionError(self._callback_timeout(n, timeout)) from None
