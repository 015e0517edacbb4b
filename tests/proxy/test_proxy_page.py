"""The proxy's page in a real headless browser: the drift report appears live, a value the
vendor sent is shown as text (never markup), and the report can be cleared."""

from __future__ import annotations

import copy
from typing import Any

import requests

import modmock
from helpers import image_request
from modmock.proxy.running import serve_proxy

REAL = {"deepcleer": {"include_defaults": False, "credentials": [{"access_key": "real-access-key"}]}}


def test_the_page_shows_the_drift_report_live(page: Any) -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, \
            serve_proxy("deepcleer", vendor.url, {"access_key": "real-access-key"}) as proxy:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(proxy.url + "/__admin/")
        page.locator("#live.on").wait_for()
        assert page.locator("#empty").is_visible()
        answer = requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json()
        odd = copy.deepcopy(answer)
        odd["<img src=x onerror=alert(1)>"] = "<b>bold</b>"
        vendor.respond_with(odd)
        requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10)
        row = page.locator("#drift tbody tr.drift")
        row.first.wait_for()  # no reload: the page reads the report every second
        assert row.count() == 1
        assert row.first.locator("td.field").inner_text() == "<img src=x onerror=alert(1)>"
        assert page.locator("#drift img").count() == 0  # text, not markup
        assert page.locator("#exchanges tbody tr").count() == 2
        page.locator("#clear").click()
        page.locator("#empty").wait_for(state="visible")
        assert proxy.drift()["differences"] == []
        assert errors == []
