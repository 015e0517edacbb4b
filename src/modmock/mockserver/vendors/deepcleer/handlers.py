"""Image v4 HTTP handlers: read the body, hand it to the backend, answer JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from aiohttp import web

from ...core.exchange import EXCHANGE, Exchange
from . import errors

if TYPE_CHECKING:
    from . import Deepcleer


async def image_v4(request: web.Request) -> web.Response:
    """POST /image/v4 — synchronous result, or acknowledgement when ``callback`` is set."""
    ex: Exchange = request[EXCHANGE]
    vendor = cast("Deepcleer", ex.vendor)
    body = await ex.read_json(request, errors.InvalidParameters,
                              "application/json (the seed: all parameters use JSON format)")
    return ex.json_response(await vendor.backend.moderate(body, ex))
