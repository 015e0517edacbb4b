"""Strategies for vendor formats that schemas cannot say: image URLs, user names."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from ..mockserver.core.verdict import ALIASES, CATEGORIES


@lru_cache(maxsize=1)
def _shared_faker() -> Any:
    from faker import Faker
    return Faker()


def _faker(seed: int) -> Any:
    """The Faker, seeded from Hypothesis' draw, so examples reproduce and shrink."""
    fake = _shared_faker()
    fake.seed_instance(seed)
    return fake


def words() -> st.SearchStrategy[str]:
    """Path words: realistic ones (Faker), and the default rule's category words now and then."""
    realistic = st.integers(0, 2**32).map(lambda i: _faker(i).word())
    return st.one_of(realistic, realistic, st.sampled_from(sorted(CATEGORIES + tuple(ALIASES) + ("review",))))


def image_urls(hosts: tuple[str, ...] = ("cdn.example.com", "img.example.org")) -> st.SearchStrategy[str]:
    """http(s) image URLs whose path the default verdict rule reads."""
    return st.builds(lambda scheme, host, parts, ext: f"{scheme}://{host}/{'/'.join(parts)}.{ext}",
                     st.sampled_from(["https", "http"]), st.sampled_from(hosts),
                     st.lists(words(), min_size=1, max_size=3), st.sampled_from(["jpg", "png", "webp", "gif"]))


def user_names() -> st.SearchStrategy[str]:
    return st.integers(0, 2**32).map(lambda i: _faker(i).user_name()[:64])
