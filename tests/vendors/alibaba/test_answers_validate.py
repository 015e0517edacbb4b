"""Property: whatever parameters a client signs and sends, the answer validates against a schema."""

from __future__ import annotations

import json
from typing import Any

from alibaba_helpers import post_v1
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


@settings(max_examples=50, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(services=SERVICES, sp=service_parameters(), raw=st.booleans())
def test_every_answer_validates(alibaba_mock, services: list[str], sp: dict[str, Any], raw: bool) -> None:
    alibaba_mock.reset()
    params = {"Service": ",".join(services), "ServiceParameters": json.dumps(sp) if not raw else str(sp)}
    resp = post_v1(alibaba_mock, params)
    assert resp.status_code == 200
    answer = resp.json()
    assert schemas.problems("alibaba/response.json", answer) == []
    (entry,) = alibaba_mock.requests
    assert not any(n.startswith("internal error") for n in entry.notes), entry.notes
    if answer["Code"] in (400, 401, 402):
        assert entry.problems  # every refusal names its field and rule
    if answer["Code"] == 200:
        assert [r["Service"] for r in answer["Data"]["Results"]] == list(dict.fromkeys(services))
