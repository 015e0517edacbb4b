"""The URL table of one profile: each route named ``<profile>:<endpoint id>``.

Beyond the documented paths, the interaction paths of Jocloud take a trailing slash (the English
seed prints one) and audio async also answers at ``.../audio/async/submit`` (the API page's path).
"""

from __future__ import annotations

from aiohttp import web

from . import handlers, profile
from .profile import Profile


def _route_path(dialect: Profile, endpoint: str) -> str:
    path = dialect.PATHS[endpoint]
    if f"{dialect.NAME}:{endpoint}" in profile.OPTIONAL_SLASH:
        return path + "{slash:/?}"
    if endpoint in profile.ALSO_SUBMIT:
        return path + "{submit:(?:/submit)?}"
    return path


def routes(dialect: Profile) -> list[web.RouteDef]:
    return [web.post(_route_path(dialect, eid), handlers.moderate, name=f"{dialect.NAME}:{eid}")
            for eid in profile.ENDPOINT_IDS]
