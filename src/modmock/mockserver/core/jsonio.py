"""JSON out: compact UTF-8, and never a failure on what a client sent."""

from __future__ import annotations

import json
from typing import Any


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON; characters UTF-8 cannot carry (lone surrogates) are escaped."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii")
