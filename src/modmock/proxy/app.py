"""The proxy's HTTP side: each client request forwarded to the vendor with the real account's
credentials, the vendor's answer sent back as it came, and both held against the packaged
schemas on the way; the vendor's callbacks received, checked and relayed to the client.

Routes: the vendor's endpoints (checked against their schemas), any other path (forwarded, and
reported as an undocumented endpoint), ``/__proxy/callbacks/{id}`` (the receiver the callback
addresses of forwarded requests point at), and the admin API: ``GET /__admin/drift`` (the drift
report), ``DELETE /__admin/drift``, ``GET /__admin/exchanges``, ``GET /__admin/health`` and the
page that shows them live (``GET /__admin/``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import logging
import secrets
import ssl
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import aiohttp
from aiohttp import web
from yarl import URL

from ..errors import SettingsError
from ..mockserver import dashboard
from ..mockserver.admin import allowed_peer, own_host, refused, reply
from ..mockserver.core.callbacks import AllowList
from ..mockserver.core.vendor import Endpoint
from ..mockserver.settings import Settings
from ..mockserver.vendors import vendor_class
from .drift import Difference, closest, differences
from .recording import Recorder
from .report import DriftReport
from .upstream import CALLBACK_FIELDS, Credentials, Outgoing, family, upstream_host

log = logging.getLogger("modmock")
# Bodies pass decoded (aiohttp decompresses a client's body and a vendor's answer): their encoding
# header goes with the hop-by-hop ones.
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding",
                        "content-encoding"})
ANSWER_DROPPED = HOP_BY_HOP
DECODED = frozenset({"identity", "gzip", "deflate"})  # request encodings aiohttp decodes (the header then goes)
MAX_ANSWER = 32 * 1024 * 1024  # bytes of a vendor's (or a client's callback) answer the proxy reads at most
RECEIVER = "/__proxy/callbacks/"
CALLBACKS_KEPT = 10_000  # callback addresses remembered (the oldest forgotten first)
EXCHANGES_KEPT = 200  # exchanges listed by /__admin/exchanges
UPSTREAM_TIMEOUT = 60.0  # seconds the vendor may take to answer
PROXY_STATE: web.AppKey[Proxy] = web.AppKey("proxy", object)  # type: ignore[arg-type]
AKOOL_PAYLOAD_SCHEMA = "akool/webhook_payload.json"
PAGE_FILES = {"drift.html": "text/html", "drift.js": "text/javascript"}


@dataclass
class ProxySettings:
    """One proxy run: the vendor, where it is, and how the proxy serves (``serving``: the same
    flags as ``run``)."""

    vendor: str
    upstream: str
    credentials: dict[str, str]
    serving: Settings = field(default_factory=Settings)
    record: str | None = None
    public_url: str | None = None  # where the vendor reaches the receiver (default: the proxy's own URL)
    upstream_ca: str | None = None  # a CA bundle the upstream's certificate is checked with (default: the system's)
    client_allow: list[str] = field(default_factory=list)  # networks besides loopback whose requests it forwards

    def validate(self) -> None:
        parts = urlsplit(self.upstream)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SettingsError(f"--upstream must be an http:// or https:// URL with a host, not {self.upstream!r}")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise SettingsError("--upstream is the vendor's address only (scheme, host, port): the client's "
                                "paths are sent as they are")
        for network in self.client_allow:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise SettingsError(f"--client-allow {network!r} is not an IP network (CIDR)") from None


@dataclass
class Expected:
    """A callback the vendor may POST to the receiver: where the client wants it, and for what."""

    url: str
    endpoint: Endpoint
    client_id: str | None = None  # AKOOL: whose pair seals the relayed webhook


class Checker:
    """Each request, answer and callback of one vendor held against its packaged schemas, into
    ``report`` (the proxy's, as traffic passes; or one made from recordings)."""

    def __init__(self, vendor: str, report: DriftReport) -> None:
        self.vendor, self.report = vendor, report
        self.endpoints = {e.id: e for e in vendor_class(vendor).endpoints}

    def _add(self, side: str, endpoint: str, found: list[Difference], status: int | None = None) -> list[Difference]:
        self.report.add(side, self.vendor, endpoint, found, status)
        return found

    def unknown(self, method: str, path: str) -> list[Difference]:
        return self._add("request", "", [Difference(
            "undocumented-endpoint", "", path, f"{method} {path} is no documented endpoint of {self.vendor}", "",
            False, None)])

    def request(self, endpoint: Endpoint, instance: Any) -> list[Difference]:
        if endpoint.request_schema is None or instance is None:  # (not JSON: the vendor's answer says)
            return []
        return self._add("request", endpoint.id, differences(instance, endpoint.request_schema))

    def answer(self, endpoint: Endpoint, status: int, value: Any, data: bytes = b"") -> list[Difference]:
        if value is None:
            return self._add("response", endpoint.id, [Difference(
                "not-json", "", "(body)", f"HTTP {status} with a body that is not JSON: {data[:80]!r}", "", False,
                None)], status)
        schemas = endpoint.response_schemas
        if status >= 400 and endpoint.error_schema:
            schemas = (endpoint.error_schema,)
        return self._add("response", endpoint.id, closest(value, schemas)[1], status) if schemas else []

    def callback(self, endpoint: Endpoint, envelope: Any, payload: Any = None,
                 problem: str | None = None) -> list[Difference]:
        """A callback as it came (``envelope``), and (AKOOL) the payload it carries opened."""
        found: list[Difference] = []
        if problem is not None:
            found.append(Difference("unreadable-callback", endpoint.callback_schema or "", "(body)", problem, "",
                                    False, None))
        if endpoint.callback_schema is not None and envelope is not None:
            found += differences(envelope, endpoint.callback_schema)
        if payload is not None:
            found += differences(payload, AKOOL_PAYLOAD_SCHEMA)
        return self._add("callback", endpoint.id, found)

    def recording(self, record: dict[str, Any]) -> None:
        """One recorded exchange (secrets scrubbed: they are strings, as the schemas have them)."""
        endpoint = self.endpoints.get(record["endpoint"])
        request, response = record["request"], record["response"]
        if endpoint is None:
            if record["kind"] == "answer":
                self.unknown(request.get("method", ""), request.get("path", ""))
            return
        if record["kind"] == "callback":
            self.callback(endpoint, request.get("body"), request.get("payload"))
            return
        body = request.get("body")
        if endpoint.params_in == "query":
            content_type = {k.lower(): v for k, v in request.get("headers", {}).items()}.get("content-type", "")
            raw = body.encode("utf-8") if isinstance(body, str) else b""
            self.request(endpoint, query_parameters([tuple(p) for p in request.get("query", [])], content_type, raw,
                                                    body if isinstance(body, dict) else None))
        else:
            self.request(endpoint, body if isinstance(body, (dict, list)) else None)
        value = response.get("body")
        self.answer(endpoint, int(response.get("status", 200)), value if isinstance(value, (dict, list)) else None,
                    str(value).encode() if value is not None else b"")


class Proxy:
    """The state of one proxy run: the report, the recorder, the callback addresses."""

    def __init__(self, settings: ProxySettings) -> None:
        self.settings = settings
        self.vendor = settings.vendor
        self.endpoints = vendor_class(settings.vendor).endpoints
        self.base = URL(settings.upstream.rstrip("/"))
        self.credentials = Credentials(settings.vendor, settings.credentials, upstream_host(settings.upstream))
        self.report = DriftReport()
        self.checker = Checker(settings.vendor, self.report)
        self.recorder = Recorder(settings.record) if settings.record else None
        self.allow = AllowList(settings.serving.allow_callback_hosts)
        self.expected: OrderedDict[str, Expected] = OrderedDict()
        self.exchanges: deque[dict[str, Any]] = deque(maxlen=EXCHANGES_KEPT)
        self.own_url = ""  # set once serving
        # Who may send requests through (it holds the real account): loopback, --client-allow
        # networks, this proxy's own Host names, no page of another site.
        self.clients = _Admin(dataclasses.replace(settings.serving, admin_allow=list(settings.client_allow)))
        self.session: aiohttp.ClientSession | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self, app: web.Application) -> None:
        context = ssl.create_default_context(cafile=self.settings.upstream_ca) if self.settings.upstream_ca else None
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=UPSTREAM_TIMEOUT),
                                             auto_decompress=True, connector=aiohttp.TCPConnector(ssl=context)
                                             if context is not None else None)

    async def stop(self, app: web.Application) -> None:
        if self.session is not None:
            await self.session.close()

    @property
    def receiver_base(self) -> str:
        return (self.settings.public_url or self.own_url).rstrip("/") + RECEIVER

    # -- forwarding --------------------------------------------------------------------------------
    async def forward(self, request: web.Request, endpoint: Endpoint | None) -> web.StreamResponse:
        refusal = self._refusal(request)  # it holds the real account: its own clients only
        if refusal is not None:
            return reply({"error": refusal[1]}, status=refusal[0])
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        out = Outgoing(request.method, request.path, list(request.query.items()), headers, body)
        out.json_body = _json_or_none(body)
        name = endpoint.id if endpoint is not None else ""
        if endpoint is None:
            found = self.checker.unknown(request.method, request.path)
        else:
            found = self._check_request(endpoint, out)
        pointed = self._point_callbacks_here(endpoint, out, request) if endpoint is not None else {}
        self.credentials.rewrite(out)
        target = self._target(out, request)
        if target is None:
            return reply({"error": "the proxy sends only to --upstream: this path would leave it"}, status=400)
        assert self.session is not None
        try:
            async with self.session.request(out.method, target, headers={**out.headers, "host": self.base.raw_authority},
                                            data=out.body, allow_redirects=False) as answer:
                data = await _bounded(answer)
                status = answer.status
                answer_headers = {k: v for k, v in answer.headers.items() if k.lower() not in ANSWER_DROPPED}
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.warning("proxy: %s %s: the vendor at %s did not answer: %s", request.method, request.path,
                        self.base, exc)
            return reply({"error": f"the vendor at {self.base} did not answer: {type(exc).__name__}: {exc}"},
                         status=502)
        value = _json_or_none(data)
        if pointed and value is not None:  # an answer that echoes the receiver says the client's address
            echoed = _replaced(value, pointed)
            if echoed != value:
                value, data = echoed, json.dumps(echoed, ensure_ascii=False).encode("utf-8")
        if endpoint is not None:
            found += self.checker.answer(endpoint, status, value, data)
            self.credentials.answered(endpoint.id, out, value)
        self._remember(name, "answer", request, out, status, answer_headers, value, data, found)
        return web.Response(status=status, body=data, headers=answer_headers)

    def _refusal(self, request: web.Request) -> tuple[int, str] | None:
        """Why a request is not forwarded, with its status: from a peer outside loopback and
        ``--client-allow``, for another ``Host`` (a DNS-rebinding page), from any page of another
        site (same-site too: another port of localhost), with a path that is not plain (dot
        segments or encoded slashes could reach another path upstream), or in an encoding the
        proxy does not decode (it would pass on bytes nobody labels)."""
        if not allowed_peer(self.clients, request.remote):
            return 403, "the proxy forwards requests of loopback peers only (see --client-allow): it holds the real account"
        if not own_host(self.clients, request.headers.get("Host", "")):
            return 403, "the proxy forwards requests for its own Host names only: IP addresses, localhost, --admin-host NAME"
        site = request.headers.get("Sec-Fetch-Site")
        origin = request.headers.get("Origin")
        if (site is not None and site not in ("same-origin", "none")) or (
                origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != request.host.lower())):
            return 403, "the proxy forwards no request a page of another site makes"
        raw = request.rel_url.raw_path
        lowered = raw.lower()
        segments = raw.split("/")
        if "." in segments or ".." in segments or any(code in lowered for code in ("%2f", "%5c", "%2e", "\\", ";")):
            return 400, "a path with dot segments, encoded slashes or parameters is not forwarded"
        encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in DECODED:
            return 415, f"the proxy forwards bodies in one of {', '.join(sorted(DECODED))} only, not {encoding!r}"
        return None

    def _target(self, out: Outgoing, request: web.Request) -> str | None:
        """The vendor's URL for ``out``: the upstream's scheme, host and port, the client's path."""
        if not out.path.startswith("/") or out.path.startswith("//"):
            return None
        raw_path = request.rel_url.raw_path if out.path == request.path else quote(out.path, safe="/:@!$&'()*+,;=-._~")
        unchanged = out.query == list(request.query.items())
        query = request.rel_url.raw_query_string if unchanged else urlencode(out.query, quote_via=quote, safe="~")
        target = URL(f"{self.base}{raw_path}" + (f"?{query}" if query else ""), encoded=True)
        if (target.scheme, target.host, target.port) != (self.base.scheme, self.base.host, self.base.port):
            return None
        return str(target)

    def _check_request(self, endpoint: Endpoint, out: Outgoing) -> list[Difference]:
        if endpoint.params_in == "query":
            return self.checker.request(endpoint, query_parameters(out.query, out.headers.get("content-type", ""),
                                                                   out.body, out.json_body))
        return self.checker.request(endpoint, out.json_body)

    def _point_callbacks_here(self, endpoint: Endpoint, out: Outgoing, request: web.Request) -> dict[str, str]:
        """Point the request's callback addresses at the receiver; the receiver addresses given,
        and the client's address each stands for."""
        body = out.json_body
        if endpoint.callback_schema is None or not isinstance(body, dict):
            return {}
        changed = dict(body)
        pointed: dict[str, str] = {}
        client_id = self.credentials.client_of(request.headers.get("Authorization", ""))
        for name in CALLBACK_FIELDS[family(self.vendor)]:
            url = body.get(name)
            if isinstance(url, str) and url:
                token = secrets.token_urlsafe(12)
                self.expected[token] = Expected(url, endpoint, client_id)
                while len(self.expected) > CALLBACKS_KEPT:
                    self.expected.popitem(last=False)
                changed[name] = pointed_url = self.receiver_base + token
                pointed[pointed_url] = url
        if changed != body:
            out.set_json(changed)
        return pointed

    # -- callbacks -----------------------------------------------------------------------------------
    async def receive(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        expected = self.expected.get(token)
        if expected is None:
            return reply({"error": "no callback is expected at this address"}, status=404)
        body = await request.read()
        payload, problem = self.credentials.open_callback(body)
        found = self.checker.callback(expected.endpoint, _json_or_none(body),
                                      payload if family(self.vendor) == "akool" else None, problem)
        relayed = self.credentials.relay_body(body, payload, expected.client_id)
        status, answer = await self._relay(expected.url, relayed, request.headers.get("Content-Type"))
        out = Outgoing("POST", request.path, [], {k.lower(): v for k, v in request.headers.items()
                                                  if k.lower() not in HOP_BY_HOP}, body, _json_or_none(body))
        self._remember(expected.endpoint.id, "callback", request, out, status, {}, _json_or_none(answer), answer,
                       found, payload=payload if family(self.vendor) == "akool" else None)
        return web.Response(status=status, body=answer, content_type="application/json"
                            if _json_or_none(answer) is not None else "text/plain")

    async def _relay(self, url: str, body: bytes, content_type: str | None) -> tuple[int, bytes]:
        if not self.allow.allows(url) or urlsplit(url).path.startswith(RECEIVER):
            log.warning("proxy: a callback for %s not relayed: its host is not allow-listed "
                        "(--allow-callback-host)", url)
            return 502, json.dumps({"error": f"the proxy relays callbacks to allow-listed hosts only; not to {url}"}
                                   ).encode()
        assert self.session is not None
        try:
            async with self.session.post(url, data=body, headers={"Content-Type": content_type or "application/json"},
                                         allow_redirects=False) as answer:
                return answer.status, await _bounded(answer)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return 502, json.dumps({"error": f"the client's callback address did not answer: {exc}"}).encode()

    # -- the exchange list and recordings ---------------------------------------------------------------
    def _remember(self, endpoint: str, kind: str, request: web.Request, out: Outgoing, status: int,
                  headers: dict[str, str], value: Any, data: bytes, found: list[Difference],
                  payload: Any = None) -> None:
        """The exchange in the list (with its differences), the log and the recording."""
        request_side = {"method": request.method, "path": request.path, "query": list(request.query.items()),
                        "headers": dict(out.headers), "body": out.json_body if out.json_body is not None
                        else out.body.decode("utf-8", "replace")}
        if payload is not None:
            request_side["payload"] = payload
        response_side = {"status": status, "headers": headers,
                         "body": value if value is not None else data.decode("utf-8", "replace")}
        summary = {"endpoint": endpoint, "kind": kind, "method": request.method, "path": request.path,
                   "status": status, "differences": [{"kind": d.kind, "field": d.field, "schema": d.schema}
                                                     for d in found]}
        self.exchanges.append(summary)
        log.info("proxy %s %s %s → %d%s", kind, request.method, request.path, status,
                 f" ({len(found)} difference{'s' if len(found) != 1 else ''} from the schemas)" if found else "")
        if self.recorder is not None:
            self.recorder.write(self.vendor, endpoint, kind, request_side, response_side)


def query_parameters(query: list[Any], content_type: str, body: bytes, json_body: Any = None) -> dict[str, Any]:
    """The parameters of an RPC-style request, as the vendor reads them: its query, and its form
    body or (V3) its JSON object body."""
    params: dict[str, Any] = {str(k): str(v) for k, v in query}
    if content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif isinstance(json_body, dict):
        params.update(json_body)
    return params


def _replaced(value: Any, urls: dict[str, str]) -> Any:
    """``value`` with each string of ``urls`` replaced by what it stands for."""
    if isinstance(value, str):
        return urls.get(value, value)
    if isinstance(value, dict):
        return {k: _replaced(v, urls) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, urls) for v in value]
    return value


