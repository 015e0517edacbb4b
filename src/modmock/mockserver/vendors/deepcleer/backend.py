"""Image v4 moderation without HTTP: the hooks the core calls and the backend functions.

Precedence (profile.ERROR_PRECEDENCE, declared in ``declaration.py``): body → accessKey →
fields → QPS → injected failure → media (base64 bytes, download). Async requests are
acknowledged with 1100 once they pass the injected-failure stage; media errors then arrive
in the callback.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ...core.context import Context
from ...core.declaration import Item, Limit
from ...core.fetch import fetch
from ...core.journal import Problem
from ...core.media import ImageInfo, MediaError, decode_base64, inspect
from ...core.pipeline import verdict_of
from ...core.tasks import Step, Task
from ...core.verdict import MediaProblem, Subject, Verdict, check_media, url_problem
from ...settings import SettingsError, check_keys, config_number
from . import batch, checks, clean, errors, profile, render, review
from .auth import Credential, authenticate, load_credentials

CONFIG_KEYS = ("cluster", "qps", "processing_seconds", "include_defaults", "credentials", "callback_url",
               "review_seconds", "review_callback_url")


@dataclass
class Media:
    """The decoded base64 image, or the problem it has (raised at the media stage)."""

    content: bytes | None = None
    info: ImageInfo | None = None
    error: errors.DeepcleerError | None = None


class ImageModeration:
    """The image v4 hooks and backends for one server run (its configuration)."""

    def __init__(self, config: dict[str, Any]) -> None:
        check_keys("deepcleer", config, CONFIG_KEYS)
        self.credentials: list[Credential] = load_credentials(config)
        self.cluster = str(config.get("cluster", profile.DEFAULT_CLUSTER))
        if self.cluster not in profile.CLUSTERS:
            raise SettingsError(f"deepcleer cluster {self.cluster!r} is not one of {sorted(profile.CLUSTERS)}")
        qps = config.get("qps")
        self.qps: int | None = None
        if qps is not None:
            self.qps = int(config_number("deepcleer", "qps", qps, integer=True, minimum=0, exclusive=True))
        self.processing_seconds = float(config_number(
            "deepcleer", "processing_seconds", config.get("processing_seconds", profile.PROCESSING_SECONDS)))
        callback = config.get("callback_url")
        if callback is not None and (not isinstance(callback, str) or url_problem(callback)):
            raise SettingsError("deepcleer callback_url must be an http(s) URL (the account's configured callback)")
        self.callback_url: str | None = callback
        self.review_seconds = float(config_number(
            "deepcleer", "review_seconds", config.get("review_seconds", profile.REVIEW_SECONDS)))
        review_callback = config.get("review_callback_url")
        if review_callback is not None and (not isinstance(review_callback, str) or url_problem(review_callback)):
            raise SettingsError("deepcleer review_callback_url must be an http(s) URL (the account's human-review "
                                "callback)")
        self.review_callback_url: str | None = review_callback

    # -- hooks shared by every endpoint ----------------------------------------------------------
    def authenticate(self, ctx: Context) -> Credential:
        """The credential of the body's accessKey; 9101 when it is unknown."""
        cred = authenticate(ctx.body.get("accessKey"), self.credentials)
        if cred is None:
            raise errors.Unauthorized(problems=[Problem("accessKey", "unknown accessKey", ctx.body.get("accessKey"),
                                                        "a configured accessKey")])
        return cred

    def limits(self, ctx: Context) -> list[Limit]:
        """The configured QPS per accessKey and endpoint (none by default: the seed documents no number)."""
        return [Limit((profile.NAME, ctx.principal.access_key, ctx.endpoint), errors.QpsExceeded, qps=self.qps)]

    # -- image_v4 --------------------------------------------------------------------------------
    def field_checks(self, body: dict[str, Any], cred: Credential) -> list[Problem]:
        return checks.collect(body, cred, self.cluster)

    def is_clean(self, body: Any, cred: Credential) -> bool:
        """The quick proof that ``body`` breaks no rule (``clean.py``)."""
        return clean.is_clean(body, cred, self.cluster)

    def prepare(self, ctx: Context) -> checks.ImageRequest:
        return checks.prepare(ctx.body, ctx.notes)

    async def subjects(self, ctx: Context) -> list[Item]:
        req: checks.ImageRequest = ctx.request
        media = await media_of(ctx, req, "data.img")
        subject = Subject(url=req.img if req.img_is_url else None, data_id=req.data.get("dataId"),
                          token_id=req.data.get("tokenId"), content=media.content)
        return [Item(subject, media)]

    async def image_v4(self, ctx: Context) -> dict[str, Any]:
        """The full result (sync), or the acknowledgement with the result in a callback (async)."""
        req: checks.ImageRequest = ctx.request
        item = ctx.items[0]
        request_id = ctx.request_id or ctx.new_request_id()
        if not req.callback:
            body = result(req, request_id, item)
            review.start_all(ctx, [review.begin(self, ctx, request_id, req, item, body, None, asynchronous=False)])
            return body
        body = settle(lambda: result(req, request_id, item), request_id, ctx)
        started = review.begin(self, ctx, request_id, req, item, body, str(req.callback), asynchronous=True)
        review.start_all(ctx, [started], lambda: self.deliver_later(ctx, request_id, str(req.callback), body))
        return render.error_body(profile.SUCCESS, profile.MESSAGES[profile.SUCCESS], request_id)

    # -- images_v4 -------------------------------------------------------------------------------
    def batch_checks(self, body: dict[str, Any], cred: Credential) -> list[Problem]:
        return batch.batch_problems(body, cred, self.cluster)

    def prepare_batch(self, ctx: Context) -> list[batch.Image]:
        return batch.images(ctx.body, checks.prepare(ctx.body, ctx.notes))

    async def batch_subjects(self, ctx: Context) -> list[Item]:
        """One item per image of the batch (rules and faults apply per image)."""
        found = []
        for image in ctx.request:
            req = image.request
            media = await media_of(ctx, req, f"data.imgs[btId={image.bt_id}].img")
            subject = Subject(url=req.img if req.img_is_url else None, data_id=req.data.get("dataId"),
                              token_id=req.data.get("tokenId"), content=media.content)
            found.append(Item(subject, media))
        return found

    async def images_v4(self, ctx: Context) -> dict[str, Any]:
        """Every image's result (sync), or the acknowledgement with the batch result in a callback."""
        request_id = ctx.request_id or ctx.new_request_id()
        callback = ctx.body.get("callback")
        body, reviews = batch_result(self, ctx, request_id, callback)
        if not callback:
            review.start_all(ctx, reviews)
            return body
        review.start_all(ctx, reviews, lambda: self.deliver_later(ctx, request_id, str(callback), body))
        return batch_ack(ctx.request, request_id)

    def deliver_later(self, ctx: Context, task_id: str, callback: str | None, body: Any,
                      kept: dict[str, Any] | None = None) -> None:
        """A task that, after the processing time (mock clock), keeps ``kept`` in its data (for
        the active query) and POSTs ``body`` to ``callback`` (when there is one). A kept result
        that would take longer than the query's 24 hours times out instead: nothing is kept or sent."""
        services, endpoint = ctx.services, ctx.endpoint
        if kept is not None and self.processing_seconds > profile.QUERY_TIMEOUT_SECONDS:
            services.tasks.start(task_id, profile.NAME, endpoint, "processing",
                                 [Step(profile.QUERY_TIMEOUT_SECONDS, "timed_out")],
                                 {"callback": callback, "accessKey": ctx.principal.access_key})
            ctx.note(f"async: processing takes {self.processing_seconds:g} mock seconds, over the query's "
                     f"{profile.QUERY_TIMEOUT_SECONDS} s: the request times out (1912)")
            return

        async def done(task: Task) -> None:
            task.data.update(kept or {})
            if callback:
                delivery = services.callbacks.submit(
                    vendor=profile.NAME, endpoint=endpoint, url=callback, body=body, request_id=task_id,
                    schedule=profile.RETRY_SCHEDULE, success=profile.CALLBACK_SUCCESS)
                task.data["delivery"] = delivery.id

        services.tasks.start(task_id, profile.NAME, endpoint, "processing",
                             [Step(self.processing_seconds, "done", done)],
                             {"callback": callback, "accessKey": ctx.principal.access_key})
        where = [*(["kept for the active query"] if kept is not None else []),
                 *([f"POSTed to {callback}"] if callback else [])]
        ctx.note(f"async: result after {self.processing_seconds:g} mock seconds, {' and '.join(where)}")


