"""The client contract suite judges clients right: the examples pass or fail where they should,
each kind of broken client fails its own item, drawn answers reproduce with a seed."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers import docs_block

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]

# Clients with one bug each, written against the Deepcleer mock with requests.
BROKEN = '''
import time
import requests

class ClientError(Exception):
    pass

SEEN = []

def _post(url, credentials, **extra):
    body = {"accessKey": credentials["accessKeys"][0]["accessKey"], "appId": "default", "eventId": "default",
            "type": "POLITY_EROTIC", "data": {"img": "https://cdn.example.com/a.jpg", "tokenId": "u1"}}
    body.update(extra)
    return requests.post(url + "/image/v4", json=body, timeout=5).json()

def _decide(answer):
    if answer["code"] != 1100:
        raise ClientError(answer["code"])
    if answer.get("finalResult") == 0:  # a human reviewer has yet to decide
        return "review"
    return answer["riskLevel"].lower()

def ignores_final_result(url, credentials):
    answer = _post(url, credentials)
    if answer["code"] != 1100:
        raise ClientError(answer["code"])
    return answer["riskLevel"].lower()

def retries_at_once(url, credentials):
    answer = _post(url, credentials)
    if answer["code"] == 1901:
        answer = _post(url, credentials)
    return _decide(answer)

def backs_off(url, credentials):
    answer = _post(url, credentials)
    if answer["code"] == 1901:
        time.sleep(0.3)
        answer = _post(url, credentials)
    return _decide(answer)

def review_is_pass(url, credentials):
    decision = _decide(_post(url, credentials))
    return "pass" if decision == "review" else decision

def bad_request(url, credentials):
    return _decide(_post(url, credentials, type="NOT_A_TYPE"))

def fails_open(url, credentials):
    try:
        return _decide(_post(url, credentials))
    except (ClientError, ValueError, requests.RequestException):
        return "pass"

def publishes_on_error(url, credentials):
    try:
        return {"pass": "publish", "review": "publish", "reject": "block"}[_decide(_post(url, credentials))]
    except ClientError:
        return "publish"
publishes_on_error.decisions = {"pass": "publish", "review": "publish", "reject": "block"}

def booleans(url, credentials):
    return _decide(_post(url, credentials)) == "pass"
booleans.decisions = {"pass": True, "review": False, "reject": False}
booleans.errors = (ClientError, ValueError, requests.RequestException)

def recording(url, credentials):
    answer = _post(url, credentials)
    SEEN.append(answer)
    with open("seen.jsonl", "a") as out:
        out.write(repr(sorted(answer.items())) + "\\n")
    try:
        return _decide(answer)
    except KeyError:
        raise ClientError("no riskLevel")

def _async(url, credentials, callback_url=None):
    answer = _post(url, credentials, **({"callback": callback_url} if callback_url else {}))
    if callback_url:
        return "pass" if answer["code"] == 1100 else None
    return _decide(answer)

ack_is_pass = _async
ack_is_pass.receiver = _decide

DECIDED = {}
def _flipping_receiver(body):
    DECIDED[body["requestId"]] = DECIDED.get(body["requestId"], 0) + 1
    return "pass" if DECIDED[body["requestId"]] > 1 else _decide(body)

def flips_on_duplicate(url, credentials, callback_url=None):
    answer = _post(url, credentials, **({"callback": callback_url} if callback_url else {}))
    return None if callback_url else _decide(answer)
flips_on_duplicate.receiver = _flipping_receiver
'''


def _run(pytester: pytest.Pytester, client: str, *args: str, vendor: str = "deepcleer",
         fresh: bool = False) -> pytest.RunResult:
    """Run the suite in this process, or in a ``fresh`` interpreter (as a user's rerun is)."""
    pytester.makepyfile(broken_clients=BROKEN)
    pytester.syspathinsert(ROOT)
    pytester.syspathinsert()
    if fresh:
        pytester.makeconftest(f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(pytester.path)!r}]")
    run = pytester.runpytest_subprocess if fresh else pytester.runpytest
    return run("--pyargs", "modmock.contracts.suite", f"--modmock-vendor={vendor}",
                              f"--modmock-client={client}", "-p", "no:randomly", "-p", "no:cacheprovider", "--assert=plain",
                              "--modmock-examples=10", "-o", "asyncio_default_fixture_loop_scope=function", *args)


def _table(result: pytest.RunResult) -> dict[str, str]:
    lines = result.stdout.lines
    start = next(i for i, line in enumerate(lines) if "modmock contract suite:" in line)
    rows = {}
    for line in lines[start + 1:]:
        parts = line.split()
        if not parts and not rows:
            continue
        if len(parts) < 2 or parts[1] not in ("PASSED", "FAILED", "SKIPPED"):
            break
        rows[parts[0]] = line
    return rows


