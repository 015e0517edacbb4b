"""The application factory: vendor routes, the admin API, and the state's lifecycle."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from . import admin
from .appkeys import STATE
from .core.exchange import unmatched_route, vendor_routes
from .logs import quiet_protocol_errors
from .settings import Settings
from .state import MockState

# Room for the JSON around the largest documented body; the vendor answers anything larger.
BODY_SLACK = 64 * 1024


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE]
    await state.start()
    yield
    await state.stop()


def build_app(settings: Settings, state: MockState | None = None) -> web.Application:
    """An aiohttp application serving ``settings.vendors`` and ``/__admin/``."""
    settings.validate()
    quiet_protocol_errors()
    state = state or MockState(settings)
    app = web.Application(client_max_size=state.max_body + BODY_SLACK)  # no middleware: see core.exchange
    app[STATE] = state
    for vendor in state.vendors.values():
        app.add_routes(vendor_routes(state, vendor))
    app.add_routes(admin.routes())
    app.add_routes([unmatched_route(state, lambda request: admin.refused(state, request, body=False), admin.unknown_admin_path)])
    app.cleanup_ctx.append(_lifecycle)
    return app
