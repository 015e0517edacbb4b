"""Jocloud/Aivacom HTTP handler: one for every API, told apart by the route's endpoint id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

from ...core.body import is_json_content_type, parse_json
from ...core.exchange import EXCHANGE, Exchange
from ...core.journal import Problem
from . import errors

if TYPE_CHECKING:
    from . import Jocloud


async def moderate(request: web.Request) -> web.Response:
    """POST /app/{appid}/v1/...?traceId=: the envelope, or a request-level error."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Jocloud", ex.vendor)

    async def read_body() -> Any:
        body = await ex.read_body(request, parse_json, "a JSON object in UTF-8")
        ex.set_body(body, request.content_length)
        if not is_json_content_type(request):
            wrong = Problem("Content-Type", "application/json", request.content_type,
                            "application/json;charset=UTF-8 (the API pages)", inferred=True)
            if vendor.settings.strict:
                ex.problem(wrong)
                raise errors.BadRequest(f"Content-Type {request.content_type} is not application/json")
            ex.warn(wrong)
        return body

    answer = await vendor.backend.handle(ex.endpoint, request.match_info["appid"], request.headers, read_body, ex)
    return ex.json_response(answer, answer["code"])
