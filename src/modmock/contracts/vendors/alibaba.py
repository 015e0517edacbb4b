"""Hints for the contract kit: what drawn ImageBatchModeration parameters need beyond the schema."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from ...mockserver.vendors.alibaba import errors, profile, signing
from ..calls import Call
from ..formats import image_urls
from ..strategies import for_schema
from ..suite.hints import SuiteHints

_INFO_TYPES = st.lists(st.sampled_from(profile.INFO_TYPES), min_size=1, unique=True).map(",".join)


def request_hints(endpoint: str) -> dict[str, st.SearchStrategy[Any]]:
    """Parameters as the SDK sends them: services of the default region, ServiceParameters as a
    JSON string; the signature is the sender's job."""
    service_parameters = st.fixed_dictionaries(
        {"imageUrl": image_urls()},
        optional={"dataId": st.from_regex(r"\A[A-Za-z0-9_.-]{1,64}\Z"),
                  "referer": st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=256),
                  "infoType": _INFO_TYPES})
    return {
        "Service": st.lists(st.sampled_from(profile.REGIONS[profile.DEFAULT_REGION]), min_size=1, max_size=3,
                            unique=True).map(",".join),
        "ServiceParameters": service_parameters.map(json.dumps),
    }


def finish_request(endpoint: str, doc: Any, draw: Callable[..., Any]) -> Any:
    return {"Service": doc["Service"], "ServiceParameters": doc["ServiceParameters"]}


# The decision an integrator takes on the overall RiskLevel; the mock answers "low" for a review
# verdict of low confidence, so low is a review too.
_RISK = {profile.RISK_HIGH: "reject", profile.RISK_MEDIUM: "review", profile.RISK_LOW: "review",
         profile.RISK_NONE: "pass"}


def _risk_of(body: Any) -> str | None:
    if not isinstance(body, dict) or body.get("Code") != 200 or not isinstance(body.get("Data"), dict):
        return None
    return _RISK[body["Data"]["RiskLevel"]]


SUITE = SuiteHints(
    endpoint="image_batch_moderation",
    rate_limit_code=errors.QpsExceeded.code,
    responses=lambda: for_schema("alibaba/response.json"),
    risk_of=_risk_of,
    callbacks="ImageBatchModeration answers synchronously; it has no callback",
)


def _sign(call: Call, credentials: Any) -> Call:
    """An RPC (V1, HMAC-SHA1) signature over the query, with a fresh nonce and timestamp."""
    keys = (credentials or {}).get("accessKeys") or [
        {"accessKeyId": profile.DEFAULT_ACCESS_KEY_ID, "accessKeySecret": profile.DEFAULT_ACCESS_KEY_SECRET}]
    params = {"Action": profile.ACTION, "Version": profile.VERSION, "Format": "JSON",
              "AccessKeyId": keys[0]["accessKeyId"], "SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0",
              "SignatureNonce": uuid.uuid4().hex,
              "Timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **call.params}
    params["Signature"] = signing.v1_signature(keys[0]["accessKeySecret"],
                                               signing.v1_string_to_sign(call.method, params))
    return Call(call.method, call.path, params=params)


def to_call(endpoint: str, doc: Any) -> Call:
    """Drawn parameters as a call, signed when sent."""
    return Call("POST", "/", params=dict(doc), signer=_sign)
