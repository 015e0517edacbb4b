"""Times as people read them: an epoch float (mock or wall time) as ISO 8601 in UTC."""

from __future__ import annotations

import datetime
import math


def iso(seconds: float) -> str:
    """``2026-12-01T14:04:15.123Z`` for an epoch time in seconds (mock time or wall time)."""
    if not math.isfinite(seconds):
        return ""
    try:
        moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):  # past year 9999 of the mock clock
        return ""
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
