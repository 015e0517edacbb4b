"""The admin API over HTTP: journal, rules, faults, clock, reset, schemas, OpenAPI, access."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

import modmock
from helpers import image_request
from modmock.mockserver.admin import allowed_peer


def _post(mock: modmock.MockServer, path: str, body: Any) -> requests.Response:
    return requests.post(mock.admin_url + path, json=body, timeout=10)


def _get(mock: modmock.MockServer, path: str) -> Any:
    resp = requests.get(mock.admin_url + path, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _moderate(mock: modmock.MockServer, body: dict[str, Any]) -> dict[str, Any]:
    return requests.post(mock.url + "/image/v4", json=body, timeout=10).json()


def test_the_journal_pages_newest_first_in_readable_json(deepcleer_mock) -> None:
    for _ in range(5):
        _moderate(deepcleer_mock, image_request())
    _moderate(deepcleer_mock, image_request({"tokenId": "用户"}))
    ids = [r["id"] for r in _get(deepcleer_mock, "/requests")["requests"]]
    assert len(ids) == 6 and ids == sorted(ids, reverse=True)  # newest first (ids go on across resets)
    page = _get(deepcleer_mock, "/requests?limit=2")
    assert [r["id"] for r in page["requests"]] == ids[:2] and page["latest"] == ids[0] and page["more"]
    assert page["kept"] == 6
    # A poller passing each page's latest as the next since sees every entry, in pages of limit.
    seen, since = [], ids[-1] - 1
    for _ in range(4):
        got = _get(deepcleer_mock, f"/requests?since={since}&limit=4")
        seen += [r["id"] for r in got["requests"]]
        since = got["latest"]
    assert sorted(seen) == sorted(ids) and len(seen) == 6
    assert _get(deepcleer_mock, f"/requests?since={ids[0]}")["requests"] == []
    raw = requests.get(deepcleer_mock.admin_url + "/requests?limit=1&pretty=1", timeout=10)
    assert "用户" in raw.text and "\\u" not in raw.text and raw.text.startswith("{\n")
    entry = raw.json()["requests"][0]
    assert entry["time_iso"].endswith("Z") and entry["wall_time_iso"][:4].isdigit()
    assert len(_get(deepcleer_mock, "/requests?limit=99999")["requests"]) == 6  # clamped to the journal's size
    for bad in ("limit=-1", "limit=x", "since=1.5", "limit=%C2%B2", "since=%D9%A3", "since=" + "9" * 5000):
        assert requests.get(f"{deepcleer_mock.admin_url}/requests?{bad}", timeout=10).status_code == 400


def test_every_admin_error_is_json(deepcleer_mock) -> None:
    missing = requests.get(deepcleer_mock.admin_url + "/rule", timeout=10)
    assert missing.status_code == 404 and "did you mean /__admin/rules?" in missing.json()["error"]
    assert "GET /__admin/requests" in missing.json()["endpoints"]
    wrong = requests.put(deepcleer_mock.admin_url + "/rules", json={}, timeout=10)
    assert wrong.status_code == 405 and wrong.json()["allowed"] == ["DELETE", "GET", "HEAD", "POST"]
    assert wrong.headers["Allow"] == "DELETE, GET, HEAD, POST"
    index = requests.get(deepcleer_mock.admin_url + "/", timeout=10)
    assert index.status_code == 200 and "GET /__admin/health" in index.json()["endpoints"]


def test_browser_noise_is_not_client_traffic(deepcleer_mock) -> None:
    page = {"Accept": "text/html,application/xhtml+xml"}
    for path in ("/", "/__admin", "/favicon.ico"):
        requests.get(deepcleer_mock.url + path, headers=page, timeout=10, allow_redirects=False)
    home = requests.get(deepcleer_mock.url + "/__admin", headers=page, timeout=10, allow_redirects=False)
    assert home.status_code == 302 and home.headers["Location"] == "/__admin/"
    assert deepcleer_mock.requests == []  # nothing journaled, nothing for assert_all_requests_valid
    deepcleer_mock.assert_all_requests_valid()
    requests.post(deepcleer_mock.url + "/favicon.ico", timeout=10)  # not what a browser sends: a near miss
    assert [e.endpoint for e in deepcleer_mock.requests] == ["(unmatched)"]


def test_unknown_vendors_and_endpoints_are_refused_with_the_nearest(deepcleer_mock) -> None:
    from modmock.errors import InvalidSpecError
    with pytest.raises(InvalidSpecError, match="did you mean 'image_v4'"):
        deepcleer_mock.fail_next(1903, endpoint="image_4")
    with pytest.raises(InvalidSpecError, match="did you mean 'deepcleer'"):
        deepcleer_mock.add_rule(match={"vendor": "deepclear"}, error=1903)
    with pytest.raises(InvalidSpecError, match="did you mean 'images_v4'"):
        deepcleer_mock.assert_called("imagess_v4")
    with pytest.raises(InvalidSpecError, match="did you mean 'async_img'"):
        deepcleer_mock.respond_with(1903, endpoint="async_imgg")
    assert requests.get(deepcleer_mock.admin_url + "/tasks?vendor=akol", timeout=10).status_code == 400
    refused = requests.post(deepcleer_mock.admin_url + "/rules", json={"matc": {}, "error": 1903}, timeout=10)
    assert refused.status_code == 400 and any("nearest valid: 'match'" in p for p in refused.json()["problems"])


def test_health(deepcleer_mock) -> None:
    health = _get(deepcleer_mock, "/health")
    assert health["status"] == "ok" and health["vendors"] == ["deepcleer"]


def test_requests_journal_with_filters(deepcleer_mock) -> None:
    _moderate(deepcleer_mock, image_request())
    _moderate(deepcleer_mock, image_request({"tokenId": None}))
    everything = _get(deepcleer_mock, "/requests")["requests"]
    assert [r["code"] for r in everything] == [1902, 1100]  # newest first
    (invalid,) = _get(deepcleer_mock, "/requests?valid=false")["requests"]
    assert invalid["problems"][0]["field"] == "data.tokenId"
    assert invalid["problems"][0]["rule"] == "required"
    assert len(_get(deepcleer_mock, "/requests?endpoint=image_v4&vendor=deepcleer")["requests"]) == 2
    unknown = requests.get(deepcleer_mock.admin_url + "/requests?endpoint=image_v5", timeout=10)
    assert unknown.status_code == 400 and "did you mean 'image_v4'" in unknown.json()["error"]
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
    assert allowed_peer(state, "127.0.0.1") and allowed_peer(state, "::1")
    assert not allowed_peer(state, "192.168.1.20") and not allowed_peer(state, None)


def test_admin_allow_adds_networks() -> None:
    from modmock.mockserver.settings import Settings
    from modmock.mockserver.state import MockState
    state = MockState(Settings(admin_allow=["192.168.1.0/24"]))
    assert allowed_peer(state, "192.168.1.20") and not allowed_peer(state, "192.168.2.20")


def test_non_loopback_peer_gets_403(deepcleer_mock, monkeypatch) -> None:
    """Over HTTP: the guard sees a peer outside the allow-list and refuses."""
    from modmock.mockserver import admin
    monkeypatch.setattr(admin, "allowed_peer", lambda state, peer: False)
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


def test_the_dashboard_is_served_to_browsers_safely(deepcleer_mock) -> None:
    page = requests.get(deepcleer_mock.admin_url + "/", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"] and "frame-ancestors 'none'" in \
        page.headers["Content-Security-Policy"]
    script = requests.get(deepcleer_mock.admin_url + "/static/dashboard.js", timeout=10)
    assert script.status_code == 200 and "EventSource" in script.text
    assert requests.get(deepcleer_mock.admin_url + "/static/../admin.py", timeout=10).status_code == 404
    assert requests.get(deepcleer_mock.admin_url + "/static/secrets.txt", timeout=10).status_code == 404
    foreign = requests.get(deepcleer_mock.admin_url + "/events", headers={"Host": "evil.example"}, timeout=10)
    assert foreign.status_code == 403


def test_the_live_feed_sends_the_new_entries_with_a_summary(deepcleer_mock) -> None:
    import json as jsonlib

    _moderate(deepcleer_mock, image_request())
    with requests.get(deepcleer_mock.admin_url + "/events?since=0", stream=True, timeout=10) as feed:
        line = next(line for line in feed.iter_lines() if line.startswith(b"data: "))
    event = jsonlib.loads(line[len(b"data: "):])
    assert [e["endpoint"] for e in event["requests"]] == ["image_v4"] and event["latest"] == event["requests"][0]["id"]
    assert event["summary"]["vendors"] == ["deepcleer"] and "time_iso" in event["summary"]


def test_the_clock_runs_until_idle(deepcleer_mock, callback_sink) -> None:
    _moderate(deepcleer_mock, image_request(callback=callback_sink.url))
    ran = requests.post(deepcleer_mock.admin_url + "/clock/run", json={}, timeout=10)
    assert ran.status_code == 200 and ran.json()["pending_timers"] == 0
    assert callback_sink.wait_for(1)


def test_a_signed_read_at_the_root_is_alibabas_not_browser_noise() -> None:
    with modmock.serve("alibaba") as mock:
        probe = requests.get(mock.url + "/", timeout=10, allow_redirects=False)
        assert probe.status_code == 302 and mock.requests == []  # a probe or a browser: redirected
        signed = requests.get(mock.url + "/", headers={"Authorization": "ACS3-HMAC-SHA256 Credential=x"}, timeout=10,
                              allow_redirects=False)
        assert signed.status_code != 302 and [e.vendor for e in mock.requests] == ["alibaba"]
        acs = requests.get(mock.url + "/", headers={"x-acs-action": "ImageBatchModeration"}, timeout=10,
                           allow_redirects=False)
        assert acs.status_code != 302 and len(mock.requests) == 2
