"""Alibaba Cloud Image Moderation 2.0 (ImageBatchModeration)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ...core.body import BodyProblem
from ...core.errors import VendorError
from ...core.exchange import Exchange
from ...core.journal import Problem
from ...core.vendor import Vendor
from . import errors, profile, routes, validation
from .backend import ImageBatchModeration, request_id


class Alibaba(Vendor, profile=profile):
    """The Alibaba profile: ImageBatchModeration in one region."""

    def bind(self, state: Any) -> None:
        """Create the backend with the run's shared nonce store."""
        self.backend = ImageBatchModeration(self.config, self.settings.strict, state.nonces)

    def routes(self) -> list[web.RouteDef]:
        return routes.routes()

    def render_error(self, error: VendorError, exchange: Exchange) -> web.Response:
        rid = exchange.entry.request_id or exchange.new_request_id(request_id(exchange))
        if isinstance(error, errors.GatewayError):
            return exchange.json_response(self._gateway_body(error, exchange, rid), error.http_status)
        return exchange.json_response({"Code": error.code, "Msg": error.text, "RequestId": rid}, error.http_status)

    def _gateway_body(self, error: errors.GatewayError, exchange: Exchange, rid: str) -> dict[str, Any]:
        exchange.problem(Problem("(gateway)", str(error.code), error.detail, error.message))
        message = error.message
        if error.expected is not None:
            exchange.note(f"expected string to sign:\n{error.expected}")
            if self._debug(exchange):
                message = f"{message} server string to sign is:{error.expected}"
        return {"RequestId": rid, "HostId": exchange.host or profile.HOST_PREFIXES[0] + self.backend.region
                + profile.HOST_SUFFIX, "Code": error.code, "Message": message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}&product=Green&requestId={rid}"}

    def _debug(self, exchange: Exchange) -> bool:
        flag = exchange.headers.get(profile.DEBUG_HEADER, "").lower() in ("1", "true", "yes")
        return flag or self.settings.log_level == "debug"

    def body_error(self, problem: BodyProblem) -> VendorError:
        if problem.rule == "max_body_size":
            return errors.InvalidLength(problem.detail)
        return errors.InvalidParameters(problem.detail)

    def not_found(self, detail: str) -> VendorError:
        return errors.GatewayError("unknown_action", detail)

    def internal_error(self) -> VendorError:
        return errors.SystemError("internal error in the mock (see the journal)")

    @property
    def error_codes(self) -> frozenset[Any]:
        return frozenset(errors.BY_CODE)

    def check_request(self, endpoint: str, request: Any) -> list[Problem]:
        if not isinstance(request, dict):
            return [Problem("(parameters)", "type", type(request).__name__, "an object of parameters")]
        return validation.collect(request, self.backend.region, self.backend.credentials[0])[0]

    def credentials(self) -> dict[str, Any]:
        return {"region": self.backend.region, "qps": self.backend.qps,
                "accessKeys": [{"accessKeyId": c.access_key_id, "accessKeySecret": c.access_key_secret,
                                "services": list(c.services) if c.services is not None else "all"}
                               for c in self.backend.credentials]}

    def banner_lines(self) -> list[str]:
        lines = [f"region {self.backend.region}: POST / (ImageBatchModeration {profile.VERSION}), "
                 f"QPS {self.backend.qps} per AccessKey"]
        for c in self.backend.credentials:
            lines.append(f"AccessKeyId {c.access_key_id!r}  AccessKeySecret {c.access_key_secret!r}")
        return lines


VENDOR_CLASS = Alibaba