def _asynchronous(ctx: Context, req: checks.ImageRequest) -> bool:
    """An asynchronous request (a callback, or an async endpoint): the 30 MB image limit."""
    return bool(req.callback) or ctx.endpoint in profile.ASYNC_ENDPOINTS


def batch_result(backend: ImageModeration, ctx: Context, request_id: str, callback: str | None, *,
                 asynchronous: bool | None = None) -> tuple[dict[str, Any], list[review.Start | None]]:
    """The batch answer: each image's result (or its own error code) under ``<requestId>_<btId>``
    (asynchronous when there is a callback, unless said otherwise), and what starts the reviews
    of the images a rule sends to review."""
    asynchronous = bool(callback) if asynchronous is None else asynchronous
    answers, reviews = [], []
    for image, item in zip(ctx.request, ctx.items):
        image_id = f"{request_id}_{image.bt_id}"
        make = partial(result, image.request, image_id, item)
        made = settle(make, image_id, ctx if asynchronous else None)
        reviews.append(review.begin(backend, ctx, image_id, image.request, item, made, callback, asynchronous,
                                    request_id))
        answers.append({**made, "btId": image.bt_id})
    passthrough = (ctx.body["data"].get("extra") or {}).get("passThrough")
    return {"code": profile.SUCCESS, "message": profile.MESSAGES[profile.SUCCESS], "requestId": request_id,
            "imgs": answers, "auxInfo": {"passThrough": passthrough} if passthrough is not None else {}}, reviews


