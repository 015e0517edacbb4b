"""Hints for the contract kit: what drawn ImageBatchModeration parameters need beyond the schema."""

from __future__ import annotations

import json
from typing import Any, Callable

from hypothesis import strategies as st

from ....contracts.formats import image_urls
from ....contracts.strategies import for_schema
from ....contracts.suite.hints import SuiteHints
from . import errors, profile

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
