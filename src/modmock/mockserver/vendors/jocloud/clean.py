"""A quick proof that a synchronous request breaks no rule: one compiled (jsonschema-rs) schema
per endpoint, stricter than ``checks.collect`` for it.

The strict schema is the endpoint's request schema (the checks' rules, as JSON Schema: the
fields each API takes, one source per item, ids and URLs within their lengths, the actions it
runs, once each) with item URLs narrowed to the plain http(s) form (``PLAIN_URL``, which
urlsplit reads as an http(s) URL with a host). A body it accepts has no problem at all, so the
checks are skipped; any other body is checked in full. ``tests/vendors/jocloud/test_clean.py``
holds the two side by side.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any

from ...core import schemas
from ..deepcleer.clean import PLAIN_URL
from . import profile

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - then every body is checked in full
    jsonschema_rs = None  # type: ignore[assignment]

PROVED = frozenset(profile.SYNC)  # endpoints whose whole set of checks the schema states


def strict_schema(endpoint: str) -> dict[str, Any]:
    """The endpoint's request schema, item URLs narrowed to the plain form."""
    schema = copy.deepcopy(schemas.schema(profile.REQUEST_SCHEMAS[endpoint]))
    item = schema["properties"]["data"]["items"]
    if "url" in item["properties"]:
        item["properties"]["url"] = {"type": "string", "pattern": PLAIN_URL, "maxLength": profile.URL_MAX}
    schema["properties"]["data"]["maxItems"] = profile.MAX_ITEMS
    return {key: value for key, value in schema.items() if key not in ("$schema", "$id")}


@cache
def _validator(endpoint: str) -> Any:
    return jsonschema_rs.validator_for(strict_schema(endpoint)) if jsonschema_rs is not None else None


def proof(endpoint: str) -> Callable[[Any, Any], bool] | None:
    """The quick proof for ``endpoint`` (``Operation.clean``), or None where there is none."""
    if endpoint not in PROVED or jsonschema_rs is None:
        return None
    fast = _validator(endpoint)

    def is_clean(body: Any, principal: Any) -> bool:
        try:
            return bool(fast.is_valid(body))
        except (UnicodeError, ValueError, OverflowError, RecursionError):
            return False

    return is_clean
