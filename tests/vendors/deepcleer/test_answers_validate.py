"""Property: whatever a client sends, every answer and callback validates against its schema."""

from __future__ import annotations

from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import image_request
from modmock.mockserver.core import schemas
from modmock.mockserver.core.verdict import ALIASES, CATEGORIES
from modmock.mockserver.vendors.deepcleer import profile

ACCEPT_LANGS = schemas.schema("deepcleer/request.json")["properties"]["acceptLang"]["enum"]
WORDS = st.sampled_from([*CATEGORIES, *ALIASES, "review", "cat", "timeout", "holiday", "IMG_01"])
TYPES = st.lists(st.sampled_from(sorted(set(profile.TYPES) - {"BOCR"})), min_size=1, unique=True)


@st.composite
def requests_(draw: st.DrawFn) -> dict[str, Any]:
    host = draw(st.sampled_from(["cdn.example.com", "img.invalid"]))
    path = "/".join(draw(st.lists(WORDS, min_size=1, max_size=3)))
    data: dict[str, Any] = {"img": f"https://{host}/{path}.jpg"}
    if draw(st.booleans()):
        data["dataId"] = draw(WORDS)
    if draw(st.booleans()):
        data["extra"] = {"passThrough": {"n": draw(st.integers(0, 10))}}
    body = image_request(data, type="_".join(draw(TYPES)))
    if draw(st.booleans()):
        body["acceptLang"] = draw(st.sampled_from(ACCEPT_LANGS))
    if draw(st.booleans()):
        del body["data"]["tokenId"]  # an invalid request: its error body must validate too
    return body


# The mock fixture is shared across examples on purpose: each example resets what it relies on.
SHARED = [HealthCheck.function_scoped_fixture]


@settings(max_examples=40, suppress_health_check=SHARED)
@given(body=requests_())
def test_every_sync_answer_validates(deepcleer_mock, body: dict[str, Any]) -> None:
    answer = requests.post(deepcleer_mock.url + "/image/v4", json=body, timeout=10).json()
    assert schemas.problems("deepcleer/result.json", answer) == []
    assert answer["code"] in profile.MESSAGES


@settings(max_examples=15, suppress_health_check=SHARED)
@given(body=requests_())
def test_every_ack_and_callback_validates(deepcleer_mock, callback_sink, body: dict[str, Any]) -> None:
    deepcleer_mock.reset()
    callback_sink.reset()
    body["callback"] = callback_sink.url
    ack = requests.post(deepcleer_mock.url + "/image/v4", json=body, timeout=10).json()
    assert schemas.problems("deepcleer/ack.json", ack) == []
    if ack["code"] == 1100:
        deepcleer_mock.wait_for_callbacks(1)
        callback = callback_sink.deliveries[0].json
        assert schemas.problems("deepcleer/callback.json", callback) == []
        assert callback["requestId"] == ack["requestId"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
TOP = ["accessKey", "appId", "eventId", "type", "businessType", "callback", "acceptLang", "data"]
DATA = ["img", "tokenId", "backupUrl", "dataId", "lang", "level", "maxFrame", "interval", "nickname",
        "receiveTokenId", "extra", "streamInfo", "imgCompareBase"]


@st.composite
def mangled(draw: st.DrawFn) -> Any:
    """A mostly valid request with some fields replaced by arbitrary JSON, or arbitrary JSON."""
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    body = image_request()
    for key in draw(st.lists(st.sampled_from(TOP), max_size=2, unique=True)):
        body[key] = draw(JSON)
    if isinstance(body.get("data"), dict):
        for key in draw(st.lists(st.sampled_from(DATA), max_size=3, unique=True)):
            body["data"][key] = draw(JSON)
    return body


@settings(max_examples=60, suppress_health_check=SHARED)
@given(body=mangled())
def test_arbitrary_values_never_break_the_server(deepcleer_mock, body: Any) -> None:
    deepcleer_mock.reset()
    resp = requests.post(deepcleer_mock.url + "/image/v4", json=body, timeout=10)
    assert resp.status_code == 200
    answer = resp.json()
    assert schemas.problems("deepcleer/result.json", answer) == []
    (entry,) = deepcleer_mock.requests
    assert not any(note.startswith("internal error") for note in entry.notes), entry.notes
    if answer["code"] == 1902:
        assert not entry.valid and entry.problems  # every refusal names its field and rule
