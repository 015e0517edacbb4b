"""Each hostile case found by hand, over raw HTTP: the vendor's own error, a journal entry that is
not the mock's failure, and listings that keep working (the fuzzer, test_fuzz_http.py, draws more)."""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest
import requests

import modmock

DEEPCLEER = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "EROTIC",
             "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u"}}


def _send(port: int, path: str, body: bytes, headers: bytes = b"", close_early: bool = False) -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body) + (100 if close_early else 0)}\r\nConnection: close\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + headers + b"\r\n" + body)
        if close_early:
            return b""
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _json(answer: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def _no_internal_error(mock: modmock.MockServer) -> None:
    assert mock.requests and not any(n.startswith("internal error") for e in mock.requests for n in e.notes)
    assert requests.get(mock.admin_url + "/requests", timeout=10).status_code == 200


@pytest.fixture(scope="module")
def mock() -> modmock.MockServer:
    with modmock.serve("deepcleer", "akool", "alibaba") as served:
        yield served


@pytest.fixture
def fresh(mock: modmock.MockServer) -> modmock.MockServer:
    mock.reset()
    return mock


KEY = b"x-api-key: mock-client-secret-00001\r\n"


@pytest.mark.parametrize(("path", "body", "headers", "code"), [
    ("/image/v4", json.dumps({**DEEPCLEER, "accessKey": "\ud800"}), b"", 9101),
    ("/image/v4", json.dumps({**DEEPCLEER, "type": "\ud800"}), b"", 1902),
    ("/api/open/v3/getToken", json.dumps({"clientId": "\ud800", "clientSecret": "x"}), b"", 1101),
    ("/api/open/v3/content/analysis/sentiment", '{"type":1,"content":"https://x/a.jpg"}', b"x-api-key: \xff\r\n", 1101),
    ("/api/open/v3/content/analysis/sentiment", '{"type":[],"content":"https://x/a.jpg"}', KEY, 1003),
    ("/image/v4", "not gzip", b"Content-Encoding: gzip\r\n", 1902),
])
def test_a_hostile_value_gets_the_vendors_error(fresh: modmock.MockServer, path: str, body: str, headers: bytes,
                                               code: int) -> None:
    status, answer = _json(_send(fresh.port, path, body.encode(), headers))
    assert status == 200 and answer["code"] == code, answer
    _no_internal_error(fresh)


def test_alibaba_header_bytes_and_surrogate_parameters(fresh: modmock.MockServer) -> None:
    auth = b"Authorization: ACS3-HMAC-SHA256 Credential=test-ak,SignedHeaders=x-acs-content-sha256,Signature=00\r\n"
    answer = _send(fresh.port, "/?Action=ImageBatchModeration&Version=2022-03-02", b"",
                   b"x-acs-content-sha256: \xff\r\n" + auth)
    status, body = _json(answer)
    assert 400 <= status < 500 and body["Code"] == "SignatureDoesNotMatch"
    query = "/?Action=ImageBatchModeration&Version=2022-03-02&SignatureMethod=HMAC-SHA1&Signature=x" \
            "&AccessKeyId=test-ak&ServiceParameters=%ED%A0%80&Service=baselineCheck"
    status, body = _json(_send(fresh.port, query, b""))
    assert 400 <= status < 500, body
    _no_internal_error(fresh)


def test_a_deeply_nested_value_never_breaks_the_journal(fresh: modmock.MockServer) -> None:
    deep = json.loads("[" * 500 + "]" * 500)
    status, answer = _json(_send(fresh.port, "/image/v4", json.dumps({**DEEPCLEER, "data": {
        **DEEPCLEER["data"], "dataId": deep}}).encode()))
    assert answer["code"] == 1902
    listing = requests.get(fresh.admin_url + "/requests", timeout=10)
    assert listing.status_code == 200 and listing.json()


def test_a_client_gone_mid_body_is_a_disconnect_not_a_failure(fresh: modmock.MockServer,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="modmock"):
        _send(fresh.port, "/image/v4", json.dumps(DEEPCLEER).encode()[:40], close_early=True)
        for _ in range(100):
            if fresh.requests:
                break
            time.sleep(0.02)
    (entry,) = fresh.requests
    assert entry.disconnected and entry.code is None and "client disconnected" in entry.notes[0]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "modmock"]


