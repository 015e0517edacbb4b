"""Logging: a client's protocol errors (malformed HTTP that aiohttp answers with a 400 itself)
are one INFO line, not an ERROR with a traceback; they are the client's, not the mock's."""

from __future__ import annotations

import logging

from aiohttp.http_exceptions import HttpProcessingError


class ProtocolErrorsInOneLine(logging.Filter):
    """Rewrites aiohttp's "Error handling request" records caused by malformed HTTP."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = "malformed HTTP from a client, answered %s: %s", (exc.code, exc.message)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def quiet_protocol_errors() -> None:
    """Install the filter on aiohttp's server logger (once)."""
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ProtocolErrorsInOneLine) for f in logger.filters):
        logger.addFilter(ProtocolErrorsInOneLine())
