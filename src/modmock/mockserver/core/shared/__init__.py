"""A store several processes and machines share through Redis (``--store redis://HOST:PORT/DB``).

Needs the ``redis`` extra (redis-py's asyncio client). :func:`redis_store_factory` is what
:class:`~modmock.mockserver.state.MockState` takes to build it.
"""

from __future__ import annotations

import functools
from typing import Any

from ..store import Store


def redis_store_factory(url: str, secret: str | None = None) -> Any:
    """A factory of :class:`~.store.RedisStore` on ``url``, with MockState's store arguments;
    ``secret`` signs the work it holds (see :mod:`.secret`)."""
    from .secret import store_key
    from .store import RedisStore

    key = store_key(secret)

    def build(*args: Any, **kwargs: Any) -> Store:
        return RedisStore(*args, url=url, key=key, **kwargs)

    return functools.wraps(RedisStore)(build)


__all__ = ["redis_store_factory"]
