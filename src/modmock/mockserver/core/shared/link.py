"""The connection to the shared Redis server: key names, Lua scripts, and outages.

Every call the shared store makes goes through :meth:`Link.call`, so an unreachable or restarting
server is one :class:`~..store.StoreUnavailable` (the vendor's service-failure answer) and one log
line per outage, never a hang: each command waits at most ``TIMEOUT`` seconds, and redis-py opens
a new connection for the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ...settings import SettingsError, describe_store
from ..store import StoreUnavailable

try:
    import redis.asyncio as aioredis
    from redis.backoff import NoBackoff
    from redis.exceptions import AuthenticationError, RedisError, ResponseError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry
except ImportError as missing:  # pragma: no cover - the optional extra is not installed
    raise ImportError("--store redis:// needs the redis extra: pip install -e '.[redis]'") from missing

log = logging.getLogger("modmock")
T = TypeVar("T")
TIMEOUT = 2.0  # seconds one command (or a connection) may take before the store counts as down
PROBE = 1.0  # while it is down, one call a second tries it; the others fail at once (no request waits)
PREFIX = "modmock"


def split_prefix(url: str) -> tuple[str, str]:
    """The Redis URL without its ``prefix=NAME`` query parameter, and that prefix (``modmock``
    by default): several mocks can share one Redis server, each under its own prefix."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    prefix = next((value for name, value in query if name == "prefix"), PREFIX)
    rest = urlencode([(name, value) for name, value in query if name != "prefix"])
    return urlunsplit(parts._replace(query=rest)), prefix or PREFIX


class Link:
    """One Redis client (a pool of connections) and the run's key prefix."""

    def __init__(self, url: str) -> None:
        self.url = url
        address, self.prefix = split_prefix(url)
        try:
            self.redis: Any = aioredis.from_url(address, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
                                                retry=Retry(NoBackoff(), 0), health_check_interval=10)
        except (TypeError, ValueError) as exc:  # an unknown or malformed URL parameter
            raise SettingsError(f"--store {describe_store(url)}: {exc}") from None
        self.down: str | None = None  # why the last call failed, while the store is unreachable
        self._probed = 0.0  # monotonic time of the last call that tried the store while down
        self._scripts: dict[str, Any] = {}

    def key(self, *parts: object) -> str:
        """``modmock:part:part``: every key of the run under one prefix."""
        return ":".join((self.prefix, *map(str, parts)))

    def script(self, name: str, source: str) -> Any:
        """A Lua script registered once (redis-py sends it by its SHA, loading it when needed)."""
        found = self._scripts.get(name)
        if found is None:
            found = self._scripts[name] = self.redis.register_script(source)
        return found

    async def call(self, make: Callable[[], Awaitable[T]]) -> T:
        """The result of ``make()``; an error of the connection or the server is
        :class:`StoreUnavailable`, logged once per outage (and once when it is over). While the
        store is down only one call a second tries it (a stalled server costs one request its
        timeout, not every request)."""
        if self.down is not None:
            now = time.monotonic()
            if now - self._probed < PROBE:
                raise StoreUnavailable(self.down)
            self._probed = now
        try:
            result = await make()
        except (RedisError, OSError, asyncio.TimeoutError) as exc:
            if isinstance(exc, (RedisConnectionError, OSError)):  # the server went away: so did the idle
                with contextlib.suppress(Exception):            # connections (each would fail once more)
                    await self.redis.connection_pool.disconnect(inuse_connections=False)
            why = f"{type(exc).__name__}: {exc}"
            if self.down is None:
                self._probed = time.monotonic()
                log.error("shared store %s unavailable (%s): requests get the vendor's service-failure "
                          "answer until it is back", describe_store(self.url), why)
            self.down = why
            raise StoreUnavailable(why) from None
        if self.down is not None:
            log.warning("shared store %s is back (down: %s)", describe_store(self.url), self.down)
            self.down = None
        return result

    async def check(self) -> None:
        """Refuse a store that answers but cannot be used (a wrong password, a database that does
        not exist) with :class:`SettingsError`; an unreachable one is only logged (it may come up
        later, and the mock joins it then)."""
        try:
            await self.redis.ping()
        except (ResponseError, AuthenticationError, TypeError, ValueError) as exc:  # (an unknown URL parameter)
            raise SettingsError(f"--store {describe_store(self.url)}: {type(exc).__name__}: {exc}") from None
        except (RedisError, OSError, asyncio.TimeoutError):
            with contextlib.suppress(StoreUnavailable):  # unreachable: logged once, as every outage is
                await self.call(self.redis.ping)

    async def close(self) -> None:
        try:
            await self.redis.aclose()
        except (RedisError, OSError):
            pass