def batch_ack(images: list[batch.Image], request_id: str) -> dict[str, Any]:
    """The acknowledgement of a batch: every btId with the requestId to query it by."""
    return {"code": profile.SUCCESS, "message": profile.MESSAGES[profile.SUCCESS],
            "requestIds": [{"btId": image.bt_id, "requestId": request_id} for image in images]}


def settle(make: Callable[[], dict[str, Any]], request_id: str, ctx: Context | None = None) -> dict[str, Any]:
    """The result ``make()`` builds, or the error body it raises: an async result's media error
    (noted in ``ctx``'s journal entry), or one image's own code in a batch (the others still answer)."""
    try:
        body: dict[str, Any] = make()
        return body
    except errors.DeepcleerError as error:
        if ctx is not None:
            ctx.note(f"the result will carry {error.code}: {error.text}")
        return render.error_body(error.code, error.text, request_id)


async def media_of(ctx: Context, req: checks.ImageRequest, where: str) -> Media:
    """The image's bytes and their first problem: base64 decoded, or a URL downloaded from an
    allow-listed host (the seed's timeouts, one retry, then backupUrl); a URL on any other host is
    judged by what it says (None bytes)."""
    asynchronous = _asynchronous(ctx, req)
    if not req.img_is_url:
        return decode(req.img, False, asynchronous)
    if not ctx.services.allow.allows(req.img):
        return Media()  # not allow-listed: never contacted, judged by what the URL says
    limit = profile.ASYNC_IMAGE_MAX if asynchronous else profile.SYNC_IMAGE_MAX
    failures = []
    for url in (req.img, req.data.get("backupUrl")):
        if not isinstance(url, str) or not url:
            continue
        for _ in range(profile.DOWNLOAD_TRIES):
            try:
                data = await fetch(url, ctx.services.allow, limit, connect=profile.DOWNLOAD_CONNECT_SECONDS,
                                   read=profile.DOWNLOAD_READ_SECONDS)
            except MediaError as exc:
                if exc.rule == "size":
                    return Media(error=errors.InvalidParameters(f"{where}: {exc.detail} at {url}"))
                failures.append(exc.detail)
                continue
            if data is None:
                return Media()  # not allow-listed: never contacted
            ctx.note(f"{where}: downloaded {len(data)} bytes from {url}")
            return judge_bytes(data, limit, where)
    return Media(error=errors.DownloadFailed("; ".join(failures)))