def _failed(result: pytest.RunResult) -> set[str]:
    return {name for name, line in _table(result).items() if " FAILED " in f"{line} "}


def test_the_fixed_deepcleer_client_passes_every_item(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.deepcleer_client:adapter")
    result.assert_outcomes(passed=31)  # 18 on the synchronous endpoints, 13 on the asynchronous one, polled
    table = _table(result)
    assert len(table) == 31
    assert {"human_review", "batch", "job:verdict[reject]", "job:job_never_ends", "job:rate_limit"} <= set(table)


def test_the_client_that_ignores_1901_fails_the_rate_limit_item(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.deepcleer_client:buggy_adapter")
    failed = _failed(result)
    assert "rate_limit" in failed
    assert failed <= {"rate_limit", "documented_responses"}  # a drawn 1901 may hit it too
    assert "code 1901" in _table(result)["rate_limit"]


def test_the_official_alibaba_sdk_passes_through_a_ten_line_adapter(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.alibaba_sdk_adapter:adapter", vendor="alibaba")
    result.assert_outcomes(passed=18, skipped=3)
    assert "has no callback" in _table(result)["callbacks[pass]"]


@pytest.mark.parametrize(("client", "items", "why"), [
    ("retries_at_once", {"rate_limit"}, "retried"),
    ("review_is_pass", {"verdict[review]"}, "a review verdict is 'review'"),
    ("bad_request", {"requests_valid", "verdict[pass]"}, "invalid request(s) sent"),
    ("fails_open", {"error_code[1902]", "fault[reset]", "rate_limit"}, "an error taken for a clean verdict"),
    ("ack_is_pass", {"callbacks[pass]"}, "expected an acknowledgement"),
    ("publishes_on_error", {"error_code[1903]", "error_code[9101]"}, "an error taken for a clean verdict"),
    ("flips_on_duplicate", {"callbacks[review]"}, "changed the decision to 'pass'"),
    ("ignores_final_result", {"human_review"}, "was taken for a final pass"),
])
def test_a_broken_client_fails_its_items(pytester: pytest.Pytester, client: str, items: set[str],
                                         why: str) -> None:
    result = _run(pytester, f"broken_clients:{client}", "-k", "not documented_responses")  # no shrinking
    failed = _failed(result)
    assert items <= failed, result.stdout.str()
    assert any(why in _table(result)[item] or why in result.stdout.str() for item in items)


def test_a_client_that_backs_off_passes_the_rate_limit_item(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "broken_clients:backs_off", "-k", "rate_limit")
    result.assert_outcomes(passed=1, skipped=1)  # job:rate_limit: the adapter declares no job


def test_declared_decisions_and_errors_are_honoured(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "broken_clients:booleans", "-k", "not callbacks")
    result.assert_outcomes(passed=14, skipped=14)  # batch and the job items: the adapter declares neither


def test_drawn_answers_reproduce_with_a_seed(pytester: pytest.Pytester) -> None:
    runs = []
    for seed in ("7", "7", "8"):
        seen = pytester.path / "seen.jsonl"
        seen.unlink(missing_ok=True)
        _run(pytester, "broken_clients:recording", "-k", "documented_responses", f"--hypothesis-seed={seed}",
             f"--modmock-seed={seed}", fresh=True)
        runs.append(seen.read_text())
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_missing_options_are_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--pyargs", "modmock.contracts.suite", "-p", "no:cacheprovider",
                                "-o", "asyncio_default_fixture_loop_scope=function")
    assert result.ret != 0
    assert "--modmock-vendor" in result.stdout.str() + result.stderr.str()


def test_the_command_exits_non_zero_and_writes_junit_xml(tmp_path: Path) -> None:
    report = tmp_path / "suite.xml"
    done = subprocess.run(
        [sys.executable, "-m", "modmock", "contract", "--vendor", "deepcleer", "--client",
         "examples.deepcleer_client:buggy_adapter", "--junit-xml", str(report), "--examples", "5", "--seed", "1",
         "--", "-p", "no:randomly"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "modmock contract suite: deepcleer" in done.stdout
    every = list(ET.parse(report).getroot().iter("testcase"))
    cases = {c.get("name"): c for c in every if str(c.get("classname")).endswith("test_client")}
    assert cases["test_rate_limit"].find("failure") is not None
    assert cases["test_verdict[pass]"].find("failure") is None
    assert len(cases) == 18 and len(every) == 31  # batch and the 13 job items skipped: the buggy adapter has neither


def test_the_guides_table_is_what_the_command_prints() -> None:
    done = subprocess.run([sys.executable, "-m", "modmock", "contract", "--vendor", "deepcleer", "--client",
                           "examples.deepcleer_client:buggy_adapter"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    import re

    def rows(lines: list[str]) -> dict[str, str]:  # item → status and reason, request numbers left out
        return {line.split()[0]: re.sub(r"#\d+", "#N", " ".join(line.split()[1:])) for line in lines
                if len(line.split()) > 1 and line.split()[1] in ("PASSED", "FAILED", "SKIPPED")}

    lines = done.stdout.splitlines()
    shown = docs_block("docs/guides/contracts.md", "======== modmock contract suite")
    assert any(line.strip("= ") == shown[0].strip("= ") for line in lines), shown[0]
    assert shown[-1] in lines
    printed = rows(lines)
    assert {item: printed[item] for item in rows(shown)} == rows(shown)


def test_items_an_invalid_request_never_reached_fail_as_not_exercised(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "broken_clients:bad_request", "-k", "not documented_responses")
    table = _table(result)
    for item in ("rate_limit", "error_code[1903]", "fault[reset]"):
        assert " FAILED " in table[item] and "not exercised" in table[item], table[item]


def test_the_fixed_client_passes_with_a_seed_too(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.deepcleer_client:adapter", "--modmock-seed=1", "--hypothesis-seed=1")
    result.assert_outcomes(passed=31)


def test_every_vendor_has_a_suite() -> None:
    from modmock.contracts.suite.hints import suite_hints
    from modmock.mockserver.vendors import vendor_names

    assert {vendor: suite_hints(vendor).flow for vendor in vendor_names()} == {
        "aivacom": "sync", "akool": "job", "alibaba": "sync", "deepcleer": "sync", "jocloud": "sync"}


def test_a_vendor_without_a_suite_is_one_usage_error(pytester: pytest.Pytester) -> None:
    # A new vendor's folder has no hints; patched in a process of its own (no state left behind).
    pytester.makepyfile(no_hints="import modmock.contracts.vendors as v\nv.hints_module = lambda vendor: None\n")
    result = pytester.runpytest_subprocess("-p", "no_hints", "--pyargs", "modmock.contracts.suite",
                                           "--modmock-vendor=akool", "--modmock-client=examples.deepcleer_client:adapter",
                                           "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "has no client contract suite yet" in result.stderr.str()


JOCLOUD_ITEM_CODES = {f"error_code[{c}]" for c in (401, 402, 403, 410, 411, 412, 413, 420, 421, 500, 503)}
JOCLOUD_ACTION_CODES = {f"error_code[action:{c}]" for c in (400, 401, 402, 403, 410, 411, 412, 413, 420, 421, 500, 503)}


def test_the_example_jocloud_client_passes_every_item(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.jocloud_client:adapter", vendor="jocloud")
    result.assert_outcomes(passed=38, deselected=2)  # no human review and no batch endpoint at Jocloud
    table = _table(result)
    assert JOCLOUD_ITEM_CODES | JOCLOUD_ACTION_CODES | {"callbacks[reject]", "rate_limit", "concurrency", "live_reports"} <= set(table)


def test_the_jocloud_client_that_ignores_item_codes_fails_those_items(pytester: pytest.Pytester) -> None:
    result = _run(pytester, "examples.jocloud_client:buggy_adapter", vendor="jocloud")
    failed = _failed(result)
    assert JOCLOUD_ITEM_CODES | JOCLOUD_ACTION_CODES <= failed
    assert failed <= JOCLOUD_ITEM_CODES | JOCLOUD_ACTION_CODES | {"documented_responses"}  # a drawn failed item too
    assert "an error taken for a clean verdict" in _table(result)["error_code[421]"]


def test_a_jocloud_client_that_retries_at_once_fails_the_concurrency_item(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(broken_jocloud='''
from examples import jocloud_client as jo

class RetriesAtOnce(jo.JocloudClient):
    def _post(self, kind, body):
        try:
            return super()._post(kind, body)
        except jo.RateLimited:
            return super()._post(kind, body)

def adapter(url, credentials):
    cert = credentials["credentials"][0]
    return RetriesAtOnce(url, cert["appid"], cert["token"]).moderate_image("https://cdn.example.com/a.jpg")
adapter.errors = (jo.ModerationError,)
''')
    result = _run(pytester, "broken_jocloud:adapter", "-k", "concurrency or rate_limit", vendor="jocloud")
    assert _failed(result) == {"concurrency", "rate_limit"}
    assert "(too many requests in flight)" in _table(result)["concurrency"]


LIVE_BROKEN = '''
from examples import jocloud_client as jo

class FirstReportOnly(jo.CallbackReceiver):
    def handle(self, body):
        task = body["data"][0]["taskId"]
        if task in self.decided:
            return None
        self.decided[task] = decision = jo.JocloudClient("", "", "").decision_of(body)
        return decision

def _adapter(url, credentials, callback_url=None):
    return jo.adapter(url, credentials, callback_url)
_adapter.errors = (jo.ModerationError,)

first_report_only = _adapter
first_report_only.receiver = FirstReportOnly().handle
first_report_only.live = jo.live

def never_stops(url, credentials, callback_url=None):
    return jo.adapter(url, credentials, callback_url)
never_stops.errors = (jo.ModerationError,)
never_stops.receiver = jo.CallbackReceiver().handle
def _live_without_stop(url, credentials, callback_url):
    jo.live(url, credentials, callback_url)
    return lambda: None
never_stops.live = _live_without_stop

def runs_out(url, credentials, callback_url=None):
    return jo.adapter(url, credentials, callback_url)
runs_out.errors = (jo.ModerationError,)
runs_out.receiver = jo.CallbackReceiver().handle
def _live_until_it_ends(url, credentials, callback_url):  # an interval so long the stream ends by itself
    cert = credentials["credentials"][0]
    jo.JocloudClient(url, cert["appid"], cert["token"]).start_live("rtmp://live.example.com/s", callback_url, 1100)
    return lambda: None
runs_out.live = _live_until_it_ends
'''


@pytest.mark.parametrize(("client", "why"), [
    ("first_report_only", "were decided [None, None]"),
    ("never_stops", "did not stop the stream"),
    ("runs_out", "its task is ended"),
])
def test_a_jocloud_client_that_mishandles_a_live_stream_fails_the_live_item(pytester: pytest.Pytester, client: str,
                                                                            why: str) -> None:
    pytester.makepyfile(broken_live=LIVE_BROKEN)
    result = _run(pytester, f"broken_live:{client}", "-k", "live_reports", vendor="jocloud")
    assert _failed(result) == {"live_reports"}
    assert why in _table(result)["live_reports"]


BATCH_BROKEN = '''
from examples import deepcleer_client as dc

def _first_code_only(url, credentials, images):
    client = dc.DeepcleerClient(url, credentials["accessKeys"][0]["accessKey"])
    answer = client._post("/images/v4", {"accessKey": client.access_key, "appId": "default", "eventId": "default",
        "type": "POLITY_EROTIC", "data": {"tokenId": "u1", "imgs": [{"img": u, "btId": f"b{i}"} for i, u in enumerate(images)]}})
    return [dc.DECISIONS.get(item.get("riskLevel"), "pass") for item in answer["imgs"]]  # a failed image reads as pass

def passes_failed_images(url, credentials):
    return dc.adapter(url, credentials)
passes_failed_images.errors = (dc.ModerationError,)
passes_failed_images.batch = _first_code_only
'''


def test_a_deepcleer_client_that_passes_a_failed_image_of_a_batch_fails_the_batch_item(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(broken_batch=BATCH_BROKEN)
    result = _run(pytester, "broken_batch:passes_failed_images", "-k", "batch")
    assert _failed(result) == {"batch"}
    assert "answered 1911 was decided 'pass'" in _table(result)["batch"]


JOB_HABITS = '''
import time
from examples import deepcleer_client as dc

class Adapter:  # a callable object: its job is a bound method
    errors = (dc.ModerationError,)

    def __init__(self, every, patience):
        self.every, self.patience = every, patience

    def __call__(self, url, credentials, callback_url=None):
        return dc.adapter(url, credentials, callback_url)

    def job(self, url, credentials, sleep=time.sleep):
        client = dc.DeepcleerClient(url, credentials["accessKeys"][0]["accessKey"])
        return client.moderate_later("https://cdn.example.com/1.jpg", "u", sleep, self.every, self.patience)

patient = Adapter(5.0, 7200.0)  # polls every 5 s for 2 h
waits_for_1912 = Adapter(600.0, 30 * 3600.0)  # longer than the vendor's 24 h: its 1912 ends the wait
'''


@pytest.mark.parametrize("client", ["patient", "waits_for_1912"])
def test_a_deepcleer_job_client_of_long_patience_passes_the_job_items(pytester: pytest.Pytester, client: str) -> None:
    pytester.makepyfile(job_habits=JOB_HABITS)
    result = _run(pytester, f"job_habits:{client}", "-k", "job_never_ends or (job and verdict)")
    result.assert_outcomes(passed=4)
