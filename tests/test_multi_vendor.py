"""Several vendors on one port: routes side by side, one journal, credentials by vendor."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import requests

import modmock
from alibaba_helpers import call, moderation, sdk
from helpers import image_request
from modmock.mockserver.settings import Settings, SettingsError
from modmock.mockserver.state import MockState
from test_cli import _start


def test_deepcleer_and_alibaba_on_one_port() -> None:
    with modmock.serve("deepcleer", "alibaba") as mock:
        assert requests.post(mock.url + "/image/v4", json=image_request(), timeout=10).json()["code"] == 1100
        assert call(sdk(mock), moderation()).body.code == 200
        assert [(e.vendor, e.endpoint) for e in mock.requests] == [
            ("deepcleer", "image_v4"), ("alibaba", "image_batch_moderation")]
        assert set(mock.credentials) == {"deepcleer", "alibaba"}
        assert mock.credentials["alibaba"]["accessKeys"][0]["accessKeyId"] == "test-ak"
        mock.assert_called("image_batch_moderation", times=1)


def test_cli_serves_both_and_prints_both_banners(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--vendor", "alibaba")
    try:
        assert info["vendors"] == ["deepcleer", "alibaba"]
        assert requests.post(f"{info['url']}/image/v4", json=image_request(), timeout=10).json()["code"] == 1100
        assert call(sdk(int(info["port"])), moderation()).body.code == 200  # type: ignore[arg-type]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert "AccessKeyId 'test-ak'  AccessKeySecret 'test-secret'" in out and "accessKey 'xxxx'" in out


def test_vendors_claiming_the_same_route_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from modmock.mockserver.core.vendor import Endpoint
    from modmock.mockserver.vendors.alibaba import Alibaba
    monkeypatch.setattr(Alibaba, "endpoints", (Endpoint("clash", "POST", "/image/v4", "clashes"),))
    with pytest.raises(SettingsError, match="deepcleer and alibaba both serve POST /image/v4"):
        MockState(Settings(vendors=["deepcleer", "alibaba"]))


def test_openapi_describes_both_vendors_as_they_are_called() -> None:
    with modmock.serve("deepcleer", "alibaba") as mock:
        spec = requests.get(mock.admin_url + "/openapi.json", timeout=10).json()
    deepcleer = spec["paths"]["/image/v4"]["post"]
    assert "requestBody" in deepcleer and "callbacks" in deepcleer
    alibaba = spec["paths"]["/"]["post"]
    assert "requestBody" not in alibaba
    assert {p["name"]: p["in"] for p in alibaba["parameters"]}["ServiceParameters"] == "query"
    assert set(alibaba["responses"]) == {"200", "4XX"}


def test_cli_serves_akool_beside_the_others(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--vendor", "alibaba", "--vendor", "akool")
    try:
        assert info["vendors"] == ["deepcleer", "alibaba", "akool"]
        token = requests.post(f"{info['url']}/api/open/v3/getToken", timeout=10, json={
            "clientId": "mock-client-id01", "clientSecret": "mock-client-secret-00001"}).json()
        assert token["code"] == 1000
        assert requests.post(f"{info['url']}/image/v4", json=image_request(), timeout=10).json()["code"] == 1100
        assert call(sdk(int(info["port"])), moderation()).body.code == 200  # type: ignore[arg-type]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert "clientId 'mock-client-id01'  clientSecret 'mock-client-secret-00001'  uid 101690" in out
