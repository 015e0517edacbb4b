"""Vendor errors: small classes carrying a code, a message and an HTTP status.

Handlers and backends raise them; the route handler (core.exchange) asks the vendor to render them.
Each vendor's ``errors.py`` holds one subclass per documented code.
"""

from __future__ import annotations

from typing import Any

from .journal import Problem


class Busy(Exception):
    """Unfinished work (tasks still running) is at its bound: the request is answered with the
    vendor's own throttling error (``Vendor.busy``) and nothing is accepted."""


class VendorError(Exception):
    """A documented vendor error. Subclasses set ``code``, ``message`` and ``http_status``."""

    code: Any = None
    message: str = ""
    http_status: int = 200

    def __init__(self, detail: str | None = None, *, problems: list[Problem] | None = None,
                 code: Any = None, message: str | None = None) -> None:
        if code is not None:
            self.code = code
        if message is not None:
            self.message = message
        self.detail = detail
        self.problems = list(problems or [])
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The message with its detail, e.g. ``Invalid parameters: data.tokenId is required``."""
        if not self.detail:
            return self.message
        joiner = " " if self.message.endswith((".", "!", "?")) else ": "
        return f"{self.message}{joiner}{self.detail}"
