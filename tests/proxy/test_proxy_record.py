"""Recorded exchanges: secrets scrubbed, replayed offline to the same answers (``--replay``,
``respond_with``, a scenario), and the same drift report made from them as live."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import requests

import modmock
from akool_helpers import CLIENT_ID, CLIENT_SECRET, SUBMIT
from alibaba_helpers import parameters, post_v1, post_v3
from helpers import image_request
from modmock.proxy.running import serve_proxy

REAL = {"deepcleer": {"include_defaults": False, "credentials": [{"access_key": "real-access-key"}]}}


def _record_deepcleer(folder) -> list[dict]:
    """Three exchanges through a recording proxy (the second deviates); the answers the client got."""
    with modmock.serve("deepcleer", config=REAL) as vendor, \
            serve_proxy("deepcleer", vendor.url, {"access_key": "real-access-key"}, record=str(folder)) as proxy:
        answers = [requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json()]
        odd = copy.deepcopy(answers[0])
        odd["brandNewField"] = 1
        vendor.respond_with(odd)
        answers.append(requests.post(proxy.url + "/image/v4", json=image_request(), timeout=10).json())
        answers.append(requests.post(proxy.url + "/image/v4", json={"accessKey": "client-key"}, timeout=10).json())
        live = proxy.drift()
    return [answers, live]


def test_recordings_hold_no_secret_and_replay_to_the_same_answers(tmp_path) -> None:
    answers, _ = _record_deepcleer(tmp_path / "rec")
    files = sorted((tmp_path / "rec").glob("*.json"))
    assert [f.name.split("-", 1)[1] for f in files] == ["image_v4-answer.json"] * 3
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "real-access-key" not in text and "client-key" not in text and '"accessKey": "***"' in text
    with modmock.serve("deepcleer", replay=str(tmp_path / "rec")) as offline:
        replayed = [requests.post(offline.url + "/image/v4", json=image_request(), timeout=10).json()
                    for _ in range(3)]
        assert replayed == answers
        fresh = requests.post(offline.url + "/image/v4", json=image_request(), timeout=10).json()
        assert fresh["requestId"] != answers[0]["requestId"]  # then the mock answers as itself again
    with modmock.serve("deepcleer") as mock:
        mock.respond_with(*modmock.recordings(tmp_path / "rec"))
        assert [requests.post(mock.url + "/image/v4", json=image_request(), timeout=10).json()
                for _ in range(3)] == answers


def test_a_scenario_replays_a_folder_next_to_it(tmp_path) -> None:
    answers, _ = _record_deepcleer(tmp_path / "rec")
    scenario = tmp_path / "captured.json"
    scenario.write_text(json.dumps({"description": "answers captured once", "replay": "rec"}), encoding="utf-8")
    with modmock.serve("deepcleer", scenario=str(scenario)) as mock:
        first = requests.post(mock.url + "/image/v4", json=image_request(), timeout=10).json()
        assert first == answers[0]
        mock.reset()  # a reset queues them again, as it loads the scenario again
        assert requests.post(mock.url + "/image/v4", json=image_request(), timeout=10).json() == answers[0]


def test_the_report_made_from_recordings_is_the_live_one(tmp_path) -> None:
    _, live = _record_deepcleer(tmp_path / "rec")
    made = subprocess.run([sys.executable, "-m", "modmock", "drift-report", "--from", str(tmp_path / "rec"), "--json"],
                          capture_output=True, text=True, timeout=60, check=True)
    offline = json.loads(made.stdout)
    assert offline["checked"] == live["checked"]
    assert [(d["side"], d["kind"], d["field"], d["schema"]) for d in offline["differences"]] == \
        [(d["side"], d["kind"], d["field"], d["schema"]) for d in live["differences"]] == \
        [("response", "undocumented-field", "brandNewField", "deepcleer/result.json#/properties")] + \
        [("request", "missing-field", name, "deepcleer/request.json#/required") for name in ("appId", "eventId", "data")] + \
        [("request", "missing-field", "type", "deepcleer/request.json#/anyOf/0/required")]  # (a key, and no more)
    text = subprocess.run([sys.executable, "-m", "modmock", "drift-report", "--from", str(tmp_path / "rec")],
                          capture_output=True, text=True, timeout=60, check=True).stdout
    assert "deepcleer image_v4 (response)" in text and "undocumented-field: brandNewField x1" in text


def test_other_vendors_record_without_their_secrets(tmp_path) -> None:
    real_id, real_secret = "real-client-id16", "real-client-secret-0001x"
    config = {"akool": {"include_defaults": False, "credentials": [{"client_id": real_id, "client_secret": real_secret}]}}
    with modmock.serve("akool", config=config) as vendor, \
            serve_proxy("akool", vendor.url, {"client_id": real_id, "client_secret": real_secret},
                        record=str(tmp_path / "akool")) as proxy:
        token = requests.post(proxy.url + "/api/open/v3/getToken",
                              json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}, timeout=10).json()["token"]
        requests.post(proxy.url + SUBMIT, json={"type": 4, "content": "kind words"},
                      headers={"Authorization": f"Bearer {token}"}, timeout=10)
    alibaba = {"alibaba": {"include_defaults": False,
                           "credentials": [{"access_key_id": "real-ak", "access_key_secret": "real-secret"}]}}
    with modmock.serve("alibaba", config=alibaba) as vendor, \
            serve_proxy("alibaba", vendor.url, {"access_key_id": "real-ak", "access_key_secret": "real-secret"},
                        record=str(tmp_path / "alibaba")) as proxy:
        assert post_v3(proxy, {"Action": "ImageBatchModeration", **parameters()}).json()["Code"] == 200
        assert post_v1(proxy, {"Action": "ImageBatchModeration", **parameters()}).json()["Code"] == 200
        assert post_v1(proxy, {"Action": "ImageBatchModeration", **parameters()}, form=True).json()["Code"] == 200
    text = "".join(f.read_text(encoding="utf-8") for f in tmp_path.rglob("*.json"))
    for secret in (real_secret, CLIENT_SECRET, token, "real-secret", "test-secret"):
        assert secret not in text
    assert "real-ak" not in text and "test-ak" not in text  # (the V1 AccessKeyId, in a query and a form)
    v3, v1_query, v1_form = (json.loads(f.read_text(encoding="utf-8")) for f in sorted((tmp_path / "alibaba").glob("*")))
    assert v3["request"]["headers"]["authorization"] == "***"
    assert dict(v1_query["request"]["query"])["Signature"] == "***" and "Signature=%2A%2A%2A" in v1_form["request"]["body"]
    # The token answer is not replayed (the mock hands out its own); the job's answer is.
    assert [(r.vendor, r.endpoint) for r in modmock.recordings(tmp_path / "akool")] == [("akool", "sentiment")]
