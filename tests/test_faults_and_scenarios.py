"""The fault catalogue as clients see it, scenario files, and --seed reproducibility."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

import modmock
from alibaba_helpers import call, moderation, sdk
from helpers import image_request
from modmock.mockserver.scenarios import read, shipped


def _post(mock: modmock.MockServer) -> requests.Response:
    return requests.post(mock.url + "/image/v4", json=image_request(), timeout=10)


def test_reset_fault_drops_the_connection(deepcleer_mock) -> None:
    deepcleer_mock.add_fault(reset=True)
    with pytest.raises(requests.ConnectionError):
        _post(deepcleer_mock)
    assert _post(deepcleer_mock).json()["code"] == 1100  # next request is fine
    assert deepcleer_mock.requests[0].notes == ["injected fault: reset"]


def test_empty_and_malformed_bodies(deepcleer_mock) -> None:
    deepcleer_mock.add_fault(empty=True)
    empty = _post(deepcleer_mock)
    assert (empty.status_code, empty.content) == (200, b"")
    deepcleer_mock.add_fault(malformed=True)
    broken = _post(deepcleer_mock)
    assert broken.status_code == 200
    with pytest.raises(ValueError):
        broken.json()


def test_the_official_alibaba_sdk_sees_the_faults(alibaba_mock) -> None:
    from alibabacloud_tea_openapi.exceptions import ClientException
    alibaba_mock.fail_next(500)
    assert call(sdk(alibaba_mock), moderation()).body.code == 500
    alibaba_mock.add_fault(malformed=True)
    with pytest.raises(Exception) as caught:  # the SDK cannot parse the body
        call(sdk(alibaba_mock), moderation())
    assert not isinstance(caught.value, ClientException)
    alibaba_mock.add_fault(reset=True)
    with pytest.raises(Exception):  # noqa: B017 - a reset surfaces as whatever the SDK's HTTP stack raises
        call(sdk(alibaba_mock), moderation())
    assert call(sdk(alibaba_mock), moderation()).body.code == 200


def test_latency_range(deepcleer_mock) -> None:
    deepcleer_mock.add_latency((0.1, 0.2))
    started = time.monotonic()
    _post(deepcleer_mock)
    assert time.monotonic() - started >= 0.1
    note = deepcleer_mock.requests[-1].notes[0]
    assert note.startswith("injected latency 0.1") or note.startswith("injected latency 0.2")


def test_fraction_with_a_seed_is_reproducible() -> None:
    def outcomes(seed: int) -> list[int]:
        with modmock.serve("deepcleer", seed=seed) as mock:
            mock.add_fault(error=1903, fraction=0.4)
            return [_post(mock).json()["code"] for _ in range(30)]

    first, again = outcomes(11), outcomes(11)
    assert first == again and {1100, 1903} == set(first)
    assert outcomes(12) != first


def test_seed_makes_request_ids_reproducible() -> None:
    def ids(seed: int | None) -> list[str]:
        with modmock.serve("deepcleer", "alibaba", seed=seed) as mock:
            return [_post(mock).json()["requestId"], call(sdk(mock), moderation()).body.request_id]

    assert ids(5) == ids(5) and ids(5) != ids(6)
    assert ids(None) != ids(None)


def test_reset_reseeds_so_each_test_sees_the_same_ids() -> None:
    with modmock.serve("deepcleer", seed=3) as mock:
        first = _post(mock).json()["requestId"]
        mock.reset()
        assert _post(mock).json()["requestId"] == first


def test_an_outage_lasts_its_mock_seconds() -> None:
    with modmock.serve("deepcleer", clock="manual", scenario="vendor-down-30s") as mock:
        assert [_post(mock).json()["code"] for _ in range(3)] == [1903] * 3
        mock.advance(29.9)
        assert _post(mock).json()["code"] == 1903
        mock.advance(0.1)
        assert _post(mock).json()["code"] == 1100


@pytest.mark.parametrize("name", shipped())
def test_every_shipped_scenario_is_valid_and_loads_for_both_vendors(name: str) -> None:
    assert read(name)
    with modmock.serve("deepcleer", "alibaba", scenario=name) as mock:
        assert mock.state.faults.list() or mock.state.rules.list()


def test_everything_needs_review() -> None:
    with modmock.serve("deepcleer", "alibaba", scenario="everything-needs-review") as mock:
        assert _post(mock).json()["riskLevel"] == "REVIEW"
        assert call(sdk(mock), moderation()).body.data.risk_level == "medium"
        mock.reset()  # the scenario is part of the starting state
        assert _post(mock).json()["riskLevel"] == "REVIEW"


def test_a_scenario_file_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"rules": [{"match": {"data_id": "x"}, "error": 1903}]}))
    with modmock.serve("deepcleer", scenario=str(path)) as mock:
        assert requests.post(mock.url + "/image/v4", json=image_request({"dataId": "x"}),
                             timeout=10).json()["code"] == 1903


@pytest.mark.parametrize(("doc", "message"), [
    ({"rules": [{"verdict": {"risk": "maybe"}}]}, "not a valid scenario"),
    ({"faults": [{"reset": True, "empty": True}]}, "not a valid scenario"),
    ({"faults": [{"vendor": "deepcleer", "error": 500}]}, "not a documented deepcleer error code"),
    ({"extra": 1}, "not a valid scenario"),
])
def test_invalid_scenarios_are_refused(tmp_path: Path, doc: dict[str, Any], message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(modmock.SettingsError, match=message):
        modmock.serve("deepcleer", scenario=str(path))


def test_unknown_scenario_name() -> None:
    with pytest.raises(modmock.SettingsError, match="no such file, nor a shipped scenario"):
        modmock.serve("deepcleer", scenario="no-such-scenario")


def test_faults_through_the_admin_api_cover_every_kind(deepcleer_mock) -> None:
    for fault in ({"reset": True}, {"empty": True}, {"malformed": True}, {"latency": [0.01, 0.02]},
                  {"error": 1901, "fraction": 0.5, "times": 3}, {"error": 1903, "seconds": 10}):
        resp = requests.post(deepcleer_mock.admin_url + "/faults", json=fault, timeout=10)
        assert resp.status_code == 201, resp.text
    bad = requests.post(deepcleer_mock.admin_url + "/faults", json={"latency": [0.5, 0.1]}, timeout=10)
    assert bad.status_code == 400


def test_a_scenario_entry_for_an_endpoint_no_served_vendor_has_is_skipped(tmp_path) -> None:
    import json as jsonlib

    path = tmp_path / "mixed.json"
    path.write_text(jsonlib.dumps({"description": "one fault per vendor",
                                   "faults": [{"endpoint": "sentiment", "error": 1103}, {"endpoint": "image_v4",
                                                                                        "error": 1903}]}))
    with modmock.serve("deepcleer", scenario=str(path)) as mock:
        assert [f.endpoint for f in mock.state.faults.list()] == ["image_v4"]
