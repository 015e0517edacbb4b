"""The nonce store: a nonce is refused within its window, usable again after it, and the
store never holds more than its bound."""

from __future__ import annotations

from modmock.mockserver.core.nonces import NonceStore


def test_a_nonce_is_refused_within_its_window_and_usable_after() -> None:
    now = [1000.0]
    store = NonceStore(now=lambda: now[0])
    assert store.use(("alibaba", "ak", "n-1"), 900)
    assert not store.use(("alibaba", "ak", "n-1"), 900)
    assert store.use(("alibaba", "other-ak", "n-1"), 900)  # the key holds who used it
    now[0] += 901
    assert store.use(("alibaba", "ak", "n-1"), 900)
    assert len(store) == 1  # the expired ones went when the clock passed them
    assert not store.use(("alibaba", "ak", "n-1"), 900)


def test_the_bound_forgets_the_oldest_first() -> None:
    store = NonceStore(capacity=100, now=lambda: 0.0)
    for i in range(250):
        assert store.use(i, 900)
    assert len(store) == 100
    assert not store.use(249, 900) and store.use(0, 900)  # the newest remembered, the oldest forgotten


def test_hostile_nonces_are_stored() -> None:
    store = NonceStore(now=lambda: 0.0)
    assert store.use(("alibaba", "ak", "\ud800"), 900) and not store.use(("alibaba", "ak", "\ud800"), 900)
