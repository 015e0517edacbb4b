"""Two mock servers on one Redis store behave as one vendor: over real HTTP on loopback, each
request sent to either of them, every check read from the other."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import modmock
from alibaba_helpers import parameters, post_v3
from helpers import image_request
from jocloud_helpers import call as jocloud_call
from jocloud_helpers import image

pytest_plugins = ["pytester"]
CATS = {"risk": "reject", "labels": [{"category": "porn"}]}


@pytest.fixture
def pair(store_url: str) -> Iterator[tuple[modmock.MockServer, modmock.MockServer]]:
    with modmock.serve("deepcleer", store=store_url, clock="manual") as a, \
            modmock.serve("deepcleer", store=store_url, clock="manual") as b:
        yield a, b


def image_v4(mock: modmock.MockServer, **data: str) -> dict:
    answer = requests.post(mock.url + "/image/v4", json=image_request(data), timeout=10).json()
    assert isinstance(answer, dict)
    return answer


def test_the_journal_holds_every_request_once_in_one_order(pair) -> None:
    a, b = pair
    sent = [f"user-{n}" for n in range(30)]
    for n, token_id in enumerate(sent):
        assert image_v4((a, b)[n % 2], tokenId=token_id)["code"] == 1100
    for mock in pair:
        entries = mock.requests
        assert [e.body["data"]["tokenId"] for e in entries] == sent
        ids = [e.id for e in entries]
        assert ids == sorted(set(ids)) and len(ids) == 30
    assert [e.id for e in a.requests] == [e.id for e in b.requests]


def test_a_rules_times_are_counted_once_across_servers(pair) -> None:
    a, b = pair
    b.add_rule(match={"url_regex": "cats"}, verdict=CATS, times=3)
    risks = [image_v4((a, b)[n % 2], img="https://cdn.example.com/cats.jpg")["riskLevel"] for n in range(8)]
    assert risks == ["REJECT"] * 3 + ["PASS"] * 5
    assert a.state.rules.list() == [] and b.state.rules.list() == []


def test_times_are_counted_once_when_requests_race(pair) -> None:

    a, b = pair
    b.add_rule(match={"url_regex": "cats"}, verdict=CATS, times=3)
    a.fail_next(1903, times=2, endpoint="image_v4")
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda n: image_v4((a, b)[n % 2], img="https://cdn.example.com/cats.jpg"), range(16)))
    assert sum(x["code"] == 1903 for x in answers) == 2
    assert sum(x.get("riskLevel") == "REJECT" for x in answers) == 3


def test_faults_and_queued_answers_are_used_once(pair) -> None:
    a, b = pair
    a.fail_next(1902, times=2)
    codes = [image_v4((b, a)[n % 2])["code"] for n in range(5)]
    assert codes == [1902, 1902, 1100, 1100, 1100]
    b.respond_with(1903)
    assert image_v4(a)["code"] == 1903
    assert image_v4(b)["code"] == 1100


def test_a_rule_removed_on_one_server_is_gone_on_the_other(pair, store_url) -> None:
    a, b = pair
    rule = a.add_rule(match={"url_regex": "cats"}, verdict=CATS)
    assert image_v4(b, img="https://cdn.example.com/cats.jpg")["riskLevel"] == "REJECT"
    removed = requests.delete(b.admin_url + "/rules", params={"id": rule.id}, timeout=10).json()
    assert removed == {"removed": 1}
    assert image_v4(a, img="https://cdn.example.com/cats.jpg")["riskLevel"] == "PASS"
    listed = requests.get(a.admin_url + "/rules", timeout=10).json()["rules"]
    assert listed == []


def test_reset_on_one_server_resets_both(pair) -> None:
    a, b = pair
    a.add_rule(match={"url_regex": "cats"}, verdict=CATS)
    image_v4(a)
    image_v4(b)
    b.reset()
    assert a.requests == [] and b.requests == []
    assert image_v4(a, img="https://cdn.example.com/cats.jpg")["riskLevel"] == "PASS"
    assert len(b.requests) == 1


def test_an_invalid_request_to_one_server_fails_the_others_check(pair) -> None:
    a, b = pair
    answer = requests.post(a.url + "/image/v4", json=image_request({"tokenId": None}), timeout=10).json()
    assert answer["code"] == 1902
    with pytest.raises(modmock.InvalidRequestsError, match="tokenId"):
        b.assert_all_requests_valid()


def test_advancing_the_manual_clock_on_one_server_moves_the_others(pair) -> None:
    a, b = pair
    before = requests.get(b.admin_url + "/health", timeout=10).json()["time"]
    a.advance(3600)
    after = requests.get(b.admin_url + "/health", timeout=10).json()["time"]
    assert after == pytest.approx(before + 3600, abs=1)


def test_a_qps_limit_holds_across_servers(store_url) -> None:
    config = {"deepcleer": {"qps": 4}}
    with modmock.serve("deepcleer", store=store_url, config=config) as a, \
            modmock.serve("deepcleer", store=store_url, config=config) as b:
        codes = [image_v4((a, b)[n % 2])["code"] for n in range(10)]
    assert codes.count(1100) == 4, codes  # the ten are sent well within one second


def test_an_akool_token_from_one_server_is_good_on_the_other(store_url) -> None:
    from akool_helpers import CLIENT_ID, CLIENT_SECRET, INFO

    with modmock.serve("akool", store=store_url) as a, modmock.serve("akool", store=store_url) as b:
        answer = requests.post(a.url + "/api/open/v3/getToken",
                               json={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}, timeout=10).json()
        headers = {"Authorization": f"Bearer {answer['token']}"}
        missing = requests.get(b.url + INFO, params={"_id": "0" * 24}, headers=headers, timeout=10).json()
        assert missing["code"] == 1008, missing  # the token is known: the job is what is missing
        forged = requests.get(b.url + INFO, params={"_id": "0" * 24},
                              headers={"Authorization": "Bearer not-a-token"}, timeout=10).json()
        assert forged["code"] == 1101


def test_an_alibaba_nonce_used_on_one_server_is_refused_by_the_other(store_url) -> None:
    with modmock.serve("alibaba", store=store_url) as a, modmock.serve("alibaba", store=store_url) as b:
        nonce = "0123456789abcdef0123456789abcdef"
        assert post_v3(a, parameters(), nonce=nonce).json()["Code"] == 200
        again = post_v3(b, parameters(), nonce=nonce)
        assert again.status_code == 400 and "nonce" in again.text.lower(), again.text


def test_jocloud_concurrency_is_one_count_across_servers(store_url) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with modmock.serve("jocloud", store=store_url) as a, modmock.serve("jocloud", store=store_url) as b:
        a.add_latency(1.0, times=25)  # the first 20 hold their places for a second
        with ThreadPoolExecutor(21) as pool:
            answers = list(pool.map(lambda n: jocloud_call((a, b)[n % 2], "image_sync", image(f"p-{n}")), range(21)))
    assert sorted(r.status_code for r in answers) == [200] * 20 + [429]


def test_a_scenario_is_loaded_once_for_every_server(store_url) -> None:
    with modmock.serve("deepcleer", store=store_url, scenario="throttled") as a, \
            modmock.serve("deepcleer", store=store_url, scenario="throttled") as b:
        faults = requests.get(b.admin_url + "/faults", timeout=10).json()["faults"]
        assert len(faults) == 1  # the deepcleer fault of the scenario, not one per server
        a.reset()
        assert len(requests.get(b.admin_url + "/faults", timeout=10).json()["faults"]) == 1


def test_the_pytest_fixtures_take_a_store_url(pytester: pytest.Pytester, store_url: str) -> None:
    pytester.makeconftest(f"""
