"""The callback allow-list: loopback by default, more by name or network."""

from __future__ import annotations

from modmock.mockserver.core.callbacks import AllowList


def test_loopback_only_by_default() -> None:
    allow = AllowList()
    for url in ("http://127.0.0.1:9/cb", "http://127.8.9.10/cb", "http://localhost/cb", "http://[::1]:80/cb"):
        assert allow.allows(url), url
    for url in ("http://10.0.0.1/cb", "https://example.com/cb", "http://localhost.example.com/", "not a url"):
        assert not allow.allows(url), url


def test_names_and_networks_can_be_added() -> None:
    allow = AllowList(["hooks.internal", "192.168.50.0/24"])
    assert allow.allows("https://HOOKS.internal/cb")
    assert allow.allows("http://192.168.50.7/cb")
    assert not allow.allows("http://192.168.51.7/cb")
