"""URL images on allow-listed hosts (loopback by default) are downloaded and their bytes judged:
size, format, resolution; one retry, then backupUrl; other hosts are judged by their URL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

import modmock
from akool_helpers import MediaServer
from helpers import image_request
from modmock.fixtures.media import image_bytes

MB = 1024 * 1024


@pytest.fixture(scope="module")
def media() -> Iterator[MediaServer]:
    server = MediaServer({
        "/ok.png": image_bytes(64, 64), "/junk.png": b"not an image", "/tiny.png": image_bytes(8, 8),
        "/big.png": image_bytes(64, 64) + b"\0" * (10 * MB), "/porn.png": image_bytes(64, 64),
        "/moving.gif": image_bytes(40, 40, "GIF", frames=9),
    })
    yield server
    server.close()


def _post(mock: modmock.MockServer, data: dict) -> dict:  # type: ignore[type-arg]
    return requests.post(mock.url + "/image/v4", json=image_request(data), timeout=30).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("path", "code", "says"), [
    ("/ok.png", 1100, None), ("/junk.png", 1902, "data.img"), ("/tiny.png", 1902, "resolution 8x8"),
    ("/big.png", 1902, "bytes"),
])
def test_a_downloaded_image_is_judged_by_its_bytes(deepcleer_mock, media: MediaServer, path: str, code: int,
                                                    says: str | None) -> None:
    answer = _post(deepcleer_mock, {"img": media.url(path)})
    assert answer["code"] == code, answer
    if says:
        assert says in answer["message"]
    else:
        assert any(n.startswith("data.img: downloaded") for n in deepcleer_mock.requests[-1].notes)


def test_the_default_rule_still_reads_the_url(deepcleer_mock, media: MediaServer) -> None:
    assert _post(deepcleer_mock, {"img": media.url("/porn.png")})["riskLevel"] == "REJECT"


def test_a_failed_download_is_tried_again_then_backup_url(deepcleer_mock, media: MediaServer) -> None:
    answer = _post(deepcleer_mock, {"img": media.url("/gone.png"), "backupUrl": media.url("/ok.png")})
    assert answer["code"] == 1100
    assert any(media.url("/ok.png") in n for n in deepcleer_mock.requests[-1].notes)
    failed = _post(deepcleer_mock, {"img": media.url("/gone.png"), "backupUrl": media.url("/also-gone.png")})
    assert failed["code"] == 1911 and failed["message"]
    assert deepcleer_mock.requests[-1].valid  # an outage, not the client's fault


def test_hosts_outside_the_allow_list_are_never_contacted(deepcleer_mock) -> None:
    assert _post(deepcleer_mock, {"img": "https://cdn.example.com/x.png"})["code"] == 1100
    assert not any("downloaded" in n for n in deepcleer_mock.requests[-1].notes)


def test_a_downloaded_animated_image_counts_its_segments(deepcleer_mock, media: MediaServer) -> None:
    assert _post(deepcleer_mock, {"img": media.url("/moving.gif")})["auxInfo"]["segments"] == 3  # maxFrame 3
    answer = _post(deepcleer_mock, {"img": media.url("/moving.gif"), "maxFrame": 20, "interval": 2})
    assert answer["auxInfo"]["segments"] == 5
