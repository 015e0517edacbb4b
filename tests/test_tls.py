"""HTTPS with the run's local CA, vendor host names in the certificate, and the 308 redirect."""

from __future__ import annotations

import json
import signal
import socket
import ssl
from pathlib import Path

import pytest
import requests

import modmock
from helpers import image_request
from test_cli import _start


@pytest.fixture(scope="module")
def secure():
    with modmock.serve("deepcleer", "alibaba", tls=True, tls_hosts=["api-img-bj.fengkongcloud.com"],
                       http_redirect_port=0) as mock:
        yield mock


def test_a_client_trusting_the_run_ca_gets_answers(secure) -> None:
    assert secure.url.startswith("https://127.0.0.1:")
    resp = requests.post(secure.url + "/image/v4", json=image_request(), verify=secure.ca_bundle, timeout=10)
    assert resp.json()["code"] == 1100


def test_a_client_without_the_ca_is_refused(secure) -> None:
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(secure.url + "/image/v4", json=image_request(), timeout=10)


def _handshake(mock: modmock.MockServer, server_name: str) -> str:
    context = ssl.create_default_context(cafile=mock.ca_bundle)
    with socket.create_connection(("127.0.0.1", mock.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            return tls.version() or ""


@pytest.mark.parametrize("name", ["localhost", "api-img-bj.fengkongcloud.com"])
def test_the_certificate_covers_localhost_and_listed_vendor_hosts(secure, name: str) -> None:
    assert _handshake(secure, name).startswith("TLS")


def test_an_unlisted_host_name_fails_verification(secure) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(secure, "green-cip.cn-shanghai.aliyuncs.com")


def test_plain_http_is_redirected_with_the_method_kept(secure) -> None:
    plain = requests.post(secure.redirect_url + "/image/v4?x=1", json=image_request(), allow_redirects=False,
                          timeout=10)
    assert plain.status_code == 308
    assert plain.headers["Location"] == f"https://127.0.0.1:{secure.port}/image/v4?x=1"
    followed = requests.post(secure.redirect_url + "/image/v4", json=image_request(), verify=secure.ca_bundle,
                             timeout=10)
    assert followed.json()["code"] == 1100 and followed.history[0].status_code == 308


def test_the_alibaba_sdk_over_https(secure) -> None:
    from alibabacloud_green20220302.client import Client
    from alibabacloud_tea_openapi.models import Config
    from alibabacloud_tea_util.models import RuntimeOptions

    from alibaba_helpers import moderation
    client = Client(Config(access_key_id="test-ak", access_key_secret="test-secret",
                           endpoint=f"127.0.0.1:{secure.port}", protocol="https", ca=secure.ca_bundle))
    body = client.image_batch_moderation_with_options(moderation(), RuntimeOptions(ca=secure.ca_bundle)).body
    assert body.code == 200


def test_redirect_needs_tls() -> None:
    with pytest.raises(modmock.SettingsError, match="needs --tls"):
        modmock.serve("deepcleer", http_redirect_port=0)


def test_cli_tls_banner_and_ready_file(tmp_path: Path) -> None:
    proc, info = _start(tmp_path, "--vendor", "deepcleer", "--tls", "--tls-dir", str(tmp_path / "ca"),
                        "--http-redirect-port", "0")
    try:
        bundle = info["ca_bundle"]
        assert bundle == str(tmp_path / "ca" / "modmock-ca.pem") and Path(str(bundle)).exists()
        assert str(info["url"]).startswith("https://")
        resp = requests.post(f"{info['url']}/image/v4", json=image_request(), verify=str(bundle), timeout=10)
        assert resp.json()["code"] == 1100
        redirect = requests.get(f"http://127.0.0.1:{info['redirect_port']}/__admin/health", allow_redirects=False,
                                timeout=10)
        assert redirect.status_code == 308
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    assert f"TLS: CA bundle {bundle}" in out and "answers 308" in out
    json.dumps(info)


@pytest.mark.parametrize("host", [b"evil.example:1/x?", b"127.0.0.1:99999", b"a b", b"[::1"])
def test_the_redirect_answers_a_broken_host_with_a_400(secure, host: bytes) -> None:
    import socket

    port = int(secure.redirect_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /image/v4 HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n")
        answer = sock.recv(65536)
    assert answer.split(b" ", 2)[1] in (b"400",), answer[:200]


def test_the_redirect_goes_to_the_servers_own_names_only(secure) -> None:
    port = int(secure.redirect_url.rsplit(":", 1)[1])
    elsewhere = requests.get(f"http://127.0.0.1:{port}/x", headers={"Host": "evil.example"}, allow_redirects=False,
                             timeout=10)
    assert elsewhere.status_code == 308 and elsewhere.headers["Location"] == f"https://127.0.0.1:{secure.port}/x"
    named = requests.get(f"http://127.0.0.1:{port}/x", headers={"Host": "localhost:80"}, allow_redirects=False,
                         timeout=10)
    assert named.headers["Location"] == f"https://localhost:{secure.port}/x"
