"""A store several processes and machines share through Redis (``--store redis://HOST:PORT/DB``).

Needs the ``redis`` extra (redis-py's asyncio client). :func:`redis_store_factory` is what
:class:`~modmock.mockserver.state.MockState` takes to build it.
"""

from __future__ import annotations

import functools
from typing import Any

from ..store import Store


def redis_store_factory(url: str) -> Any:
    """A factory of :class:`~.store.RedisStore` on ``url``, with MockState's store arguments."""
    from .store import RedisStore

    def build(*args: Any, **kwargs: Any) -> Store:
        return RedisStore(*args, url=url, **kwargs)

    return functools.wraps(RedisStore)(build)


__all__ = ["redis_store_factory"]
