"""Shared test settings: a bounded Hypothesis profile for CI, and request helpers."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from redis_helpers import RedisServer, isolated

settings.register_profile("ci", max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

@pytest.fixture
def post(deepcleer_mock):
    """POST a body to /image/v4 of the running mock and return the parsed JSON answer."""
    import requests

    def _post(body: Any, **kwargs: Any) -> dict[str, Any]:
        resp = requests.post(deepcleer_mock.url + "/image/v4", json=body, timeout=10, **kwargs)
        assert resp.status_code == 200, resp.text
        return resp.json()

    return _post


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


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (the dashboard and the proxy's page)."""
    playwright = pytest.importorskip("playwright.sync_api", reason="the test extras install Playwright")
    if CHROMIUM is None:  # .ci/run installs it (and requires it); a developer machine may not have it
        if os.environ.get("CI_REQUIRE_BROWSER"):
            pytest.fail("Chromium is not installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()
