"""Deepcleer (Shumei) image moderation v4."""

from __future__ import annotations

from typing import Any

from ...core.body import BodyProblem
from ...core.context import Context
from ...core.declaration import Answer, Operation
from ...core.errors import VendorError
from ...core.journal import Problem
from ...core.vendor import INTERNAL_ERROR, Vendor
from ...settings import Settings
from . import declaration, errors, profile, render
from .auth import authenticate
from .backend import ImageModeration, describe_credentials


class Deepcleer(Vendor, profile=profile):
    """The Deepcleer profile: image v4 on one cluster."""

    reviews = True  # human review: a machine result now, the final one later (review.py)

    def __init__(self, config: dict[str, Any], settings: Settings) -> None:
        super().__init__(config, settings)
        self.backend = ImageModeration(config)

    def operations(self) -> list[Operation]:
        return declaration.operations(self.backend)

    def begin(self, ctx: Context) -> None:
        ctx.new_request_id()

    def render_error(self, error: VendorError, ctx: Context) -> Answer:
        request_id = ctx.request_id or ctx.new_request_id()
        return Answer(render.error_body(error.code, error.text, request_id), error.http_status)

    def body_error(self, problem: BodyProblem) -> VendorError:
        return errors.InvalidParameters(problem.detail)

    def invalid(self, problem: Problem, endpoint: str, detail: str | None = None) -> VendorError:
        return errors.InvalidParameters(detail or f"{problem.field}: {problem.rule}; expected {problem.expected}")

    def for_code(self, code: Any, message: str | None) -> VendorError:
        return errors.for_code(code, message)

    def not_found(self, detail: str) -> VendorError:
        error = errors.InvalidParameters(detail)
        error.http_status = 404  # no documented answer; the body keeps the vendor's shape
        return error

    def busy(self, detail: str) -> VendorError:
        return errors.QpsExceeded(detail)

    def internal_error(self, detail: str = INTERNAL_ERROR) -> VendorError:
        return errors.ServiceFailure(detail)

    @property
    def error_codes(self) -> frozenset[Any]:
        return frozenset(errors.BY_CODE)

    def check_request(self, endpoint: str, request: Any) -> list[Problem]:
        if isinstance(request, dict):
            cred = authenticate(request.get("accessKey"), self.backend.credentials)
            if cred is None:
                unknown = Problem("accessKey", "unknown accessKey", request.get("accessKey"), "a configured accessKey")
                return [unknown] + super().check_request(endpoint, request)
        return super().check_request(endpoint, request)

    def offline_principal(self, endpoint: str, request: Any) -> Any:
        cred = authenticate(request.get("accessKey"), self.backend.credentials)
        return cred or self.backend.credentials[0]

    def credentials(self) -> dict[str, Any]:
        return describe_credentials(self.backend)

    def request_example(self, endpoint: str) -> Any | None:
        cred = self.backend.credentials[0]
        if endpoint == "image_query":
            return {"accessKey": cred.access_key, "requestIds": [{"requestId": "0" * 32, "btId": "img-1"}]}
        data: dict[str, Any] = {"img": profile.EXAMPLE_IMAGE_URL, "tokenId": "user-1"}
        if endpoint in ("images_v4", "async_imgs"):
            data = {"imgs": [{"btId": "img-1", "img": profile.EXAMPLE_IMAGE_URL}], "tokenId": "user-1"}
        return {"accessKey": cred.access_key, "appId": cred.app_ids[0], "eventId": cred.event_ids[0],
                "type": "POLITY_EROTIC_VIOLENT", "data": data}

    def banner_lines(self) -> list[str]:
        lines = [f"cluster {self.backend.cluster} ({profile.CLUSTERS[self.backend.cluster]}): POST /image/v4"]
        for c in self.backend.credentials:
            lines.append(f"accessKey {c.access_key!r}  appId {', '.join(c.app_ids)}  eventId {', '.join(c.event_ids)}")
        return lines


VENDOR_CLASS = Deepcleer
