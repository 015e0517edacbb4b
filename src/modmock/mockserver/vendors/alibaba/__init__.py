"""Alibaba Cloud Image Moderation 2.0 (ImageBatchModeration)."""

from __future__ import annotations

from typing import Any

from ...core.body import BodyProblem
from ...core.context import Context
from ...core.declaration import Answer, Operation
from ...core.errors import VendorError
from ...core.journal import Problem
from ...core.vendor import INTERNAL_ERROR, Vendor
from ...settings import Settings
from . import checks, declaration, errors, profile
from .backend import Caller, ImageBatchModeration


class Alibaba(Vendor, profile=profile):
    """The Alibaba profile: ImageBatchModeration in one region."""

    def __init__(self, config: dict[str, Any], settings: Settings) -> None:
        super().__init__(config, settings)
        self.backend = ImageBatchModeration(config)

    def operations(self) -> list[Operation]:
        return declaration.operations(self.backend)

    def begin(self, ctx: Context) -> None:
        ctx.new_request_id(_request_id(ctx))

    def render_error(self, error: VendorError, ctx: Context) -> Answer:
        rid = ctx.request_id or ctx.new_request_id(_request_id(ctx))
        if isinstance(error, errors.GatewayError):
            return Answer(self._gateway_body(error, ctx, rid), error.http_status)
        return Answer({"Code": error.code, "Msg": error.text, "RequestId": rid}, error.http_status)

    def _gateway_body(self, error: errors.GatewayError, ctx: Context, rid: str) -> dict[str, Any]:
        ctx.notes.problem(Problem("(gateway)", str(error.code), error.detail, error.message))
        message = error.message
        if error.expected is not None:
            ctx.note(f"expected string to sign:\n{error.expected}")
            if self._debug(ctx):
                message = f"{message} server string to sign is:{error.expected}"
        return {"RequestId": rid, "HostId": ctx.incoming.host or profile.HOST_PREFIXES[0] + self.backend.region
                + profile.HOST_SUFFIX, "Code": error.code, "Message": message,
                "Recommend": f"https://api.aliyun.com/troubleshoot?q={error.code}&product=Green&requestId={rid}"}

    def _debug(self, ctx: Context) -> bool:
        flag = ctx.incoming.headers.get(profile.DEBUG_HEADER, "").lower() in ("1", "true", "yes")
        return flag or self.settings.log_level == "debug"

    def body_error(self, problem: BodyProblem) -> VendorError:
        return errors.for_body(problem)

    def invalid(self, problem: Problem, endpoint: str, detail: str | None = None) -> VendorError:
        return checks.code_for(problem)(detail or f"{problem.field}: {problem.rule}; expected {problem.expected}")

    def busy(self, detail: str) -> VendorError:
        return errors.QpsExceeded(detail)

    def for_code(self, code: Any, message: str | None) -> VendorError:
        return errors.for_code(code, message)

    def not_found(self, detail: str) -> VendorError:
        return errors.GatewayError("unknown_action", detail)

    def internal_error(self, detail: str = INTERNAL_ERROR) -> VendorError:
        return errors.SystemError(detail)

    @property
    def error_codes(self) -> frozenset[Any]:
        return frozenset(errors.BY_CODE)

    def check_request(self, endpoint: str, request: Any) -> list[Problem]:
        if not isinstance(request, dict):
            return [Problem("(parameters)", "type", type(request).__name__, "an object of parameters")]
        return super().check_request(endpoint, request)

    def offline_principal(self, endpoint: str, request: Any) -> Caller:
        return Caller(self.backend.credentials[0], "v3", self.backend.region)

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



def _request_id(ctx: Context) -> str:
    """Alibaba's request id form, e.g. ``70ED13B0-BC22-576D-9CCF-1CC12FEAC477``."""
    return ctx.uuid_text().upper()


VENDOR_CLASS = Alibaba
