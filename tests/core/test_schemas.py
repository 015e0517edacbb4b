"""Every packaged schema: loads, compiles, stays inside the draft-07 keyword subset, names its source."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator

from modmock.mockserver.core import schemas

# Keywords newer than draft-07 that hypothesis-jsonschema does not understand.
FORBIDDEN = {"prefixItems", "dependentRequired", "dependentSchemas", "unevaluatedProperties",
             "unevaluatedItems", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor",
             "minContains", "maxContains", "$vocabulary"}
ALL = sorted(schemas.all_schemas())


def _keywords(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("properties", "$defs", "patternProperties"):
                for name, sub in value.items():
                    yield from _keywords(sub, f"{path}/{key}/{name}")
            else:
                yield key, path
                yield from _keywords(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _keywords(item, f"{path}/{i}")


@pytest.mark.parametrize("name", ALL)
def test_schema_uses_only_draft07_keywords(name: str) -> None:
    used = [(kw, where) for kw, where in _keywords(schemas.schema(name)) if kw in FORBIDDEN]
    assert used == []


@pytest.mark.parametrize("name", ALL)
def test_schema_is_valid_2020_12_and_draft07(name: str) -> None:
    doc = schemas.schema(name)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == schemas.BASE_URI + name
    Draft202012Validator.check_schema(doc)
    Draft7Validator.check_schema({k: v for k, v in doc.items() if k != "$schema"})
    schemas.validator(name).is_valid({})  # compiles, every $ref resolves locally


@pytest.mark.parametrize("name", ALL)
def test_schema_names_its_source(name: str) -> None:
    assert schemas.schema(name).get("x-source")


def test_inferred_parts_say_why() -> None:
    for name in ALL:
        for key, where in _keywords(schemas.schema(name)):
            if key == "x-inferred":
                parent = schemas.schema(name)
                for part in [p for p in where.split("/") if p]:
                    parent = parent[int(part)] if isinstance(parent, list) else parent[part]
                assert parent.get("description"), f"{name}{where} is inferred without a reason"
