"""A hostile client over raw HTTP: every endpoint of every vendor gets drawn bodies, JSON values in
every field, header bytes and query strings, and never answers with the mock's internal error.

Each example is one raw HTTP/1.1 request on a socket to 127.0.0.1 (no client library to tidy the
bytes). Per vendor, the CI profile sends ``FUZZ_EXAMPLES`` requests (2,000 by default, spread over
its endpoints); ``HYPOTHESIS_PROFILE=dev`` sends five times as many.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import modmock
from modmock.contracts.calls import Call
from modmock.mockserver.vendors import vendor_names

PER_VENDOR = int(os.environ.get("FUZZ_EXAMPLES", "2000")) * (5 if os.environ.get("HYPOTHESIS_PROFILE") == "dev" else 1)
INTERNAL = "internal error"

# JSON values a hostile client sends: lone surrogates, huge numbers, deep and wide containers.
nasty = st.sampled_from(["\ud800", "\udcff", "\x00", "http://127.0.0.1:1/\ud800", "https://x/\ud800.jpg", "a" * 5000,
                         "", " ", "1e999", "NaN"])
scalars = st.one_of(nasty, nasty, st.none(), st.booleans(), st.integers(min_value=-(10**40), max_value=10**40),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40), st.just([]), st.just({}))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                            max_size=4), max_leaves=12)
header_bytes = st.binary(min_size=0, max_size=30).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


def _send(port: int, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, bytes]:
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1:" + str(port).encode(),
             b"Content-Length: " + str(len(body)).encode(), b"Connection: close",
             *(name + b": " + value for name, value in headers)]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith((b"HTTP/1.1 ", b"HTTP/1.0 ")) else 0
    return status, answer


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            found += _paths(value, (*prefix, i))
    return found


def _replaced(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(doc))
    node = copy
    try:
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    except (KeyError, IndexError, TypeError):  # an earlier replacement took the parent away
        return doc
    return copy


def _example(vendor: Any, endpoint: str) -> Any:
    example = vendor.request_example(endpoint)
    return example if example is not None else {}


@st.composite
def hostile(draw: st.DrawFn, vendor: Any, credentials: Any) -> tuple[str, bytes, list[tuple[bytes, bytes]], bytes]:
    ep = draw(st.sampled_from(vendor.endpoints))
    base = _example(vendor, ep.id)
    kind = draw(st.sampled_from(["field", "field", "field", "body", "headers", "query"]))
    body: Any = base
    if kind == "field":  # one to three fields replaced
        for path in draw(st.lists(st.sampled_from(_paths(base)[1:] or [()]), min_size=1, max_size=3)):
            body = _replaced(body, path, draw(values))
    elif kind == "body":
        body = draw(values)
    path = ep.path.replace("{appid}", str(draw(st.sampled_from(["123456", "\ud800", "x" * 300]))))
    query = {"traceId": "t-1"} if "{appid}" in ep.path else {}
    headers: list[tuple[bytes, bytes]] = [(b"Content-Type", b"application/json")]
    headers += [(k.encode("latin-1"), v.encode("latin-1", "replace")) for k, v in vendor.example_headers(ep.id).items()]
    if ep.params_in == "query":
        query = {k: json.dumps(v) if not isinstance(v, str) else v for k, v in (body or {}).items()} \
            if isinstance(body, dict) else {}
        body = None
    call = Call(ep.method, path, body=body, params=query)
    if vendor.name == "alibaba" and draw(st.booleans()):  # a signed call, so the parameters are reached
        from modmock.contracts.vendors import alibaba as hints

        params = {"Service": "baselineCheck", "ServiceParameters": json.dumps(
            draw(values) if kind == "field" else {"imageUrl": "https://cdn.example.com/a.jpg"})}
        try:
            call = hints.to_call(ep.id, params).signed(credentials)
        except UnicodeEncodeError:  # a client cannot sign what it cannot encode: sent unsigned
            call = Call(ep.method, path, params=params)
    if kind == "headers":
        names = [b"Authorization", b"x-api-key", b"token", b"x-acs-content-sha256", b"x-acs-date",
                 b"x-acs-signature-nonce", b"Content-Type", b"Content-Encoding", b"Origin"]
        headers += draw(st.lists(st.tuples(st.sampled_from(names), header_bytes), max_size=4))
    headers += [(k.encode("latin-1"), v.encode("utf-8", "surrogateescape")) for k, v in call.headers.items()]
    target = call.path.encode("utf-8", "surrogatepass")
    if call.params:
        from urllib.parse import quote, urlencode

        target += b"?" + urlencode(call.params, quote_via=quote, errors="surrogatepass").encode()
    if kind == "query":
        target += draw(st.sampled_from([b"?", b"&"])) + draw(header_bytes).replace(b" ", b"%20").replace(b"#", b"")
    raw = b"" if call.body is None else json.dumps(call.body).encode()
    return call.method, target, headers, raw


@pytest.fixture(scope="module", params=vendor_names())
def served(request: pytest.FixtureRequest) -> Iterator[modmock.MockServer]:
    with modmock.serve(request.param, clock="manual") as mock:
        yield mock


def test_every_endpoints_example_gets_past_validation(served: modmock.MockServer) -> None:
    """The fuzzer's starting points are accepted, so its mutations reach every stage."""
    (vendor,) = served.state.vendors.values()
    for ep in vendor.endpoints:
        if vendor.name == "alibaba":
            continue  # signed at send time: the fuzzer's signed variant starts from accepted parameters
        served.state.journal.clear()
        body = _example(vendor, ep.id)
        headers = [(b"Content-Type", b"application/json"),
                   *[(k.encode(), v.encode()) for k, v in vendor.example_headers(ep.id).items()]]
        path = ep.path.replace("{appid}", "123456")
        if ep.params_in == "query":
            from urllib.parse import urlencode

            status, _ = _send(served.port, ep.method, (path + "?" + urlencode(body)).encode(), headers, b"")
        else:
            target = path + ("?traceId=t-1" if "{appid}" in ep.path else "")
            status, _ = _send(served.port, ep.method, target.encode(), headers, json.dumps(body).encode())
        (entry,) = served.state.journal.entries()
        assert entry.valid and not entry.problems, (ep.id, entry.problems, entry.response)


def test_no_hostile_request_reaches_an_internal_error(served: modmock.MockServer) -> None:
    (vendor,) = served.state.vendors.values()
    failures: list[str] = []

    @settings(max_examples=PER_VENDOR, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(request=hostile(vendor, served.credentials))
    def one(request: tuple[str, bytes, list[tuple[bytes, bytes]], bytes]) -> None:
        method, target, headers, body = request
        status, answer = _send(served.port, method, target, headers, body)
        assert status not in (0, 500), (request, answer[:300])
        for entry in served.state.journal.entries()[-3:]:
            if any(note.startswith(INTERNAL) for note in entry.notes) and len(failures) < 5:
                failures.append(f"{request!r}\n  {entry.notes[-1][-600:]}")
        served.state.journal.clear()

    one()
    assert failures == [], "\n".join(failures)
    status, _ = _send(served.port, "GET", b"/__admin/requests", [], b"")
    assert status == 200
