"""Deepcleer (Shumei) image moderation v4."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...core.body import BodyProblem
from ...core.errors import VendorError
from ...core.exchange import Exchange
from ...core.vendor import Vendor
from ...settings import Settings
from ...core.journal import Problem
from . import errors, profile, results, routes, validation
from .auth import authenticate
from .backend import ImageModeration, describe_credentials


class Deepcleer(Vendor, profile=profile):
    """The Deepcleer profile: image v4 on one cluster."""

    def __init__(self, config: dict[str, Any], settings: Settings) -> None:
        super().__init__(config, settings)
        self.backend = ImageModeration(config, settings.strict)

    def routes(self) -> list[web.RouteDef]:
        return routes.routes()

    def render_error(self, error: VendorError, exchange: Exchange) -> web.Response:
        request_id = exchange.entry.request_id or exchange.new_request_id()
        return exchange.json_response(results.error_body(error.code, error.text, request_id), error.http_status)

    def body_error(self, problem: BodyProblem) -> VendorError:
        return errors.InvalidParameters(problem.detail)

    def not_found(self, detail: str) -> VendorError:
        error = errors.InvalidParameters(detail)
        error.http_status = 404  # no documented answer; the body keeps the vendor's shape
        return error

    def internal_error(self) -> VendorError:
        return errors.ServiceFailure("internal error in the mock (see the journal)")

    @property
    def error_codes(self) -> frozenset[Any]:
        return frozenset(errors.BY_CODE)

    def check_request(self, endpoint: str, request: Any) -> list[Problem]:
        if not isinstance(request, dict):
            return [Problem("(body)", "type", type(request).__name__, "a JSON object")]
        cred = authenticate(request.get("accessKey"), self.backend.credentials)
        found = [] if cred is not None else [
            Problem("accessKey", "unknown accessKey", request.get("accessKey"), "a configured accessKey")]
        return found + validation.collect(request, cred or self.backend.credentials[0], self.backend.cluster)

    def credentials(self) -> dict[str, Any]:
        return describe_credentials(self.backend)

    def request_example(self, endpoint: str) -> Any | None:
        cred = self.backend.credentials[0]
        return {"accessKey": cred.access_key, "appId": cred.app_ids[0], "eventId": cred.event_ids[0],
                "type": "POLITY_EROTIC_VIOLENT", "data": {"img": profile.EXAMPLE_IMAGE_URL, "tokenId": "user-1"}}

    def banner_lines(self) -> list[str]:
        lines = [f"cluster {self.backend.cluster} ({profile.CLUSTERS[self.backend.cluster]}): POST /image/v4"]
        for c in self.backend.credentials:
            lines.append(f"accessKey {c.access_key!r}  appId {', '.join(c.app_ids)}  eventId {', '.join(c.event_ids)}")
        return lines


VENDOR_CLASS = Deepcleer
