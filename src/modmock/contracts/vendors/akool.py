"""Hints for the contract kit: what a drawn AKOOL request needs beyond its schema."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ...mockserver.vendors.akool import profile
from ..calls import Call
from ..formats import image_urls
from ..strategies import REMOVE


def _content_for(kind: int) -> st.SearchStrategy[str]:
    extensions = st.sampled_from(profile.EXTENSIONS[kind])
    urls = st.tuples(image_urls(), extensions).map(lambda pair: pair[0].rsplit(".", 1)[0] + pair[1])
    if kind == profile.TYPE_TEXT:
        return st.one_of(urls, st.text(min_size=1, max_size=200).filter(lambda t: not t.lower().startswith("http")))
    return urls


def request_hints(endpoint: str) -> dict[str, st.SearchStrategy[Any]]:
    """Dotted field → strategy (or REMOVE) applied over a schema-drawn request."""
    if endpoint == "get_token":
        return {"clientId": st.just(profile.DEFAULT_CLIENT_ID), "clientSecret": st.just(profile.DEFAULT_CLIENT_SECRET)}
    if endpoint == "sentiment":
        return {"webhookUrl": st.just(REMOVE), "input": st.one_of(st.just(REMOVE), st.text(max_size=64)),
                "language": st.one_of(st.just(REMOVE), st.sampled_from(["en", "zh", "es", "ar", "ja"]))}
    return {}


def finish_request(endpoint: str, doc: Any, draw: Callable[..., Any]) -> Any:
    if endpoint == "sentiment":
        doc["content"] = draw(_content_for(doc["type"]))
    return doc


def to_call(endpoint: str, doc: Any) -> Call:
    """A drawn request as a call; sentiment and infobyid carry the running mock's API key
    (``x-api-key``: the clientSecret of its first credential) when sent."""
    ep = {e.id: e for e in profile.ENDPOINTS}[endpoint]
    if ep.params_in == "query":
        return Call(ep.method, ep.path, params={k: str(v) for k, v in doc.items()}, signer=_keyed)
    return Call(ep.method, ep.path, body=doc, signer=None if endpoint == "get_token" else _keyed)


def _keyed(call: Call, credentials: Any) -> Call:
    accounts = (credentials or {}).get("credentials") or [{"clientSecret": profile.DEFAULT_CLIENT_SECRET}]
    return dataclasses.replace(call, headers={**call.headers, "x-api-key": accounts[0]["clientSecret"]})
