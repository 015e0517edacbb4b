"""Deepcleer's URL table: each route named ``deepcleer:<endpoint id>``."""

from __future__ import annotations

from aiohttp import web

from . import handlers, profile


def routes() -> list[web.RouteDef]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    return [
        web.post(ep["image_v4"].path, handlers.image_v4, name=f"{profile.NAME}:image_v4"),
    ]
