"""Shared test settings: a bounded Hypothesis profile for CI, and request helpers."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

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
