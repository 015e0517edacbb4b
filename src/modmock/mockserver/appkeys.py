"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from aiohttp import web

from .state import MockState

STATE = web.AppKey("modmock_state", MockState)
