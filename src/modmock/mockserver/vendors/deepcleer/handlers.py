"""Image v4 HTTP handlers: read the body, hand it to the backend, answer JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from ...core.body import is_json_content_type, parse_json
from ...core.exchange import EXCHANGE, Exchange
from ...core.journal import Problem
from . import errors

if TYPE_CHECKING:
    from . import Deepcleer


async def image_v4(request: web.Request) -> web.Response:
    """POST /image/v4 — synchronous result, or acknowledgement when ``callback`` is set."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Deepcleer", ex.vendor)
    body = await ex.read_body(request, parse_json, "a JSON object in UTF-8")
    ex.set_body(body, request.content_length)
    if not is_json_content_type(request):
        wrong = Problem("Content-Type", "application/json", request.content_type,
                        "application/json (the seed: all parameters use JSON format)", inferred=True)
        if vendor.settings.strict:
            ex.problem(wrong)
            raise errors.InvalidParameters(f"Content-Type {request.content_type} is not application/json")
        ex.warn(wrong)
    return ex.json_response(await vendor.backend.moderate(body, ex))
