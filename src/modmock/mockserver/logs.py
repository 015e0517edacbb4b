"""Logging: the CLI's handler (text or one JSON object per line), and a client's protocol errors
(malformed HTTP that aiohttp answers with a 400 itself) as one INFO line, not an ERROR with a
traceback: they are the client's, not the mock's.

Every request is one INFO line of the ``modmock.requests`` logger (``POST /image/v4
deepcleer:image_v4 → 200 1902 invalid: data.tokenId required``); in JSON its parts are fields too.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from .core.isotime import iso

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and a request line's parts."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": iso(record.created), "level": record.levelname, "logger": record.name,
                                "message": record.getMessage()}
        fields = getattr(record, "request", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str, form: str = "text") -> None:
    """The CLI's logging: ``level`` and above to stderr, as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if form == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)



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