import pytest

@pytest.fixture(scope="session")
def modmock_options():
    return {{"store": {store_url!r}}}
""")
    pytester.makepyfile(test_shared=f"""
import requests
import modmock

def test_the_fixture_and_a_served_mock_are_one_vendor(deepcleer_mock):
    body = {{"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY",
             "data": {{"img": "https://cdn.example.com/a.jpg", "tokenId": "u1"}}}}
    with modmock.serve("deepcleer", store={store_url!r}) as other:
        assert requests.post(other.url + "/image/v4", json=body, timeout=10).json()["code"] == 1100
    assert [e.endpoint for e in deepcleer_mock.requests] == ["image_v4"]
""")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_surface_coverage_counts_what_every_server_exercised(pair) -> None:
    a, b = pair
    image_v4(a)
    requests.post(b.url + "/image/v4", json=image_request({"tokenId": None}), timeout=10)
    for mock in pair:
        codes = mock.coverage()["deepcleer"]["codes"]
        assert codes["exercised"] == {"1100": 1, "1902": 1}, codes
    text = requests.get(a.admin_url + "/coverage", params={"format": "text"}, timeout=10).text
    assert "1902" in text
    b.clear_coverage()
    assert a.coverage()["deepcleer"]["codes"]["exercised"] == {}


def test_servers_on_one_store_with_one_seed_still_draw_different_ids(store_url) -> None:
    with modmock.serve("deepcleer", store=store_url, seed=7) as a, modmock.serve("deepcleer", store=store_url, seed=7) as b:
        ids = {image_v4(mock)["requestId"] for mock in (a, b)}
    assert len(ids) == 2


def test_a_place_is_kept_while_its_request_runs_and_ends_with_a_dead_process(store_url, monkeypatch) -> None:
    import time
    from concurrent.futures import ThreadPoolExecutor

    import redis

    from modmock.mockserver.core.shared import store as shared

    monkeypatch.setattr(shared, "LEASE_SECONDS", 0.9)  # renewed every 0.3 s while held
    with modmock.serve("jocloud", store=store_url) as mock:
        mock.add_latency(2.0, times=20)
        with ThreadPoolExecutor(20) as pool:
            held = [pool.submit(jocloud_call, mock, "image_sync", image(f"h-{n}")) for n in range(20)]
            time.sleep(1.5)  # past the lease: only renewal keeps the 20 places taken
            assert jocloud_call(mock, "image_sync", image("late")).status_code == 429
            assert [f.result().status_code for f in held] == [200] * 20
        # Places a process left when it died (leases nobody renews) end by themselves.
        places = mock.state.store._key("flight", shared._digest(("jocloud", "123456", "image_sync")))
        client = redis.Redis.from_url(store_url.split("?")[0])
        client.zadd(places, {f"dead:{n}": time.time() + 0.5 for n in range(20)})
        assert jocloud_call(mock, "image_sync", image("blocked")).status_code == 429
        time.sleep(0.7)
        assert jocloud_call(mock, "image_sync", image("free")).status_code == 200


def test_two_resets_at_once_load_the_scenario_once(store_url) -> None:
    with modmock.serve("deepcleer", store=store_url, scenario="throttled") as a, \
            modmock.serve("deepcleer", store=store_url, scenario="throttled") as b, ThreadPoolExecutor(2) as pool:
        for _ in range(8):
            list(pool.map(lambda mock: mock.reset(), (a, b)))
            for mock in (a, b):
                assert len(requests.get(mock.admin_url + "/faults", timeout=10).json()["faults"]) == 1


def test_a_scenario_loaded_for_a_generation_a_reset_replaced_adds_nothing(store_url) -> None:
    with modmock.serve("deepcleer", store=store_url, scenario="throttled") as a, \
            modmock.serve("deepcleer", store=store_url, scenario="throttled") as b:
        replaced = a.state.store._seen["generation"]
        b.reset()  # b loads the scenario into the new generation
        a._thread.call(a.state._load_scenario_shared(replaced))  # a load that lost the race to b's reset
        assert len(requests.get(a.admin_url + "/faults", timeout=10).json()["faults"]) == 1
