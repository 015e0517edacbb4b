"""Surface coverage: what a session's requests exercised of each vendor and what they never did,
over real HTTP, through the admin API, and as the pytest plugin's summary and JSON file."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

import modmock
from modmock.fixtures.coverage import merge
from modmock.mockserver.vendors.deepcleer import profile as deepcleer_profile

from .akool_helpers import INFO, bearer, submit
from .helpers import docs_block, image_request

pytest_plugins = ["pytester"]

DEEPCLEER_CODES = sorted(str(c) for c in (1901, 1902, 1903, 1911, 9101))


def _post(mock: modmock.MockServer, body: dict[str, Any]) -> dict[str, Any]:
    return requests.post(mock.url + "/image/v4", json=body, timeout=10).json()


def test_the_happy_path_leaves_every_error_code_never_exercised() -> None:
    with modmock.serve("deepcleer") as mock:
        assert _post(mock, image_request())["code"] == deepcleer_profile.SUCCESS
        deepcleer = mock.coverage()["deepcleer"]
    assert deepcleer["endpoints"]["exercised"] == {"image_v4": 1}
    assert "image_v4" not in deepcleer["endpoints"]["never"] and "async_img" in deepcleer["endpoints"]["never"]
    assert deepcleer["codes"]["exercised"] == {"1100": 1}
    assert deepcleer["codes"]["never"] == DEEPCLEER_CODES
    assert deepcleer["faults"]["exercised"] == {}


def test_codes_faults_and_inferred_rules_are_counted_across_resets() -> None:
    with modmock.serve("deepcleer") as mock:
        mock.fail_next(1902)
        _post(mock, image_request())
        mock.reset()  # a fixture resets before each test: coverage is the session's
        mock.add_fault({"reset": True, "times": 1})
        with pytest.raises(requests.ConnectionError):
            _post(mock, image_request())
        mock.add_rule(error={"code": 1911})
        _post(mock, image_request())
        _post(mock, image_request(unknownField=1))  # an inferred rule: a field the documents never name
        report = mock.coverage()["deepcleer"]
    assert report["codes"]["exercised"]["1902"] == 1 and report["codes"]["exercised"]["1911"] >= 1
    assert report["codes"]["never"] == ["1901", "1903", "9101"]
    assert report["faults"]["exercised"] == {"error": 1, "reset": 1}
    assert report["inferred_rules_hit"] == {"image_v4: (a field) unknown field": 1}  # not the client's name


def test_task_statuses_and_callback_outcomes() -> None:
    with modmock.serve("akool", clock="manual") as mock, modmock.CallbackSink(statuses=[503, 200]) as sink:
        headers = bearer(mock)
        job = submit(mock, {"type": 1, "content": "https://cdn.example.com/a.jpg", "webhookUrl": sink.url},
                     headers)["data"]["_id"]
        mock.run_until_idle()
        requests.get(mock.url + INFO, params={"_id": job}, headers=headers, timeout=10)
        report = mock.coverage()["akool"]
    assert report["task_statuses"]["exercised"] == {"queueing": 1, "processing": 1, "completed": 1}
    assert report["task_statuses"]["never"] == ["failed"]
    assert report["endpoints"]["never"] == []
    callbacks = report["callbacks"]["exercised"]
    assert callbacks == {"retried": 1, "first_try": 1}  # a 503 was no delivery: its retry is no duplicate
    assert report["callbacks"]["never"] == ["duplicate", "failed", "blocked"]


def test_a_callback_sent_again_after_a_2xx_is_a_duplicate_to_the_receiver() -> None:
    with modmock.serve("deepcleer", clock="manual") as mock, modmock.CallbackSink() as sink:
        mock.add_rule(verdict={"risk": "pass"}, review={"after": 60, "verdict": {"risk": "pass"}})
        _post(mock, image_request(callback=sink.url))  # the review callback wants {"code": 1100}, not "ok"
        mock.run_until_idle()
        callbacks = mock.coverage()["deepcleer"]["callbacks"]["exercised"]
    assert callbacks["first_try"] == 1  # the machine result: HTTP 200 is enough
    assert callbacks["duplicate"] == 1 and callbacks["failed"] == 1  # the reviewer's: sent again, then given up


def test_the_admin_api_serves_it_as_json_and_text_and_clears_it() -> None:
    with modmock.serve("jocloud") as mock:
        requests.post(mock.url + "/app/123456/v1/image/sync", json={"data": [{"dataId": "a", "url": "x"}]},
                      headers={"token": mock.credentials["credentials"][0]["token"]}, timeout=10)
        answer = requests.get(mock.admin_url + "/coverage", timeout=10)
        text = requests.get(mock.admin_url + "/coverage", params={"format": "text"}, timeout=10).text
        assert requests.delete(mock.admin_url + "/coverage", timeout=10).status_code == 200
        after = requests.get(mock.admin_url + "/coverage", timeout=10).json()
    jocloud = answer.json()["coverage"]["jocloud"]
    assert jocloud["endpoints"]["exercised"] == {"image_sync": 1}
    assert jocloud["codes"]["exercised"] == {"400": 1}  # the item's url is no URL
    assert "jocloud:" in text and "never:" in text and "429" in text
    assert after["coverage"]["jocloud"]["endpoints"]["exercised"] == {}


def test_reports_of_several_workers_merge() -> None:
    a = {"v": {"codes": {"exercised": {"1": 2}, "never": ["2", "3"]}, "inferred_rules_hit": {"x": 1}}}
    b = {"v": {"codes": {"exercised": {"2": 1}, "never": ["1", "3"]}, "inferred_rules_hit": {"x": 2}}}
    assert merge([a, b]) == {"v": {"codes": {"exercised": {"1": 2, "2": 1}, "never": ["3"]},
                                   "inferred_rules_hit": {"x": 3}}}


HAPPY_PATH_TESTS = '''
import requests

def _ok(mock):
    body = {"accessKey": "xxxx", "appId": "default", "eventId": "default", "type": "POLITY_EROTIC",
            "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u1"}}
    assert requests.post(mock.url + "/image/v4", json=body, timeout=10).json()["code"] == 1100

def test_one(deepcleer_mock):
    _ok(deepcleer_mock)

def test_two(deepcleer_mock):
    _ok(deepcleer_mock)
'''


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist"])
def test_the_plugin_prints_and_writes_what_a_happy_path_session_never_exercised(
        pytester: pytest.Pytester, workers: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # the width of the docs' copy of the table
    pytester.makepyfile(test_happy=HAPPY_PATH_TESTS)
    result = pytester.runpytest_subprocess("--modmock-coverage", "--modmock-coverage-json=cov.json", "-p", "no:randomly",
                                           "-p", "no:cacheprovider", *workers)
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert "modmock surface coverage" in out
    shown = docs_block("docs/guides/contracts.md", "=" * 27 + " modmock surface")  # the guide shows this session's
    lines = [line.rstrip() for line in result.stdout.lines if line.strip()]
    start = next(i for i, line in enumerate(lines) if "modmock surface coverage" in line)
    assert lines[start:start + len(shown) - 1] == shown[:-1]  # (its last line names the default JSON file)
    assert shown[-1] == "JSON: modmock-coverage.json" and lines[start + len(shown) - 1] == "JSON: cov.json"
    assert "never:     " + ", ".join(DEEPCLEER_CODES) in out
    report = json.loads((pytester.path / "cov.json").read_text("utf-8"))["coverage"]["deepcleer"]
    assert report["endpoints"]["exercised"] == {"image_v4": 2}
    assert report["codes"]["never"] == DEEPCLEER_CODES
    assert not list(pytester.path.glob("cov.json.*.part"))


def test_inferred_rules_are_kept_to_a_bound() -> None:
    from modmock.mockserver.core import coverage
    from modmock.mockserver.core.journal import Entry, Problem

    counted = coverage.Coverage()
    for i in range(coverage.INFERRED_KEYS + 50):
        entry = Entry(0, "v", "e", "POST", "/", 0.0, 0.0, warnings=[Problem(f"f{i}", "maxLength 9", "x", "y",
                                                                              inferred=True)])
        counted.request(entry)
    with modmock.serve("deepcleer") as mock:
        report = coverage._vendor_report(mock.state.vendors["deepcleer"], counted._counts["v"])
    assert len(report["inferred_rules_hit"]) == coverage.INFERRED_KEYS + 1
    assert report["inferred_rules_hit"]["(more inferred rules than the report keeps)"] == 50
