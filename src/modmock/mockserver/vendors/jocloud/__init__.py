"""Jocloud and Aivacom content moderation: one API under two domains (two profiles), sync,
async and live APIs, three levels of codes, concurrency limits and live tasks."""

from __future__ import annotations

import base64
from typing import Any

from ...core.body import BodyProblem
from ...core.context import Context
from ...core.declaration import Answer, Operation
from ...core.errors import VendorError
from ...core.journal import Problem
from ...core.vendor import INTERNAL_ERROR, Vendor
from ...settings import Settings
from . import declaration, errors, profile, render
from .backend import Moderation, describe_credentials, trace_id_of


class Jocloud(Vendor, profile=profile.JOCLOUD):
    """The Jocloud profile (ai.jocloud.com, the English seed)."""

    dialect = profile.JOCLOUD

    def __init__(self, config: dict[str, Any], settings: Settings) -> None:
        super().__init__(config, settings)
        self.backend = Moderation(self.dialect, config)

    def operations(self) -> list[Operation]:
        return declaration.operations(self.backend, self.endpoints)

    def begin(self, ctx: Context) -> None:
        ctx.new_request_id(ctx.uuid_text())

    def render_error(self, error: VendorError, ctx: Context) -> Answer:
        trace = trace_id_of(ctx) or ""
        request_id = ctx.request_id or ctx.new_request_id(ctx.uuid_text())
        body = render.envelope(int(error.code), error.text, trace, request_id, ctx.services.clock.now())
        return Answer(body, error.http_status)

    def body_error(self, problem: BodyProblem) -> VendorError:
        return errors.BadRequest(problem.detail)

    def invalid(self, problem: Problem, endpoint: str, detail: str | None = None) -> VendorError:
        return errors.BadRequest(detail or f"{problem.field}: {problem.rule}; expected {problem.expected}")

    def for_code(self, code: Any, message: str | None) -> VendorError:
        return errors.for_code(code, message)

    def not_found(self, detail: str) -> VendorError:
        return errors.NotFound(detail)

    def busy(self, detail: str) -> VendorError:
        return errors.TooManyRequests(detail)

    def internal_error(self, detail: str = INTERNAL_ERROR) -> VendorError:
        return errors.MockFailure(detail)

    @property
    def error_codes(self) -> frozenset[Any]:
        return frozenset({*errors.REQUEST_LEVEL, *profile.ITEM_CODES})

    @property
    def injectable_codes(self) -> frozenset[Any]:
        return errors.injectable()

    def credentials(self) -> dict[str, Any]:
        return describe_credentials(self.backend)

    def request_example(self, endpoint: str) -> Any | None:
        callback = {"callbackUrl": "http://127.0.0.1:9000/callback"}
        if endpoint == profile.TEXT_SYNC:
            text = base64.b64encode(b"hello world").decode("ascii")
            return {"data": [{"dataId": "greeting-1", "content": text}]}
        if endpoint in (profile.IMAGE_SYNC, profile.AUDIO_SYNC):
            ext = "jpg" if endpoint == profile.IMAGE_SYNC else "mp3"
            return {"data": [{"dataId": "sex.jpg" if ext == "jpg" else "clip-1",
                              "url": f"https://cdn.example.com/uploads/clean.{ext}"}]}
        if endpoint in profile.ASYNC:
            ext = "mp3" if endpoint == profile.AUDIO_ASYNC else "mp4"
            return {"data": [{"dataId": "upload-1", "url": f"https://cdn.example.com/uploads/clean.{ext}"}], **callback}
        if endpoint == profile.VIDEO_LIVE:
            return {"data": [{"dataId": "stream-1", "url": "rtmp://live.example.com/app/stream-1"}], **callback}
        return {"data": [{"dataId": "room-1", "roomId": "10001"}], **callback}

    def example_headers(self, endpoint: str) -> dict[str, str]:
        return {profile.TOKEN_HEADER: self.backend.certificates[0].token()}

    def banner_lines(self) -> list[str]:
        lines = [f"POST /app/{{appid}}/v1/...?traceId=  (the {self.dialect.HOST} paths; see `mockserver vendors`)"]
        for c in self.backend.certificates:
            lines.append(f"appid {c.appid}  certificate ID {c.certificate_id!r}  key {c.certificate_key!r}  "
                         f"header token: {c.token()}")
        return lines


class Aivacom(Jocloud, profile=profile.AIVACOM):
    """The Aivacom profile (ai.aivacom.com, the Chinese seed): live-streaming paths differ."""

    dialect = profile.AIVACOM


VENDOR_CLASSES = {"jocloud": Jocloud, "aivacom": Aivacom}
