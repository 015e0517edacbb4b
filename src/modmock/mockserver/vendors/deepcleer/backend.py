"""Image v4 moderation without HTTP: precedence, verdict, sync answer or async task.

Precedence (profile.ERROR_PRECEDENCE): body → accessKey → fields → QPS → injected
failure → media (base64 bytes, download). Async requests are acknowledged with 1100 once
they pass the injected-failure stage; media errors then arrive in the callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.exchange import Exchange
from ...core.injection import inject
from ...core.journal import Problem
from ...core.media import ImageInfo, MediaError, decode_base64, inspect
from ...core.rules import Rule
from ...core.tasks import Step, Task
from ...core.verdict import MediaProblem, Subject, check_media, default_verdict
from ...settings import SettingsError, check_keys, config_number
from . import errors, profile, results, validation
from .auth import Credential, authenticate, load_credentials

ENDPOINT = "image_v4"


@dataclass
class _Media:
    """The decoded base64 image, or the problem it has (raised at the media stage)."""

    content: bytes | None = None
    info: ImageInfo | None = None
    error: errors.DeepcleerError | None = None


class ImageModeration:
    """The image v4 backend for one server run."""

    def __init__(self, config: dict[str, Any], strict: bool) -> None:
        check_keys("deepcleer", config, ("cluster", "qps", "processing_seconds", "include_defaults", "credentials"))
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
        self.strict = strict

    async def moderate(self, body: Any, ex: Exchange) -> dict[str, Any]:
        """Answer one request: the full result (sync) or the acknowledgement (async)."""
        request_id = ex.new_request_id()
        if not isinstance(body, dict):
            ex.problem(Problem("(body)", "type", type(body).__name__, "a JSON object"))
            raise errors.InvalidParameters("the body must be a JSON object")
        cred = authenticate(body.get("accessKey"), self.credentials)
        if cred is None:
            ex.problem(Problem("accessKey", "unknown accessKey", body.get("accessKey"), "a configured accessKey"))
            raise errors.Unauthorized()
        req = validation.check(body, cred, self.cluster, self.strict, ex)
        state = ex.state
        if not state.limiter.allow((profile.NAME, cred.access_key), self.qps):
            raise errors.QpsExceeded(f"more than {self.qps} requests in one second")
        media = self._decode(req)
        subject = Subject(url=req.img if req.img_is_url else None, data_id=req.data.get("dataId"),
                          token_id=req.data.get("tokenId"), content=media.content)
        rule = await inject(ex, subject, errors.for_code)
        if req.callback:
            return self._start_async(req, request_id, subject, media, rule, ex)
        return self._result(req, request_id, subject, media, rule)

    # -- stages --------------------------------------------------------------------------------
    def _decode(self, req: validation.ImageRequest) -> _Media:
        if req.img_is_url:
            return _Media()
        limit = profile.ASYNC_IMAGE_MAX if req.callback else profile.SYNC_IMAGE_MAX
        try:
            content = decode_base64(req.img)
        except MediaError as exc:
            return _Media(error=errors.InvalidParameters(f"data.img: {exc.detail}"))
        if len(content) > limit:
            return _Media(content, error=errors.InvalidParameters(
                f"data.img: image of {len(content)} bytes is over the {limit // (1024 * 1024)} MB limit"))
        try:
            info = inspect(content)
        except MediaError as exc:
            return _Media(content, error=errors.InvalidParameters(f"data.img: {exc.detail}"))
        fmt = profile.PILLOW_FORMAT_ALIASES.get(info.format, info.format)
        if fmt not in profile.IMAGE_FORMATS:
            return _Media(content, info, errors.InvalidParameters(f"data.img: format {fmt} is not supported"))
        if info.width is not None and info.height is not None:
            lo, hi = profile.MIN_PIXELS, profile.MAX_PIXELS
            if not (lo <= info.width <= hi and lo <= info.height <= hi):
                return _Media(content, info, errors.InvalidParameters(
                    f"data.img: resolution {info.width}x{info.height} is outside {lo}x{lo} to {hi}x{hi}"))
        return _Media(content, info)

    def _result(self, req: validation.ImageRequest, request_id: str, subject: Subject, media: _Media,
                rule: Rule | None) -> dict[str, Any]:
        """The full result, or raise the media error (1902 / 1911)."""
        if media.error is not None:
            raise media.error
        subject = self._downloadable(req, subject)
        verdict = rule.verdict if rule is not None and rule.verdict is not None else default_verdict(subject)
        frames = media.info.frames if media.info is not None else 1
        return results.render(verdict, req, request_id, req.segments(frames))

    @staticmethod
    def _downloadable(req: validation.ImageRequest, subject: Subject) -> Subject:
        """The subject whose URL downloads: ``img``, else ``backupUrl`` (seed: used when the
        img download fails); 1911 when neither does."""
        try:
            check_media(subject)
            return subject
        except MediaProblem as exc:
            backup = req.data.get("backupUrl")
            if not backup:
                raise errors.DownloadFailed(exc.detail) from None
            fallback = Subject(url=backup, data_id=subject.data_id, token_id=subject.token_id)
            try:
                check_media(fallback)
            except MediaProblem as backup_exc:
                raise errors.DownloadFailed(f"{exc.detail}; backupUrl: {backup_exc.detail}") from None
            return fallback

    def _start_async(self, req: validation.ImageRequest, request_id: str, subject: Subject, media: _Media,
                     rule: Rule | None, ex: Exchange) -> dict[str, Any]:
        try:
            body = self._result(req, request_id, subject, media, rule)
        except errors.DeepcleerError as error:
            ex.note(f"the callback will carry {error.code}: {error.text}")
            body = results.error_body(error.code, error.text, request_id)
        state = ex.state
        callback = str(req.callback)

        async def deliver(task: Task) -> None:
            delivery = state.callbacks.submit(
                vendor=profile.NAME, endpoint=ENDPOINT, url=callback, body=body, request_id=request_id,
                schedule=profile.RETRY_SCHEDULE, success=profile.CALLBACK_SUCCESS)
            task.data["delivery"] = delivery.id

        state.tasks.start(request_id, profile.NAME, ENDPOINT, "processing",
                          [Step(self.processing_seconds, "done", deliver)], {"callback": callback})
        ex.note(f"async: result after {self.processing_seconds:g} mock seconds, POSTed to {callback}")
        return results.error_body(profile.SUCCESS, profile.MESSAGES[profile.SUCCESS], request_id)


def describe_credentials(backend: ImageModeration) -> dict[str, Any]:
    """The accepted credentials as the banner and the fixture show them."""
    return {
        "cluster": backend.cluster,
        "accessKeys": [
            {"accessKey": c.access_key, "appIds": list(c.app_ids), "eventIds": list(c.event_ids)}
            for c in backend.credentials
        ],
    }
