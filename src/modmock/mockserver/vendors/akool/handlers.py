"""AKOOL HTTP handlers: read the request, hand it to the backend, answer JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from ...core.exchange import EXCHANGE, Exchange
from . import errors

if TYPE_CHECKING:
    from . import Akool


async def _json(request: web.Request, ex: Exchange) -> object:
    return await ex.read_json(request, errors.InvalidParameter, "application/json")


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
