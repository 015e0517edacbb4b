"""Differential test: the compiled validator on the hot path never accepts what jsonschema refuses.

``problems()`` asks jsonschema-rs first and jsonschema only when rs rejects, so the mock's
decisions equal jsonschema's exactly when "rs valid implies jsonschema valid" holds."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modmock.mockserver.core import schemas

FAST = [name for name in sorted(schemas.all_schemas()) if schemas.fast_validator(name) is not None]
EXAMPLES = {
    "deepcleer/request.json": {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY",
                               "data": {"img": "https://x.example/a.jpg", "tokenId": "u1", "maxFrame": 3,
                                        "extra": {"passThrough": {"a": 1}},
                                        "streamInfo": {"similarDedup": True, "frameTime": 1, "streamId": "s",
                                                       "timeWindow": 10}}},
    "alibaba/request.json": {"Service": "baselineCheck", "ServiceParameters": "{}"},
    "alibaba/service_parameters.json": {"imageUrl": "https://x.example/a.jpg", "dataId": "d-1", "referer": "r",
                                        "infoType": "customImage"},
    "alibaba/response.json": {"Code": 200, "Msg": "OK", "RequestId": "R", "Data": {
        "RiskLevel": "none", "Result": [{"Label": "nonLabel"}],
        "Results": [{"Service": "baselineCheck", "RiskLevel": "none", "Result": [{"Label": "nonLabel"}]}]}},
    "deepcleer/ack.json": {"code": 1100, "message": "Success", "requestId": "r"},
}
LEAVES = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=12) | st.sampled_from(["", "\n", "abc\n", "POLITY", "1100", "https://x", "图片"]))
JSON = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


def test_the_hot_path_schemas_are_compiled() -> None:
    assert {"deepcleer/request.json", "alibaba/request.json", "alibaba/service_parameters.json"} <= set(FAST)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, prefix + (i,))
    return found


@st.composite
def mutants(draw: st.DrawFn, name: str) -> Any:
    """A documented example with one place replaced (or removed), or arbitrary JSON."""
    example = EXAMPLES.get(name)
    if example is None or draw(st.integers(0, 4)) == 0:
        return draw(JSON)
    doc = copy.deepcopy(example)
    path = draw(st.sampled_from(_paths(doc)[1:]))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    if draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = draw(JSON)
    return doc


@pytest.mark.parametrize("name", FAST)
@settings(max_examples=150)
@given(data=st.data())
def test_compiled_valid_implies_jsonschema_valid(name: str, data: st.DataObject) -> None:
    instance = data.draw(mutants(name))
    if schemas.fast_validator(name).is_valid(instance):
        assert schemas.validator(name).is_valid(instance), instance


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_documented_examples_agree(name: str) -> None:
    assert schemas.fast_validator(name).is_valid(EXAMPLES[name])
    assert schemas.validator(name).is_valid(EXAMPLES[name])
