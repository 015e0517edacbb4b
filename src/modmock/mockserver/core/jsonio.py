"""JSON in and out on the hot path: orjson where it is installed and agrees with the standard
library, the standard library otherwise, and never a failure on what a client sent.

orjson is a dependency on CPython; elsewhere the standard library does it all. Every answer is
the same JSON value either way; only the bytes of some floats differ (``1e-05`` or ``0.00001``).
No answer holds NaN or an infinity: clients cannot send them, and rules, faults and queued
answers that hold one are refused (:func:`non_finite`).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - a platform without an orjson wheel
    orjson = None  # type: ignore[assignment]

# orjson reads an integer past 64 bits as a float; the standard library keeps it exact.
_LONG_DIGITS = re.compile(rb"\d{19}")


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON; characters UTF-8 cannot carry (lone surrogates) are escaped."""
    if orjson is not None:
        try:
            return orjson.dumps(body)
        except TypeError:  # a lone surrogate, an integer past 64 bits, a non-string key
            pass
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def non_finite(value: Any, where: str = "") -> str | None:
    """Where ``value`` holds NaN or an infinity (no JSON can), e.g. ``verdict.labels[0].confidence``;
    None when it holds none. For what a test hands in (rules, faults, queued answers)."""
    stack = [(value, where)]
    while stack:
        node, path = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return path or "(the value)"
        if isinstance(node, dict):
            stack.extend((v, f"{path}.{k}" if path else str(k)) for k, v in node.items())
        elif isinstance(node, (list, tuple)):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
    return None


class NotFast(Exception):
    """orjson cannot read this body as the standard library would: read it the slow way."""


def fast_loads(raw: bytes) -> Any:
    """The JSON value of ``raw`` by orjson, or :class:`NotFast` when orjson is missing, refuses
    it (the slow way names the failure, or accepts what orjson refuses: lone surrogates) or could
    read a number differently (an integer of 19 digits or more)."""
    if orjson is None or _LONG_DIGITS.search(raw) is not None:
        raise NotFast
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise NotFast from None