async def _bounded(answer: aiohttp.ClientResponse) -> bytes:
    """An answer's body, at most ``MAX_ANSWER`` bytes (a longer one is an error of the peer)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in answer.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER:
            raise aiohttp.ClientPayloadError(f"an answer longer than {MAX_ANSWER} bytes")
        parts.append(chunk)
    return b"".join(parts)


def _json_or_none(data: bytes) -> Any:
    if not data:
        return None
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None


def build_proxy_app(settings: ProxySettings) -> web.Application:
    """The proxy as an aiohttp application (serve it with :func:`~..mockserver.runner.start_sites`)."""
    settings.validate()
    proxy = Proxy(settings)
    limit = vendor_class(settings.vendor).max_body
    app = web.Application(client_max_size=limit + 64 * 1024)
    app[PROXY_STATE] = proxy
    app.on_startup.append(proxy.start)
    app.on_cleanup.append(proxy.stop)
    admin = _Admin(settings.serving)

    async def drift(request: web.Request) -> web.StreamResponse:
        """The drift report: every difference seen, grouped and counted."""
        return reply(proxy.report.to_json())

    async def clear(request: web.Request) -> web.StreamResponse:
        proxy.report.clear()
        return reply({"cleared": True})

    async def exchanges(request: web.Request) -> web.StreamResponse:
        return reply({"exchanges": list(proxy.exchanges)})

    async def health(request: web.Request) -> web.StreamResponse:
        return reply({"status": "ok", "mode": "proxy", "vendor": proxy.vendor, "upstream": str(proxy.base),
                      "receiver": proxy.receiver_base, "exchanges": len(proxy.exchanges),
                      "recorded": proxy.recorder.written if proxy.recorder else None,
                      "record": settings.record})

    async def page(request: web.Request) -> web.StreamResponse:
        """The proxy's page: the drift report and the last exchanges, live."""
        name = request.match_info.get("name", "drift.html")
        if name == "dashboard.css":
            return web.Response(body=dashboard._file(name), content_type="text/css", headers=dashboard.POLICY)
        if name not in PAGE_FILES:
            return reply({"error": f"no file {name}"}, status=404)
        body = (resources.files(__package__) / "static" / name).read_bytes()
        return web.Response(body=body, content_type=PAGE_FILES[name], headers=dashboard.POLICY)

    app.router.add_get("/__admin/", admin.guard(page))
    app.router.add_get("/__admin/static/{name}", admin.guard(page))
    app.router.add_get("/__admin/drift", admin.guard(drift))
    app.router.add_delete("/__admin/drift", admin.guard(clear, body=False))
    app.router.add_get("/__admin/exchanges", admin.guard(exchanges))
    app.router.add_get("/__admin/health", admin.guard(health))
    async def no_such(request: web.Request) -> web.StreamResponse:
        return reply({"error": f"the proxy's admin API has no {request.method} {request.path}"}, status=404)

    app.router.add_route("*", "/__admin/{tail:.*}", admin.guard(no_such, body=False))  # never forwarded
    app.router.add_post(RECEIVER + "{token}", proxy.receive)
    for endpoint in proxy.endpoints:
        handler = _bound(proxy, endpoint)
        app.router.add_route("*" if endpoint.any_method else endpoint.method, endpoint.route or endpoint.path, handler)
    app.router.add_route("*", "/{tail:.*}", _bound(proxy, None))
    return app


def _bound(proxy: Proxy, endpoint: Endpoint | None) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        return await proxy.forward(request, endpoint)
    return handler


class _Admin:
    """The admin API's guard (loopback peers, own Host names, no cross-origin writes), as the
    mock's admin API has it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def guard(self, handler: Callable[[web.Request], Awaitable[web.StreamResponse]], *,
              body: bool = True) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            refusal = refused(self, request, body=body)
            return refusal if refusal is not None else await handler(request)
        guarded.__doc__ = handler.__doc__
        return guarded
