"""Jocloud/Aivacom HTTP handler: one for every API, told apart by the route's endpoint id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aiohttp import web

from ...core.exchange import EXCHANGE, Exchange
from . import errors

if TYPE_CHECKING:
    from . import Jocloud


async def moderate(request: web.Request) -> web.Response:
    """POST /app/{appid}/v1/...?traceId=: the envelope, or a request-level error."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Jocloud", ex.vendor)

    async def read_body() -> Any:
        return await ex.read_json(request, errors.BadRequest, "application/json;charset=UTF-8 (the API pages)")

    answer = await vendor.backend.handle(ex.endpoint, request.match_info["appid"], request.headers, read_body, ex)
    return ex.json_response(answer, answer["code"])
