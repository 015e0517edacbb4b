"""Jocloud/Aivacom codes at their three levels (seeds: "Error code in request", "Error code in
data and action").

Request-level errors (400, 429) answer the whole request, with that HTTP status. Data- and
action-level codes are outcomes of one item or one action inside an HTTP 200 answer; a rule or
fault injects them as ``401`` (any data-level code but 400), ``"data:400"`` or ``"action:421"``.
"""

from __future__ import annotations

from ...core.declaration import ItemError
from ...core.errors import VendorError
from . import profile


def _wording(code: int, message: str, detail: str | None) -> str:
    """The seeds print a fixed message for most codes and "Indeterminacy" (the message varies)
    for 400 and 500: those say what failed; the fixed ones stay exact (details go to the journal)."""
    if message == INDETERMINACY and detail:
        return detail
    return message


INDETERMINACY = "Indeterminacy"


class JocloudError(VendorError):
    """A request-level error: the envelope without ``data``, HTTP status equal to the code."""

    @property
    def text(self) -> str:
        return _wording(self.code, self.message, self.detail)


class BadRequest(JocloudError):
    code = http_status = profile.BAD_REQUEST
    message = INDETERMINACY  # the seeds: the message varies; ours says what failed


class TooManyRequests(JocloudError):
    code = http_status = profile.TOO_MANY_REQUESTS
    message = profile.REQUEST_CODES[profile.TOO_MANY_REQUESTS]


class NotFound(JocloudError):
    code = http_status = profile.NOT_FOUND
    message = "Not found"


class MockFailure(JocloudError):
    code = http_status = profile.INTERNAL
    message = "internal error in the mock (see the journal)"


REQUEST_LEVEL: dict[int, type[JocloudError]] = {BadRequest.code: BadRequest, TooManyRequests.code: TooManyRequests}


class ItemFailure(ItemError):
    """Not an answer: one data item ends with a data-level code (its ``results`` empty)."""

    level = "data"

    def __init__(self, code: int, detail: str | None = None, message: str | None = None) -> None:
        super().__init__(detail, code=code, message=message or profile.ITEM_MESSAGES[code])

    @property
    def text(self) -> str:
        return _wording(self.code, self.message, self.detail)


class ActionFailure(ItemFailure):
    """Not an answer: the item succeeds, and each of its actions ends with this code."""

    level = "action"


def injectable() -> frozenset[object]:
    """Every code a rule or fault may name."""
    leveled = {f"{level}:{code}" for level in ("data", "action") for code in profile.ITEM_CODES}
    return frozenset({*REQUEST_LEVEL, *(profile.ITEM_CODES - {profile.BAD_REQUEST}), *leveled})


def for_code(code: object, message: str | None = None) -> VendorError:
    """The error for an injected code: 400/429 answer the request; 401-503 (or ``"data:N"``)
    fail the item; ``"action:N"`` fails each of its actions."""
    if isinstance(code, str) and ":" in code:
        level, _, number = code.partition(":")
        if level in ("data", "action") and number.isdigit() and int(number) in profile.ITEM_CODES:
            cls = ActionFailure if level == "action" else ItemFailure
            return cls(int(number), message=message)
    elif isinstance(code, int) and not isinstance(code, bool):
        if code in REQUEST_LEVEL:
            cls_ = REQUEST_LEVEL[code]
            return cls_(message=message) if message else cls_()
        if code in profile.ITEM_CODES:
            return ItemFailure(code, message=message)
    raise ValueError(f"{code!r} is not a jocloud code; use 400 or 429 (request), 401-503 or 'data:N' "
                     "(one item), 'action:N' (each action)")
