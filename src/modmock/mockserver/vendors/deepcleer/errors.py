"""Deepcleer's documented codes, one class each (seed: Response Parameters)."""

from __future__ import annotations

from ...core.errors import VendorError
from . import profile


class DeepcleerError(VendorError):
    """A Deepcleer error: HTTP 200, ``{code, message, requestId}``."""

    http_status = profile.HTTP_STATUS


class QpsExceeded(DeepcleerError):
    code = 1901
    message = profile.MESSAGES[1901]


class InvalidParameters(DeepcleerError):
    code = 1902
    message = profile.MESSAGES[1902]


class ServiceFailure(DeepcleerError):
    code = 1903
    message = profile.MESSAGES[1903]


class DownloadFailed(DeepcleerError):
    code = 1911
    message = profile.MESSAGES[1911]


class Unauthorized(DeepcleerError):
    code = 9101
    message = profile.MESSAGES[9101]


BY_CODE: dict[int, type[DeepcleerError]] = {
    cls.code: cls for cls in (QpsExceeded, InvalidParameters, ServiceFailure, DownloadFailed, Unauthorized)
}


def for_code(code: object, message: str | None = None) -> DeepcleerError:
    """The error for an injected code; unknown codes keep the code with a generic message."""
    cls = BY_CODE.get(code) if isinstance(code, int) else None
    if cls is not None:
        return cls(message=message) if message else cls()
    return DeepcleerError(code=code, message=message or f"Injected error {code}")
