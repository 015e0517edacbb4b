"""Deepcleer's endpoints as declarations: the core runs the pipeline in the declared order."""

from __future__ import annotations

from ...core.declaration import DEFAULT_ORDER, Operation
from . import profile
from .backend import ImageModeration

# profile.ERROR_PRECEDENCE, as stages: body, accessKey, fields, QPS, injected failure, media
# (the media error is raised by the backend, after injection).
ORDER = DEFAULT_ORDER
CONTENT_TYPE = "application/json (the seed: all parameters use JSON format)"


def operations(backend: ImageModeration) -> list[Operation]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    return [
        Operation(ep["image_v4"], backend.image_v4, authenticate=backend.authenticate, checks=backend.checks,
                  prepare=backend.prepare, limits=backend.limits, subjects=backend.subjects, order=ORDER,
                  content_type_hint=CONTENT_TYPE),
    ]
