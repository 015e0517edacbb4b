"""The proxy in front of loopback stand-ins of each vendor: modmock mocks that accept only the
"real" account's credentials (so the proxy must put them in), answering bodies that deviate
from the schemas in known ways. The drift report names each deviation and nothing else."""

from __future__ import annotations

import copy
import json

import requests

import modmock
from akool_helpers import CLIENT_ID, CLIENT_SECRET, INFO, SUBMIT
from alibaba_helpers import call as sdk_call
from alibaba_helpers import moderation, parameters, post_v1, post_v3, sdk
from helpers import image_request
from jocloud_helpers import image, path
from modmock.contracts import akool as kit
from modmock.fixtures.sink import CallbackSink
from modmock.mockserver.vendors.akool.webhook import seal
from modmock.proxy.running import serve_proxy

REAL_DEEPCLEER = {"deepcleer": {"include_defaults": False, "credentials": [{"access_key": "real-access-key"}]}}


def _places(proxy) -> set[tuple[str, str, str, str]]:
    return {(d["side"], d["endpoint"], d["kind"], d["field"]) for d in proxy.drift()["differences"]}


def test_answers_that_conform_make_an_empty_report_and_each_deviation_is_named() -> None:
    with modmock.serve("deepcleer", config=REAL_DEEPCLEER) as vendor, \
            serve_proxy("deepcleer", vendor.url, {"access_key": "real-access-key"}) as proxy:
        first = requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json()
        assert first["code"] == 1100  # the client's key was swapped for the real one
        assert proxy.drift()["differences"] == [] and proxy.drift()["checked"] == {
            "request": 1, "response": 1, "callback": 0}
        deviating = copy.deepcopy(first)
        deviating["brandNewField"] = {"x": 1}
        del deviating["riskLevel"]
        deviating["riskDescription"] = 7
        vendor.respond_with(deviating, {"code": 1234, "message": "new code", "requestId": "r"})
        assert requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json() == deviating
        assert requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json()["code"] == 1234
        assert _places(proxy) == {
            ("response", "image_v4", "undocumented-field", "brandNewField"),
            ("response", "image_v4", "missing-field", "riskLevel"),
            ("response", "image_v4", "type", "riskDescription"),
            ("response", "image_v4", "undocumented-code", "code"),
        }
        for line in proxy.drift()["differences"]:
            assert line["schema"].startswith("deepcleer/result.json#/") and line["x-source"].startswith("seed ")
            assert line["inferred"] is False and line["count"] == 1


def test_a_request_off_the_schema_and_an_undocumented_path_are_reported_too() -> None:
    with modmock.serve("deepcleer", config=REAL_DEEPCLEER) as vendor, \
            serve_proxy("deepcleer", vendor.url, {"access_key": "real-access-key"}) as proxy:
        body = image_request()
        body["data"]["lang"] = 42
        requests.post(proxy.url + "/image/v4", json=body, timeout=10)
        assert requests.get(proxy.url + "/no/such/path", timeout=10).status_code == 404  # the vendor's own answer
        assert ("request", "image_v4", "type", "data.lang") in _places(proxy)
        assert ("request", "", "undocumented-endpoint", "/no/such/path") in _places(proxy)


def test_alibaba_requests_are_signed_again_with_the_real_accesskey() -> None:
    config = {"alibaba": {"include_defaults": False,
                          "credentials": [{"access_key_id": "real-ak", "access_key_secret": "real-secret"}]}}
    with modmock.serve("alibaba", config=config) as vendor, \
            serve_proxy("alibaba", vendor.url, {"access_key_id": "real-ak", "access_key_secret": "real-secret"}) as proxy:
        client = sdk(int(proxy.url.rsplit(":", 1)[1]))  # the official SDK, signing with the client's own key
        assert sdk_call(client, moderation()).body.code == 200
        assert post_v3(proxy, {"Action": "ImageBatchModeration", **parameters()}).json()["Code"] == 200
        assert post_v1(proxy, {"Action": "ImageBatchModeration", **parameters()}).json()["Code"] == 200
        assert post_v1(proxy, {"Action": "ImageBatchModeration", **parameters()}, form=True).json()["Code"] == 200
        assert proxy.drift()["differences"] == []


