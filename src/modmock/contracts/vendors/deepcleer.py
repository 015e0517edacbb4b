"""Hints for the contract kit: what a drawn image v4 request needs beyond its schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ...mockserver.vendors.deepcleer import errors, profile
from ..formats import image_urls, user_names
from ..strategies import REMOVE, for_schema
from ..suite.hints import SuiteHints

_TYPES = sorted(set(profile.TYPES) - {"BOCR"})  # BOCR needs the gg/xjp clusters


def request_hints(endpoint: str) -> dict[str, st.SearchStrategy[Any]]:
    """Dotted field → strategy (or REMOVE) applied over a schema-drawn request."""
    codes = st.lists(st.sampled_from(_TYPES), min_size=1, max_size=4, unique=True).map("_".join)
    business = st.lists(st.sampled_from(sorted(profile.BUSINESS_TYPES)), min_size=1, max_size=3,
                        unique=True).map("_".join)
    if endpoint == "image_query":
        return {"accessKey": st.just(profile.DEFAULT_ACCESS_KEY)}
    hints = _hints(codes, business)
    if endpoint in ("images_v4", "async_imgs"):
        for key in ("data.img", "data.imgCompareBase"):
            hints.pop(key)
        hints["data.imgs"] = st.lists(st.fixed_dictionaries({"img": image_urls()}), min_size=1,
                                      max_size=profile.BATCH_MAX).map(
            lambda imgs: [{**img, "btId": f"img-{i}"} for i, img in enumerate(imgs)])
    if endpoint in ("async_img", "async_imgs"):
        hints["data.streamInfo"] = st.just(REMOVE)
    return hints


def _hints(codes: st.SearchStrategy[str], business: st.SearchStrategy[str]) -> dict[str, Any]:
    return {
        "accessKey": st.just(profile.DEFAULT_ACCESS_KEY),
        "appId": st.just(profile.DEFAULT_APP_IDS[0]),
        "eventId": st.just(profile.DEFAULT_EVENT_IDS[0]),
        "type": codes,
        "businessType": st.one_of(st.just(REMOVE), business),
        "callback": st.just(REMOVE),  # synchronous; set a callback URL of your own for async
        "acceptLang": st.one_of(st.just(REMOVE), st.sampled_from(["zh", "en"])),
        "data.img": image_urls(),
        "data.tokenId": user_names(),
        "data.backupUrl": st.one_of(st.just(REMOVE), image_urls()),
        "data.imgCompareBase": st.just(REMOVE),
        "data.lang": st.one_of(st.just(REMOVE), st.sampled_from(["zh", "en", "ar"])),
        "data.extra": st.one_of(st.just(REMOVE), st.fixed_dictionaries({}, optional={
            "room": st.text(max_size=64), "isIgnoreTls": st.booleans(), "isTokenSeparate": st.sampled_from([0, 1]),
            "passThrough": st.dictionaries(st.text(max_size=8), st.integers(), max_size=4)})),
    }


def finish_request(endpoint: str, doc: Any, draw: Callable[..., Any]) -> Any:
    return doc


def _risk_of(body: Any) -> str | None:
    """The risk of a result or callback body; None for an error code, and for a machine result
    a human reviewer has yet to confirm (``finalResult`` 0: no verdict a client may publish on)."""
    if not isinstance(body, dict) or body.get("code") != profile.SUCCESS or body.get("finalResult") == 0:
        return None
    return str(body["riskLevel"]).lower()


def _query_risk(body: Any) -> str | None:
    """The risk of a query answer's (first) content when it holds a result; None while the
    request is processing, for a query error and for a result awaiting human review."""
    if not isinstance(body, dict) or body.get("code") != profile.SUCCESS or not body.get("contents"):
        return None
    content = body["contents"][0]
    if not isinstance(content, dict) or content.get("code") != profile.SUCCESS:
        return None
    return _risk_of(content.get("Result"))


JOBS = SuiteHints(
    endpoint="async_img",
    rate_limit_code=errors.QpsExceeded.code,
    responses=None,
    risk_of=_query_risk,
    flow="job",
    accepted=lambda answer: isinstance(answer, dict) and answer.get("code") == profile.SUCCESS,
    query_endpoint="image_query",
    busy_status="processing",
    busy_timeout=(profile.QUERY_TIMEOUT_SECONDS, "timed_out"),  # 1912 after 24 h
)

SUITE = SuiteHints(
    endpoint="image_v4",
    rate_limit_code=errors.QpsExceeded.code,
    responses=lambda: for_schema("deepcleer/result.json"),
    risk_of=_risk_of,
    review_flow=True,
    success_code=profile.SUCCESS,
    batch_endpoint="images_v4",
    batch_error_code=errors.DownloadFailed.code,
    jobs=JOBS,
)
