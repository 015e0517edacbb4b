"""Human review of image results (seed: resultType, finalResult; api-doc V4
数美人工审核结果API回调接口文档 §2.2, human-machine integrated review).

A rule's ``review`` makes the answer the machine result, not final (``resultType`` 0,
``finalResult`` 0). The reviewer's result (``resultType`` 1, ``finalResult`` 1) follows on the
mock clock: POSTed to the review callback URL (§2.2's fields; the receiver answers
``{"code": 1100}``, anything else is retried) and returned by the active query.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...core import reviews
from ...core.callbacks import Delivery
from ...core.context import Context, Services
from ...core.declaration import Item
from ...core.errors import Busy
from ...core.pipeline import verdict_of
from ...core.tasks import Task
from ...core.verdict import Verdict
from . import profile, render
from .checks import ImageRequest

if TYPE_CHECKING:
    from .backend import ImageModeration


@dataclass(frozen=True)
class Start:
    """What starts one review, and the journal note that says so."""

    note: str
    run: Callable[[], None]
log = logging.getLogger("modmock")


def begin(backend: ImageModeration, ctx: Context, image_id: str, req: ImageRequest, item: Item,
          body: dict[str, Any], callback: str | None, asynchronous: bool, request_id: str | None = None) -> Start | None:
    """When a rule sends this image to review: mark its machine result ``body`` not final and
    return what starts the review (see :func:`start_all`); else None. ``request_id`` is the
    request's, when the image is one of a batch. An asynchronous machine result comes after the
    processing time, and the final result is not sent before the machine result's delivery ends."""
    review = item.rule.review if item.rule is not None else None
    if review is None or body.get("code") != profile.SUCCESS:
        return None
    if ctx.endpoint in profile.ASYNC_ENDPOINTS and backend.processing_seconds > profile.QUERY_TIMEOUT_SECONDS:
        return None  # the request times out (1912) before a machine result exists: nothing to review
    body["finalResult"] = profile.NOT_FINAL
    answered: Verdict = item.verdict if item.verdict is not None else verdict_of(item.rule, item.subject)
    machine = answered.restricted_to(render.requested_categories(req.types))  # what the answer says
    after = review.after if review.after is not None else backend.review_seconds
    machine_after = backend.processing_seconds if asynchronous else 0.0
    url = backend.review_callback_url or callback
    render_as = _slim(req)
    segments = int(body["auxInfo"]["segments"])
    services, endpoint, machine_task = ctx.services, ctx.endpoint, request_id or image_id

    def decide(task: Task, verdict: Verdict) -> None:
        final = render.render(verdict, render_as, image_id, segments)
        final.update(resultType=profile.HUMAN_RESULT, finalResult=profile.FINAL)
        task.data["final"] = final
        if url:
            delivery = services.callbacks.submit(
                vendor=profile.NAME, endpoint=endpoint, url=url, body=callback_body(final), request_id=image_id,
                schedule=profile.REVIEW_RETRY_SCHEDULE, success=profile.CALLBACK_SUCCESS, accepts=answered_success,
                after=_machine_delivery(services, machine_task) if asynchronous else None)
            task.data["delivery"] = delivery.id

    kept = "; returned by the active query" if ctx.endpoint in profile.ASYNC_ENDPOINTS else ""
    where = f"POSTed to {url}{kept}" if url else f"no review callback URL (review_callback_url): kept{kept or ' only'}"

    def start() -> None:
        reviews.start(services.tasks, image_id, profile.NAME, endpoint, machine_after=machine_after, after=after,
                      machine=machine, final=review.verdict or machine, decide=decide,
                      data={"accessKey": ctx.principal.access_key})

    return Start(f"review: {image_id} answered as a machine result (finalResult 0); the final result follows "
                 f"{after:g} mock seconds after it, {where}", start)


def _machine_delivery(services: Services, task_id: str) -> Delivery | None:
    """The delivery of the machine result of request ``task_id``, when it has one."""
    task = services.tasks.get(task_id)
    found = task.data.get("delivery") if task is not None else None
    return services.callbacks.get(found) if isinstance(found, int) else None


def start_all(ctx: Context, starts: list[Start | None], own_task: Callable[[], None] | None = None) -> None:
    """Start the request's own task (``own_task``, whose machine result comes later), then the
    reviews; without one (a synchronous answer) the reviews start once the client has the answer.
    Room is made for all first, so a request refused as busy starts none of them."""
    pending = [start for start in starts if start is not None]
    if pending:
        ctx.services.tasks.ensure_room(len(pending) + (own_task is not None))
    if own_task is not None:
        own_task()
    for start in pending:  # (a request refused as busy has raised by now: no note)
        ctx.note(start.note)
    if own_task is not None:
        for start in pending:
            start.run()
    elif pending:
        ctx.when_answered(lambda: _start_answered(ctx, pending))


def _start_answered(ctx: Context, pending: list[Start]) -> None:
    try:
        for start in pending:
            start.run()
    except Busy as busy:  # the task store filled up while the answer was being sent
        ctx.note(f"review not started: {busy}")
        log.warning("deepcleer review not started: %s", busy)


def _slim(req: ImageRequest) -> ImageRequest:
    """The parts of a request its final result is rendered from (never its image, which a
    finished review would otherwise keep in memory)."""
    data: dict[str, Any] = {key: req.data[key] for key in ("extra", "streamInfo") if key in req.data}
    return ImageRequest({}, data, list(req.types), list(req.business_types), req.accept_lang)


def final_result(ctx: Context, image_id: str, found: dict[str, Any]) -> dict[str, Any]:
    """What the active query returns for an image: the reviewer's result once there is one."""
    task = ctx.services.tasks.get(reviews.task_id(image_id))
    if task is None or task.vendor != profile.NAME or task.data.get("accessKey") != ctx.principal.access_key:
        return found
    final: dict[str, Any] | None = task.data.get("final")
    return final if final is not None else found


def callback_body(final: dict[str, Any]) -> dict[str, Any]:
    """The human-review callback (§2.2): the final result's documented fields."""
    return {key: final[key] for key in profile.REVIEW_CALLBACK_FIELDS if key in final}


def answered_success(text: str) -> bool:
    """§2.2: the receiver answers code 1100 for success; "non-1100 is considered a failure"."""
    try:
        answer = json.loads(text)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("code") == profile.SUCCESS
