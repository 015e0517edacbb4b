"""Bounded downloads of submitted media, from allow-listed hosts only (loopback by default).

A vendor that judges media by their bytes asks here; a host outside the allow-list is never
contacted (the caller judges by what the URL says instead).
"""

from __future__ import annotations

import asyncio

import aiohttp

from .callbacks import AllowList
from .media import MediaError

DOWNLOAD_TIMEOUT = 10.0  # real seconds
CHUNK = 64 * 1024


async def fetch(url: str, allow: AllowList, limit: int, timeout: float = DOWNLOAD_TIMEOUT, *,
                connect: float | None = None, read: float | None = None) -> bytes | None:
    """The bytes at ``url``, or None when its host is not allow-listed. Raises ``MediaError``
    with rule ``size`` past ``limit`` bytes (reading stops there), ``timeout`` when a bound ran
    out, and ``download`` on any other failure.
    ``connect`` and ``read`` bound the connection and each read (a vendor's documented timeouts)."""
    if not allow.allows(url):
        return None
    bounds = aiohttp.ClientTimeout(total=timeout, sock_connect=connect, sock_read=read)
    try:
        async with aiohttp.ClientSession(timeout=bounds) as session:
            async with session.get(url, allow_redirects=False) as answer:
                if answer.status != 200:
                    raise MediaError("download", f"GET {url} answered HTTP {answer.status}")
                data = bytearray()
                async for chunk in answer.content.iter_chunked(CHUNK):
                    data += chunk
                    if len(data) > limit:
                        raise MediaError("size", f"more than {limit} bytes (download stopped there)")
                return bytes(data)
    except (asyncio.TimeoutError, TimeoutError) as exc:
        raise MediaError("timeout", f"GET {url} timed out: {type(exc).__name__}: {exc}") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise MediaError("download", f"GET {url} failed: {type(exc).__name__}: {exc}") from None