def test_malformed_http_is_one_info_line(fresh: modmock.MockServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="aiohttp.server"):
        with socket.create_connection(("127.0.0.1", fresh.port), timeout=10) as sock:
            sock.sendall(b"POST /app/\xed\xa0\x80 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert sock.recv(65536).split(b" ", 2)[1] == b"400"
        time.sleep(0.1)
    records = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert records and all(r.levelno == logging.INFO and not r.exc_info for r in records)


def test_a_request_cut_off_by_shutdown_is_journaled_and_named(caplog: pytest.LogCaptureFixture) -> None:
    server = modmock.MockServer(modmock.Settings(port=0, time_scale=0, shutdown_grace=0.2)).start()
    with caplog.at_level(logging.INFO, logger="modmock"), \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as held:
        held.sendall(b"POST /image/v4 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"accessKey\"")  # half a body, then nothing
        time.sleep(0.2)  # the server reads the head (real time on loopback, not a vendor wait)
        server.stop()
    (entry,) = server.requests
    assert entry.disconnected and "cut off by the server's shutdown" in entry.notes[-1]
    cut = [r.getMessage() for r in caplog.records if "cut off" in r.getMessage()]
    assert cut and cut[0].startswith("shutdown: cut off POST /image/v4 from 127.0.0.1:")


def test_an_admin_write_cut_short_is_a_disconnect(fresh: modmock.MockServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="modmock"), \
            socket.create_connection(("127.0.0.1", fresh.port), timeout=10) as sock:
        sock.sendall(b"POST /__admin/rules HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 500\r\n\r\n{\"match\"")
        sock.close()
        for _ in range(100):
            if any("client disconnected" in r.getMessage() for r in caplog.records):
                break
            time.sleep(0.02)
    assert any("POST /__admin/rules: client disconnected" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert requests.get(fresh.admin_url + "/rules", timeout=10).json()["rules"] == []


def test_shutdown_within_one_grace_period_when_a_handler_waits(caplog: pytest.LogCaptureFixture) -> None:
    server = modmock.MockServer(modmock.Settings(port=0, time_scale=1, shutdown_grace=1.0)).start()
    server.add_latency(30)  # a handler that would wait 30 s
    with caplog.at_level(logging.INFO, logger="modmock"), \
            socket.create_connection(("127.0.0.1", server.port), timeout=10) as held:
        body = json.dumps(DEEPCLEER).encode()
        held.sendall(b"POST /image/v4 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        time.sleep(0.2)  # the handler is waiting (real time on loopback, not a vendor wait)
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
    assert took < 1.0 + 0.8, took  # one grace period and some slack (three were 3 s)
    cut = [r.getMessage() for r in caplog.records if "cut off" in r.getMessage()]
    assert cut and cut[0].startswith("shutdown: cut off POST /image/v4 from 127.0.0.1:"), cut


BROKEN_GIF = ("R0lGODdhIAAgAIEAAAECAwAAAAAAAAAAACwAAAAAIAAgAAAINQABCBxIsKDBgwgTKlzIsKHDhxAjSpxIsaLFixgzatzIsaPH"
              "jyBDihxJsqTJkyhTqlzJUmRAACH5BAEAAAEALAAAAAAgACA=")  # truncated: Pillow raises struct.error


def test_a_damaged_image_is_the_vendors_error_not_an_internal_one(fresh: modmock.MockServer) -> None:
    as_img = {**DEEPCLEER, "data": {**DEEPCLEER["data"], "img": BROKEN_GIF}}
    as_base = {**DEEPCLEER, "type": "EROTIC", "businessType": "FACECOMPARE",
               "data": {**DEEPCLEER["data"], "imgCompareBase": BROKEN_GIF}}
    for body in (as_img, as_base):
        status, answer = _json(_send(fresh.port, "/image/v4", json.dumps(body).encode()))
        assert answer["code"] == 1902, answer
    _no_internal_error(fresh)


def test_a_phone_jpeg_with_a_preview_is_one_still_picture() -> None:
    import io

    from PIL import Image

    from modmock.mockserver.core.media import inspect
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="MPO", save_all=True, append_images=[Image.new("RGB", (16, 16))])
    info = inspect(out.getvalue())
    assert (info.format, info.frames) == ("mpo", 1)
