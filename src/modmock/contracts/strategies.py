"""Hypothesis strategies for every packaged schema, addressed by vendor and endpoint id.

* ``request(vendor, endpoint)``: requests the vendor accepts (schema-drawn, then the vendor's
  hints make credentials, codes and URLs real);
* ``invalid_request(vendor, endpoint)``: a valid request with one documented rule broken,
  labelled with the field and rule;
* ``call(vendor, endpoint)``: the same requests as HTTP calls to send (Alibaba's signed at send time);
* ``response`` / ``callback`` / ``error``: any documented answer.

A vendor's schemas need no code here; a vendor may add hints in ``contracts/vendors/<folder>.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from ..mockserver.core import schemas
from ..mockserver.vendors import vendor_class
from .bundle import bundled
from .calls import Call
from .compiled import compile_schema

REMOVE = object()  # a hint value: leave the field out


@dataclass(frozen=True)
class Broken:
    """Which documented rule an invalid request breaks."""

    field: str
    rule: str


@cache
def for_schema(path: str) -> st.SearchStrategy[Any]:
    """Instances of packaged schema ``path`` (e.g. ``"deepcleer/result.json"``); built once."""
    return compile_schema(bundled(path))


def _endpoint(vendor: str, endpoint: str) -> Any:
    for ep in vendor_class(vendor).endpoints:
        if ep.id == endpoint:
            return ep
    raise KeyError(f"{vendor} has no endpoint {endpoint!r}")


def _hints(vendor: str) -> Any:
    from .vendors import hints_module

    return hints_module(vendor)


def _set(doc: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    node = doc
    for part in parents:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    if value is REMOVE:
        node.pop(last, None)
    else:
        node[last] = value


@st.composite
def _hinted(draw: st.DrawFn, vendor: str, endpoint: str) -> Any:
    ep = _endpoint(vendor, endpoint)
    assert ep.request_schema, f"{vendor}:{endpoint} has no request schema"
    doc = draw(for_schema(ep.request_schema))
    hints = _hints(vendor)
    if hints is not None:
        for dotted, strategy in hints.request_hints(endpoint).items():
            _set(doc, dotted, draw(strategy))
        doc = hints.finish_request(endpoint, doc, draw)
    return doc


def request(vendor: str, endpoint: str) -> st.SearchStrategy[Any]:
    """Requests the vendor accepts."""
    return _hinted(vendor, endpoint)


def call(vendor: str, endpoint: str) -> st.SearchStrategy[Call]:
    """Requests the vendor accepts, as HTTP calls to send (signed at send time where needed)."""
    ep = _endpoint(vendor, endpoint)
    hints = _hints(vendor)
    to_call = getattr(hints, "to_call", None)
    if to_call is not None:
        return request(vendor, endpoint).map(lambda doc: to_call(endpoint, doc))
    if ep.params_in == "query":
        return request(vendor, endpoint).map(lambda doc: Call(ep.method, ep.path, params=doc))
    return request(vendor, endpoint).map(lambda doc: Call(ep.method, ep.path, body=doc))


def response(vendor: str, endpoint: str) -> st.SearchStrategy[Any]:
    """Any documented (non-callback) answer of the endpoint."""
    ep = _endpoint(vendor, endpoint)
    return st.one_of(*[for_schema(p) for p in ep.response_schemas])


def callback(vendor: str, endpoint: str) -> st.SearchStrategy[Any]:
    """Any documented callback body of the endpoint."""
    ep = _endpoint(vendor, endpoint)
    if not ep.callback_schema:
        raise ValueError(f"{vendor}:{endpoint} has no callback")
    return for_schema(ep.callback_schema)


def error(vendor: str, endpoint: str) -> st.SearchStrategy[Any]:
    """Any documented error body: the gateway error schema, or a response with an error code."""
    ep = _endpoint(vendor, endpoint)
    if ep.error_schema:
        return for_schema(ep.error_schema)
    codes = _error_codes(vendor)
    return response(vendor, endpoint).filter(lambda r: isinstance(r, dict) and _code(r) in codes)


def _error_codes(vendor: str) -> list[Any]:
    from .checking import vendor as vendor_instance
    return sorted(vendor_instance(vendor).error_codes)


def _code(body: dict[str, Any]) -> Any:
    return body.get("code", body.get("Code"))


def _too_long(limit: int) -> Callable[[Any], Any]:
    return lambda _: "a" * (limit + 1)


def _breakers(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, str, Callable[[Any], Any]]]:
    """(field, rule, how to break it) for the documented (not inferred) rules of ``schema``."""
    found: list[tuple[str, str, Callable[[Any], Any]]] = []
    def remove(_: Any) -> Any:
        return REMOVE

    for name in schema.get("required", []):
        found.append((f"{prefix}{name}", "required", remove))
    for name, sub in schema.get("properties", {}).items():
        if sub.get("x-inferred"):
            continue
        parts = [sub, *[p for p in sub.get("allOf", []) if not p.get("x-inferred")]]
        for part in parts:
            if "maxLength" in part:
                n = part["maxLength"]
                found.append((f"{prefix}{name}", f"maxLength {n}", _too_long(n)))
            if part.get("type") == "string":
                found.append((f"{prefix}{name}", "type", lambda v: 12345))
            if "enum" in part:
                found.append((f"{prefix}{name}", "enum", lambda v: "not-a-documented-value"))
        if sub.get("type") == "object" and "properties" in sub:
            found += _breakers(sub, f"{prefix}{name}.")
    return found


@st.composite
def _invalid(draw: st.DrawFn, vendor: str, endpoint: str) -> tuple[Any, Broken]:
    ep = _endpoint(vendor, endpoint)
    assert ep.request_schema
    valid = draw(request(vendor, endpoint))
    options = [b for b in _breakers(schemas.schema(ep.request_schema)) if _reachable(valid, b[0])]
    field, rule, breaker = draw(st.sampled_from(options))
    doc = copy.deepcopy(valid)
    _set(doc, field, breaker(None))
    return doc, Broken(field, rule)


def _reachable(doc: Any, dotted: str) -> bool:
    """The field's parent object exists in ``doc`` (so breaking it is meaningful)."""
    node = doc
    for part in dotted.split(".")[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return False
        node = node[part]
    return isinstance(node, dict)


def invalid_request(vendor: str, endpoint: str) -> st.SearchStrategy[tuple[Any, Broken]]:
    """A request the vendor accepts, with one documented rule broken, and which one."""
    return _invalid(vendor, endpoint)
