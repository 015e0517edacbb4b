"""A quick proof that an image v4 request breaks no rule: one compiled (jsonschema-rs) schema,
stricter than the request schema and every check of ``checks.collect`` together.

The strict schema is the request schema plus what the checks say in prose, in the narrowest
form: documented field names only; current type codes (BOCR where the cluster has it); the
cluster's languages; plain http(s) URLs (the form ``core.urls`` reads without urlsplit) for
``img``, ``backupUrl`` and ``callback``; no ``imgCompareBase`` and no ``extra.passThrough``. A
body it accepts, with its appId and eventId agreed, has no problem at all, so the schema and the
checks are skipped. Any other body (base64, older codes, a base image...) is checked in full.
``tests/vendors/deepcleer/test_clean.py`` holds the two side by side.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ...core import schemas
from . import profile
from .auth import Credential
from .checks import REQUEST_SCHEMA, agreed_ids

try:
    import jsonschema_rs
except ImportError:  # pragma: no cover - then every body is checked in full
    jsonschema_rs = None  # type: ignore[assignment]

PLAIN_URL = (r"^[hH][tT][tT][pP][sS]?://[A-Za-z0-9.-]+(?::[0-9]{1,4})?(?:/[!$&'()*+,;=:@%/A-Za-z0-9._~-]*)?"
             r"(?:[?#][!-~]*)?$")


def _codes(known: list[str]) -> str:
    one = "(?:" + "|".join(re.escape(code) for code in sorted(known)) + ")"
    return f"^{one}(?:_{one})*$"


def strict_schema(cluster: str) -> dict[str, Any]:
    """The request schema with the checks' rules for ``cluster``, as narrowly as they go."""
    base = schemas.schema(REQUEST_SCHEMA)
    data = base["properties"]["data"]["properties"]
    types = [code for code in profile.TYPES if code != "BOCR" or cluster in profile.BOCR_CLUSTERS]
    langs = ["zh", *(["en", "ar"] if cluster in profile.MULTILINGUAL_CLUSTERS else [])]
    url = {"type": "string", "pattern": PLAIN_URL}
    overlay = {
        "propertyNames": {"enum": sorted(base["properties"])},
        "properties": {
            "type": {"type": "string", "pattern": _codes(types)},
            "businessType": {"type": "string", "pattern": _codes(sorted(profile.BUSINESS_TYPES))},
            "callback": url,
            "data": {
                "type": "object",
                "required": ["img"],
                "propertyNames": {"enum": sorted(set(data) - {"imgCompareBase"})},
                "properties": {
                    "img": {**url, "maxLength": profile.IMG_URL_MAX},
                    "backupUrl": url,
                    "lang": {"enum": langs},
                    "extra": {"type": "object", "propertyNames": {
                        "enum": sorted(set(data["extra"]["properties"]) - {"passThrough"})}},
                    "streamInfo": {"type": "object", "propertyNames": {"enum": sorted(data["streamInfo"]["properties"])}},
                },
            },
        },
    }
    inner = {key: value for key, value in base.items() if key not in ("$schema", "$id")}
    return {"allOf": [inner, overlay]}


@cache
def _validator(cluster: str) -> Any:
    return jsonschema_rs.validator_for(strict_schema(cluster)) if jsonschema_rs is not None else None


def is_clean(body: Any, cred: Credential, cluster: str) -> bool:
    """True only when ``body`` breaks no rule of the request schema or the checks (for ``cred``)."""
    fast = _validator(cluster)
    if fast is None:
        return False
    try:
        if not fast.is_valid(body):
            return False
    except (UnicodeError, ValueError, OverflowError, RecursionError):
        return False
    return not agreed_ids(body, cred)
