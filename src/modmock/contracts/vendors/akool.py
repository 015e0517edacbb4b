"""Hints for the contract kit: what a drawn AKOOL request needs beyond its schema."""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import strategies as st

from ..formats import image_urls
from ..strategies import REMOVE
from ...mockserver.vendors.akool import profile


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