def decode(img: str, is_url: bool, asynchronous: bool) -> Media:
    """The base64 image's bytes and the first problem with them (size, format, resolution)."""
    if is_url:
        return Media()
    limit = profile.ASYNC_IMAGE_MAX if asynchronous else profile.SYNC_IMAGE_MAX
    try:
        content = decode_base64(img)
    except MediaError as exc:
        return Media(error=errors.InvalidParameters(f"data.img: {exc.detail}"))
    return judge_bytes(content, limit, "data.img")


def judge_bytes(content: bytes, limit: int, where: str) -> Media:
    """The first problem of an image's bytes: size, format, resolution (1902)."""
    if len(content) > limit:
        return Media(content, error=errors.InvalidParameters(
            f"{where}: image of {len(content)} bytes is over the {limit // (1024 * 1024)} MB limit"))
    try:
        info = inspect(content)
    except MediaError as exc:
        return Media(content, error=errors.InvalidParameters(f"{where}: {exc.detail}"))
    fmt = profile.PILLOW_FORMAT_ALIASES.get(info.format, info.format)
    if fmt not in profile.IMAGE_FORMATS:
        return Media(content, info, errors.InvalidParameters(f"{where}: format {fmt} is not supported"))
    if info.width is not None and info.height is not None:
        lo, hi = profile.MIN_PIXELS, profile.MAX_PIXELS
        if not (lo <= info.width <= hi and lo <= info.height <= hi):
            return Media(content, info, errors.InvalidParameters(
                f"{where}: resolution {info.width}x{info.height} is outside {lo}x{lo} to {hi}x{hi}"))
    return Media(content, info)


def result(req: checks.ImageRequest, request_id: str, item: Item) -> dict[str, Any]:
    """The full result of one judged image, or raise its media error (1902 / 1911)."""
    media: Media = item.data
    if item.outcome is not None:  # a rule's error for this image of a batch
        raise item.outcome
    if media.error is not None:
        raise media.error
    subject = downloadable(req.data.get("backupUrl"), item.subject)
    verdict: Verdict = item.verdict if subject is item.subject and item.verdict is not None \
        else verdict_of(item.rule, subject)  # the backup URL's, when img does not download
    item.verdict = verdict  # the verdict answered (a human review confirms this one)
    frames = media.info.frames if media.info is not None else 1
    return render.render(verdict, req, request_id, req.segments(frames))


def downloadable(backup: str | None, subject: Subject) -> Subject:
    """The subject whose URL downloads: ``img``, else ``backupUrl`` (seed: used when the
    img download fails); 1911 when neither does."""
    try:
        check_media(subject)
        return subject
    except MediaProblem as exc:
        if not backup:
            raise errors.DownloadFailed(exc.detail) from None
        fallback = Subject(url=backup, data_id=subject.data_id, token_id=subject.token_id)
        try:
            check_media(fallback)
        except MediaProblem as backup_exc:
            raise errors.DownloadFailed(f"{exc.detail}; backupUrl: {backup_exc.detail}") from None
        return fallback


def describe_credentials(backend: ImageModeration) -> dict[str, Any]:
    """The accepted credentials as the banner and the fixture show them."""
    return {
        "cluster": backend.cluster,
        "accessKeys": [
            {"accessKey": c.access_key, "appIds": list(c.app_ids), "eventIds": list(c.event_ids)}
            for c in backend.credentials
        ],
    }