def test_akool_tokens_pass_through_and_webhooks_are_checked_and_sealed_again_for_the_client() -> None:
    real_id, real_secret = "real-client-id16", "real-client-secret-0001x"
    config = {"akool": {"include_defaults": False, "credentials": [{"client_id": real_id, "client_secret": real_secret}]}}
    with CallbackSink() as sink, modmock.serve("akool", config=config, clock="manual") as vendor, \
            serve_proxy("akool", vendor.url, {"client_id": real_id, "client_secret": real_secret}) as proxy:
        token = requests.post(proxy.url + "/api/open/v3/getToken",
                              json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}, timeout=10).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        job = requests.post(proxy.url + SUBMIT, json={"type": 4, "content": "kind words", "webhookUrl": sink.url},
                            headers=headers, timeout=10).json()["data"]["_id"]
        vendor.advance(3600)  # the vendor's webhooks go to the proxy's receiver, then to the client
        sink.wait_for(2)
        statuses = [kit.open_webhook(r.json, CLIENT_ID, CLIENT_SECRET)["status"] for r in sink.deliveries]
        assert statuses == [2, 3]  # opened with the client's own pair
        assert requests.get(proxy.url + INFO, params={"_id": job}, headers=headers, timeout=10).json()["data"][
            "status"] == 3
        assert proxy.drift()["differences"] == [] and proxy.drift()["checked"]["callback"] == 2
        # A webhook of another shape, as the vendor would POST it to the receiver.
        receiver = vendor.requests[1].body["webhookUrl"]
        assert receiver.startswith(proxy.receiver)
        odd = {"_id": job, "status": "done", "type": 4, "surprise": True}
        sealed = seal(odd, real_id, real_secret, 1700000000, "n1")  # (the vendor's envelope, the real pair)
        assert requests.post(receiver, json=sealed, timeout=10).status_code == 200
        assert _places(proxy) == {("callback", "sentiment", "type", "status"),
                                  ("callback", "sentiment", "undocumented-field", "surprise")}, proxy.drift_text()


def test_jocloud_certificates_and_appid_are_swapped_and_callbacks_relayed() -> None:
    config = {"jocloud": {"include_defaults": False, "processing_seconds": {"video_async": 5},
                          "credentials": [{"appid": "999", "certificate_id": "real-cert", "certificate_key": "real-key"}]}}
    with CallbackSink() as sink, modmock.serve("jocloud", config=config, clock="manual") as vendor, \
            serve_proxy("jocloud", vendor.url, {"certificate_id": "real-cert", "certificate_key": "real-key",
                                                "appid": "999"}) as proxy:
        token = "Basic " + __import__("base64").b64encode(b"client-cert:client-key").decode()
        answer = requests.post(proxy.url + path("jocloud", "image_sync"), json=image(),
                               headers={"token": token}, params={"traceId": "t-1"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["code"] == 200, answer.text
        video = {"data": [{"dataId": "v-1", "url": "https://cdn.example.com/v.mp4"}], "callbackUrl": sink.url}
        answer = requests.post(proxy.url + path("jocloud", "video_async"), json=video, headers={"token": token},
                               params={"traceId": "t-2"}, timeout=10)
        assert answer.json()["code"] == 200, answer.text
        vendor.advance(60)
        [received] = sink.wait_for(1)
        assert received.json["data"][0]["dataId"] == "v-1"
        assert proxy.drift()["differences"] == [], json.dumps(proxy.drift(), indent=1)


def test_akool_webhooks_go_sealed_for_the_client_that_asked_and_name_its_own_address() -> None:
    real_id, real_secret = "real-client-id16", "real-client-secret-0001x"
    config = {"akool": {"include_defaults": False, "credentials": [{"client_id": real_id, "client_secret": real_secret}]}}
    clients = [(CLIENT_ID, CLIENT_SECRET), ("other-client-id1", "other-client-secret-0001")]
    with CallbackSink() as sink_a, CallbackSink() as sink_b, modmock.serve("akool", config=config,
                                                                           clock="manual") as vendor, \
            serve_proxy("akool", vendor.url, {"client_id": real_id, "client_secret": real_secret}) as proxy:
        for (client_id, client_secret), sink in zip(clients, (sink_a, sink_b)):
            token = requests.post(proxy.url + "/api/open/v3/getToken",
                                  json={"clientId": client_id, "clientSecret": client_secret}, timeout=10).json()["token"]
            answer = requests.post(proxy.url + SUBMIT, json={"type": 4, "content": "kind", "webhookUrl": sink.url},
                                   headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
            assert proxy.receiver not in json.dumps(answer)  # the client reads its own address back
            assert answer["data"]["webhookUrl"] == sink.url
        vendor.advance(3600)
        for (client_id, client_secret), sink in zip(clients, (sink_a, sink_b)):
            sink.wait_for(2)
            assert [kit.open_webhook(r.json, client_id, client_secret)["status"] for r in sink.deliveries] == [2, 3]
