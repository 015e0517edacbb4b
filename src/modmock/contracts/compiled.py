"""Strategies built once from the structure of a bundled schema.

hypothesis-jsonschema rebuilds the strategy of every property on every draw of an object,
which makes a large response body cost a few hundred milliseconds. Here plain objects, arrays,
local references and ``anyOf`` over one object's variants become ``fixed_dictionaries``,
``lists`` and ``one_of`` built once; every other node (strings, numbers, enums, ``allOf``) is
left to hypothesis-jsonschema, also built once.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

ANNOTATIONS = frozenset({"description", "title", "$schema", "$defs", "examples", "default", "$comment"})
OBJECT = frozenset({"type", "properties", "required", "additionalProperties"})
ARRAY = frozenset({"type", "items", "minItems", "maxItems"})
VARIANT = frozenset({"required", "properties"})
MAX_REF_DEPTH = 16


def compile_schema(root: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A strategy for instances of ``root``, a self-contained draft-07 schema."""
    defs = root.get("$defs", {})
    draft = root.get("$schema")

    def leaf(node: Any) -> st.SearchStrategy[Any]:
        if isinstance(node, dict) and defs:
            node = {**node, "$defs": defs}
        if isinstance(node, dict) and draft:
            node = {**node, "$schema": draft}
        return from_schema(node)

    def build(node: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        if not isinstance(node, dict) or depth > MAX_REF_DEPTH:
            return leaf(node)
        keys = set(node) - ANNOTATIONS
        ref = node.get("$ref")
        if keys == {"$ref"} and isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] in defs:
            return build(defs[ref[8:]], depth + 1)
        if _closed_object(node, keys - {"anyOf"}):
            variants = node.get("anyOf")
            if variants is None:
                return _object(node, build, depth)
            if all(isinstance(v, dict) and set(v) - ANNOTATIONS <= VARIANT for v in variants):
                base = {k: v for k, v in node.items() if k != "anyOf"}
                return st.one_of(*[_object(_merged(base, v), build, depth) for v in variants])
        if node.get("type") == "array" and keys <= ARRAY and isinstance(node.get("items"), dict):
            return st.lists(build(node["items"], depth), min_size=node.get("minItems", 0),
                            max_size=node.get("maxItems"))
        return leaf(node)

    return build(root)


def _closed_object(node: dict[str, Any], keys: set[str]) -> bool:
    properties = node.get("properties")
    variants = [v for v in node.get("anyOf", []) if isinstance(v, dict)]
    required = [*node.get("required", []), *[name for v in variants for name in v.get("required", [])]]
    return (node.get("type") == "object" and node.get("additionalProperties") is False
            and isinstance(properties, dict) and keys <= OBJECT
            and all(name in properties for name in required))  # else hypothesis-jsonschema decides


def _object(node: dict[str, Any], build: Any, depth: int) -> st.SearchStrategy[Any]:
    properties: dict[str, Any] = node["properties"]
    required = list(node.get("required", []))
    return st.fixed_dictionaries(
        {name: build(properties[name], depth) for name in required},
        optional={name: build(sub, depth) for name, sub in properties.items() if name not in required})


def _merged(base: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    """``base`` with one ``anyOf`` variant's required fields and property constraints added."""
    properties = dict(base["properties"])
    for name, sub in variant.get("properties", {}).items():
        properties[name] = {"allOf": [properties[name], sub]} if name in properties else sub
    required = list(dict.fromkeys([*base.get("required", []), *variant.get("required", [])]))
    return {**base, "properties": properties, "required": required}
