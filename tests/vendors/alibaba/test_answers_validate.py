"""Property: whatever parameters a client signs and sends, the answer validates against a schema."""

from __future__ import annotations

import json
from typing import Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alibaba_helpers import post_v1, post_v3, v3_request
from modmock.mockserver.core import schemas
from modmock.mockserver.core.verdict import ALIASES, CATEGORIES
from modmock.mockserver.vendors.alibaba import profile

SERVICES = st.lists(st.sampled_from([*profile.REGIONS["cn-shanghai"], "noSuchService"]), min_size=1, max_size=4)
WORDS = st.sampled_from([*CATEGORIES, *ALIASES, "review", "clean", "timeout"])
VALUES = st.none() | st.booleans() | st.integers() | st.text(max_size=40) | st.lists(st.integers(), max_size=3)


@st.composite
def service_parameters(draw: st.DrawFn) -> dict[str, Any]:
    host = draw(st.sampled_from(["cdn.example.com", "img.invalid"]))
    sp: dict[str, Any] = {"imageUrl": f"https://{host}/" + "/".join(draw(st.lists(WORDS, min_size=1, max_size=3)))}
    for key in draw(st.lists(st.sampled_from(["imageUrl", "dataId", "referer", "infoType", "ossBucketName"]),
                             max_size=2, unique=True)):
        sp[key] = draw(VALUES)
    return sp


def _send(mock: Any, transport: str, params: dict[str, Any]) -> requests.Response:
    if transport == "v1-query":
        return post_v1(mock, params)
    if transport == "v3-query":
        return post_v3(mock, params)
    body = dict(params)
    if transport == "v3-json-object":  # the seed's shape: ServiceParameters as an object
        try:
            body["ServiceParameters"] = json.loads(body["ServiceParameters"])
        except ValueError:
            pass
    raw = json.dumps(body).encode()
    signed = v3_request(mock.url, {}, body=raw)
    return requests.post(signed["url"], headers=dict(signed["headers"], **{"Content-Type": "application/json"}),
                         data=raw, timeout=10)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(services=SERVICES, sp=service_parameters(), raw=st.booleans(),
       transport=st.sampled_from(["v1-query", "v3-query", "v3-json", "v3-json-object"]))
def test_every_answer_validates(alibaba_mock, services: list[str], sp: dict[str, Any], raw: bool,
                                transport: str) -> None:
    alibaba_mock.reset()
    params = {"Service": ",".join(services), "ServiceParameters": json.dumps(sp) if not raw else str(sp)}
    resp = _send(alibaba_mock, transport, params)
    assert resp.status_code == 200
    answer = resp.json()
    assert schemas.problems("alibaba/response.json", answer) == []
    (entry,) = alibaba_mock.requests
    assert not any(n.startswith("internal error") for n in entry.notes), entry.notes
    if answer["Code"] in (400, 401, 402):
        assert entry.problems  # every refusal names its field and rule
    if answer["Code"] == 200:
        assert [r["Service"] for r in answer["Data"]["Results"]] == list(dict.fromkeys(services))
