"""The dashboard in a real headless browser (Debian's Chromium driven by Playwright): it loads,
follows the journal live, opens a request whole, and moves the mock clock."""

from __future__ import annotations

from typing import Any

import pytest
import requests

import modmock
from helpers import image_request

pytest.importorskip("playwright.sync_api", reason="the test extras install Playwright")  # (the browser fixtures)


def test_the_dashboard_follows_the_journal_and_moves_the_clock(page: Any) -> None:
    with modmock.serve("deepcleer", clock="manual") as mock:
        requests.post(mock.url + "/image/v4", json=image_request(), timeout=10)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(mock.url + "/__admin/")
        rows = page.locator("#requests tbody tr")
        rows.first.wait_for()
        assert rows.count() == 1
        page.locator("#live.on").wait_for()

        requests.post(mock.url + "/image/v4", json=image_request({"tokenId": None}), timeout=10)  # live, no reload
        page.locator("#requests tbody tr.invalid").wait_for()
        assert rows.count() == 2

        page.locator("#requests tbody tr.invalid").click()
        detail = page.locator("#detail")
        detail.locator("tr.problem").first.wait_for()
        assert "data.tokenId" in detail.inner_text() and "required" in detail.inner_text()

        before = mock.state.clock.now()
        page.fill("#advance-seconds", "90")
        page.click("#advance")
        page.wait_for_function("(t) => Number(document.getElementById('clock-time').dataset.time) >= t",
                               arg=before + 90)  # the page shows the mock time moved on
        assert mock.state.clock.now() == pytest.approx(before + 90)
        assert errors == []


def test_client_values_are_shown_as_text_never_as_markup(page: Any) -> None:
    with modmock.serve("deepcleer") as mock:
        hostile = "<img src=x onerror=window.pwned=1>"
        requests.post(mock.url + "/image/v4", json=image_request({"tokenId": hostile}), timeout=10)
        page.goto(mock.url + "/__admin/")
        page.locator("#requests tbody tr").first.click()
        page.locator("#detail pre").first.wait_for()
        assert hostile in page.locator("#detail").inner_text()
        assert page.evaluate("() => window.pwned === undefined")
        assert page.locator("#detail img").count() == 0


def test_a_click_lands_while_the_feed_is_live_and_filters_ask_the_server(page: Any) -> None:
    import threading

    with modmock.serve("deepcleer") as mock:
        requests.post(mock.url + "/image/v4", json=image_request({"tokenId": None}), timeout=10)  # one invalid
        stop = threading.Event()

        def traffic() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    session.post(mock.url + "/image/v4", json=image_request(), timeout=10)

        sender = threading.Thread(target=traffic, daemon=True)
        try:
            page.goto(mock.url + "/__admin/")
            page.locator("#live.on").wait_for()
            sender.start()
            for _ in range(5):  # a click held 150 ms, as a person's is, while rows keep arriving
                wanted = page.locator("#requests tbody tr").nth(3).get_attribute("data-id")
                page.locator(f'#requests tbody tr[data-id="{wanted}"]').click(delay=150)
                page.locator("#detail h2", has_text=f"#{wanted} ").wait_for(timeout=5000)
            page.select_option("#filter-valid", "false")
            # the rows shown until the server's filtered answer replaces them are the live feed's:
            # wait for the filtered list (every row invalid), then count it
            page.wait_for_function("""() => { const rows = [...document.querySelectorAll('#requests tbody tr')];
                return rows.length >= 1 && rows.every(row => row.classList.contains('invalid')); }""", timeout=10000)
            assert page.locator("#requests tbody tr").count() == page.locator("#requests tbody tr.invalid").count() == 1
        finally:
            stop.set()
            sender.join(10)


def test_a_reset_anywhere_clears_every_open_page(page: Any) -> None:
    with modmock.serve("deepcleer") as mock:
        for _ in range(3):
            requests.post(mock.url + "/image/v4", json=image_request(), timeout=10)
        page.goto(mock.url + "/__admin/")
        page.locator("#live.on").wait_for()
        page.wait_for_function("() => document.querySelectorAll('#requests tbody tr').length === 3")
        mock.reset()  # from the test, not from the page
        requests.post(mock.url + "/image/v4", json=image_request(), timeout=10)
        page.wait_for_function("() => document.querySelectorAll('#requests tbody tr').length === 1")
        assert page.locator("#skipped").inner_text() == ""


def test_the_coverage_tab_shows_what_was_never_exercised(page: Any) -> None:
    with modmock.serve("deepcleer") as mock:
        requests.post(mock.url + "/image/v4", json=image_request(), timeout=10)
        mock.fail_next(1901)
        requests.post(mock.url + "/image/v4", json=image_request(), timeout=10)
        page.goto(mock.url + "/__admin/")
        page.click("nav button[data-tab=coverage]")
        card = page.locator("#coverage .card[data-vendor=deepcleer]")
        card.wait_for()
        text = card.inner_text()
        assert "image_v4 ×2" in text and "1901 ×1" in text
        assert "never: 1902, 1903, 1911, 9101" in text
