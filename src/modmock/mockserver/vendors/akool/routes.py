"""AKOOL's URL table: each route named ``akool:<endpoint id>``."""

from __future__ import annotations

from aiohttp import web

from . import handlers, profile


def routes() -> list[web.RouteDef]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    return [
        web.post(ep["get_token"].path, handlers.get_token, name=f"{profile.NAME}:get_token"),
        web.post(ep["sentiment"].path, handlers.sentiment, name=f"{profile.NAME}:sentiment"),
        web.get(ep["infobyid"].path, handlers.infobyid, name=f"{profile.NAME}:infobyid"),
    ]
