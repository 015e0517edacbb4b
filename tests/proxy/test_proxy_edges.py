"""The proxy's edges: it sends to no host but the upstream, relays callbacks only to allow-listed
hosts, guards its admin API as the mock does, refuses settings it cannot honour, runs from the
command line, and passes hostile bytes to the vendor without an error of its own."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

import modmock
from helpers import image_request, raw_http
from modmock.errors import SettingsError
from modmock.proxy.running import serve_proxy
from modmock.proxy.upstream import load_upstream

REAL = {"deepcleer": {"include_defaults": False, "credentials": [{"access_key": "real-access-key"}]}}
KEY = {"access_key": "real-access-key"}


def _raw(port: int, target: bytes, body: bytes = b"", headers: bytes = b"") -> tuple[int, bytes]:
    request = (b"POST " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(port).encode() + b"\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\nConnection: close\r\n" + headers + b"\r\n" + body)
    return raw_http(port, request)


def test_no_path_takes_a_request_to_another_host() -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        port = int(proxy.url.rsplit(":", 1)[1])
        status, answer = _raw(port, b"//127.0.0.2:9/x", b"{}", b"Content-Type: application/json\r\n")
        assert status == 400 and b"only to --upstream" in answer
        # The absolute form names another host: the path still goes to the upstream (port 9 would refuse).
        status, answer = _raw(port, b"http://127.0.0.2:9/image/v4", b"{}", b"Content-Type: application/json\r\n")
        assert status == 200 and json.loads(answer.split(b"\r\n\r\n", 1)[1])["code"] == 9101
        assert [e.path for e in vendor.requests] == ["/image/v4"]


def test_callbacks_are_relayed_to_allow_listed_hosts_only() -> None:
    with modmock.serve("deepcleer", config=REAL, clock="manual") as vendor, \
            serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        answer = requests.post(proxy.url + "/image/v4", json=image_request(callback="http://198.51.100.7:9/hook"),
                               timeout=10).json()
        assert answer["code"] == 1100
        vendor.run_until_idle()
        deliveries = vendor.callbacks
        assert deliveries and all(a.status == 502 for d in deliveries for a in d.attempts)
        assert requests.post(proxy.receiver + "unknown-id", json={}, timeout=10).status_code == 404


def test_the_admin_api_is_guarded_as_the_mocks_is() -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        assert requests.get(proxy.admin_url + "/drift", timeout=10).status_code == 200
        assert requests.get(proxy.admin_url + "/drift", headers={"Host": "evil.example"}, timeout=10).status_code == 403
        assert requests.delete(proxy.admin_url + "/drift", headers={"Origin": "http://evil.example"},
                               timeout=10).status_code == 403
        assert requests.get(proxy.admin_url + "/health", timeout=10).json()["mode"] == "proxy"


def test_settings_the_proxy_cannot_honour_are_refused(monkeypatch) -> None:
    with pytest.raises(SettingsError, match="needs access_key"):
        load_upstream("deepcleer", {})
    with pytest.raises(SettingsError, match="unknown key"):
        load_upstream("jocloud", {"certificate_id": "a", "certificate_key": "b", "secret": "c"})
    with pytest.raises(SettingsError, match="DEEPCLEER_REAL_KEY is not set"):
        load_upstream("deepcleer", {"access_key": "env:DEEPCLEER_REAL_KEY"})
    monkeypatch.setenv("DEEPCLEER_REAL_KEY", "from-the-environment")
    assert load_upstream("deepcleer", {"access_key": "env:DEEPCLEER_REAL_KEY"}) == {"access_key": "from-the-environment"}
    with pytest.raises(SettingsError, match="vendor's address only"):
        serve_proxy("deepcleer", "http://127.0.0.1:9/some/path", KEY)


def test_the_command_line_proxy_and_its_text_report(tmp_path) -> None:
    config = tmp_path / "proxy.toml"
    config.write_text('[upstream]\naccess_key = "real-access-key"\n', encoding="utf-8")
    ready = tmp_path / "ready.json"
    with modmock.serve("deepcleer", config=REAL) as vendor:
        process = subprocess.Popen([sys.executable, "-m", "modmock", "proxy", "--vendor", "deepcleer", "--upstream",
                                    vendor.url, "--config", str(config), "--port", "0", "--ready-file", str(ready),
                                    "--record", str(tmp_path / "rec")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        try:
            deadline = time.monotonic() + 30
            while not ready.exists():
                assert process.poll() is None and time.monotonic() < deadline, process.communicate()
                time.sleep(0.05)
            url = json.loads(ready.read_text())["url"]
            assert requests.post(url + "/image/v4", json=image_request(), timeout=10).json()["code"] == 1100
            text = subprocess.run([sys.executable, "-m", "modmock", "drift-report", "--url", url],
                                  capture_output=True, text=True, timeout=60, check=True).stdout
            assert text == "checked 1 requests, 1 answers and 0 callbacks: no difference from the packaged schemas\n"
        finally:
            process.terminate()
            out, _ = process.communicate(timeout=10)
        assert "forwarding to " + vendor.url in out
    assert len(list((tmp_path / "rec").glob("*.json"))) == 1


@given(body=st.binary(max_size=300), content_type=st.sampled_from([b"application/json", b"text/plain", b"",
                                                                   b"application/x-www-form-urlencoded"]))
@settings(max_examples=60)
def test_hostile_bytes_get_the_vendors_own_answer(proxied, body: bytes, content_type: bytes) -> None:
    vendor, proxy = proxied
    port = int(proxy.url.rsplit(":", 1)[1])
    status, answer = _raw(port, b"/image/v4", body, b"Content-Type: " + content_type + b"\r\n" if content_type else b"")
    assert status != 500 and b"internal error" not in answer
    assert b"the vendor at" not in answer  # (the proxy's own 502: the vendor always answered)


@pytest.fixture(scope="module")
def proxied():
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        yield vendor, proxy


def test_an_https_upstream_is_checked_with_the_given_ca() -> None:
    with modmock.serve("deepcleer", config=REAL, tls=True) as vendor:
        with serve_proxy("deepcleer", vendor.url, KEY, upstream_ca=vendor.ca_bundle) as proxy:
            assert requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json()["code"] == 1100
        with serve_proxy("deepcleer", vendor.url, KEY) as proxy:  # the system's CAs do not know the mock's
            answer = requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10)
            assert answer.status_code == 502 and "did not answer" in answer.json()["error"]


def test_only_its_own_clients_may_send_through_it() -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        rebinding = requests.post(proxy.url + "/image/v4", json=image_request(), headers={"Host": "attacker.example"},
                                  timeout=10)
        assert rebinding.status_code == 403  # a page of another site, through DNS rebinding
        other_page = requests.post(proxy.url + "/image/v4", data=json.dumps(image_request()),
                                   headers={"Origin": "http://attacker.example", "Content-Type": "text/plain"},
                                   timeout=10)
        assert other_page.status_code == 403
        assert vendor.requests == []  # neither reached the vendor with the real key
        assert requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json()["code"] == 1100


def test_an_admin_path_it_does_not_serve_is_never_forwarded() -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        vendor.add_rule({"match": {"url_regex": "x"}, "error": 1911})
        for method, path in (("GET", "/__admin/rules"), ("POST", "/__admin/reset"), ("POST", "/__admin/drift")):
            assert requests.request(method, proxy.url + path, json={}, timeout=10).status_code == 404
        assert len(requests.get(vendor.admin_url + "/rules", timeout=10).json()["rules"]) == 1  # not reset


def test_secrets_are_known_by_their_names_and_endings() -> None:
    from modmock.proxy.recording import is_secret, scrub

    for name in ("accessKey", "clientSecret", "Signature", "refreshToken", "access_token", "sessionKey",
                 "x-acs-security-token", "Authorization", "password"):
        assert is_secret(name), name
    for name in ("tokenId", "tokenLabels", "clientId", "appId", "dataId", "requestId", "riskLevel"):
        assert not is_secret(name), name
    assert scrub({"data": {"refresh_token": "r", "tokenId": "u-1"}}) == {"data": {"refresh_token": "***",
                                                                                  "tokenId": "u-1"}}


def test_an_alibaba_sts_token_of_the_client_is_not_sent_with_the_real_key() -> None:
    from modmock.proxy.upstream import Credentials, Outgoing

    real = Credentials("alibaba", {"access_key_id": "real-ak", "access_key_secret": "real-secret"}, "green.example")
    signed = "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
    out = Outgoing("POST", "/", [("Service", "baselineCheck")], {
        "authorization": f"ACS3-HMAC-SHA256 Credential=client,SignedHeaders={signed},Signature=abc",
        "x-acs-security-token": "client-sts", "x-acs-action": "ImageBatchModeration", "x-acs-date": "now",
        "x-acs-signature-nonce": "n", "x-acs-version": "2022-03-02", "x-acs-content-sha256": "x"}, b"")
    real.rewrite(out)
    assert "x-acs-security-token" not in out.headers
    assert "Credential=real-ak," in out.headers["authorization"] and "security-token" not in out.headers["authorization"]
    v1 = Outgoing("GET", "/", [("AccessKeyId", "client"), ("SecurityToken", "client-sts"), ("Signature", "s")], {}, b"")
    real.rewrite(v1)
    assert dict(v1.query)["AccessKeyId"] == "real-ak" and "SecurityToken" not in dict(v1.query)


def test_rpc_parameters_are_read_from_the_query_a_form_or_a_json_body() -> None:
    from modmock.proxy.app import query_parameters

    assert query_parameters([("Action", "A")], "application/json", b"", {"Service": "s"}) == {"Action": "A",
                                                                                               "Service": "s"}
    assert query_parameters([], "application/x-www-form-urlencoded", b"Service=s&X=1") == {"Service": "s", "X": "1"}


def test_bodies_pass_whole_and_decoded_both_ways() -> None:
    import gzip

    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        packed = gzip.compress(json.dumps(image_request()).encode())
        answer = requests.post(proxy.url + "/image/v4", data=packed, timeout=10,
                               headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        assert answer.json()["code"] == 1100  # the key went in, and the vendor read the body
        big = {"code": 1100, "message": "x" * 3_000_000, "requestId": "r"}
        vendor.respond_with(big)
        assert requests.post(proxy.url + "/image/v4", json=image_request(), timeout=30).json() == big


def test_no_page_of_another_site_and_no_unplain_path_gets_through() -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        vendor.add_rule({"match": {"url_regex": "x"}, "error": 1911})
        for site in ("cross-site", "same-site"):
            answer = requests.get(proxy.url + "/image/v4", timeout=10,
                                  headers={"Sec-Fetch-Site": site, "Sec-Fetch-Mode": "navigate"})
            assert answer.status_code == 403, site
        port = int(proxy.url.rsplit(":", 1)[1])
        for target in (b"/x/../__admin/reset", b"/__admin%2Freset", b"/image/./v4", b"/%2e%2e/__admin/reset"):
            status, answer = _raw(port, target, b"{}", b"Content-Type: application/json\r\n")
            assert status in (400, 404), (target, answer)
        assert vendor.requests == []
        assert len(requests.get(vendor.admin_url + "/rules", timeout=10).json()["rules"]) == 1  # not reset


def test_client_networks_must_be_networks() -> None:
    with pytest.raises(SettingsError, match="--client-allow 'bogus'"):
        serve_proxy("deepcleer", "http://127.0.0.1:9", KEY, client_allow=["bogus"])


def test_a_recorded_alibaba_json_body_is_read_as_its_parameters() -> None:
    from modmock.proxy.app import Checker
    from modmock.proxy.report import DriftReport

    report = DriftReport()
    Checker("alibaba", report).recording({
        "vendor": "alibaba", "endpoint": "image_batch_moderation", "kind": "answer",
        "request": {"method": "POST", "path": "/", "query": [], "headers": {"content-type": "application/json"},
                    "body": {"Service": "baselineCheck", "ServiceParameters": '{"imageUrl": "https://a.example/b.jpg"}'}},
        "response": {"status": 200, "body": {"Code": 200, "Msg": "OK", "RequestId": "r", "Data": {}}}})
    assert [d for d in report.to_json()["differences"] if d["side"] == "request"] == []


def test_a_secret_shows_neither_in_the_reports_value_nor_in_its_detail() -> None:
    from modmock.proxy.drift import differences
    from modmock.proxy.recording import scrub

    body = image_request()
    body["accessKey"] = "S" * 25  # too long: the rule's message would quote it
    [line] = [d.to_json() for d in differences(body, "deepcleer/request.json") if d.field == "accessKey"]
    assert "SSSS" not in json.dumps(line) and line["value"] == "***"
    assert scrub({"token": ["abc"], "apiKey": {"value": "k", "n": 7}, "password": 123456, "tokenId": "u"}) == {
        "token": ["***"], "apiKey": {"value": "***", "n": 0}, "password": 0, "tokenId": "u"}


def test_a_body_in_an_encoding_it_does_not_decode_is_refused() -> None:
    with modmock.serve("deepcleer", config=REAL) as vendor, serve_proxy("deepcleer", vendor.url, KEY) as proxy:
        answer = requests.post(proxy.url + "/image/v4", data=b"\x1f\x9d...", timeout=10,
                               headers={"Content-Type": "application/json", "Content-Encoding": "compress"})
        assert answer.status_code == 415 and vendor.requests == []
