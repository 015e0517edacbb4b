"""AKOOL HTTP handlers: read the request, hand it to the backend, answer JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from ...core.body import is_json_content_type, parse_json
from ...core.exchange import EXCHANGE, Exchange
from ...core.journal import Problem
from . import errors

if TYPE_CHECKING:
    from . import Akool


async def _json(request: web.Request, ex: Exchange) -> object:
    body = await ex.read_body(request, parse_json, "a JSON object in UTF-8")
    ex.set_body(body, request.content_length)
    if not is_json_content_type(request):
        wrong = Problem("Content-Type", "application/json", request.content_type, "application/json",
                        inferred=True)
        if ex.vendor.settings.strict:
            ex.problem(wrong)
            raise errors.InvalidParameter(f"Content-Type {request.content_type} is not application/json")
        ex.warn(wrong)
    return body


async def get_token(request: web.Request) -> web.Response:
    """POST /api/open/v3/getToken."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Akool", ex.vendor)
    return ex.json_response(vendor.backend.get_token(await _json(request, ex), ex))


async def sentiment(request: web.Request) -> web.Response:
    """POST /api/open/v3/content/analysis/sentiment."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Akool", ex.vendor)
    body = await _json(request, ex)
    return ex.json_response(await vendor.backend.submit(body, request.headers, ex))


async def infobyid(request: web.Request) -> web.Response:
    """GET /api/open/v3/content/analysis/infobyid?_id=."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Akool", ex.vendor)
    query = dict(request.query)
    ex.set_body(query)
    return ex.json_response(vendor.backend.info(query, request.headers, ex))
