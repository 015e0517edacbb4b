"""Checks of the batch, asynchronous and active-query requests (api-doc V4 JSON documents):
each image of a batch is checked like the single-image request, plus the batch's own rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.journal import Problem
from . import checks, profile
from .auth import Credential

BATCH_SCHEMA = "deepcleer/batch_request.json"


def _image_body(body: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    """The single-image request one image of a batch stands for."""
    shared = body["data"] if isinstance(body.get("data"), dict) else {}
    data = {k: v for k, v in shared.items() if k not in ("imgs", "img", "imgCompareBase")}  # those are per image
    data.update({k: image[k] for k in ("img", "imgCompareBase") if k in image})
    return {**body, "data": data}


def batch_problems(body: dict[str, Any], cred: Credential, cluster: str) -> list[Problem]:
    """The batch's rules beyond its schema: each image's URL rules, the request-wide code rules
    (once), btId unique within the request, the agreed ids and unknown fields."""
    data = body.get("data") if isinstance(body.get("data"), dict) else {}
    imgs = data.get("imgs") if isinstance(data, dict) else None
    images = [i for i in imgs if isinstance(i, dict)] if isinstance(imgs, list) else []
    found: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    for i, image in enumerate(images or [{}]):
        for problem in checks.cross_field(_image_body(body, image), cluster):
            if problem.field.startswith(("data.img", "data.imgCompareBase")):
                problem.field = problem.field.replace("data.", f"data.imgs[{i}].", 1)
            key = (problem.field, problem.rule, repr(problem.sent))
            if key not in seen:
                seen.add(key)
                found.append(problem)
    bt_ids = [str(image["btId"]) for image in images if isinstance(image.get("btId"), str)]
    twice = sorted({b for b in bt_ids if bt_ids.count(b) > 1})
    if twice:
        found.append(Problem("data.imgs[].btId", "unique", twice[0], "each btId once in a request"))
    return found + checks.agreed_ids(body, cred) + checks.unknown_fields(body, BATCH_SCHEMA)


def no_callback(body: dict[str, Any]) -> list[Problem]:
    """The asynchronous endpoints take no callback (api-doc: results through the active query, and
    the callback URL configured for the account): a warning, refused under ``--strict``."""
    if "callback" not in body:
        return []
    return [Problem("callback", "not taken by this endpoint", body["callback"],
                    "no callback: results are queried (POST /v4/image/query) or pushed to the account's "
                    "configured callback URL", inferred=True)]


def async_cluster(cluster: str) -> list[Problem]:
    """The asynchronous endpoints are documented on the Beijing and Shanghai clusters only."""
    if cluster in profile.ASYNC_CLUSTERS:
        return []
    return [Problem("(cluster)", "async endpoints on bj and sh only", cluster,
                    f"a mock on cluster {' or '.join(sorted(profile.ASYNC_CLUSTERS))}", inferred=True)]


@dataclass(frozen=True)
class Image:
    """One image of a batch: its btId and the single-image request it stands for."""

    bt_id: str
    request: checks.ImageRequest


def images(body: dict[str, Any], single: checks.ImageRequest) -> list[Image]:
    """Each image of a valid batch as a single-image request (codes and language shared)."""
    found = []
    for image in body["data"]["imgs"]:
        each = _image_body(body, image)
        found.append(Image(image["btId"], checks.ImageRequest(
            each, each["data"], single.types, single.business_types, single.accept_lang)))
    return found


def query_ids(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The (requestId, btId) pairs asked for, in order."""
    return [(str(entry["requestId"]), entry.get("btId") or None) for entry in body["requestIds"]]
