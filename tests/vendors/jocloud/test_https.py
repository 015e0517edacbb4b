"""HTTPS as the seeds describe it: with --tls, a plain-HTTP request is redirected to HTTPS with
its method and body kept (308), and the vendor host can be in the certificate."""

from __future__ import annotations

import socket
import ssl

import pytest
import requests

import modmock
from jocloud_helpers import TOKEN, image, path
from modmock.mockserver.vendors.jocloud import profile


@pytest.fixture(scope="module")
def secure():
    with modmock.serve("aivacom", tls=True, tls_hosts=[profile.AIVACOM.HOST], http_redirect_port=0) as mock:
        yield mock


def test_plain_http_is_redirected_to_https_keeping_the_post(secure) -> None:
    target = path("aivacom", profile.IMAGE_SYNC) + "?traceId=abc"
    plain = requests.post(secure.redirect_url + target, json=image(), headers={"token": TOKEN},
                          allow_redirects=False, timeout=10)
    assert plain.status_code == 308
    assert plain.headers["Location"] == f"https://127.0.0.1:{secure.port}{target}"
    followed = requests.post(secure.redirect_url + target, json=image(data_id="sex.jpg"), headers={"token": TOKEN},
                             verify=secure.ca_bundle, timeout=10)
    assert followed.status_code == 200 and followed.history[0].status_code == 308
    answer = followed.json()
    assert answer["traceId"] == "abc" and answer["data"][0]["results"][0]["label"] == "sexy"
    (entry,) = secure.requests
    assert entry.method == "POST" and entry.valid


def test_the_certificate_can_name_the_vendor_host(secure) -> None:
    context = ssl.create_default_context(cafile=secure.ca_bundle)
    with socket.create_connection(("127.0.0.1", secure.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname=profile.AIVACOM.HOST) as tls:
            assert (tls.version() or "").startswith("TLS")
