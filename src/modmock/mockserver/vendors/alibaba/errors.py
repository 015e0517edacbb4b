"""Alibaba's errors: business codes (HTTP 200, body ``Code``) and gateway errors (HTTP 4xx).

Seed: Response codes (400-408, 500). Gateway errors use the OpenAPI error body
``{RequestId, HostId, Code, Message, Recommend}`` (VENDOR-NOTES: the codes are inferred).
"""

from __future__ import annotations

from ...core.body import BodyProblem
from ...core.errors import VendorError
from . import profile


class BusinessError(VendorError):
    """A documented business code, answered with HTTP 200 and ``{Code, Msg, RequestId}``."""

    http_status = 200


def _business(code: int) -> type[BusinessError]:
    return type(f"Code{code}", (BusinessError,), {"code": code, "message": profile.MESSAGES[code]})


EmptyParameters = _business(400)
InvalidParameters = _business(401)
InvalidLength = _business(402)
QpsExceeded = _business(403)
DownloadFailed = _business(404)
DownloadTimeout = _business(405)
ImageTooLarge = _business(406)
UnsupportedFormat = _business(407)
PermissionDenied = _business(408)
SystemError = _business(500)

BY_CODE: dict[int, type[BusinessError]] = {
    cls.code: cls for cls in (EmptyParameters, InvalidParameters, InvalidLength, QpsExceeded, DownloadFailed,
                              DownloadTimeout, ImageTooLarge, UnsupportedFormat, PermissionDenied, SystemError)
}


class GatewayError(VendorError):
    """A gateway refusal (signature, key, time, nonce, action): HTTP 4xx, the OpenAPI error body.

    ``expected`` carries the string-to-sign the mock computed, shown only in debug mode."""

    def __init__(self, kind: str, detail: str | None = None, expected: str | None = None) -> None:
        spec = profile.GATEWAY[kind]
        self.http_status = spec.status
        self.expected = expected
        super().__init__(detail, code=spec.code, message=spec.message)


def for_code(code: object, message: str | None = None) -> BusinessError:
    """The business error for an injected code."""
    if not isinstance(code, int) or code not in BY_CODE:
        raise ValueError(f"{code!r} is not a documented alibaba error code")
    cls = BY_CODE[code]
    return cls(message=message) if message else cls()


def for_body(problem: BodyProblem) -> BusinessError:
    """A body over the size limit is 402 (length); any other unreadable body is 401."""
    return InvalidLength(problem.detail) if problem.rule == "max_body_size" else InvalidParameters(problem.detail)
