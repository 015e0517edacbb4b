"""The admin API over HTTP: journal, rules, faults, clock, reset, schemas, OpenAPI, access."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from helpers import image_request
from modmock.mockserver.admin import _allowed


def _post(mock: modmock.MockServer, path: str, body: Any) -> requests.Response:
    return requests.post(mock.admin_url + path, json=body, timeout=10)


def _get(mock: modmock.MockServer, path: str) -> Any:
    resp = requests.get(mock.admin_url + path, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _moderate(mock: modmock.MockServer, body: dict[str, Any]) -> dict[str, Any]:
    return requests.post(mock.url + "/image/v4", json=body, timeout=10).json()


def test_health(deepcleer_mock) -> None:
    health = _get(deepcleer_mock, "/health")
    assert health["status"] == "ok" and health["vendors"] == ["deepcleer"]


def test_requests_journal_with_filters(deepcleer_mock) -> None:
    _moderate(deepcleer_mock, image_request())
    _moderate(deepcleer_mock, image_request({"tokenId": None}))
    everything = _get(deepcleer_mock, "/requests")["requests"]
    assert [r["code"] for r in everything] == [1100, 1902]
    (invalid,) = _get(deepcleer_mock, "/requests?valid=false")["requests"]
    assert invalid["problems"][0]["field"] == "data.tokenId"
    assert invalid["problems"][0]["rule"] == "required"
    assert len(_get(deepcleer_mock, "/requests?endpoint=image_v4&vendor=deepcleer")["requests"]) == 2
    assert _get(deepcleer_mock, "/requests?endpoint=nope")["requests"] == []
    assert requests.delete(deepcleer_mock.admin_url + "/requests", timeout=10).status_code == 200
    assert _get(deepcleer_mock, "/requests")["requests"] == []


def test_rules_through_the_admin_api(deepcleer_mock) -> None:
    rule = {"match": {"url_regex": "cats"}, "verdict": {"risk": "reject", "labels": [{"category": "porn"}]}}
    created = _post(deepcleer_mock, "/rules", rule)
    assert created.status_code == 201
    assert _moderate(deepcleer_mock, image_request({"img": "https://x.example/cats/1.jpg"}))["riskLabel1"] == "porn"
    assert len(_get(deepcleer_mock, "/rules")["rules"]) == 1
    rule_id = created.json()["rules"][0]["id"]
    requests.delete(f"{deepcleer_mock.admin_url}/rules?id={rule_id}", timeout=10)
    assert _moderate(deepcleer_mock, image_request({"img": "https://x.example/cats/1.jpg"}))["riskLevel"] == "PASS"


@pytest.mark.parametrize("bad", [
    {"match": {"colour": "red"}, "verdict": {"risk": "reject"}},
    {"verdict": {"risk": "maybe"}},
    {"match": {}},
    {"verdict": {"risk": "reject", "labels": [{"category": "unknown"}]}},
    {"error": 1903, "verdict": {"risk": "pass"}},
    {"verdict": {"risk": "reject"}},  # a risky verdict must say which category
    {"verdict": {"risk": "review", "labels": []}},
    {"match": {"url_regex": "("}, "verdict": {"risk": "pass"}},
])
def test_invalid_rules_are_refused_with_the_reason(deepcleer_mock, bad: dict[str, Any]) -> None:
    resp = _post(deepcleer_mock, "/rules", bad)
    assert resp.status_code == 400 and resp.json()["problems"]
    with pytest.raises(ValueError):
        deepcleer_mock.add_rule(bad)


def test_faults_through_the_admin_api(deepcleer_mock) -> None:
    assert _post(deepcleer_mock, "/faults", {"vendor": "deepcleer", "error": 1903, "times": 2}).status_code == 201
    assert len(_get(deepcleer_mock, "/faults")["faults"]) == 1
    codes = [_moderate(deepcleer_mock, image_request())["code"] for _ in range(3)]
    assert codes == [1903, 1903, 1100]
    assert _post(deepcleer_mock, "/faults", {"error": 1903, "latency": 1}).status_code == 400
    _post(deepcleer_mock, "/faults", {"latency": 0.01})
    assert requests.delete(deepcleer_mock.admin_url + "/faults", timeout=10).json() == {"removed": 1}


@pytest.fixture
def manual() -> Iterator[modmock.MockServer]:
    with modmock.serve("deepcleer", clock="manual") as mock:
        yield mock


def test_clock_advance_and_tasks(manual, callback_sink) -> None:
    _moderate(manual, image_request(callback=callback_sink.url))
    (task,) = _get(manual, "/tasks")["tasks"]
    assert task["status"] == "processing"
    before = _get(manual, "/health")["time"]
    moved = _post(manual, "/clock/advance", {"seconds": 1}).json()
    assert moved["time"] == pytest.approx(before + 1)
    assert _get(manual, "/tasks")["tasks"][0]["status"] == "done"
    (delivery,) = _get(manual, "/callbacks")["callbacks"]
    assert delivery["state"] == "delivered" and delivery["attempts"][0]["status"] == 200
    assert _post(manual, "/clock/advance", {"seconds": -1}).status_code == 400
    assert _post(manual, "/clock/advance", {"minutes": 1}).status_code == 400
    _moderate(manual, image_request({"tokenId": None}))
    totals = _get(manual, "/health")["totals"]  # running totals, whatever the rings still keep
    assert totals["requests"] == {"requests": 2, "invalid": 1, "disconnected": 0, "internal_errors": 0}
    assert totals["tasks"] == {"started": 1, "finished": 1, "running": 0}
    assert totals["callbacks"] == {"submitted": 1, "attempts": 1, "delivered": 1, "failed": 0, "blocked": 0,
                                   "cancelled": 0, "pending": 0}


def test_reset_clears_everything(manual, callback_sink) -> None:
    _moderate(manual, image_request(callback=callback_sink.url))
    manual.add_rule(verdict={"risk": "review", "labels": [{"category": "ads"}]})
    manual.fail_next(1903)
    assert _post(manual, "/reset", {}).json() == {"reset": True}
    manual.run_until_idle()
    for path, key in (("/requests", "requests"), ("/rules", "rules"), ("/faults", "faults"),
                      ("/tasks", "tasks"), ("/callbacks", "callbacks")):
        assert _get(manual, path)[key] == [], path
    assert callback_sink.deliveries == []


def test_schemas_and_openapi(deepcleer_mock) -> None:
    found = _get(deepcleer_mock, "/schemas")
    assert set(found["deepcleer"]) == {"request.json", "result.json", "ack.json", "callback.json", "batch_request.json",
                                       "batch_result.json", "batch_ack.json", "query_request.json",
                                       "query_response.json", "review_callback.json"}
    assert "rule.json" in found["modmock"]
    assert set(_get(deepcleer_mock, "/schemas?vendor=deepcleer")) == {"deepcleer"}
    spec = _get(deepcleer_mock, "/openapi.json")
    op = spec["paths"]["/image/v4"]["post"]
    assert op["operationId"] == "deepcleer_image_v4" and "callbacks" in op


def test_malformed_admin_json_is_a_400(deepcleer_mock) -> None:
    resp = requests.post(deepcleer_mock.admin_url + "/rules", data=b"{nope", timeout=10)
    assert resp.status_code == 400


def test_admin_answers_loopback_peers_only_by_default(deepcleer_mock) -> None:
    state = deepcleer_mock.state
    assert _allowed(state, "127.0.0.1") and _allowed(state, "::1")
    assert not _allowed(state, "192.168.1.20") and not _allowed(state, None)


def test_admin_allow_adds_networks() -> None:
    from modmock.mockserver.settings import Settings
    from modmock.mockserver.state import MockState
    state = MockState(Settings(admin_allow=["192.168.1.0/24"]))
    assert _allowed(state, "192.168.1.20") and not _allowed(state, "192.168.2.20")


def test_non_loopback_peer_gets_403(deepcleer_mock, monkeypatch) -> None:
    """Over HTTP: the guard sees a peer outside the allow-list and refuses."""
    from modmock.mockserver import admin
    monkeypatch.setattr(admin, "_allowed", lambda state, peer: False)
    resp = requests.get(deepcleer_mock.admin_url + "/health", timeout=10)
    assert resp.status_code == 403 and "loopback" in resp.json()["error"]
    assert _moderate(deepcleer_mock, image_request())["code"] == 1100  # the vendor API is unaffected


@pytest.mark.parametrize("fault", [{"error": 1100}, {"error": {"code": "abc"}}, {"vendor": "nobody", "error": 1903}])
def test_faults_with_undocumented_codes_are_refused(deepcleer_mock, fault: dict[str, Any]) -> None:
    resp = _post(deepcleer_mock, "/faults", fault)
    assert resp.status_code == 400 and _get(deepcleer_mock, "/faults")["faults"] == []


@pytest.mark.parametrize(("body", "content_type"), [
    (b'{"seconds": NaN}', "application/json"), (b'{"seconds": 1e999}', "application/json"),
    (b'{"seconds": ' + b"9" * 5000 + b"}", "application/json"), (b"[" * 3000 + b"]" * 3000, "application/json"),
    (b'{"seconds": 1e12}', "application/json"),
])
def test_admin_refuses_unusable_json_with_a_400(deepcleer_mock, body: bytes, content_type: str) -> None:
    before = _get(deepcleer_mock, "/health")["time"]
    resp = requests.post(deepcleer_mock.admin_url + "/clock/advance", data=body,
                         headers={"Content-Type": content_type}, timeout=10)
    assert resp.status_code == 400, resp.text
    assert _get(deepcleer_mock, "/health")["time"] - before < 60


def test_admin_bodies_are_read_as_utf8_whatever_the_declared_charset(deepcleer_mock) -> None:
    resp = requests.post(deepcleer_mock.admin_url + "/clock/advance", data=b'{"seconds": 1}',
                         headers={"Content-Type": "application/json; charset=nonsense"}, timeout=10)
    assert resp.status_code == 200


def test_valid_filter_takes_true_or_false_only(deepcleer_mock) -> None:
    assert requests.get(deepcleer_mock.admin_url + "/requests?valid=maybe", timeout=10).status_code == 400


def test_delete_with_a_bad_id_is_a_400(deepcleer_mock) -> None:
    for path in ("/rules?id=abc", "/faults?id=1.5"):
        resp = requests.delete(deepcleer_mock.admin_url + path, timeout=10)
        assert resp.status_code == 400 and "id must be a number" in resp.json()["error"]


def test_health_counts_the_mocks_own_failures(deepcleer_mock, monkeypatch: pytest.MonkeyPatch) -> None:
    from modmock.mockserver.core import exchange

    async def broken(*_: Any) -> Any:
        raise RuntimeError("a bug in the mock")

    monkeypatch.setattr(exchange, "run_operation", broken)
    assert _moderate(deepcleer_mock, image_request())["code"] == 1903  # the vendor's service failure
    (entry,) = deepcleer_mock.requests
    assert entry.internal_error
    assert _get(deepcleer_mock, "/health")["totals"]["requests"]["internal_errors"] == 1
