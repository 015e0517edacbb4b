"""The server says what it does: one line per request, a warning naming the flag for a blocked
callback, the scenario and a non-loopback bind in the banner, JSON lines for machines."""

from __future__ import annotations

import json
import logging
import signal
from pathlib import Path

import pytest
import requests

import modmock
from helpers import image_request
from modmock.mockserver.cli import _banner, is_loopback
from modmock.mockserver.runner import Sites
from modmock.mockserver.settings import Settings
from modmock.mockserver.state import MockState
from test_cli import _start


def test_each_request_is_one_line(deepcleer_mock: modmock.MockServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="modmock.requests"):
        requests.post(deepcleer_mock.url + "/image/v4", json=image_request(), timeout=10)
        requests.post(deepcleer_mock.url + "/image/v4", json=image_request({"tokenId": None}), timeout=10)
        requests.get(deepcleer_mock.url + "/images/v5", timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "modmock.requests"]
    assert lines[0] == "POST /image/v4 deepcleer:image_v4 → 200 1100"
    assert lines[1] == "POST /image/v4 deepcleer:image_v4 → 200 1902 invalid: data.tokenId required"
    assert lines[2].startswith("GET /images/v5 deepcleer:(unmatched) → 404 1902 near miss: closest is deepcleer:")
    assert len(lines) == 3


def test_a_blocked_callback_warns_once_per_host_naming_the_flag(caplog: pytest.LogCaptureFixture) -> None:
    with modmock.serve("deepcleer") as mock, caplog.at_level(logging.DEBUG, logger="modmock"):
        for _ in range(2):
            requests.post(mock.url + "/image/v4", json=image_request(callback="http://hooks.example.com/x"), timeout=10)
        mock.wait_for_callbacks(2)
    warned = [r for r in caplog.records if "blocked" in r.getMessage() and r.levelno == logging.WARNING]
    assert len(warned) == 1 and "--allow-callback-host" in warned[0].getMessage()
    assert "allow_callback_hosts=['hooks.example.com']" in warned[0].getMessage()


def test_the_banner_the_readme_shows_is_the_one_printed() -> None:
    from helpers import docs_block

    settings = Settings(vendors=["deepcleer"])
    printed = _banner(settings, Sites("http://127.0.0.1:8080", 8080), MockState(settings))
    assert docs_block("README.md", "modmock serving") == printed.split("\n")


def test_the_banner_names_the_scenario_and_warns_of_a_public_bind() -> None:
    settings = Settings(vendors=["deepcleer"], host="0.0.0.0", scenario="throttled")
    text = _banner(settings, Sites("http://0.0.0.0:8080", 8080), MockState(settings))
    assert "scenario: throttled (0 rule(s), 1 fault(s) armed)" in text
    assert "warning: bound to 0.0.0.0" in text and "--admin-allow" in text and "--allow-callback-host" in text
    local = Settings(vendors=["deepcleer"])
    assert "warning" not in _banner(local, Sites("http://127.0.0.1:8080", 8080), MockState(local))
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and not is_loopback("::")


def test_json_logs_are_one_object_per_line(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--time-scale", "0", "--log-format", "json")
    requests.post(f"{info['url']}/image/v4", json=image_request({"tokenId": None}), timeout=10)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    (request,) = [line for line in lines if line["logger"] == "modmock.requests"]
    assert request["endpoint"] == "image_v4" and request["code"] == 1902 and request["valid"] is False
    assert request["detail"] == "invalid: data.tokenId required" and request["time"].endswith("Z")
