"""AKOOL's codes, one class each (seed: Response Code Description), and the job failure a rule
or fault can inject (``"job_failed"``: the job is accepted, then ends in status 4)."""

from __future__ import annotations

from ...core.declaration import ItemError
from ...core.errors import VendorError
from . import profile

JOB_FAILED = "job_failed"


class AkoolError(VendorError):
    """An AKOOL error: HTTP 200, ``{code, msg}``."""

    http_status = profile.HTTP_STATUS


def _code(code: int, name: str) -> type[AkoolError]:
    return type(name, (AkoolError,), {"code": code, "message": profile.MESSAGES[code]})


InvalidParameter = _code(1003, "InvalidParameter")
TooFrequent = _code(1005, "TooFrequent")
NotFound = _code(1008, "NotFound")
NoPermission = _code(1009, "NoPermission")
InvalidToken = _code(1101, "InvalidToken")
MissingToken = _code(1102, "MissingToken")
Banned = _code(1200, "Banned")
CreateAudioError = _code(1201, "CreateAudioError")
LipSyncRepeated = _code(1202, "LipSyncRepeated")
VideoWithoutAudio = _code(1203, "VideoWithoutAudio")

CONTENT_CODES = frozenset({CreateAudioError.code, LipSyncRepeated.code, VideoWithoutAudio.code})  # the submission's

BY_CODE: dict[int, type[AkoolError]] = {cls.code: cls for cls in (
    InvalidParameter, TooFrequent, NotFound, NoPermission, InvalidToken, MissingToken, Banned, CreateAudioError,
    LipSyncRepeated, VideoWithoutAudio)}


class VendorFailure(AkoolError):
    """The mock itself failed (journaled); no documented code fits, so the job-failed wording."""

    code = 1003
    message = "The request operation processing failed"


class JobFails(AkoolError, ItemError):
    """Not an answer: the submission is accepted and its job ends ``failed`` (status 4)."""

    code = JOB_FAILED
    message = "The request operation processing failed"


def for_code(code: object, message: str | None = None) -> AkoolError:
    """The error for an injected code (a documented code, or ``"job_failed"``)."""
    if code == JOB_FAILED:
        return JobFails(message=message) if message else JobFails()
    if not isinstance(code, int) or code not in BY_CODE:
        raise ValueError(f"{code!r} is not a documented akool error code")
    cls = BY_CODE[code]
    return cls(message=message) if message else cls()
