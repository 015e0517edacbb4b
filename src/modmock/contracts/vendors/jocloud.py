"""Hints for the contract kit: what drawn Jocloud/Aivacom requests need beyond their schemas.

The same hints serve both profiles: a drawn call is completed when sent, from the running mock's
credentials (its profile's paths, its appid, the ``token`` header and a fresh ``traceId``).
"""

from __future__ import annotations

import base64
import functools
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ...mockserver.vendors.jocloud import profile
from ...mockserver.vendors.jocloud.auth import DEFAULT
from ..calls import Call
from ..formats import image_urls, words
from ..strategies import REMOVE, for_schema
from ..suite.hints import ConcurrencyHints, SuiteHints

CALLBACK_URL = "http://127.0.0.1:9/modmock-callback"  # loopback discard port: deliveries fail, journaled
_DATA_IDS = st.from_regex(r"\A[A-Za-z0-9_.-]{1,64}\Z")


def _with_extension(extensions: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.tuples(image_urls(), st.sampled_from(extensions)).map(lambda p: p[0].rsplit(".", 1)[0] + p[1])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _item(endpoint: str) -> st.SearchStrategy[dict[str, Any]]:
    """One data item the API accepts."""
    text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200)
    if endpoint == profile.TEXT_SYNC:
        source: dict[str, Any] = {"content": st.one_of(text, st.lists(words(), min_size=1, max_size=5).map(" ".join))
                                  .map(lambda t: _b64(t.encode("utf-8")))}
    elif endpoint == profile.IMAGE_SYNC:
        source = {"url": image_urls()}
    elif endpoint == profile.AUDIO_SYNC:
        source = {"url": _with_extension((".mp3", ".wav", ".m4a", ".aac"))}
    elif endpoint == profile.AUDIO_ASYNC:
        source = {"url": _with_extension(profile.AUDIO_ASYNC_FORMATS)}
    elif endpoint == profile.VIDEO_ASYNC:
        source = {"url": _with_extension((".mp4", ".flv", ".mov"))}
    elif endpoint == profile.VIDEO_LIVE:
        source = {"url": st.builds(lambda scheme, parts: f"{scheme}://live.example.com/{'/'.join(parts)}",
                                   st.sampled_from(["rtmp", "https", "rtsp"]), st.lists(words(), min_size=1, max_size=3))}
    else:
        source = {"roomId": st.one_of(st.integers(1, 10**9), st.lists(words(), min_size=1, max_size=2).map("-".join))}
    return st.fixed_dictionaries({"dataId": _DATA_IDS, **source})


def request_hints(endpoint: str) -> dict[str, st.SearchStrategy[Any]]:
    """Dotted field → strategy (or REMOVE) applied over a schema-drawn request."""
    actions = st.one_of(st.just(REMOVE), st.lists(st.sampled_from(profile.ACCEPTED_ACTIONS[endpoint]), min_size=1,
                                                   unique=True))
    hints: dict[str, st.SearchStrategy[Any]] = {
        "data": st.lists(_item(endpoint), min_size=1, max_size=3), "actions": actions}
    if endpoint in (*profile.ASYNC, *profile.LIVE):
        hints["callbackUrl"] = st.just(CALLBACK_URL)
    if endpoint in profile.LIVE:
        hints["operation"] = st.just(REMOVE)  # starts; a stop names a taskId a start gave
        hints["interval"] = st.one_of(st.just(REMOVE), st.integers(*profile.LIVE_INTERVAL_RANGE))
    return hints


def finish_request(endpoint: str, doc: Any, draw: Callable[..., Any]) -> Any:
    return doc


def _certificate(credentials: Any) -> dict[str, Any]:
    certs = (credentials or {}).get("credentials") or [{"appid": DEFAULT.appid, "token": DEFAULT.token()}]
    return dict(certs[0])


def _complete(endpoint: str, call: Call, credentials: Any) -> Call:
    """The path of the mock's profile for its appid, the ``token`` header, a fresh traceId."""
    vendor = (credentials or {}).get("vendor", profile.JOCLOUD.NAME)
    cert = _certificate(credentials)
    path = profile.PROFILES[vendor].PATHS[endpoint]
    return Call("POST", path.format(appid=cert["appid"]), body=call.body,
                params={"traceId": str(uuid.uuid4())}, headers={"token": cert["token"]})


def to_call(endpoint: str, doc: Any) -> Call:
    """A drawn body as a call, completed for the running mock when sent."""
    return Call("POST", "", body=doc, signer=functools.partial(_complete, endpoint))


# -- the client contract suite --------------------------------------------------------------------
_SEVERITY = {"pass": 0, "review": 1, "block": 2}
_RISKS = ("pass", "review", "reject")


def _risk_of(body: Any) -> str | None:
    """The most severe suggestion of an answer or callback; None for a request-level error, and
    for any item or action that ended with its own code inside the HTTP 200 envelope."""
    if not isinstance(body, dict) or body.get("code") != profile.OK or not isinstance(body.get("data"), list):
        return None
    if not body["data"]:  # no item answered: no verdict
        return None
    worst = 0
    for item in body["data"]:
        if not isinstance(item, dict) or item.get("code") != profile.OK or not item.get("results"):
            return None
        for result in item["results"]:
            if not isinstance(result, dict) or result.get("code") != profile.OK:
                return None
            worst = max(worst, _SEVERITY.get(str(result.get("suggestion")), 2))
    return _RISKS[worst]


SUITE = SuiteHints(
    endpoint=profile.IMAGE_SYNC,
    rate_limit_code=profile.TOO_MANY_REQUESTS,
    responses=lambda: for_schema(profile.RESPONSE_SCHEMA),
    risk_of=_risk_of,
    callback_endpoint=profile.VIDEO_ASYNC,
    live_endpoint=profile.VIDEO_LIVE,
    live_interval=profile.LIVE_INTERVAL_SECONDS,
    live_stopped="stopped",
    extra_error_codes=tuple(f"action:{code}" for code in sorted(profile.ITEM_CODES)),
    concurrency=ConcurrencyHints(
        limit=profile.DEFAULT_CONCURRENCY,
        request=lambda credentials: to_call(profile.IMAGE_SYNC, {"data": [
            {"dataId": "modmock-suite-hold", "url": "https://cdn.example.com/uploads/held.jpg"}]}).signed(credentials),
        key=lambda credentials: ((credentials or {}).get("vendor", profile.JOCLOUD.NAME),
                                 _certificate(credentials)["appid"], profile.IMAGE_SYNC),
        code=profile.TOO_MANY_REQUESTS,
    ),
)
