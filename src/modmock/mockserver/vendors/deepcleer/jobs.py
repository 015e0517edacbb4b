"""The asynchronous endpoints and the active query (api-doc V4 异步单张/批量请求, 主动查询): a request
is acknowledged, its results are kept (15 days of mock time) for the query and, where the
account has a callback URL configured, POSTed there once processed."""

from __future__ import annotations

from typing import Any

from ...core.context import Context
from . import batch, profile, render, review
from .backend import ImageModeration, batch_ack, batch_result, result, settle


async def async_img(backend: ImageModeration, ctx: Context) -> dict[str, Any]:
    """Acknowledge; the result is computed now and kept, visible once processed."""
    request_id = ctx.request_id or ctx.new_request_id()
    body = settle(lambda: result(ctx.request, request_id, ctx.items[0]), request_id, ctx)
    started = review.begin(backend, ctx, request_id, ctx.request, ctx.items[0], body, backend.callback_url,
                           asynchronous=True)
    review.start_all(ctx, [started],
                     lambda: backend.deliver_later(ctx, request_id, backend.callback_url, body, kept={"result": body}))
    return render.error_body(profile.SUCCESS, profile.MESSAGES[profile.SUCCESS], request_id)


async def async_imgs(backend: ImageModeration, ctx: Context) -> dict[str, Any]:
    """Acknowledge every btId under one requestId; each image's result is kept for the query."""
    request_id = ctx.request_id or ctx.new_request_id()
    whole, reviews = batch_result(backend, ctx, request_id, backend.callback_url, asynchronous=True)
    images = {answer["btId"]: {k: v for k, v in answer.items() if k != "btId"} for answer in whole["imgs"]}
    review.start_all(ctx, reviews,
                     lambda: backend.deliver_later(ctx, request_id, backend.callback_url, whole, kept={"images": images}))
    return batch_ack(ctx.request, request_id)


async def image_query(backend: ImageModeration, ctx: Context) -> dict[str, Any]:
    """One content per asked id: done (with Result), processing, timed out, or failed."""
    contents: list[dict[str, Any]] = []
    for request_id, bt_id in batch.query_ids(ctx.body):
        contents += _contents(ctx, request_id, bt_id)
    return {"code": profile.SUCCESS, "message": profile.MESSAGES[profile.SUCCESS], "contents": contents}


def _content(code: int, request_id: str, bt_id: str | None, detail: str = "",
             found: dict[str, Any] | None = None) -> dict[str, Any]:
    message = profile.QUERY_MESSAGES[code] + (f": {detail}" if detail else "")
    content: dict[str, Any] = {"code": code, "message": message, "requestId": request_id}
    if bt_id is not None:
        content["btId"] = bt_id
    if found is not None:
        content["Result"] = found
    return content


def _done(ctx: Context, request_id: str, bt_id: str | None, found: dict[str, Any],
          image_id: str) -> dict[str, Any]:
    """A processed image: its result (the reviewer's, once reviewed), or the error it ended in."""
    if found.get("code") == profile.SUCCESS:
        found = review.final_result(ctx, image_id, found)
        return _content(profile.QUERY_DONE, request_id, bt_id, found=found)
    return _content(profile.QUERY_FAILED, request_id, bt_id, str(found.get("message", "")), found)


def _contents(ctx: Context, request_id: str, bt_id: str | None) -> list[dict[str, Any]]:
    task = ctx.services.tasks.get(request_id)
    now = ctx.services.clock.now()
    if task is None or task.vendor != profile.NAME or task.endpoint not in profile.ASYNC_ENDPOINTS \
            or task.data.get("accessKey") != ctx.principal.access_key \
            or now - task.history[0][0] > profile.RETENTION_SECONDS:
        ctx.note(f"query: no asynchronous request {request_id} of this accessKey in the last 15 days "
                 "(answered 1910, inferred)")
        return [_content(profile.QUERY_FAILED, request_id, bt_id, "no such requestId in the last 15 days")]
    if task.status == "timed_out":
        return [_content(profile.QUERY_TIMED_OUT, request_id, bt_id)]
    if task.status != "done":
        return [_content(profile.QUERY_PROCESSING, request_id, bt_id)]
    if "result" in task.data:
        return [_done(ctx, request_id, bt_id, task.data["result"], request_id)]
    images: dict[str, dict[str, Any]] = task.data["images"]
    if bt_id is None:  # every image of the batch
        return [_done(ctx, request_id, bt, found, f"{request_id}_{bt}") for bt, found in images.items()]
    if bt_id not in images:
        return [_content(profile.QUERY_FAILED, request_id, bt_id, f"no image with btId {bt_id} in this request")]
    return [_done(ctx, request_id, bt_id, images[bt_id], f"{request_id}_{bt_id}")]
