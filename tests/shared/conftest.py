"""Fixtures of the shared-store tests: a real Redis (CI's, or one started for the session)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from redis_helpers import RedisServer, isolated


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The Redis every test of this process uses (each under its own key prefix)."""
    given = os.environ.get("CI_REDIS_URL")
    if given:
        yield given
        return
    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.close()


@pytest.fixture
def store_url(redis_url: str) -> str:
    """A store URL no other test uses (its own key prefix)."""
    return isolated(redis_url)
