"""Alibaba's endpoint as a declaration: the core runs the pipeline in the declared order."""

from __future__ import annotations

from ...core.declaration import Operation
from . import checks, profile
from .backend import ImageBatchModeration

# profile.ERROR_PRECEDENCE: the gateway (action, signature, time, nonce) before any body problem,
# then 400 / 401 / 402 / 408, QPS 403, injected failure, media 404-407 (raised by the backend).
ORDER = ("read", "decode", "authenticate", "shape", "validate", "limits", "subjects", "inject", "verdict",
         "backend")


def operations(backend: ImageBatchModeration) -> list[Operation]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    return [
        Operation(ep["image_batch_moderation"], backend.moderate, body=backend.decode, shape=backend.shape,
                  authenticate=backend.authenticate, checks=backend.field_checks, rank=checks.rank,
                  prepare=backend.prepare, limits=backend.limits, subjects=backend.subjects, order=ORDER,
                  body_hint="parameters in the query, a form or a JSON object"),
    ]
