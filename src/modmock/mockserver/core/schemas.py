"""Packaged JSON Schemas: one registry, compiled validators, readable problem reports.

Every ``*.json`` under ``modmock/schemas/`` is loaded once through ``importlib.resources``
(so a checkout, an editable install and a wheel read the same files) into one
``referencing.Registry``; ``$ref`` never reaches the network.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

from jsonschema import Draft202012Validator

try:  # a compiled validator for the hot path; jsonschema still writes every report
    import jsonschema_rs
except ImportError:  # pragma: no cover - the pure-Python path is complete on its own
    jsonschema_rs = None  # type: ignore[assignment]
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from .journal import Problem

if TYPE_CHECKING:
    from importlib.abc import Traversable

BASE_URI = "https://modmock.local/schemas/"


def _walk(folder: Traversable, prefix: str = "") -> Iterator[tuple[str, Traversable]]:
    for item in sorted(folder.iterdir(), key=lambda t: t.name):
        if item.is_dir():
            yield from _walk(item, f"{prefix}{item.name}/")
        elif item.name.endswith(".json"):
            yield f"{prefix}{item.name}", item


@lru_cache(maxsize=1)
def all_schemas() -> dict[str, dict[str, Any]]:
    """Every packaged schema by its path, e.g. ``deepcleer/request.json``."""
    root = resources.files("modmock") / "schemas"
    return {name: json.loads(item.read_text("utf-8")) for name, item in _walk(root)}


@lru_cache(maxsize=1)
def registry() -> Registry:
    """One registry holding every packaged schema under its ``$id``."""
    resources_ = [(s["$id"], Resource.from_contents(s)) for s in all_schemas().values()]
    return Registry().with_resources(resources_).crawl()


def schema(path: str) -> dict[str, Any]:
    """One packaged schema by path, e.g. ``schema("deepcleer/request.json")``."""
    try:
        return all_schemas()[path]
    except KeyError:
        raise KeyError(f"no packaged schema {path!r}") from None


def vendor_schemas(vendor: str) -> dict[str, dict[str, Any]]:
    """A vendor's schemas by file name."""
    prefix = f"{vendor}/"
    return {k[len(prefix):]: v for k, v in all_schemas().items() if k.startswith(prefix)}


@cache
def validator(path: str) -> Draft202012Validator:
    """A compiled validator for a packaged schema, or a part of one
    (``"modmock/rule.json#/$defs/fault"``)."""
    root = {"$ref": BASE_URI + path} if "#" in path else schema(path)
    return Draft202012Validator(root, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def field_name(error: ValidationError) -> str:
    """Dotted path of the field an error is about (``data.tokenId``, ``data.img``)."""
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        missing = _missing_property(error)
        if missing:
            parts.append(missing)
    return ".".join(parts) or "(body)"


def _missing_property(error: ValidationError) -> str | None:
    """The property a ``required`` error is about (jsonschema makes one error per name)."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    names: Any = error.validator_value
    missing = [str(name) for name in names if name not in instance]
    for name in missing:
        if error.message.startswith(f"{name!r} "):
            return name
    return missing[0] if missing else None


def _is_inferred(error: ValidationError) -> bool:
    node = error.schema if isinstance(error.schema, dict) else {}
    if node.get("x-inferred"):
        return True
    if error.validator == "required":
        missing = _missing_property(error)
        prop = node.get("properties", {}).get(missing, {}) if missing else {}
        return bool(prop.get("x-inferred"))
    return False


def _expected(error: ValidationError) -> str:
    node = error.schema if isinstance(error.schema, dict) else {}
    value = error.validator_value
    rules = {
        "required": "the field to be present",
        "type": f"a value of type {value}",
        "maxLength": f"at most {value} characters",
        "minLength": f"at least {value} characters",
        "maximum": f"a number <= {value}",
        "minimum": f"a number >= {value}",
        "enum": f"one of {value}",
        "pattern": f"a string matching {value}",
        "const": f"exactly {value!r}",
        "format": f"a {value}",
    }
    text = rules.get(str(error.validator), f"{error.validator} {value!r}")
    description = node.get("description")
    return f"{text} ({description})" if description and error.validator != "required" else text


def _rule(error: ValidationError) -> str:
    value = error.validator_value
    if error.validator in ("required", "type", "enum", "anyOf", "oneOf", "not", "if"):
        return str(error.validator)
    if isinstance(value, (dict, list)):
        return str(error.validator)
    return f"{error.validator} {value}"


def _self_contained(node: Any) -> bool:
    """No reference to another file and no ``format`` (checked only by the Python path)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if (isinstance(ref, str) and not ref.startswith("#")) or "format" in node:
            return False
        return all(_self_contained(v) for v in node.values())
    if isinstance(node, list):
        return all(_self_contained(v) for v in node)
    return True


@cache
def fast_validator(path: str) -> Any:
    """A compiled (jsonschema-rs) validator for a self-contained schema, or None."""
    if jsonschema_rs is None or "#" in path or not _self_contained(schema(path)):
        return None
    return jsonschema_rs.validator_for(schema(path))


def _suggestion(error: ValidationError) -> Any:
    """The nearest valid value for an enum or a length limit, when there is one."""
    value, limit = error.instance, cast(Any, error.validator_value)
    if error.validator == "enum" and isinstance(value, str):
        choices = [c for c in limit if isinstance(c, str)]
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.4)
        return close[0] if close else None
    if error.validator == "maxLength" and isinstance(value, str):
        return value[:limit]
    if error.validator in ("maximum", "minimum") and isinstance(value, (int, float)):
        return error.validator_value
    return None


def problems(path: str, instance: Any) -> list[Problem]:
    """Every rule ``instance`` breaks in schema ``path``, most specific errors first.

    A compiled validator answers first; only an instance it rejects is checked again by
    jsonschema, which writes the report and has the final word."""
    fast = fast_validator(path)
    if fast is not None and _fast_valid(fast, instance):
        return []
    found: list[Problem] = []
    for error in _leaf_errors(validator(path).iter_errors(instance)):
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            found += _unknown_keys(error)
            continue
        found.append(Problem(field=field_name(error), rule=_rule(error),
                             sent=None if error.validator == "required" else error.instance,
                             expected=_expected(error), inferred=_is_inferred(error), suggestion=_suggestion(error)))
    found.sort(key=lambda p: (p.inferred, p.field))
    return found


def _unknown_keys(error: ValidationError) -> list[Problem]:
    """One problem per key an object may not have, each with the nearest key it may."""
    node = error.schema if isinstance(error.schema, dict) else {}
    known = sorted(node.get("properties", {}))
    patterns = [re.compile(p) for p in node.get("patternProperties", {})]
    prefix = ".".join(str(p) for p in error.absolute_path)
    found = []
    instance: dict[str, Any] = cast(dict[str, Any], error.instance)
    for key in instance:
        if key in known or any(p.search(key) for p in patterns):
            continue
        near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.5)
        found.append(Problem(field=f"{prefix}.{key}" if prefix else str(key), rule="unknown key", sent=key,
                             expected=f"one of {known}", inferred=_is_inferred(error),
                             suggestion=near[0] if near else None))
    return found


def _fast_valid(fast: Any, instance: Any) -> bool:
    """The compiled validator's yes; a value it cannot take (a lone surrogate, a number past
    its range) is left to jsonschema."""
    try:
        return bool(fast.is_valid(instance))
    except (UnicodeError, ValueError, OverflowError, RecursionError):
        return False


def _leaf_errors(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    for error in errors:
        if error.context:
            yield from _leaf_errors(iter(error.context))
        else:
            yield error
