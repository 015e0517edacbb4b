"""Jocloud/Aivacom's APIs as declarations: the core runs the pipeline in the declared order."""

from __future__ import annotations

from ...core.declaration import Operation
from ...core.vendor import Endpoint
from . import clean
from .backend import Moderation

# Token and appid (400, inferred) → concurrency in flight and QPS (429) → body and fields (400)
# → each item: its content (401-420) → injected codes (per item) → the verdict. The body is read
# inside the concurrency lease, so a slow upload counts as a request in flight.
# (The root type is one of the checks: a body that is not an object is answered like any field.)
ORDER = ("authenticate", "limits", "read", "decode", "shape", "validate", "subjects", "inject", "verdict", "backend")
CONTENT_TYPE = "application/json;charset=UTF-8 (the API pages)"


def operations(backend: Moderation, endpoints: tuple[Endpoint, ...]) -> list[Operation]:
    return [
        Operation(ep, backend.moderate, authenticate=backend.authenticate, checks=backend.checks_for(ep.id),
                  shape=None, schema=False, prepare=backend.prepare, limits=backend.limits, subjects=backend.subjects,
                  order=ORDER, content_type_hint=CONTENT_TYPE, clean=clean.proof(ep.id))
        for ep in endpoints
    ]
