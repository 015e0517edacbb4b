"""Deepcleer's endpoints as declarations: the core runs the pipeline in the declared order."""

from __future__ import annotations

from functools import partial
from typing import Any

from ...core.declaration import DEFAULT_ORDER, Operation
from ...core.journal import Problem
from . import batch, jobs, profile
from .auth import Credential
from .backend import ImageModeration

# profile.ERROR_PRECEDENCE, as stages: body, accessKey, fields, QPS, injected failure, media
# (the media error is raised by the backend, after injection).
ORDER = DEFAULT_ORDER
CONTENT_TYPE = "application/json (the seed: all parameters use JSON format)"
# The active query judges nothing: faults apply to it, rules (about content) do not.
QUERY_ORDER = ("read", "decode", "shape", "authenticate", "validate", "limits", "inject", "backend")


def operations(backend: ImageModeration) -> list[Operation]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    common: dict[str, Any] = dict(authenticate=backend.authenticate, limits=backend.limits, order=ORDER,
                                  content_type_hint=CONTENT_TYPE)
    single: dict[str, Any] = dict(common, prepare=backend.prepare, subjects=backend.subjects)
    # A batch: faults answer the whole request; a rule's error ends its image only.
    several: dict[str, Any] = dict(common, prepare=backend.prepare_batch, subjects=backend.batch_subjects,
                                   injection="batch")

    def async_single(body: dict[str, Any], cred: Credential) -> list[Problem]:
        return backend.field_checks(body, cred) + batch.no_callback(body) + batch.async_cluster(backend.cluster)

    def async_batch(body: dict[str, Any], cred: Credential) -> list[Problem]:
        return backend.batch_checks(body, cred) + batch.no_callback(body) + batch.async_cluster(backend.cluster)

    return [
        Operation(ep["image_v4"], backend.image_v4, checks=backend.field_checks, clean=backend.is_clean, **single),
        Operation(ep["images_v4"], backend.images_v4, checks=backend.batch_checks, **several),
        Operation(ep["async_img"], partial(jobs.async_img, backend), checks=async_single, **single),
        Operation(ep["async_imgs"], partial(jobs.async_imgs, backend), checks=async_batch, **several),
        Operation(ep["image_query"], partial(jobs.image_query, backend), **dict(common, order=QUERY_ORDER),
                  injection="request"),
    ]
