"""The admin API with a browser around: foreign Host names, cross-origin writes and callbacks
aimed at the mock's own admin API are refused; the vendor API is not affected."""

from __future__ import annotations

import pytest
import requests

import modmock
from helpers import image_request, raw_http
from modmock.mockserver.mock import MockServer
from modmock.mockserver.settings import Settings


def _rules(mock: modmock.MockServer) -> int:
    return len(requests.get(mock.admin_url + "/rules", timeout=10).json()["rules"])


@pytest.fixture
def armed(deepcleer_mock: modmock.MockServer) -> modmock.MockServer:
    deepcleer_mock.add_rule({"match": {}, "verdict": {"risk": "pass"}})
    return deepcleer_mock


def test_a_foreign_host_name_is_refused(armed: modmock.MockServer) -> None:
    status, answer = raw_http(armed.port, b"GET /__admin/requests HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    assert status == 403 and b"Host" in answer
    for host in (f"127.0.0.1:{armed.port}", f"localhost:{armed.port}", f"[::1]:{armed.port}"):
        status, _ = raw_http(armed.port, f"GET /__admin/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert status == 200, host
    status, _ = raw_http(armed.port, b"POST /image/v4 HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    assert status == 200  # the vendor API answers any Host (clients point a vendor name at the mock)


@pytest.mark.parametrize(("host", "own"), [
    ("127.0.0.1", True), ("localhost:8080", True), ("[::1]:1", True), ("app.localhost", True),
    ("[fe80::1%25eth0]:8080", True), ("[fe80::1%eth0]", True), ("localhost:", True), ("[::1]:", True),
    ("::1", True), ("app.localhost.", True), ("127.0.0.1.", True), ("LOCALHOST:80", True),
    ("localhost:evil", False), ("[::1]junk", False), ("localhost:8080:1", False), ("user@localhost", False),
    ("evil.example", False), ("evil.example.", False), ("", False), ("localhost..", False),
])
def test_own_host_names(armed: modmock.MockServer, host: str, own: bool) -> None:
    from modmock.mockserver.admin import own_host
    assert own_host(armed.state, host) is own


def test_an_operator_lists_more_host_names() -> None:
    mock = MockServer(Settings(vendors=["deepcleer"], port=0, admin_hosts=["modmock.internal"])).start()
    try:
        for host in (b"modmock.internal:8080", b"modmock.internal.", b"MODMOCK.internal"):
            status, _ = raw_http(mock.port, b"GET /__admin/health HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
            assert status == 200, host
    finally:
        mock.stop()


def test_a_cross_origin_page_cannot_write(armed: modmock.MockServer) -> None:
    simple = requests.post(armed.admin_url + "/reset", data="{}", headers={"Content-Type": "text/plain"}, timeout=10)
    assert simple.status_code == 400  # what a page may send without a preflight
    foreign = requests.post(armed.admin_url + "/reset", json={}, headers={"Origin": "http://evil.example"}, timeout=10)
    assert foreign.status_code == 403
    fetched = requests.post(armed.admin_url + "/reset", json={}, headers={"Sec-Fetch-Site": "cross-site"}, timeout=10)
    assert fetched.status_code == 403
    assert _rules(armed) == 1  # nothing was reset
    own = requests.post(armed.admin_url + "/reset", json={}, timeout=10,
                        headers={"Origin": f"http://127.0.0.1:{armed.port}", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200 and _rules(armed) == 0


def test_a_callback_never_reaches_the_mocks_own_admin_api(armed: modmock.MockServer) -> None:
    body = image_request()
    body["callback"] = f"http://127.0.0.1:{armed.port}/__admin/reset"
    assert requests.post(armed.url + "/image/v4", json=body, timeout=10).json()["code"] == 1100
    (delivery,) = armed.wait_for_callbacks(1, timeout=5)
    assert delivery.state == "blocked" and "admin API" in (delivery.attempts[0].error or "")
    assert _rules(armed) == 1


@pytest.mark.parametrize("path", ["/__admin/reset", "/%5F%5Fadmin/reset", "/./__admin/reset", "/x/../__admin/reset",
                                  "/%2E/__admin/reset", "/%2e%2e/__admin/reset", "//__admin/reset", "/__ADMIN/reset"])
def test_no_spelling_of_the_admin_path_is_a_callback_target(armed: modmock.MockServer, path: str) -> None:
    body = image_request()
    body["callback"] = f"http://127.0.0.1:{armed.port}{path}"
    assert requests.post(armed.url + "/image/v4", json=body, timeout=10).json()["code"] == 1100
    (delivery,) = armed.wait_for_callbacks(1, timeout=5)
    assert delivery.state == "blocked" and _rules(armed) == 1


def test_another_sites_page_can_open_no_stream_nor_read(armed) -> None:
    for path in ("/__admin/events", "/__admin/requests", "/__admin/"):
        status, _ = raw_http(armed.port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: cross-site\r\n"
                         "Connection: close\r\n\r\n".encode())
        assert status == 403, path
    status, _ = raw_http(armed.port, b"GET /__admin/requests HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n"
                     b"Connection: close\r\n\r\n")
    assert status == 200
    status, _ = raw_http(armed.port, b"GET /__admin/ HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-Fetch-Site: cross-site\r\n"
                     b"Sec-Fetch-Mode: navigate\r\nConnection: close\r\n\r\n")
    assert status == 200  # a link to the dashboard followed from another site opens it
