"""Alibaba's URL table: RPC calls are ``POST /``, the action named in a header or parameter."""

from __future__ import annotations

from aiohttp import web

from . import handlers, profile


def routes() -> list[web.RouteDef]:
    ep = {e.id: e for e in profile.ENDPOINTS}
    return [
        # Every method reaches the handler, which serves GET and POST and answers the rest
        # with Alibaba's own error instead of a plain 405.
        web.route("*", ep["image_batch_moderation"].path, handlers.image_batch_moderation,
                  name=f"{profile.NAME}:image_batch_moderation"),
    ]
