"""The quick proof (one compiled schema per synchronous API) never clears a body the full checks
would fault."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modmock.contracts import strategies
from modmock.mockserver.vendors.jocloud import checks, clean, profile

URLS = st.sampled_from(["https://cdn.example.com/a.jpg", "HTTP://CDN.example.com:8080/a b.jpg", "ftp://x/a.jpg",
                        "https://cdn.example.com:99999/a.jpg", "https://[::1]/a.jpg", "https://user@cdn/a.jpg",
                        "https://cdn.example.com/" + "a" * 2100, "https:///a.jpg", "http://-/a", "https://cdn/?x#y",
                        " https://cdn.example.com/a.jpg", "https://cdn.example.com/é.jpg", 7, None])
ITEM_TWEAKS: list[tuple[str, Any]] = [
    ("url", URLS), ("content", st.sampled_from(["", "aGk=", 5, None, "not base64 at all"])),
    ("dataId", st.sampled_from(["", "a", "x" * 128, "x" * 129, 12, None, True])),
    ("taskId", st.just("t")), ("roomId", st.just("r")), ("extra", st.just(1)),
]
TOP_TWEAKS: list[tuple[str, Any]] = [
    ("actions", st.sampled_from([[], ["porn"], ["porn", "porn"], ["asr"], ["antispam"], "porn", [1], None])),
    ("callbackUrl", st.just("https://x.example.com/cb")), ("interval", st.just(5)), ("operation", st.just("stop")),
    ("data", st.sampled_from([[], None, {}, [1], [{"dataId": "a"}] * 101])),
]


@st.composite
def bodies(draw: st.DrawFn, endpoint: str) -> Any:
    body = copy.deepcopy(draw(strategies.request("jocloud", endpoint)))
    items = body.get("data") if isinstance(body.get("data"), list) else []
    for name, values in draw(st.lists(st.sampled_from(ITEM_TWEAKS), max_size=3)):
        if items:
            target = items[draw(st.integers(0, len(items) - 1))]
            value = draw(values)
            if value is None:
                target.pop(name, None)
            else:
                target[name] = value
    for name, values in draw(st.lists(st.sampled_from(TOP_TWEAKS), max_size=2)):
        value = draw(values)
        if value is None:
            body.pop(name, None)
        else:
            body[name] = value
    return body


@pytest.mark.parametrize("endpoint", sorted(clean.PROVED))
@settings(max_examples=200)
@given(data=st.data())
def test_a_body_the_quick_proof_clears_has_no_problem_at_all(endpoint: str, data: st.DataObject) -> None:
    body = data.draw(bodies(endpoint))
    proof = clean.proof(endpoint)
    assert proof is not None
    if proof(body, None):
        assert checks.collect(endpoint, body) == []


def test_the_common_requests_are_cleared_quickly() -> None:
    url_item = {"dataId": "photo-1", "url": "https://cdn.example.com/uploads/1/clean.jpg"}
    common = {profile.IMAGE_SYNC: {"data": [url_item]}, profile.AUDIO_SYNC: {"data": [url_item]},
              profile.TEXT_SYNC: {"data": [{"dataId": "t", "content": "aGk="}]}}
    for endpoint, body in common.items():
        proof = clean.proof(endpoint)
        assert proof is not None and proof(body, None) and checks.collect(endpoint, body) == []
    image = clean.proof(profile.IMAGE_SYNC)
    assert image is not None and not image({"data": [{**url_item, "url": "https://cdn.example.com/a b.jpg"}]}, None)
    assert clean.proof(profile.VIDEO_ASYNC) is None  # checked in full
